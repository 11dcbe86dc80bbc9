"""Disciplinary pages: start the process (check your answers: the case moves on for good), then
one page per step: a staff hearing date, a staff outcome (checked first: it concludes the
process), a sanction or measure for anyone else, concluding those, or ending without an outcome.
Names are shown only to the case manager; flashes are fixed wording."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents.casework import page as case_step
from incidents.casework.disciplinary import commands as service
from incidents.casework.disciplinary.forms import (
    DiscontinueForm,
    HearingForm,
    MeasureForm,
    StaffOutcomeForm,
    StartDisciplinaryForm,
)
from incidents.extensions import db_session
from incidents.models import Case, DisciplinaryProcess, Measure, StaffOutcome
from incidents.models.disciplinary import KIND_FOR_PERSON
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.fields import offer_people
from incidents.web.filters import long_date
from incidents.web.forms import ConfirmForm
from incidents.web.pipeline import Summary, form_page

bp = Blueprint("disciplinary", __name__, url_prefix="/cases/<uuid:case_id>/disciplinary")
ANCHOR = "disciplinary"


@bp.route("/start", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def start(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, anchor=ANCHOR)
    case_step.check(case, service.start_action(case))
    form = StartDisciplinaryForm()
    people = offer_people(form.person, service.eligible_people(case))

    def check() -> Summary:
        person = people[form.person.data]
        return Summary(
            "Check your answers before starting the process",
            [
                ("About", f"{person.name.reveal()} ({person.kind.label.lower()})"),
                ("What follows", KIND_FOR_PERSON[person.kind].label),
                ("HR reference", form.hr_reference.data or "None given"),
            ],
            warning="The case moves to the disciplinary stage. This cannot be undone.",
            button="Start the process",
            context={"case": case},
        )

    def show() -> str:
        says = [c.says for p in people.values() for c in service.policy_consequences(case, p)]
        return render_template(
            "disciplinary/start.html", case=case, form=form, policy_says=list(dict.fromkeys(says))
        )

    return form_page(
        form,
        check=check,
        command=lambda: service.start_disciplinary(
            db_session(),
            actor=current_user,
            case=case,
            person_id=uuid.UUID(form.person.data),
            hr_reference=form.hr_reference.data or "",
        ),
        done_message="Disciplinary process started",
        show=show,
    )


def _process(
    case_id: uuid.UUID, process_id: uuid.UUID, step: str
) -> tuple[Case, DisciplinaryProcess]:
    """The case and the process, if `step` may be recorded on it now (else the page goes back
    with the reason: the service's one check, in its words)."""
    case = case_step.load(case_id, anchor=ANCHOR)
    return case, service.open_process(current_user, case, process_id, step)


def _show(
    template: str, case: Case, process: DisciplinaryProcess, form: FlaskForm, title: str
) -> Callable[[], str]:
    return lambda: render_template(template, case=case, process=process, form=form, title=title)


@bp.route("/<uuid:process_id>/hearing", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def hearing(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _process(case_id, process_id, "hearing")
    form = HearingForm()
    return form_page(
        form,
        command=lambda: service.record_hearing(
            db_session(),
            actor=current_user,
            case=case,
            process_id=process.id,
            hearing_on=form.hearing_on.data,
        ),
        done_message="Hearing date saved",
        show=_show("disciplinary/hearing.html", case, process, form, "Record the hearing date"),
    )


@bp.route("/<uuid:process_id>/outcome", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def outcome(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _process(case_id, process_id, "outcome")
    form = StaffOutcomeForm()

    def data() -> service.StaffOutcomeInput:
        return service.StaffOutcomeInput(
            outcome=StaffOutcome(form.outcome.data),
            decided_on=form.decided_on.data,
            reasons=form.reasons.data or "",
            hr_reference=form.hr_reference.data or "",
        )

    def check() -> Summary:
        answers = data()
        # The summary shows only answers that will save.
        reasons, _reference = service.check_staff_outcome(process, answers)
        assert answers.outcome is not None and answers.decided_on is not None  # noqa: S101
        return Summary(
            "Check your answers before recording the outcome",
            [
                ("Outcome", answers.outcome.label),
                ("Decided on", long_date(answers.decided_on)),
                ("Reasons", reasons),
            ],
            warning="The outcome concludes the process. It cannot be changed afterwards.",
            button="Record the outcome",
            context={"case": case},
        )

    return form_page(
        form,
        check=check,
        command=lambda: service.record_staff_outcome(
            db_session(), actor=current_user, case=case, process_id=process.id, data=data()
        ),
        done_message="Disciplinary outcome recorded",
        show=_show(
            "disciplinary/outcome.html",
            case,
            process,
            form,
            "Record the outcome of the disciplinary process",
        ),
    )


@bp.route("/<uuid:process_id>/measures/new", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def new_measure(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _process(case_id, process_id, "measure")
    form = MeasureForm()
    person = process.person
    cited = service.policy_consequences(case, person) if person is not None else []
    named = {m for c in cited for m in c.measures}
    form.measure.choices = [
        SelectChoice(
            m.value, f"{m.label} (named in the school's policy)" if m in named else m.label
        )
        for m in service.offered_measures(case, process)
    ]
    return form_page(
        form,
        command=lambda: service.add_measure(
            db_session(),
            actor=current_user,
            case=case,
            process_id=process.id,
            data=service.MeasureInput(
                measure=Measure(form.measure.data),
                starts_on=form.starts_on.data,
                review_on=form.review_on.data,
                ends_on=form.ends_on.data,
                details=form.details.data or "",
            ),
        ),
        done_message="Sanction or measure recorded",
        show=_show(
            "disciplinary/measure.html", case, process, form, "Record a sanction or measure"
        ),
    )


@bp.route("/<uuid:process_id>/conclude", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def conclude(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    """The page is itself the summary to check: every measure recorded, then conclude."""
    case, process = _process(case_id, process_id, "conclude")
    form = ConfirmForm()
    return form_page(
        form,
        command=lambda: service.conclude_measures(
            db_session(), actor=current_user, case=case, process_id=process.id
        ),
        done_message="Sanctions and measures concluded",
        show=_show(
            "disciplinary/conclude.html",
            case,
            process,
            form,
            "Check the sanctions and measures before concluding",
        ),
    )


@bp.route("/<uuid:process_id>/end", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def end(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _process(case_id, process_id, "end")
    form = DiscontinueForm()
    return form_page(
        form,
        check=lambda: Summary(
            "Check your answers before ending the process",
            [("Why it is ending", form.reasons.data or "")],
            warning="The process ends for good. Nothing more can be recorded on it.",
            button="End the process",
            context={"case": case},
        ),
        command=lambda: service.discontinue(
            db_session(),
            actor=current_user,
            case=case,
            process_id=process.id,
            reasons=form.reasons.data or "",
        ),
        done_message="Disciplinary process ended",
        show=_show(
            "disciplinary/end.html", case, process, form, "End the process without an outcome"
        ),
    )
