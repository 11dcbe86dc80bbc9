"""Crypto-shredding: destroying a case's data keys so its personal data can never be read again,
while its statistics fields (kind, dates, source, state) and the audit trail remain; legal holds,
which stop it; and the list of cases due for erasure.

`incidents retention review` and `incidents shred` both call `shred_case`. Erasure is for a
closed case past its `retention_until`, never under a legal hold; an earlier erasure needs an
explicit override with a reason, kept in the audit trail (issue 13, item 13).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.casework.guard import record, visible
from incidents.clock import local_today
from incidents.crypto.keyring import Keyring
from incidents.errors import InvalidInput, NotFound, Refused
from incidents.models import (
    Case,
    CaseState,
    DataKey,
    LegalHold,
    LegalHoldKind,
    Person,
    School,
    User,
)
from incidents.models.base import utcnow
from incidents.models.case import case_subject
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_RULE = 200
MAX_REASON = 2_000


def is_due(case: Case, today: date) -> bool:
    """Closed, its retention date reached, and no legal hold: the case may be erased."""
    return (
        case.state is CaseState.CLOSED
        and case.retention_until is not None
        and case.retention_until <= today
        and not case.open_legal_holds
    )


def not_due_reason(case: Case, today: date) -> str | None:
    """Why the case is not yet due for erasure, in words for the operator; None when it is."""
    if case.state is not CaseState.CLOSED:
        return f"Case {case.reference} is still open ({case.state.label.lower()})"
    if case.retention_until is None:
        return f"Case {case.reference} has no retention date"
    if case.retention_until > today:
        return f"Case {case.reference} is kept until {case.retention_until.isoformat()}"
    return None


def due_for_erasure(session: Session, *, school_id: uuid.UUID | None = None) -> list[Case]:
    """Closed cases past their retention date and under no legal hold, oldest date first."""
    today = local_today()
    query = select(Case).where(
        Case.state == CaseState.CLOSED,
        Case.retention_until.is_not(None),
        Case.retention_until <= today,
    )
    if school_id is not None:
        query = query.where(Case.school_id == school_id)
    cases = [c for c in session.scalars(query) if is_due(c, today)]
    return sorted(cases, key=lambda c: (c.retention_until or today, c.reference))


def school_of(session: Session, case: Case) -> School:
    school = session.get(School, case.school_id)
    assert school is not None  # noqa: S101 - a foreign key
    return school


def find_case(session: Session, *, school_id: uuid.UUID, reference: str) -> Case:
    case = session.scalar(
        select(Case).where(Case.school_id == school_id, Case.reference == reference.strip())
    )
    if case is None:
        raise NotFound(f"No case {reference.strip()!r} at this school")
    return case


def shred_case(
    session: Session,
    *,
    actor: User | None,
    case: Case,
    rule: str,
    keyring: Keyring,
    override_reason: str | None = None,
) -> list[uuid.UUID]:
    """Destroy the case's data keys and unlink the people it was about. Returns the key ids.

    Refused under a legal hold; refused for an open case or before its retention date unless
    `override_reason` is given, which is recorded in the audit trail first.

    The ciphertexts stay (their digests are what the audit trail commits to) but no key to
    open them exists any more. A person who appears in no other case and has no account is
    deleted too, since their name would otherwise outlive the case.
    """
    errors = Errors()
    rule = errors.text(
        "rule",
        rule,
        label="The retention rule",
        limit=MAX_RULE,
        empty="Enter the retention rule the case is erased under",
    )
    override = errors.text(
        "override_reason", override_reason or "", label="The reason", limit=MAX_REASON
    )
    errors.raise_any()
    if case.is_erased:
        raise InvalidInput({"case": f"Case {case.reference} was already erased"})
    # A legal hold stops erasure, override or not (the workflow's guard says so).
    workflow.check(case, "erase", actor)
    early = not_due_reason(case, local_today())
    if early is not None and not override:
        raise Refused(
            f"{early}: erasure is for closed cases past their retention date. To erase it "
            "earlier, give the reason for the override"
        )
    if early is not None:
        # Sealed under the school's key (no case_id): the reason must outlive the case's keys.
        audit.record(
            session,
            school_id=case.school_id,
            action=audit.Action.CASE_ERASURE_OVERRIDE,
            actor=actor,
            object_type="case",
            object_id=case.id,
            target=case,
            detail={"reason": override, "not_due": early},
        )
    keys = list(session.scalars(select(DataKey).where(DataKey.case_id == case.id)))
    now = utcnow()
    # The date and rule go in with the state change: a CHECK constraint insists on all three.
    case.erased_at = now
    case.erasure_rule = rule
    workflow.advance(case, "erase", actor)
    for key in keys:
        key.wrapped = None
        key.destroyed_at = now
    subject_ids = [p.id for p in case.subjects]
    case.subjects = []
    session.flush()
    _delete_orphans(session, subject_ids)
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.CASE_SHRED,
        actor=actor,
        case_id=case.id,
        object_type="case",
        object_id=case.id,
    )
    key_ids = [k.id for k in keys]
    keyring.forget(key_ids)
    return key_ids


def _delete_orphans(session: Session, person_ids: list[uuid.UUID]) -> None:
    if not person_ids:
        return
    still_cited = exists().where(case_subject.c.person_id == Person.id)
    session.execute(
        delete(Person)
        .where(Person.id.in_(person_ids), Person.account_index.is_(None), ~still_cited)
        .execution_options(synchronize_session="fetch")
    )


def place_legal_hold(
    session: Session, *, actor: User, case: Case, kind: LegalHoldKind | None, reason: str
) -> LegalHold:
    """An inquiry, litigation or the police need the case kept: it cannot be erased until the
    hold is lifted."""
    visible(actor, case)
    workflow.check(case, "place_legal_hold", actor)
    errors = Errors()
    if kind is None:
        errors["kind"] = "Choose why the case must be kept"
    reason = errors.text(
        "reason",
        reason,
        label="The reason",
        limit=MAX_REASON,
        empty="Enter who asked for the case to be kept, and why",
    )
    errors.raise_any()
    assert kind is not None  # noqa: S101 - checked above
    hold = LegalHold(case=case, kind=kind, placed_by_id=actor.id, reason=Sensitive(reason))
    session.add(hold)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.LEGAL_HOLD_PLACE,
        object_type="legal_hold",
        object_id=hold.id,
        target=hold,
    )
    return hold


def lift_legal_hold(
    session: Session, *, actor: User, case: Case, hold_id: uuid.UUID, reason: str
) -> LegalHold:
    visible(actor, case)
    workflow.check(case, "lift_legal_hold", actor)
    hold = next((h for h in case.open_legal_holds if h.id == hold_id), None)
    if hold is None:
        raise NotFound("Legal hold not found")
    errors = Errors()
    reason = errors.text(
        "reason",
        reason,
        label="The reason",
        limit=MAX_REASON,
        empty="Enter why the case no longer needs to be kept",
    )
    errors.raise_any()
    hold.lifted_at = utcnow()
    hold.lifted_by_id = actor.id
    hold.lift_reason = Sensitive(reason)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.LEGAL_HOLD_LIFT,
        object_type="legal_hold",
        object_id=hold.id,
        target=hold,
    )
    return hold
