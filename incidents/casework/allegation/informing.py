"""Telling the person the allegation is about, and the child's parents (KCSIE Part 4 s.1,
"Informing the person" and "Informing parents or carers"): when, by whom, what was said. The
person is told only after agreement with the LADO (and the police, where they are involved),
with a named contact and the support offered; the parents are told, kept updated, and told the
outcome in confidence (the outcome only once it is recorded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.guard import progressable, record
from incidents.errors import InvalidInput
from incidents.models import (
    Agency,
    Case,
    InformingStep,
    InformKind,
    ReferralStatus,
    User,
)
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_TEXT = 5_000
MAX_NAME = 200


@dataclass(frozen=True)
class InformInput:
    kind: InformKind | None
    told_on: date | None
    told_by: str
    what_said: str
    agreed_with_lado: bool | None
    agreed_with_police: bool | None
    contact: str = ""
    support: str = ""


def steps_of(session: Session, case: Case) -> list[InformingStep]:
    return list(
        session.scalars(
            select(InformingStep)
            .where(InformingStep.case_id == case.id)
            .order_by(InformingStep.told_on)
        )
    )


def police_involved(case: Case) -> bool:
    """A police referral that was not settled as "not made": their agreement is needed too."""
    return any(
        r.agency is Agency.POLICE and r.status is not ReferralStatus.NOT_MADE
        for r in case.referrals
    )


def record_informing(
    session: Session, *, actor: User, case: Case, data: InformInput
) -> InformingStep:
    progressable(actor, case)
    accused = data.kind is InformKind.ACCUSED
    workflow.check(case, "inform_accused" if accused else "inform_parents", actor)
    errors = Errors()
    if data.kind is None:
        raise InvalidInput({"kind": "Choose who was told"})
    errors.day(
        "told_on",
        data.told_on,
        called="The date they were told",
        missing="Enter the date they were told",
        since=case.became_aware_on,
        too_early="The date they were told must be on or after the date the school became aware",
    )
    told_by = errors.text(
        "told_by",
        data.told_by,
        label="Who told them",
        limit=MAX_NAME,
        empty="Enter who told them",
    )
    what_said = errors.text(
        "what_said",
        data.what_said,
        label="What they were told",
        limit=MAX_TEXT,
        empty="Enter what they were told",
    )
    contact = errors.text("contact", data.contact, label="The named contact", limit=MAX_NAME)
    support = errors.text("support", data.support, label="The support offered", limit=MAX_TEXT)
    if accused:
        if case.lado_required and data.agreed_with_lado is not True:
            errors["agreed_with_lado"] = (
                "Agree with the LADO what the person may be told, and when, before telling them"
            )
        if police_involved(case) and data.agreed_with_police is not True:
            errors["agreed_with_police"] = (
                "The police are involved: agree with them what the person may be told before "
                "telling them"
            )
        if not contact:
            errors.setdefault("contact", "Enter the person's named contact at the school")
        if not support:
            errors.setdefault("support", "Enter the support offered to the person")
    else:
        if (
            data.kind is InformKind.PARENTS
            and police_involved(case)
            and not data.agreed_with_police
        ):
            errors["agreed_with_police"] = (
                "The police are involved: agree with them, and children's social care, when "
                "the parents may be told"
            )
        if data.kind is InformKind.PARENTS_OUTCOME and case.outcome is None:
            errors["kind"] = "Record the outcome before telling the parents what it is"
    errors.raise_any()
    assert data.told_on is not None  # noqa: S101 - checked above
    step = InformingStep(
        case=case,
        kind=data.kind,
        told_on=data.told_on,
        recorded_by_id=actor.id,
        agreed_with_lado=bool(data.agreed_with_lado),
        agreed_with_police=data.agreed_with_police,
        told_by=Sensitive(told_by),
        what_said=Sensitive(what_said),
        contact=Sensitive(contact) if contact else None,
        support=Sensitive(support) if support else None,
    )
    session.add(step)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.INFORMING_RECORD,
        object_type="informing",
        object_id=step.id,
        target=step,
    )
    return step
