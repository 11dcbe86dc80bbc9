"""Merging a duplicate person into the one kept: every case that names the duplicate names the
kept person instead (as subject, in a suspension or a disciplinary process), a login link
moves across, details the kept person lacks are filled in, and the duplicate is removed. One
audit entry names both, by id."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from incidents import audit
from incidents.admin.people.commands import check
from incidents.errors import InvalidInput, Refused
from incidents.models import Person, SuspensionDecision, User
from incidents.models.case import case_subject
from incidents.models.disciplinary import DisciplinaryProcess

BOTH_LINKED = (
    "Both are linked to a different user account, so they are different people. "
    "Deactivate the account that is not needed first"
)


def merge(session: Session, *, actor: User, keep: Person, duplicate: Person) -> None:
    check(actor)
    if keep.id == duplicate.id:
        raise InvalidInput({"duplicate": "Choose someone other than the person you are keeping"})
    if keep.school_id != actor.school_id or duplicate.school_id != actor.school_id:
        raise InvalidInput({"duplicate": "Choose someone from the list"})
    keep_user, dup_user = keep.user_id, duplicate.user_id
    if keep_user is not None and dup_user is not None and keep_user != dup_user:
        raise Refused(BOTH_LINKED)
    # Cases follow: a case naming both keeps one line for the kept person.
    both = select(case_subject.c.case_id).where(case_subject.c.person_id == keep.id)
    session.execute(
        delete(case_subject).where(
            case_subject.c.person_id == duplicate.id, case_subject.c.case_id.in_(both)
        )
    )
    session.execute(
        update(case_subject)
        .where(case_subject.c.person_id == duplicate.id)
        .values(person_id=keep.id)
    )
    for model in (SuspensionDecision, DisciplinaryProcess):
        session.execute(
            update(model)
            .where(model.person_id == duplicate.id)
            .values(person_id=keep.id)
            .execution_options(synchronize_session=False)
        )
    if keep.email is None and duplicate.email is not None:
        email = duplicate.email
        duplicate.email = None
        session.flush()  # one person per email: never two rows with it at once
        keep.email = email
    if keep.job_title is None and duplicate.job_title is not None:
        keep.job_title = duplicate.job_title
    keep.started_on = keep.started_on or duplicate.started_on
    if dup_user is not None and keep_user is None:
        duplicate.account = None
        session.flush()  # (school, account index) is unique: free it before it moves
        keep.link_user(dup_user)
    merged_id = duplicate.id
    session.flush()
    session.delete(duplicate)
    session.flush()
    session.expire(keep)
    audit.record(
        session,
        school_id=keep.school_id,
        action=audit.Action.PERSON_MERGE,
        actor=actor,
        object_type="person",
        object_id=keep.id,
        detail={"merged": str(merged_id)},
    )
