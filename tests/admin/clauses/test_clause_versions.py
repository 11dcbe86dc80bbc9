"""Clause text is versioned (issue 19, item 14): an administrator's edit is a new version; a case
keeps citing, and showing, the words in force when it was recorded; the audit entry for the edit
keeps the digests of the old and new words, encrypted like every entry's detail."""

from __future__ import annotations

import hashlib
import json

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.admin.clauses import commands as clause_service
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.clock import local_today
from incidents.models import (
    AuditEntry,
    Case,
    DisclosureSource,
    PersonKind,
    PolicyClause,
    Role,
    School,
    User,
)
from tests.conftest import csrf_token

NEW_WORDS = "Staff may accept friend requests from pupils on a personal account."


def _case_citing(db: Session, head: User, clause: PolicyClause) -> Case:
    data = CaseInput(
        narrative="A parent said a teacher friended their child on Facebook.",
        became_aware_on=local_today(),
        new_subject=NewSubject(name="Jo Teacher", kind=PersonKind.STAFF),
        not_listed=True,  # not the school's listed Jo Teacher (issue 13, item 3)
        source=DisclosureSource.PARENT,
        clause_ids=(clause.id,),
    )
    case = record_disclosure(db, actor=head, data=data)
    db.commit()
    return case


def _edit(admin: FlaskClient, clause: PolicyClause, text: str) -> None:
    path = f"/admin/clauses/{clause.id}"
    response = admin.post(
        path,
        data={
            "csrf_token": csrf_token(admin, path),
            "code": clause.code,
            "source": clause.source,
            "category": clause.category,
            "text": text,
        },
    )
    assert response.status_code == 302


def test_an_edit_does_not_rewrite_what_an_old_case_cites(
    db: Session, school: School, users: dict[Role, User], login_as
) -> None:
    clause = clause_service.list_clauses(db, school.id)[0]
    original = clause.text
    old_case = _case_citing(db, users[Role.HEADTEACHER], clause)

    _edit(login_as(Role.ADMIN), clause, NEW_WORDS)
    new_case = _case_citing(db, users[Role.HEADTEACHER], clause)

    db.expire_all()
    assert [v.number for v in clause.versions] == [1, 2]
    assert clause.text == NEW_WORDS
    assert old_case.cited[0].version.number == 1 and old_case.cited[0].text == original
    assert new_case.cited[0].version.number == 2 and new_case.cited[0].text == NEW_WORDS
    head = login_as(Role.HEADTEACHER)
    old_page = head.get(f"/cases/{old_case.id}").get_data(as_text=True)
    assert str(escape(original)) in old_page and str(escape(NEW_WORDS)) not in old_page
    assert "the wording in force when the case was recorded, since changed" in old_page
    new_page = head.get(f"/cases/{new_case.id}").get_data(as_text=True)
    assert str(escape(NEW_WORDS)) in new_page and "since changed" not in new_page


def test_the_edits_audit_entry_keeps_the_digests_of_the_old_and_new_words(
    db: Session, school: School, users: dict[Role, User], login_as
) -> None:
    clause = clause_service.list_clauses(db, school.id)[0]
    original = clause.text

    _edit(login_as(Role.ADMIN), clause, NEW_WORDS)

    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "clause.update", AuditEntry.object_id == clause.id
        )
    ).one()
    assert entry.detail_ct is not None
    assert NEW_WORDS.encode() not in bytes(entry.detail_ct)  # sealed, like every detail
    assert json.loads(entry.detail.reveal()) == {
        "version": 2,
        "old_text_sha256": hashlib.sha256(original.encode()).hexdigest(),
        "new_text_sha256": hashlib.sha256(NEW_WORDS.encode()).hexdigest(),
    }


def test_an_edit_that_keeps_the_words_is_not_a_new_version(
    db: Session, school: School, login_as
) -> None:
    clause = clause_service.list_clauses(db, school.id)[0]
    _edit(login_as(Role.ADMIN), clause, clause.text)
    db.expire_all()
    assert [v.number for v in clause.versions] == [1]


def test_a_new_clause_starts_at_version_1(db: Session, users: dict[Role, User]) -> None:
    data = clause_service.ClauseInput("LOCAL-1", "Local: staff handbook 4.2", "other", "Be kind.")
    clause = clause_service.create_clause(db, actor=users[Role.ADMIN], data=data)
    db.flush()
    assert [(v.number, v.text) for v in clause.versions] == [(1, "Be kind.")]
