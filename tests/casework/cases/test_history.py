"""The case history on the case page: the case manager (only) sees who opened or changed the
case, when and in what role, newest first, capped; the sealed reporter stays sealed; reading it
writes nothing more to the log; and every read of sensitive data is an entry with who and role."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from incidents.audit import Action, record
from incidents.audit.actions import LABELS, label
from incidents.casework.cases.history import SEALED, SUBJECT, SYSTEM, case_history, openers
from incidents.casework.cases.summary import _recorded_by
from incidents.models import AuditEntry, DisclosureSource, Role
from tests import factories
from tests.conftest import csrf_token

REASON = "Marker-reveal-reason-K9 to ask the reporter one question"
REPORTER_NAME = "Rowan Reportermarker"


def _entries(db: Session, case_id, action: Action) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.case_id == case_id, AuditEntry.action == action.value)
            .order_by(AuditEntry.seq)
        )
    )


def _count(db: Session, case_id) -> int:
    return db.scalar(select(func.count()).where(AuditEntry.case_id == case_id)) or 0


def test_every_action_has_a_plain_english_label():
    assert set(LABELS) == set(Action), "add a label for each new Action in audit/actions.py"
    assert all(text and text[0].isupper() and not text.endswith(".") for text in LABELS.values())
    assert label("case.view") == "Opened the case"
    assert label("something.newer") == "something.newer"  # never hidden, shown as stored


def test_the_case_manager_sees_the_history_newest_first(login_as, users, db):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = factories.make_case(db, head)
    db.commit()
    assert login_as(Role.DSL).get(f"/cases/{case.id}").status_code == 200
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Case history" in page
    history = page[page.index('id="history"') :]
    # Newest first: the headteacher opening it now, then the DSL, then the recording.
    opened_by_head = history.index(head.display_name)
    assert opened_by_head < history.index(dsl.display_name) < history.index("Recorded the case")
    assert "Designated safeguarding lead" in history and "Headteacher" in history
    assert "Opened the case" in history
    assert " at " in history and ("am" in history or "pm" in history)  # UK time, plain English


def test_a_dsl_who_is_not_the_case_manager_does_not_see_it(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    page = login_as(Role.DSL).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Case history" not in page
    assert case_history(db, actor=users[Role.DSL], case=case) is None


def test_reading_the_history_adds_only_the_case_view(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    before = _count(db, case.id)
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Case history" in page
    assert _count(db, case.id) == before + 1
    assert len(_entries(db, case.id, Action.CASE_VIEW)) == 1


def test_the_sealed_reporter_and_the_reveal_reason_stay_out_of_the_history(login_as, users, db):
    reporter = factories.make_user(db, users[Role.STAFF].school, Role.STAFF, name=REPORTER_NAME)
    db.commit()
    case = factories.make_case(db, reporter, source=DisclosureSource.STAFF)
    db.commit()
    head = login_as(Role.HEADTEACHER)
    reveal = f"/cases/{case.id}/reporter"
    url = f"/reauthenticate/reveal_reporter?record={case.id}&next={reveal}"
    head.post(
        url,
        data={
            "csrf_token": csrf_token(head, url),
            "password": factories.PASSWORD,
            "reason": REASON,
        },
    )
    assert REPORTER_NAME in head.get(reveal).get_data(as_text=True)  # the audited reveal itself

    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "Revealed the reporter&#39;s identity" in history
    assert "Reported the concern" in history and SEALED in history
    assert REPORTER_NAME not in page and reporter.email not in page
    assert REASON not in page and "Marker-reveal" not in page
    items = case_history(db, actor=users[Role.HEADTEACHER], case=case).items
    reported = next(i for i in items if i.what == "Reported the concern")
    assert (reported.who, reported.roles) == (SEALED, "Not shown")  # the role would name them
    revealed = next(i for i in items if i.what == LABELS[Action.REPORTER_REVEAL])
    assert revealed.who == users[Role.HEADTEACHER].display_name


def test_a_subject_and_the_system_are_never_named(users, db):
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = factories.make_case(db, head, subjects=[factories.person_of(db, dsl)])
    record(db, school_id=case.school_id, action=Action.NOTE_ADD, actor=dsl, case_id=case.id)
    record(db, school_id=case.school_id, action=Action.TASK_CREATE, actor=None, case_id=case.id)
    db.flush()
    items = case_history(db, actor=head, case=case).items
    assert (items[0].who, items[0].roles) == (SYSTEM, "Automatic")
    assert items[1].who == SUBJECT and dsl.display_name not in {i.who for i in items}


def test_a_long_history_is_capped_with_a_count(login_as, users, db):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    for _ in range(5):
        record(db, school_id=case.school_id, action=Action.CASE_VIEW, actor=head, case_id=case.id)
    db.commit()
    history = case_history(db, actor=head, case=case, limit=3)
    assert len(history.items) == 3 and history.total == _count(db, case.id) and history.truncated
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "entries, newest first" in page


def test_roles_come_from_the_entry_not_from_today(users, db):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    db.flush()
    entry = _entries(db, case.id, Action.CASE_RECORD)[0]
    assert json.loads(entry.leaf)["role"] == "headteacher"
    assert case_history(db, actor=head, case=case).items[-1].roles == "Headteacher"


# --- reads of sensitive data are entries with who and role ------------------------------------


def _who_and_role(entry: AuditEntry) -> tuple[str | None, str | None]:
    leaf = json.loads(entry.leaf)
    return leaf["actor"], leaf["role"]


def test_opening_a_case_is_recorded_with_who_and_role(login_as, users, db):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    login_as(Role.DEPUTY_DSL).get(f"/cases/{case.id}")
    [view] = _entries(db, case.id, Action.CASE_VIEW)
    assert _who_and_role(view) == (str(users[Role.DEPUTY_DSL].id), "deputy_dsl")


def test_revealing_the_reporter_is_recorded_with_who_and_role(login_as, users, db):
    case = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    head = login_as(Role.HEADTEACHER)
    reveal = f"/cases/{case.id}/reporter"
    url = f"/reauthenticate/reveal_reporter?record={case.id}&next={reveal}"
    head.post(
        url,
        data={
            "csrf_token": csrf_token(head, url),
            "password": factories.PASSWORD,
            "reason": REASON,
        },
    )
    head.get(reveal)
    [entry] = _entries(db, case.id, Action.REPORTER_REVEAL)
    assert _who_and_role(entry) == (str(users[Role.HEADTEACHER].id), "headteacher")
    assert REASON.encode() not in entry.leaf


def test_the_parent_letter_shows_no_case_content_and_is_not_a_separate_read(login_as, users, db):
    # The letter holds the reference, the school and the case manager's name: nothing that
    # was reported. Opening the case page to reach it is the recorded read.
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    before = _count(db, case.id)
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}/letter").get_data(as_text=True)
    assert "Facebook" not in page and "Jo Teacher" not in page
    assert _count(db, case.id) == before


def test_the_reporter_and_recorder_are_read_through_the_cases_own_entries(users, db):
    """Issue 21: on SQLite, which keeps no planner statistics, ORDER BY seq made these reads
    go through the (school_id, seq) index, every entry of the school's log: a second a case
    page at 2 million entries. They must search the case_id index instead."""
    connection = db.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics")
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    db.flush()
    said: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM audit_entry" in statement:
            said.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", keep)
    try:
        assert openers(db, case)[Action.CASE_RECORD] == [head.id]
        _recorded_by(db, case)
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    assert len(said) == 2
    raw = connection.connection.dbapi_connection
    for statement, parameters in said:
        plan = " ".join(
            str(row) for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )
        assert "ix_audit_entry_case_id" in plan, plan
