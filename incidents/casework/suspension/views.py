"""Suspension pages: the case manager's decision, with the alternatives considered and why each
was rejected (checked before saving: a decision is never edited, and a suspension starts the
one-working-day clock), then the date the written confirmation was sent (and why, if late), and
when and why the suspension ended (checked before saving: it ends once)."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice
from wtforms.validators import Optional

from incidents import deadlines, workflow
from incidents.casework import page as case_step
from incidents.casework.suspension import commands as service
from incidents.casework.suspension.forms import (
    ConfirmationSentForm,
    LiftSuspensionForm,
    SuspensionForm,
)
from incidents.errors import InvalidInput, NotFound
from incidents.extensions import db_session
from incidents.models import Alternative, Case, SuspensionDecision
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.check_answers import changing, confirmed, hidden_fields
from incidents.web.filters import london_datetime, long_date
from incidents.web.forms import apply_service_errors

bp = Blueprint("suspension", __name__, url_prefix="/cases/<uuid:case_id>/suspension")
ANCHOR = "suspension"


def _row(key: str, value: str) -> dict[str, object]:
    return {"key": {"text": key}, "value": {"text": value}}


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def new(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, "consider_suspension")
    if refused:
        return case_step.back(case_id, refused)
    people = {str(p.id): p for p in service.suspendable_people(case)}
    form = SuspensionForm()
    form.person.choices = [
        SelectChoice(pid, f"{p.name.reveal()} ({p.kind.label.lower()})")
        for pid, p in people.items()
    ]
    if len(people) == 1:
        # One possible answer is not a question: the page names the person instead.
        form.person.validators = [Optional()]
        form.person.data = form.person.data or next(iter(people))
    if form.validate_on_submit() and not changing():
        data = service.SuspensionInput(
            person_id=uuid.UUID(form.person.data),
            considered=form.considered(),
            suspended=form.suspended.data == "yes",
            reasons=form.reasons.data or "",
            decided_on=form.decided_on.data,
        )
        db = db_session()
        try:
            if not confirmed(form):
                service.check_suspension(case, data)
                return _check(case, form, data, people[form.person.data].name.reveal())
            service.decide_suspension(db, actor=current_user, case=case, data=data)
        except InvalidInput as exc:
            db.rollback()
            # "Consider the alternatives" belongs to the first of them on this page.
            if "alternatives" in exc.errors:
                exc.errors["why_redeployment"] = exc.errors.pop("alternatives")
            apply_service_errors(form, exc)
        except workflow.TransitionNotAllowedError as exc:
            db.rollback()
            return case_step.back(case_id, str(exc))
        else:
            db.commit()
            return case_step.back(case_id, "Suspension decision recorded", anchor=ANCHOR)
    return render_template(
        "suspension/new.html", case=case, form=form, alternatives=list(Alternative)
    )


def _check(case: object, form: SuspensionForm, data: service.SuspensionInput, name: str) -> str:
    assert data.decided_on is not None  # noqa: S101 - checked by the service
    rows = [
        _row("About", name),
        *(_row(f"Considered: {a.label}", why) for a, why in data.considered.items()),
        _row("Suspended", "Yes" if data.suspended else "No"),
        _row("Reasons", data.reasons),
        _row("Decided on", long_date(data.decided_on)),
    ]
    warning = "A decision cannot be changed once recorded: record a new one if it changes."
    if data.suspended:
        due = deadlines.suspension_confirmation_due(data.decided_on)
        rows.append(_row("Confirm it in writing by", london_datetime(due)))
        warning = (
            "A task to confirm the suspension in writing will be added, due within one working "
            "day. " + warning
        )
    return render_template(
        "casework/check_answers.html",
        case=case,
        form=form,
        title="Check your answers before recording the decision",
        rows=rows,
        hidden=hidden_fields(form),
        warning=warning,
        button="Record the decision",
    )


def _decision(case: Case, decision_id: uuid.UUID) -> SuspensionDecision:
    decision = next((d for d in case.suspension_decisions if d.id == decision_id), None)
    if decision is None:
        raise NotFound("Suspension decision not found")
    return decision


@bp.route("/<uuid:decision_id>/confirmed", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def confirmation_sent(case_id: uuid.UUID, decision_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, "confirm_suspension")
    if refused:
        return case_step.back(case_id, refused)
    decision = _decision(case, decision_id)
    form = ConfirmationSentForm()
    due = decision.confirmation_due_on
    if due is not None:
        form.late_reason.description = f"Only needed if it was sent after {long_date(due)}."
    if form.validate_on_submit():
        finished = case_step.submit(
            case_id,
            form,
            lambda: service.confirm_suspension(
                db_session(),
                actor=current_user,
                case=case,
                decision_id=decision.id,
                sent_on=form.sent_on.data,
                late_reason=form.late_reason.data or "",
            ),
            "Written confirmation recorded",
            ANCHOR,
        )
        if finished is not None:
            return finished
    return render_template(
        "suspension/confirmed.html",
        case=case,
        form=form,
        decision=decision,
        title="Record that the suspension was confirmed in writing",
    )


@bp.route("/<uuid:decision_id>/ended", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def lift(case_id: uuid.UUID, decision_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, "lift_suspension")
    if refused:
        return case_step.back(case_id, refused)
    decision = _decision(case, decision_id)
    if not decision.is_in_force:
        reason = (
            "This suspension has already ended"
            if decision.suspended
            else ("This decision was not to suspend")
        )
        return case_step.back(case_id, reason, ANCHOR)
    form = LiftSuspensionForm()
    title = "Record that the suspension ended"
    if form.validate_on_submit() and not changing():
        reasons = form.reasons.data or ""
        if not confirmed(form):
            try:
                service.check_lift(decision, form.lifted_on.data, reasons)
            except InvalidInput as exc:
                apply_service_errors(form, exc)
            else:
                assert form.lifted_on.data is not None  # noqa: S101 - checked by the service
                return render_template(
                    "casework/check_answers.html",
                    case=case,
                    form=form,
                    title="Check your answers before recording that the suspension ended",
                    rows=[
                        _row("Suspended from", long_date(decision.decided_on)),
                        _row("Ended on", long_date(form.lifted_on.data)),
                        _row("Why it ended", reasons),
                    ],
                    hidden=hidden_fields(form),
                    warning="The end of a suspension cannot be changed once recorded.",
                    button="Record that it ended",
                )
        else:
            finished = case_step.submit(
                case_id,
                form,
                lambda: service.lift_suspension(
                    db_session(),
                    actor=current_user,
                    case=case,
                    decision_id=decision.id,
                    lifted_on=form.lifted_on.data,
                    reasons=reasons,
                ),
                "The end of the suspension is recorded",
                ANCHOR,
            )
            if finished is not None:
                return finished
    return render_template(
        "suspension/ended.html", case=case, form=form, decision=decision, title=title
    )
