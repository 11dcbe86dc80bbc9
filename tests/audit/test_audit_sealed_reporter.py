"""A sealed reporter is not one SQL join away (issue 19, item 9): a staff report's entry, and
its actor_id column, hold a keyed per-case pseudonym instead of the reporter's id, and no
role; the subject they added names no actor; the LADO's bundle carries neither their id nor
their role. Whoever can open the case can still link it (the history hides them; the reveal
flow is unchanged)."""

from __future__ import annotations

from sqlalchemy import select, text

from incidents.audit import tlog
from incidents.audit.evidence import case_evidence
from incidents.audit.log import actor_pseudonym
from incidents.audit.verify import verify_school
from incidents.casework.cases.history import SEALED, case_history
from incidents.casework.cases.notes import add_note
from incidents.models import AuditEntry, Role
from tests import factories


def _report(db, users):
    reporter = users[Role.STAFF]
    case = factories.make_case(db, reporter)
    db.flush()
    entry = db.scalar(
        select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "case.report")
    )
    return reporter, case, entry


def test_a_database_reader_cannot_join_the_report_to_its_reporter(db, school, users):
    reporter, case, entry = _report(db, users)
    leaf = tlog.parse_entry(bytes(entry.leaf))
    assert entry.actor_id != reporter.id and leaf["actor"] != str(reporter.id)
    assert leaf["role"] is None
    # The query names nobody now.
    named = db.execute(
        text(
            "SELECT u.display_name FROM audit_entry a JOIN user_account u ON a.actor_id = u.id"
            " WHERE a.action = 'case.report' AND a.school_id = :school"
        ),
        {"school": school.id.hex if db.bind.dialect.name == "sqlite" else school.id},
    ).all()
    assert named == []
    # Nor does the new subject's entry, written just before the report's, name them.
    person = db.scalar(
        select(AuditEntry).where(
            AuditEntry.object_id == case.subjects[0].id, AuditEntry.action == "person.create"
        )
    )
    assert person.actor_id is None
    about_case = db.scalars(select(AuditEntry.leaf).where(AuditEntry.case_id == case.id))
    assert str(reporter.id).encode() not in b"".join(bytes(leaf) for leaf in about_case)
    assert verify_school(db, school.id, vkey=tlog.verifier_key("x", bytes(32))).entries > 0


def test_whoever_can_open_the_case_can_link_it(db, school, users):
    reporter, case, entry = _report(db, users)
    assert actor_pseudonym(db, school.id, case.id, reporter.id) == entry.actor_id
    # Per case: the same reporter is someone else on another case.
    _, other, other_entry = _report(db, users)
    assert other_entry.actor_id != entry.actor_id
    assert actor_pseudonym(db, school.id, other.id, reporter.id) == other_entry.actor_id


def test_the_history_still_hides_the_reporter_everywhere_on_the_case(db, school, users):
    staff, case, _entry = _report(db, users)
    case.case_manager_id = users[Role.HEADTEACHER].id
    db.flush()
    add_note(db, actor=users[Role.HEADTEACHER], case=case, body="Spoke to the LADO.")
    history = case_history(db, actor=users[Role.HEADTEACHER], case=case)
    assert history is not None
    report_item = next(i for i in history.items if i.what == "Reported the concern")
    assert report_item.who == SEALED
    assert staff.display_name not in {i.who for i in history.items}


def test_the_lado_bundle_carries_neither_id_nor_role_of_the_reporter(db, school, users, signer):
    reporter, case, _entry = _report(db, users)
    data = case_evidence(db, school.id, case.id, signer.verifier_key)
    blob = " ".join(e["leaf"] for e in data["entries"])
    assert any('"action":"case.report"' in e["leaf"] for e in data["entries"])
    assert str(reporter.id) not in blob
    assert '"role":"staff"' not in blob and '"role":null' in blob
