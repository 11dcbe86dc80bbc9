"""The subject access register pages: the list, logging a request, one request, and its steps
(extend, reply, close). Every form goes through the page pipeline: a step the request's state
no longer allows is refused when its page loads, with the table's reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents.clock import local_today
from incidents.extensions import db_session
from incidents.models import Exemption, Requester, RequestState, SubjectAccessRequest
from incidents.permissions import Permission
from incidents.registers.subject_access import commands as subject_access
from incidents.registers.subject_access.forms import (
    CloseForm,
    ExtendForm,
    NewRequestForm,
    RespondForm,
)
from incidents.web.access import requires
from incidents.web.pipeline import back_to, form_page

bp = Blueprint("sar", __name__, url_prefix="/subject-access-requests")


@bp.route("/")
@requires(Permission.SAR_MANAGE)
def index() -> str:
    requests = subject_access.register(db_session(), actor=current_user)
    return render_template("subject_access/index.html", requests=requests, today=local_today())


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def new() -> str | Response:
    form = NewRequestForm()
    return form_page(
        form,
        command=lambda: subject_access.log_request(
            db_session(),
            actor=current_user,
            data=subject_access.NewRequest(
                requester=form.requester.data or "",
                requester_kind=Requester(form.requester_kind.data),
                received_on=form.received_on.data,
            ),
        ),
        done_message=lambda request: f"Request {request.reference} logged",
        show=lambda: render_template("subject_access/new.html", form=form),
        then=lambda request: url_for("sar.show", request_id=request.id),
    )


@bp.route("/<uuid:request_id>")
@requires(Permission.SAR_MANAGE)
def show(request_id: uuid.UUID) -> str:
    db = db_session()
    request = subject_access.get_request(db, actor=current_user, request_id=request_id)
    db.commit()  # the audit entry for opening it
    return render_template("subject_access/show.html", request=request, today=local_today())


def _step(
    request_id: uuid.UUID,
    step: str,
    form: FlaskForm,
    title: str,
    command: Callable[[SubjectAccessRequest], object],
    done_message: str,
) -> str | Response:
    """One step on a request, back to the request's page: refused there, with the table's
    reason, when the request's state no longer allows `step`."""
    back_to(url_for("sar.show", request_id=request_id))
    request = subject_access.open_request(
        db_session(), actor=current_user, request_id=request_id, step=step
    )
    return form_page(
        form,
        command=lambda: command(request),
        done_message=done_message,
        show=lambda: render_template(
            "subject_access/step.html", request=request, form=form, title=title
        ),
    )


@bp.route("/<uuid:request_id>/extend", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def extend(request_id: uuid.UUID) -> str | Response:
    form = ExtendForm()
    return _step(
        request_id,
        "extend",
        form,
        "Extend the deadline",
        lambda r: subject_access.extend(
            db_session(), actor=current_user, request=r, reason=form.reason.data or ""
        ),
        "Deadline extended by two months",
    )


@bp.route("/<uuid:request_id>/reply", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def respond(request_id: uuid.UUID) -> str | Response:
    form = RespondForm()
    return _step(
        request_id,
        "respond",
        form,
        "Record the reply",
        lambda r: subject_access.respond(
            db_session(),
            actor=current_user,
            request=r,
            responded_on=form.responded_on.data,
            exemptions=[Exemption(v) for v in form.exemptions.data or []],
            note=form.note.data or "",
        ),
        "Reply recorded",
    )


@bp.route("/<uuid:request_id>/close", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def close(request_id: uuid.UUID) -> str | Response:
    form = CloseForm()
    return _step(
        request_id,
        # Withdrawn or refused: the table opens both moves to the same requests.
        "withdrawn",
        form,
        "Close without a reply",
        lambda r: subject_access.close(
            db_session(),
            actor=current_user,
            request=r,
            state=RequestState(form.state.data),
            reason=form.reason.data or "",
        ),
        "Request closed",
    )
