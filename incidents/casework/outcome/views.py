"""The end of a case on the web: record the outcome, then close the case through its checklist
and a check-your-answers page, because closing cannot be undone."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents import closure, workflow
from incidents.casework import page as case_step
from incidents.casework.outcome import commands as outcome_service
from incidents.casework.outcome.forms import CloseCaseForm, OutcomeForm
from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.extensions import db_session
from incidents.models import Case, CaseKind, CaseOutcome, EmploymentOutcome
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.forms import apply_service_errors

bp = Blueprint("outcomes", __name__, url_prefix="/cases/<uuid:case_id>")


@bp.route("/outcome", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def record(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, "record_outcome")
    if refused:
        return case_step.back(case_id, refused)
    choices = outcome_service.outcomes_for(case.kind)
    form = OutcomeForm()
    form.outcome.choices = [SelectChoice(o.value, o.label) for o in choices]
    if form.validate_on_submit():
        sent = case_step.submit(
            case_id,
            form,
            lambda: outcome_service.record_outcome(
                db_session(),
                actor=current_user,
                case=case,
                outcome=CaseOutcome(form.outcome.data),
                reasons=form.reasons.data or "",
            ),
            "Outcome recorded",
        )
        if sent:
            return sent
    return render_template("casework/outcome.html", case=case, form=form, outcomes=choices)


def _pension_age_on(form: CloseCaseForm) -> date | None:
    # Asked only for allegations: the field is taken off the form for the other tracks.
    return form.pension_age_on.data if form.pension_age_on is not None else None


def _answers(form: CloseCaseForm) -> outcome_service.ClosureInput:
    mention = form.mention_in_references.data
    return outcome_service.ClosureInput(
        employment_outcome=EmploymentOutcome(form.employment_outcome.data)
        if form.employment_outcome.data
        else None,
        mention_in_references=None if not mention else mention == "yes",
        pension_age_on=_pension_age_on(form),
    )


def _retention(case: Case, form: CloseCaseForm) -> closure.Retention | None:
    """The retention the answers lead to, for the summary; None (with a field error) if the
    answers are not enough to work it out."""
    try:
        return closure.retention_for(
            case, closed_on=local_today(), pension_age_on=_pension_age_on(form)
        )
    except closure.RetentionUnknownError as exc:
        if form.pension_age_on is None:
            raise  # only allegations need the date, and they are asked for it
        form.pension_age_on.errors = [str(exc)]
        return None


@bp.route("/close", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def close(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    try:
        workflow.check(case, "close", current_user, with_guard=False)
    except workflow.TransitionNotAllowedError as exc:
        return case_step.back(case_id, str(exc))
    # What must be done elsewhere first; the rest is answered on this page.
    outstanding = [c for c in closure.checklist(case) if not c.done and not c.answered_on_close]
    form = CloseCaseForm()
    if case.kind is not CaseKind.ALLEGATION:
        del form.pension_age_on
    implied = closure.employment_implied(case)
    if request.method == "GET" and implied is not None:
        # A dismissal (or a role ended) already answers this; the DBS duty follows from it.
        form.employment_outcome.data = implied.value
    page = {"case": case, "form": form, "outstanding": outstanding}
    if request.method == "GET" or outstanding or not form.validate_on_submit():
        return render_template("casework/close.html", **page)
    retention = _retention(case, form)
    if retention is None:
        return render_template("casework/close.html", **page)
    if form.confirmed.data != "yes":
        employment = EmploymentOutcome(form.employment_outcome.data).label
        return render_template(
            "casework/close_check.html", retention=retention, employment=employment, **page
        )
    db = db_session()
    try:
        outcome_service.close_case(db, actor=current_user, case=case, data=_answers(form))
    except InvalidInput as exc:
        db.rollback()
        apply_service_errors(form, exc)
    except workflow.TransitionNotAllowedError as exc:
        db.rollback()
        # Only a duty that follows from these answers (the DBS referral) can be missing here.
        form.employment_outcome.errors = [str(exc)]
    else:
        db.commit()
        return case_step.back(case_id, "Case closed")
    return render_template("casework/close.html", **page)
