"""Crypto-shredding: destroying a case's data keys so its personal data can never be read again,
while its statistics fields (kind, dates, source, state) and the audit trail remain.

The retention job and `incidents shred` both call `shred_case`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.crypto.keyring import Keyring
from incidents.errors import InvalidInput, NotFound
from incidents.models import Case, DataKey, Person, User
from incidents.models.base import utcnow
from incidents.models.case import case_subject

MAX_RULE = 200


def find_case(session: Session, *, school_id: uuid.UUID, reference: str) -> Case:
    case = session.scalar(
        select(Case).where(Case.school_id == school_id, Case.reference == reference.strip())
    )
    if case is None:
        raise NotFound(f"No case {reference.strip()!r} at this school")
    return case


def shred_case(
    session: Session, *, actor: User | None, case: Case, rule: str, keyring: Keyring
) -> list[uuid.UUID]:
    """Destroy the case's data keys and unlink the people it was about. Returns the key ids.

    The ciphertexts stay (their digests are what the audit trail commits to) but no key to
    open them exists any more. A person who appears in no other case and has no account is
    deleted too, since their name would otherwise outlive the case.
    """
    rule = rule.strip()
    if not rule:
        raise InvalidInput({"rule": "Enter the retention rule the case is erased under"})
    if len(rule) > MAX_RULE:
        raise InvalidInput({"rule": f"The retention rule must be {MAX_RULE} characters or fewer"})
    if case.is_erased:
        raise InvalidInput({"case": f"Case {case.reference} was already erased"})
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
        .where(Person.id.in_(person_ids), Person.user_id.is_(None), ~still_cited)
        .execution_options(synchronize_session="fetch")
    )
