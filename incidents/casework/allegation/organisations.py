"""Supply and agency staff, contractors and lettings (KCSIE Part 4 s.1, "Supply teachers and
all contracted staff"; "Organisations or individuals using school premises"): the agency or
organisation that employs the person is recorded, a task opens to tell it and involve it, and
it may not simply stop using the person without the LADO."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit, deadlines, workflow
from incidents.alerts import system as alerts
from incidents.casework.allegation.system import open_task
from incidents.casework.guard import progressable, record, visible
from incidents.clock import local_today
from incidents.errors import NotFound
from incidents.models import (
    Agency,
    Case,
    EmployingOrganisation,
    EngagedBy,
    ReferralStatus,
    User,
)
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_NAME = 200
MAX_CONTACT = 500
TELL_THEM = (
    "Tell {who} about the concern and involve them in the process (agree with the LADO what "
    "they are told); they must not simply stop using the person without the LADO"
)


def organisations_of(session: Session, case: Case) -> list[EmployingOrganisation]:
    return list(
        session.scalars(
            select(EmployingOrganisation)
            .where(EmployingOrganisation.case_id == case.id)
            .order_by(EmployingOrganisation.recorded_at)
        )
    )


def record_organisation(
    session: Session, *, actor: User, case: Case, kind: EngagedBy | None, name: str, contact: str
) -> EmployingOrganisation:
    progressable(actor, case)
    workflow.check(case, "record_organisation", actor)
    errors = Errors()
    if kind is None:
        errors["kind"] = "Choose who employs or engages the person"
    name = errors.text(
        "name",
        name,
        label="The organisation's name",
        limit=MAX_NAME,
        empty="Enter the name of the agency or organisation",
    )
    contact = errors.text(
        "contact",
        contact,
        label="The contact",
        limit=MAX_CONTACT,
        empty="Enter who to contact there, and how",
    )
    errors.raise_any()
    assert kind is not None  # noqa: S101 - checked above
    task = open_task(
        session,
        case,
        actor,
        title=TELL_THEM.format(who=kind.label.lower()),
        owner=alerts.case_manager(session, case),
        due_on=deadlines.add_working_days(local_today(), 1),
    )
    row = EmployingOrganisation(
        case=case,
        kind=kind,
        recorded_by_id=actor.id,
        name=Sensitive(name),
        contact=Sensitive(contact),
        task=task,
    )
    session.add(row)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.ORGANISATION_RECORD,
        object_type="organisation",
        object_id=row.id,
        target=row,
    )
    return row


def lado_involved(case: Case) -> bool:
    """A LADO referral made (or a consultation settled with the LADO's answer)."""
    return any(
        r.agency is Agency.LADO and r.status is not ReferralStatus.DRAFT for r in case.referrals
    )


def record_stopped(
    session: Session,
    *,
    actor: User,
    case: Case,
    organisation_id: uuid.UUID,
    stopped_on: date | None,
) -> EmployingOrganisation:
    """The organisation stopped using the person: only once the LADO is involved."""
    visible(actor, case)
    workflow.check(case, "organisation_stopped", actor)
    row = next((o for o in organisations_of(session, case) if o.id == organisation_id), None)
    if row is None:
        raise NotFound("Organisation not found")
    errors = Errors()
    if row.stopped_on is not None:
        errors["stopped_on"] = "That the organisation stopped using the person is already recorded"
    if not lado_involved(case):
        errors["stopped_on"] = (
            "Refer to or consult the LADO first: the organisation must not stop using the "
            "person without the LADO"
        )
    errors.day(
        "stopped_on",
        stopped_on,
        called="The date",
        missing="Enter the date they stopped",
        since=case.became_aware_on,
        too_early="The date must be on or after the date the school became aware",
    )
    errors.raise_any()
    row.stopped_on = stopped_on
    record(
        session,
        case,
        actor,
        audit.Action.ORGANISATION_STOPPED,
        object_type="organisation",
        object_id=row.id,
        target=row,
    )
    return row
