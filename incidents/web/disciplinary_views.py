"""Disciplinary pages: start the process (check your answers: the case moves on for good), then
one page per step: a staff hearing date, a staff outcome (checked first: it concludes the
process), a sanction or measure for anyone else, concluding those, or ending without an outcome.
Names are shown only to the case manager; flashes are fixed wording."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectChoice
from wtforms.validators import Optional

from incidents import workflow
from incidents.extensions import db_session
from incidents.models import (
    Case,
    DisciplinaryKind,
    DisciplinaryProcess,
    Measure,
    StaffOutcome,
)
from incidents.models.disciplinary import KIND_FOR_PERSON, MEASURES_FOR
from incidents.permissions import Permission
from incidents.services import disciplinary as service
from incidents.services.errors import InvalidInput
from incidents.web import case_step
from incidents.web.access import requires
from incidents.web.check_answers import changing, confirmed, hidden_fields
from incidents.web.disciplinary_forms import (
    DiscontinueForm,
    HearingForm,
    MeasureForm,
    StaffOutcomeForm,
    StartDisciplinaryForm,
)
from incidents.web.forms import ConfirmForm, apply_service_errors

bp = Blueprint("disciplinary", __name__, url_prefix="/cases/<uuid:case_id>/disciplinary")
ANCHOR = "disciplinary"


def _done(case_id: uuid.UUID, message: str) -> Response:
    db_session().commit()
    return case_step.back(case_id, message, anchor=ANCHOR)


def _check(
    case: Case, form: FlaskForm, title: str, rows: list[dict[str, object]], **kw: str
) -> str:
    return render_template(
        "casework/check_answers.html",
        case=case,
        form=form,
        title=title,
        rows=rows,
        hidden=hidden_fields(form),
        warning=kw["warning"],
        button=kw["button"],
    )


def _row(key: str, value: str) -> dict[str, object]:
    return {"key": {"text": key}, "value": {"text": value}}


@bp.route("/start", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def start(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, service.start_action(case))
    if refused:
        return case_step.back(case_id, refused)
    people = {str(p.id): p for p in service.eligible_people(case)}
    form = StartDisciplinaryForm()
    form.person.choices = [
        SelectChoice(pid, f"{p.name.reveal()} ({p.kind.label.lower()})")
        for pid, p in people.items()
    ]
    if len(people) == 1:
        # One possible answer is not a question: the page names the person instead.
        form.person.validators = [Optional()]
        form.person.data = form.person.data or next(iter(people))
    if form.validate_on_submit() and not changing():
        person = people[form.person.data]
        if not confirmed(form):
            route = KIND_FOR_PERSON[person.kind]
            rows = [
                _row("About", f"{person.name.reveal()} ({person.kind.label.lower()})"),
                _row("What follows", route.label),
                _row("HR reference", form.hr_reference.data or "None given"),
            ]
            return _check(
                case,
                form,
                "Check your answers before starting the process",
                rows,
                warning="The case moves to the disciplinary stage. This cannot be undone.",
                button="Start the process",
            )
        db = db_session()
        finished = case_step.submit(
            case_id,
            form,
            lambda: service.start_disciplinary(
                db,
                actor=current_user,
                case=case,
                person_id=uuid.UUID(form.person.data),
                hr_reference=form.hr_reference.data or "",
            ),
            "Disciplinary process started",
            ANCHOR,
        )
        if finished is not None:
            return finished
    says = [c.says for p in people.values() for c in service.policy_consequences(case, p)]
    return render_template(
        "disciplinary/start.html", case=case, form=form, policy_says=list(dict.fromkeys(says))
    )


def _open(case_id: uuid.UUID, process_id: uuid.UUID) -> tuple[Case, DisciplinaryProcess | Response]:
    """The case and process for a step page, or the way back with the reason it is refused.
    The step is checked before the process is looked up: a case not at this stage says so."""
    case = case_step.load(case_id)
    refused = case_step.refusal(case, "manage_disciplinary")
    if refused:
        return case, case_step.back(case_id, refused)
    process = service.find_process(case, process_id)
    if process.is_finished:
        return case, case_step.back(case_id, "This disciplinary process has already ended", ANCHOR)
    return case, process


def _staff_only(case_id: uuid.UUID, process: DisciplinaryProcess, staff: bool) -> Response | None:
    if (process.kind is DisciplinaryKind.STAFF) is staff:
        return None
    reason = (
        "Hearings and outcomes are for staff only"
        if staff
        else "A member of staff's process ends with an outcome, not a sanction"
    )
    return case_step.back(case_id, reason, ANCHOR)


def _page(
    template: str, case: Case, process: DisciplinaryProcess, form: FlaskForm, **kw: object
) -> str:
    return render_template(template, case=case, process=process, form=form, **kw)


@bp.route("/<uuid:process_id>/hearing", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def hearing(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _open(case_id, process_id)
    if isinstance(process, Response):
        return process
    wrong = _staff_only(case_id, process, staff=True)
    if wrong:
        return wrong
    form = HearingForm()
    if form.validate_on_submit():
        db = db_session()
        finished = case_step.submit(
            case_id,
            form,
            lambda: service.record_hearing(
                db,
                actor=current_user,
                case=case,
                process_id=process.id,
                hearing_on=form.hearing_on.data,
            ),
            "Hearing date saved",
            ANCHOR,
        )
        if finished is not None:
            return finished
    return _page("disciplinary/hearing.html", case, process, form, title="Record the hearing date")


@bp.route("/<uuid:process_id>/outcome", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def outcome(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _open(case_id, process_id)
    if isinstance(process, Response):
        return process
    wrong = _staff_only(case_id, process, staff=True)
    if wrong:
        return wrong
    form = StaffOutcomeForm()
    title = "Record the outcome of the disciplinary process"
    if form.validate_on_submit() and not changing():
        data = service.StaffOutcomeInput(
            outcome=StaffOutcome(form.outcome.data),
            decided_on=form.decided_on.data,
            reasons=form.reasons.data or "",
            hr_reference=form.hr_reference.data or "",
        )
        db = db_session()
        try:
            if not confirmed(form):
                # The summary shows only answers that will save.
                service.check_staff_outcome(process, data)
                assert data.outcome is not None and data.decided_on is not None  # noqa: S101
                rows = [
                    _row("Outcome", data.outcome.label),
                    _row("Decided on", f"{data.decided_on.day} {data.decided_on:%B %Y}"),
                    _row("Reasons", data.reasons),
                ]
                return _check(
                    case,
                    form,
                    "Check your answers before recording the outcome",
                    rows,
                    warning="The outcome concludes the process. It cannot be changed afterwards.",
                    button="Record the outcome",
                )
            service.record_staff_outcome(
                db, actor=current_user, case=case, process_id=process.id, data=data
            )
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        except workflow.TransitionNotAllowedError as exc:
            db.rollback()
            return case_step.back(case_id, str(exc))
        else:
            return _done(case_id, "Disciplinary outcome recorded")
    return _page("disciplinary/outcome.html", case, process, form, title=title)


@bp.route("/<uuid:process_id>/measures/new", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def new_measure(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _open(case_id, process_id)
    if isinstance(process, Response):
        return process
    wrong = _staff_only(case_id, process, staff=False)
    if wrong:
        return wrong
    form = MeasureForm()
    person = process.person
    cited = service.policy_consequences(case, person) if person is not None else []
    named = {m for c in cited for m in c.measures}
    form.measure.choices = [
        SelectChoice(
            m.value, f"{m.label} (named in the school's policy)" if m in named else m.label
        )
        for m in MEASURES_FOR[process.kind]
    ]
    if form.validate_on_submit():
        db = db_session()
        finished = case_step.submit(
            case_id,
            form,
            lambda: service.add_measure(
                db,
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
            "Sanction or measure recorded",
            ANCHOR,
        )
        if finished is not None:
            return finished
    title = "Record a sanction or measure"
    return _page("disciplinary/measure.html", case, process, form, title=title)


@bp.route("/<uuid:process_id>/conclude", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def conclude(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    """The page is itself the summary to check: every measure recorded, then conclude."""
    case, process = _open(case_id, process_id)
    if isinstance(process, Response):
        return process
    wrong = _staff_only(case_id, process, staff=False)
    if wrong:
        return wrong
    form = ConfirmForm()
    if form.validate_on_submit():
        db = db_session()
        try:
            service.conclude_measures(db, actor=current_user, case=case, process_id=process.id)
        except InvalidInput as exc:
            db.rollback()
            return case_step.back(case_id, next(iter(exc.errors.values())), ANCHOR)
        except workflow.TransitionNotAllowedError as exc:
            db.rollback()
            return case_step.back(case_id, str(exc))
        else:
            return _done(case_id, "Sanctions and measures concluded")
    title = "Check the sanctions and measures before concluding"
    return _page("disciplinary/conclude.html", case, process, form, title=title)


@bp.route("/<uuid:process_id>/end", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def end(case_id: uuid.UUID, process_id: uuid.UUID) -> str | Response:
    case, process = _open(case_id, process_id)
    if isinstance(process, Response):
        return process
    form = DiscontinueForm()
    title = "End the process without an outcome"
    if form.validate_on_submit() and not changing():
        if not confirmed(form):
            rows = [_row("Why it is ending", form.reasons.data or "")]
            return _check(
                case,
                form,
                "Check your answers before ending the process",
                rows,
                warning="The process ends for good. Nothing more can be recorded on it.",
                button="End the process",
            )
        db = db_session()
        finished = case_step.submit(
            case_id,
            form,
            lambda: service.discontinue(
                db,
                actor=current_user,
                case=case,
                process_id=process.id,
                reasons=form.reasons.data or "",
            ),
            "Disciplinary process ended",
            ANCHOR,
        )
        if finished is not None:
            return finished
    return _page("disciplinary/end.html", case, process, form, title=title)
