"""Opening cases (a staff report or a recorded disclosure), finding them, and the case list.

Every function checks permission, changes state only through `workflow`, writes its audit event
in the caller's transaction, and leaves the commit to the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import ORMOption

from incidents import audit, workflow
from incidents.admin.clauses import commands as clause_service
from incidents.alerts import system as alerts
from incidents.casework.cases import _routing as routing
from incidents.casework.cases import managers
from incidents.casework.cases import people as people_service
from incidents.casework.guard import record
from incidents.clock import local_today
from incidents.errors import Forbidden, InvalidInput, NotFound
from incidents.models import (
    ADULT_KINDS,
    Case,
    CaseState,
    Citation,
    DisclosureSource,
    Elevation,
    ElevationPurpose,
    Person,
    PersonKind,
    PolicyClause,
    Role,
    User,
)
from incidents.permissions import Permission, can_view_case, has_permission
from incidents.sensitive import Sensitive
from incidents.validation import Errors, plain_name

MAX_NARRATIVE = 10_000
MAX_REPORTER = 200
# What the messages call the free-text answers (the forms say the same).
NARRATIVE = "What happened"
REPORTER = "Their name and contact details"
CHILD_WORDS = "The child's own words"
# The disclosure itself (issue 17, item 3): when, where, who else was there, who it was made to.
MAX_PLACE = 200
MAX_PRESENT = 500
MAX_RECEIVED_BY = 200
TIME = "The time you were told"
PLACE = "Where you were told"
PRESENT = "Who else was there"
RECEIVED_BY = "Who it was made to"


@dataclass(frozen=True)
class NewSubject:
    name: str
    kind: PersonKind


@dataclass(frozen=True)
class CaseInput:
    """What a report or a recorded disclosure carries; the services validate it again."""

    narrative: str
    became_aware_on: date | None
    occurred_on: date | None = None
    subject_ids: tuple[uuid.UUID, ...] = ()
    new_subject: NewSubject | None = None
    clause_ids: tuple[uuid.UUID, ...] = ()
    source: DisclosureSource | None = None
    reporter: str = ""
    # Only for a disclosure from a child: their words, verbatim.
    child_words: str = ""
    # A typed-in name that matches the school's people: the one the reporter says it is, or
    # `not_listed` when they say it is someone else (issue 13, item 3).
    same_as: uuid.UUID | None = None
    not_listed: bool = False
    # A recorded disclosure's circumstances, as typed; the time is of the day it was made,
    # the day the school became aware (14:30 or 2:30pm).
    disclosed_time: str = ""
    place: str = ""
    present: str = ""
    received_by: str = ""


def _validate(data: CaseInput, *, today: date, needs_source: bool) -> Errors:
    errors = Errors()
    errors.text(
        "narrative",
        data.narrative,
        label=NARRATIVE,
        limit=MAX_NARRATIVE,
        empty="Enter what happened",
    )
    if data.became_aware_on is None:
        errors["became_aware_on"] = "Enter the date you became aware"
    errors.past_date(
        "became_aware_on", data.became_aware_on, called="The date you became aware", today=today
    )
    errors.past_date("occurred_on", data.occurred_on, called="The date it happened", today=today)
    if (
        data.occurred_on is not None
        and data.became_aware_on is not None
        and data.occurred_on > data.became_aware_on
    ):
        errors.setdefault(
            "occurred_on", "The date it happened must be on or before the date you became aware"
        )
    if not data.subject_ids and data.new_subject is None:
        errors["subjects"] = "Choose who it is about, or enter their name"
    if data.new_subject is not None and not plain_name(data.new_subject.name):
        errors["new_subject_name"] = "Enter the person's name"
    if needs_source and data.source is None:
        errors["source"] = "Choose who told you"
    errors.text("reporter", data.reporter, label=REPORTER, limit=MAX_REPORTER)
    if needs_source:
        _disclosed_at(data, errors)
        errors.text("place", data.place, label=PLACE, limit=MAX_PLACE)
        errors.text("present", data.present, label=PRESENT, limit=MAX_PRESENT)
        errors.text("received_by", data.received_by, label=RECEIVED_BY, limit=MAX_RECEIVED_BY)
    if data.source is DisclosureSource.CHILD and needs_source:
        # Kept exactly as typed (not stripped inside): the record may be read at a hearing, so
        # its limit counts every character as typed.
        if len(data.child_words) > MAX_NARRATIVE:
            errors["child_words"] = f"{CHILD_WORDS} must be {MAX_NARRATIVE:,} characters or fewer"
        errors.text(
            "child_words",
            data.child_words,
            label=CHILD_WORDS,
            limit=MAX_NARRATIVE,
            empty="Enter the child's own words, exactly as they said them",
        )
    return errors


def _disclosed_at(data: CaseInput, errors: Errors) -> datetime | None:
    """The moment the disclosure was made: its time on the day the school became aware."""
    return errors.moment("disclosed_time", data.became_aware_on, data.disclosed_time, called=TIME)


def _sealed(text: str) -> Sensitive | None:
    kept = text.strip()
    return Sensitive(kept) if kept else None


def _next_number(session: Session, school_id: uuid.UUID, year: int) -> int:
    # The school's audit log lock, so two cases opened at once cannot take the same number
    # (PostgreSQL); SQLite already serialises writers with BEGIN IMMEDIATE. The log's, not the
    # school row's: every append holds it first, so one lock order everywhere (issue 19,
    # item 5). The unique constraint backs it up.
    audit.lock(session, school_id)
    last = session.scalar(
        select(func.max(Case.number)).where(Case.school_id == school_id, Case.year == year)
    )
    return (last or 0) + 1


def _head_and_chair_are_subjects(
    session: Session, school_id: uuid.UUID, subjects: list[Person]
) -> bool:
    """KCSIE Part 4: an allegation about both the headteacher and the chair goes straight to
    the LADO, whoever then manages it."""
    subject_users = managers.subject_user_ids(subjects)
    users = session.scalars(
        select(User).where(User.school_id == school_id, User.id.in_(subject_users))
    )
    roles = {role for u in users for role in u.roles}
    return Role.HEADTEACHER in roles and Role.CHAIR_OF_GOVERNORS in roles


MATCH_FIELD = "new_subject_match"


def _resolve_typed_name(
    session: Session, actor: User, data: CaseInput, errors: Errors
) -> Person | None:
    """A typed-in name that may be one of the school's people: the person the reporter
    confirms it is; None when they say it is someone else (or nobody matches)."""
    assert data.new_subject is not None  # noqa: S101 - the caller checks
    candidates = {
        p.id: p for p in people_service.matches(session, actor.school_id, data.new_subject.name)
    }
    if not candidates:
        return None
    if data.same_as is not None:
        chosen = candidates.get(data.same_as)
        if chosen is None:
            errors[MATCH_FIELD] = "Choose from the list whether it is the same person"
        return chosen
    if not data.not_listed:
        errors[MATCH_FIELD] = (
            "The name you entered may be someone already listed: say whether it is the same person"
        )
    return None


def _checked(
    session: Session, actor: User, data: CaseInput, action: str
) -> tuple[list[Person], Person | None, list[PolicyClause]]:
    """Everything wrong with `data`, at once (InvalidInput); else the people and clauses it
    names. Reads only: the check-your-answers page runs it before anything is saved."""
    errors = _validate(data, today=local_today(), needs_source=action == "record")
    subjects: list[Person] = []
    clauses: list[PolicyClause] = []
    # A member of staff picks only from the school's own people (issue 13, item 11).
    kinds = people_service.SCHOOL_KINDS if action == "report" else ADULT_KINDS
    try:
        subjects = people_service.people_by_id(
            session, actor.school_id, data.subject_ids, kinds=kinds
        )
    except InvalidInput as exc:
        errors.update(exc.errors)
    same_person = (
        _resolve_typed_name(session, actor, data, errors)
        if data.new_subject is not None and plain_name(data.new_subject.name)
        else None
    )
    try:
        clauses = clause_service.active_clauses_by_id(session, actor.school_id, data.clause_ids)
    except InvalidInput as exc:
        errors.update(exc.errors)
    errors.raise_any()
    return subjects, same_person, clauses


def check_disclosure(session: Session, *, actor: User, data: CaseInput) -> None:
    """InvalidInput for a disclosure `record_disclosure` would refuse, before it is shown back
    on the check-your-answers page (issue 17, item 3). Saves nothing."""
    if not has_permission(actor, Permission.CASE_CREATE):
        raise Forbidden("Your role cannot record disclosures")
    _checked(session, actor, data, "record")


def _open_case(
    session: Session,
    *,
    actor: User,
    data: CaseInput,
    action: str,
    source: DisclosureSource,
    reporter: Sensitive | None,
) -> Case:
    today = local_today()
    subjects, same_person, clauses = _checked(session, actor, data, action)
    assert data.became_aware_on is not None  # noqa: S101 - checked above
    if same_person is not None:
        if same_person not in subjects:
            subjects.append(same_person)
    elif data.new_subject is not None:
        subjects.append(
            people_service.create_person(
                session,
                actor=actor,
                name=data.new_subject.name,
                kind=data.new_subject.kind,
                # Its entry, next to the sealed report's, would name the reporter (item 9).
                sealed=action == "report",
            )
        )
    in_force = clause_service.versions_in_force(session, clauses)
    number = _next_number(session, actor.school_id, today.year)
    manager = managers.choose(session, actor.school_id, subjects).manager
    direct_lado = _head_and_chair_are_subjects(session, actor.school_id, subjects)
    case = Case(
        school_id=actor.school_id,
        year=today.year,
        number=number,
        reference=f"{today.year}-{number:04d}",
        source=source,
        narrative=Sensitive(data.narrative.strip()),
        reporter_identity=reporter,
        occurred_on=data.occurred_on,
        became_aware_on=data.became_aware_on,
        case_manager_id=manager.id if manager else None,
        needs_direct_lado_referral=direct_lado,
        subjects=subjects,
        # Each clause as worded now: a later edit does not change what this case cites.
        citations=[Citation(clause=c, version=in_force[c.id]) for c in clauses],
    )
    if source is DisclosureSource.CHILD and data.child_words.strip():
        case.child_words = Sensitive(data.child_words)
    if action == "record":
        case.disclosed_at = _disclosed_at(data, Errors())  # checked above
        case.disclosure_place = _sealed(data.place)
        case.disclosure_present = _sealed(data.present)
        case.disclosure_received_by = _sealed(data.received_by)
    workflow.open_with(case, action, actor)
    session.add(case)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.CASE_REPORT if action == "report" else audit.Action.CASE_RECORD,
        # A staff report's reporter is sealed: a pseudonym, not their id (issue 19, item 9).
        sealed_actor=action == "report",
    )
    routing.route_new_case(session, case, actor)
    alerts.case_opened(session, case, actor)  # issue 15: tell the people who act on it
    return case


def report_concern(session: Session, *, actor: User, data: CaseInput) -> Case:
    """A member of staff (or a governor) reports a concern. Their identity is kept as the
    sealed reporter identity; the source is the reporter's role."""
    if not has_permission(actor, Permission.CONCERN_REPORT):
        raise Forbidden("Your role cannot report concerns here")
    source = (
        DisclosureSource.GOVERNOR
        if actor.has_role(Role.GOVERNOR, Role.CHAIR_OF_GOVERNORS)
        and not actor.has_role(Role.STAFF, Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL)
        else DisclosureSource.STAFF
    )
    reporter = Sensitive(f"{actor.display_name} <{actor.email}>")
    return _open_case(
        session, actor=actor, data=data, action="report", source=source, reporter=reporter
    )


def record_disclosure(session: Session, *, actor: User, data: CaseInput) -> Case:
    """The headteacher, DSL or chair records a disclosure or breach they have received."""
    if not has_permission(actor, Permission.CASE_CREATE):
        raise Forbidden("Your role cannot record disclosures")
    reporter_text = data.reporter.strip()
    return _open_case(
        session,
        actor=actor,
        data=data,
        action="record",
        source=data.source or DisclosureSource.ANONYMOUS,
        reporter=Sensitive(reporter_text) if reporter_text else None,
    )


def get_case(
    session: Session,
    *,
    actor: User,
    case_id: uuid.UUID,
    audited: bool = True,
    grant: Elevation | None = None,
    loading: Sequence[ORMOption] = (),
) -> Case:
    """Load a case the actor may see; anything else is NotFound, so existence is not revealed.
    Opening a case is itself recorded in the audit trail (`open_case`)."""
    if not has_permission(actor, Permission.CASE_READ):
        raise Forbidden("Your role cannot see cases")
    # The subjects come with the case (can_view_case reads them); `loading`: what else the
    # page shows, in as few queries as it can (issue 21).
    case = session.get(Case, case_id, options=[joinedload(Case.subjects), *loading])
    if case is None or not can_view_case(actor, case):
        raise NotFound("Case not found")
    if audited:
        open_case(session, actor=actor, case=case, grant=grant)
    return case


CLOSED_NEEDS_GRANT = "Re-enter your password and give a reason to open a closed case"


def open_case(session: Session, *, actor: User, case: Case, grant: Elevation | None = None) -> None:
    """Record that `actor` opened the case. A closed case is finished work: nobody needs it day
    to day, so it opens only under the actor's own fresh grant for this case (password again,
    reason given, issue 19 item 12), and the entry points at that grant, which keeps the reason."""
    if case.state is not CaseState.CLOSED:
        record(session, case, actor, audit.Action.CASE_VIEW)
        alerts.case_seen(session, actor, case)  # issue 15: its alerts are read
        return
    if (
        grant is None
        or grant.user_id != actor.id
        or grant.purpose is not ElevationPurpose.OPEN_CLOSED_CASE
        or grant.record_id != case.id
    ):
        raise Forbidden(CLOSED_NEEDS_GRANT)
    record(
        session, case, actor, audit.Action.CASE_VIEW, object_type="elevation", object_id=grant.id
    )
    alerts.case_seen(session, actor, case)
