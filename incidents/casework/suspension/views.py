"""Suspension pages: the case manager's decision, with the alternatives considered and why each
was rejected (checked before saving: a decision is never edited, and a suspension starts the
one-working-day clock), then the date the written confirmation was sent (and why, if late), and
when and why the suspension ended (checked before saving: it ends once)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents import deadlines
from incidents.casework import page as case_step
from incidents.casework.suspension import commands as service
from incidents.casework.suspension.forms import (
    ConfirmationSentForm,
    LiftSuspensionForm,
    SuspensionForm,
)
from incidents.extensions import db_session
from incidents.models import Alternative, Case, SuspensionDecision
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.fields import offer_people
from incidents.web.filters import london_datetime, long_date
from incidents.web.pipeline import Summary, form_page

bp = Blueprint("suspension", __name__, url_prefix="/cases/<uuid:case_id>/suspension")
ANCHOR = "suspension"


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def new(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "consider_suspension", anchor=ANCHOR)
    form = SuspensionForm()
    people = offer_people(form.person, service.suspendable_people(case))

    def data() -> service.SuspensionInput:
        return service.SuspensionInput(
            person_id=uuid.UUID(form.person.data),
            considered=form.considered(),
            suspended=form.suspended.data == "yes",
            reasons=form.reasons.data or "",
            decided_on=form.decided_on.data,
        )

    def check() -> Summary:
        answers = data()
        service.check_suspension(case, answers)
        return _summary(case, answers, people[form.person.data].name.reveal())

    return form_page(
        form,
        check=check,
        command=lambda: service.decide_suspension(
            db_session(), actor=current_user, case=case, data=data()
        ),
        done_message="Suspension decision recorded",
        show=lambda: render_template(
            "suspension/new.html", case=case, form=form, alternatives=list(Alternative)
        ),
    )


def _summary(case: Case, data: service.SuspensionInput, name: str) -> Summary:
    assert data.decided_on is not None  # noqa: S101 - checked by the service
    rows = [
        ("About", name),
        *((f"Considered: {a.label}", why) for a, why in data.considered.items()),
        ("Suspended", "Yes" if data.suspended else "No"),
        ("Reasons", data.reasons),
        ("Decided on", long_date(data.decided_on)),
    ]
    warning = "A decision cannot be changed once recorded: record a new one if it changes."
    if data.suspended:
        due = deadlines.suspension_confirmation_due(data.decided_on)
        rows.append(("Confirm it in writing by", london_datetime(due)))
        warning = (
            "A task to confirm the suspension in writing will be added, due within one working "
            "day. " + warning
        )
    return Summary(
        "Check your answers before recording the decision",
        rows,
        warning=warning,
        button="Record the decision",
        context={"case": case},
    )


def _decision(
    case_id: uuid.UUID, decision_id: uuid.UUID, step: str
) -> tuple[Case, SuspensionDecision]:
    """The case and the decision, if `step` may be recorded on it now (else the page goes back
    with the reason: the service's one check, in its words)."""
    case = case_step.load(case_id, anchor=ANCHOR)
    return case, service.open_decision(current_user, case, decision_id, step)


def _show(
    template: str, case: Case, decision: SuspensionDecision, form: FlaskForm, title: str
) -> Callable[[], str]:
    return lambda: render_template(template, case=case, decision=decision, form=form, title=title)


@bp.route("/<uuid:decision_id>/confirmed", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def confirmation_sent(case_id: uuid.UUID, decision_id: uuid.UUID) -> str | Response:
    case, decision = _decision(case_id, decision_id, "confirm")
    form = ConfirmationSentForm()
    due = decision.confirmation_due_on
    if due is not None:
        form.late_reason.description = f"Only needed if it was sent after {long_date(due)}."
    return form_page(
        form,
        command=lambda: service.confirm_suspension(
            db_session(),
            actor=current_user,
            case=case,
            decision_id=decision.id,
            sent_on=form.sent_on.data,
            late_reason=form.late_reason.data or "",
        ),
        done_message="Written confirmation recorded",
        show=_show(
            "suspension/confirmed.html",
            case,
            decision,
            form,
            "Record that the suspension was confirmed in writing",
        ),
    )


@bp.route("/<uuid:decision_id>/ended", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def lift(case_id: uuid.UUID, decision_id: uuid.UUID) -> str | Response:
    case, decision = _decision(case_id, decision_id, "lift")
    form = LiftSuspensionForm()

    def check() -> Summary:
        reasons = service.check_lift(decision, form.lifted_on.data, form.reasons.data or "")
        assert form.lifted_on.data is not None  # noqa: S101 - checked by the service
        return Summary(
            "Check your answers before recording that the suspension ended",
            [
                ("Suspended from", long_date(decision.decided_on)),
                ("Ended on", long_date(form.lifted_on.data)),
                ("Why it ended", reasons),
            ],
            warning="The end of a suspension cannot be changed once recorded.",
            button="Record that it ended",
            context={"case": case},
        )

    return form_page(
        form,
        check=check,
        command=lambda: service.lift_suspension(
            db_session(),
            actor=current_user,
            case=case,
            decision_id=decision.id,
            lifted_on=form.lifted_on.data,
            reasons=form.reasons.data or "",
        ),
        done_message="The end of the suspension is recorded",
        show=_show(
            "suspension/ended.html", case, decision, form, "Record that the suspension ended"
        ),
    )
