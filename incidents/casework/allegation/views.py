"""Pages for the allegation steps: the end of a reporting restriction, a meeting, telling the
person or the parents, a KCSIE timescale, the employing organisation; and the page about one
adult across cases. Each goes through the page pipeline."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, g, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.casework import page as case_step
from incidents.casework.allegation import (
    clocks,
    informing,
    meetings,
    organisations,
    restrictions,
)
from incidents.casework.allegation.forms import (
    INFORM_CHOICES,
    ClockForm,
    InformForm,
    MeetingForm,
    OrganisationForm,
    RestrictionEndForm,
    StoppedForm,
)
from incidents.casework.allegation.queries import CaseParts, offered, owners, page_parts
from incidents.extensions import db_session
from incidents.models import Case, ClockKind, EngagedBy, InformKind, MeetingKind, RestrictionEnd
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import form_page

bp = Blueprint("allegation_steps", __name__, url_prefix="/cases/<uuid:case_id>")


@bp.app_template_global("allegation_steps")
def _parts(case: Case) -> CaseParts:
    """What the case page and the triage page show of these steps, for the user viewing: read
    once per request (three partials ask)."""
    cache: dict[object, CaseParts] = g.setdefault("allegation_steps", {})
    if case.id not in cache:
        cache[case.id] = page_parts(db_session(), actor=current_user, case=case)
    return cache[case.id]


def _page(template: str, **context: object) -> str:
    return render_template(f"allegation/{template}.html", **context)


@bp.route("/reporting-restriction/end", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def end_restriction(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "end_reporting_restriction", anchor="reporting-restriction")
    form = RestrictionEndForm()
    return form_page(
        form,
        command=lambda: restrictions.end_restriction(
            db_session(),
            actor=current_user,
            case=case,
            reason=RestrictionEnd(form.reason.data) if form.reason.data else None,
            ended_on=form.ended_on.data,
            note=form.note.data or "",
        ),
        done_message="The end of the reporting restriction is recorded",
        show=lambda: _page("restriction_end", case=case, form=form),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def record_meeting(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "record_meeting", anchor="meetings")
    form = MeetingForm()
    choices = [("", "Choose an owner")] + [
        (str(u.id), u.display_name) for u in owners(db_session(), case)
    ]
    slots = [(form[f"action_{n}"], form[f"owner_{n}"], form[f"due_{n}"]) for n in (1, 2, 3)]
    for _, owner, _ in slots:
        owner.choices = choices

    def owner_id(raw: str | None) -> uuid.UUID | None:
        try:
            return uuid.UUID(raw) if raw else None
        except ValueError:
            return None

    def data() -> meetings.MeetingInput:
        return meetings.MeetingInput(
            kind=MeetingKind(form.kind.data) if form.kind.data else None,
            held_on=form.held_on.data,
            attendees=form.attendees.data or "",
            decisions=form.decisions.data or "",
            who_tells=form.who_tells.data or "",
            actions=tuple(
                meetings.MeetingAction(a.data or "", owner_id(o.data), d.data) for a, o, d in slots
            ),
        )

    return form_page(
        form,
        command=lambda: meetings.record_meeting(
            db_session(), actor=current_user, case=case, data=data()
        ),
        done_message="Meeting recorded; its actions are on the task list",
        show=lambda: _page("meeting", case=case, form=form, slots=slots),
    )


@bp.route("/told/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def inform(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "inform_parents", anchor="told")
    form = InformForm()
    kinds: list[InformKind] = [k for k in InformKind if k is not InformKind.ACCUSED]
    if offered(case, current_user, "inform_accused"):
        kinds.insert(0, InformKind.ACCUSED)
    form.kind.choices = [INFORM_CHOICES[k] for k in kinds]

    def police() -> bool | None:
        return {"yes": True, "no": False}.get(form.agreed_with_police.data or "")

    return form_page(
        form,
        command=lambda: informing.record_informing(
            db_session(),
            actor=current_user,
            case=case,
            data=informing.InformInput(
                kind=InformKind(form.kind.data) if form.kind.data else None,
                told_on=form.told_on.data,
                told_by=form.told_by.data or "",
                what_said=form.what_said.data or "",
                agreed_with_lado=form.agreed_with_lado.data == "yes",
                agreed_with_police=police(),
                contact=form.contact.data or "",
                support=form.support.data or "",
            ),
        ),
        done_message="Recorded who was told",
        show=lambda: _page("inform", case=case, form=form),
    )


@bp.route("/timescales/new", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def start_clock(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "start_clock", anchor="timescales")
    form = ClockForm()
    return form_page(
        form,
        command=lambda: clocks.start_clock(
            db_session(),
            actor=current_user,
            case=case,
            kind=ClockKind(form.kind.data) if form.kind.data else None,
            started_on=form.started_on.data,
        ),
        done_message="Timescale started: its task is on the task list",
        show=lambda: _page("clock", case=case, form=form, kinds=list(ClockKind)),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def record_organisation(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "record_organisation", anchor="organisations")
    form = OrganisationForm()
    return form_page(
        form,
        command=lambda: organisations.record_organisation(
            db_session(),
            actor=current_user,
            case=case,
            kind=EngagedBy(form.kind.data) if form.kind.data else None,
            name=form.name.data or "",
            contact=form.contact.data or "",
        ),
        done_message="Organisation recorded: a task to tell and involve them is on the list",
        show=lambda: _page("organisation", case=case, form=form),
    )


@bp.route("/organisations/<uuid:organisation_id>/stopped", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def organisation_stopped(case_id: uuid.UUID, organisation_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "organisation_stopped", anchor="organisations")
    row = next(
        (o for o in organisations.organisations_of(db_session(), case) if o.id == organisation_id),
        None,
    )
    if row is None:
        abort(404)
    form = StoppedForm()
    return form_page(
        form,
        command=lambda: organisations.record_stopped(
            db_session(),
            actor=current_user,
            case=case,
            organisation_id=row.id,
            stopped_on=form.stopped_on.data,
        ),
        done_message="Recorded that the organisation stopped using the person",
        show=lambda: _page("stopped", case=case, form=form, organisation=row),
    )
