"""Legal holds on a case: placed (an inquiry, litigation, the police) and lifted, each with a
reason. While a hold is open the case cannot be erased."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.casework import page as case_step
from incidents.casework.erasure import commands as erasure
from incidents.casework.erasure.forms import LegalHoldForm, LiftLegalHoldForm
from incidents.extensions import db_session
from incidents.models import LegalHoldKind
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import form_page

bp = Blueprint("legal_holds", __name__, url_prefix="/cases/<uuid:case_id>/legal-holds")


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def place(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "place_legal_hold", anchor="legal-holds")
    form = LegalHoldForm()
    return form_page(
        form,
        command=lambda: erasure.place_legal_hold(
            db_session(),
            actor=current_user,
            case=case,
            kind=LegalHoldKind(form.kind.data),
            reason=form.reason.data or "",
        ),
        done_message="Legal hold placed: the case cannot be erased until it is lifted",
        show=lambda: render_template("casework/legal_hold.html", case=case, form=form),
    )


@bp.route("/<uuid:hold_id>/lift", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def lift(case_id: uuid.UUID, hold_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "lift_legal_hold", anchor="legal-holds")
    hold = next((h for h in case.open_legal_holds if h.id == hold_id), None)
    if hold is None:
        abort(404)
    form = LiftLegalHoldForm()
    return form_page(
        form,
        command=lambda: erasure.lift_legal_hold(
            db_session(),
            actor=current_user,
            case=case,
            hold_id=hold.id,
            reason=form.reason.data or "",
        ),
        done_message="Legal hold lifted",
        show=lambda: render_template(
            "casework/legal_hold_lift.html", case=case, form=form, hold=hold
        ),
    )
