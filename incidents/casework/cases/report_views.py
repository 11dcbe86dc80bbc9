"""Staff: report a concern on one page, then see a receipt. Staff never see cases afterwards."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.casework.cases import with_files
from incidents.casework.cases.choices import fill_case_choices
from incidents.casework.cases.forms import CaseForm
from incidents.models import Case
from incidents.permissions import Permission
from incidents.web.access import requires, takes_files
from incidents.web.pipeline import form_page

bp = Blueprint("report", __name__, url_prefix="/report")


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.CONCERN_REPORT)
@takes_files
def new() -> str | Response:
    form = CaseForm()
    fill_case_choices(form, current_user, report=True)
    return form_page(
        form,
        command=lambda: with_files.report(form),
        done_message=None,  # the receipt's panel is the confirmation
        show=lambda: render_template("report/new.html", form=form, **with_files.page_text()),
        then=_receipt,
    )


def _receipt(case: Case) -> str:
    # Shown once, from the session: the reporter has no case page to go back to.
    session["receipt"] = {"reference": case.reference, "at": case.recorded_at.isoformat()}
    return url_for("report.receipt")


@bp.route("/receipt")
@requires(Permission.CONCERN_REPORT)
def receipt() -> str:
    # Taken out of the session as it is shown: the signed cookie no longer carries it, and
    # reloading the page (or someone at the same screen later) cannot read it again.
    data = session.pop("receipt", None)
    if not isinstance(data, dict):
        abort(404)
    return render_template("report/receipt.html", receipt=data)
