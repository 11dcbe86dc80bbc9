"""Who is told, and what the email says, through a real SMTP server with STARTTLS: the right
people, the school's name and a link, and nothing else; every email sent is an audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from incidents.admin.audit.commands import verify_and_record
from incidents.audit.signer import Signer
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.tasks import commands as tasks
from incidents.clock import local_today
from incidents.models import (
    Alert,
    AlertKind,
    Case,
    DisclosureSource,
    OutboxMessage,
    OutboxStatus,
    PersonKind,
    Role,
    School,
    User,
)
from incidents.models.audit import AuditEntry
from tests import factories
from tests.alerts.conftest import SmtpServer


def child_case(db: Session, actor: User, words: str = "He said not to tell.", **kw: Any) -> Case:
    return record_disclosure(
        db,
        actor=actor,
        data=CaseInput(
            narrative=kw.get("narrative", "A child told the DSL at break."),
            became_aware_on=local_today(),
            new_subject=NewSubject(kw.get("name", "Sam Coach"), PersonKind.STAFF),
            source=DisclosureSource.CHILD,
            child_words=words,
            reporter=kw.get("reporter", ""),
        ),
    )


def told(db: Session, case: Case | None = None) -> dict[str, set[AlertKind]]:
    query = select(Alert.kind, User.email).join(User, User.id == Alert.user_id)
    if case is not None:
        query = query.where(Alert.case_id == case.id)
    found: dict[str, set[AlertKind]] = {}
    for kind, email in db.execute(query):
        found.setdefault(email, set()).add(kind)
    return found


def test_a_staff_report_reaches_the_head_and_the_dsl_by_email_in_one_run(
    db: Session, users: dict[Role, User], smtp_server: SmtpServer, flush: Any, school: School
) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    assert told(db, case) == {head.email: {AlertKind.NEW_CASE}, dsl.email: {AlertKind.NEW_CASE}}

    result = flush()

    assert result.sent == 2
    mails = smtp_server.mailbox
    assert sorted(r.rcpt_tos[0] for r in mails.received) == sorted([head.email, dsl.email])
    for received in mails.received:
        assert received.over_tls, "sent only after STARTTLS"
        message = received.message
        assert message["Subject"] == f"A new concern needs you: {school.name}"
        assert message["From"].addresses[0].display_name == f"{school.name} (Incidents)"
        assert message["From"].addresses[0].addr_spec == "alerts@hilltop.example"
        assert message["Reply-To"] == "alerts@hilltop.example"
        assert message["Auto-Submitted"] == "auto-generated"
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert text is not None and html is not None
        link = f"https://incidents.hilltop.example/cases/{case.id}"
        assert link in text.get_content() and link in html.get_content()
        assert f"A new concern has been reported at {school.name}." in text.get_content()
    ids = {r.message["Message-ID"] for r in mails.received}
    rows = db.scalars(select(OutboxMessage)).all()
    assert ids == {row.message_id for row in rows}
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    # Every email sent is an audit entry: whom (by id), which case (by id).
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "alert.sent")).all()
    assert {(e.case_id, e.object_id) for e in entries} == {(case.id, head.id), (case.id, dsl.id)}
    # Sent once: a second run has nothing to do.
    assert flush().sent == 0
    assert len(mails.received) == 2


def test_a_recorded_disclosure_reaches_the_dsl_but_not_the_head_who_recorded_it(
    db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)
    # The head is told only of the statutory task the workflow gave them (a parent's report:
    # explain the process to the parent), not of the case they recorded themselves.
    assert told(db, case) == {
        users[Role.DSL].email: {AlertKind.NEW_CASE},
        head.email: {AlertKind.TASK_ASSIGNED},
    }


def test_a_childs_disclosure_reaches_the_dsl_and_deputies_at_once_marked_urgent(
    db: Session, users: dict[Role, User], smtp_server: SmtpServer, flush: Any
) -> None:
    head, dsl, deputy = users[Role.HEADTEACHER], users[Role.DSL], users[Role.DEPUTY_DSL]
    child_case(db, head)
    db.commit()
    found = told(db)
    assert found[deputy.email] == {AlertKind.CHILD_DISCLOSURE}
    # The DSL is also given the task to act today: one email, worded for the disclosure.
    assert found[dsl.email] == {AlertKind.CHILD_DISCLOSURE, AlertKind.TASK_ASSIGNED}
    assert head.email not in found  # recorded it
    flush()
    assert len(smtp_server.mailbox.to(dsl.email)) == 1
    for received in smtp_server.mailbox.received:
        message = received.message
        assert message["Subject"].startswith("Urgent:")
        assert message["Importance"] == "high"


def test_a_case_about_the_head_reaches_the_chair_and_never_the_head(
    db: Session, users: dict[Role, User]
) -> None:
    head, chair, dsl = users[Role.HEADTEACHER], users[Role.CHAIR_OF_GOVERNORS], users[Role.DSL]
    case = factories.make_case(db, users[Role.DEPUTY_DSL], subjects=[factories.person_of(db, head)])
    assert case.case_manager_id == chair.id
    found = told(db, case)
    # The chair also gets the parent's-report task the workflow gives the case manager.
    assert found == {
        chair.email: {AlertKind.NEW_CASE, AlertKind.TASK_ASSIGNED},
        dsl.email: {AlertKind.NEW_CASE},
    }


def test_nobody_is_told_about_a_case_they_are_the_subject_of(
    db: Session, users: dict[Role, User]
) -> None:
    dsl = users[Role.DSL]
    case = factories.make_case(db, users[Role.STAFF], subjects=[factories.person_of(db, dsl)])
    assert dsl.email not in told(db, case)


def test_a_task_assignee_is_told_unless_they_gave_it_themselves(
    db: Session, users: dict[Role, User]
) -> None:
    head, deputy = users[Role.HEADTEACHER], users[Role.DEPUTY_DSL]
    case = factories.make_case(db, head)
    tasks.add_task(
        db,
        actor=head,
        case=case,
        title="Ring the LADO",
        assignee_id=deputy.id,
        due_on=local_today(),
    )
    tasks.add_task(
        db, actor=head, case=case, title="Write it up", assignee_id=head.id, due_on=local_today()
    )
    found = told(db, case)
    assert found[deputy.email] == {AlertKind.TASK_ASSIGNED}
    # Only the workflow's own task (for the parent's report): not the one they gave themselves.
    assert db.scalar(select(func.count()).select_from(Alert).where(Alert.user_id == head.id)) == 1


def test_a_failed_audit_verification_reaches_the_administrator(
    db: Session, users: dict[Role, User], school: School, signer: Signer
) -> None:
    factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    report = verify_and_record(db, school_id=school.id, actor=None, vkey=signer.verifier_key)
    assert report.ok
    assert users[Role.ADMIN].email not in told(db)
    db.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(leaf=b"tampered"))
    report = verify_and_record(db, school_id=school.id, actor=None, vkey=signer.verifier_key)
    assert not report.ok
    assert told(db)[users[Role.ADMIN].email] == {AlertKind.AUDIT_VERIFY_FAILED}


def test_replies_go_to_the_schools_own_address_once_it_is_set(
    db: Session,
    users: dict[Role, User],
    smtp_server: SmtpServer,
    flush: Any,
    school: School,
    app: Any,
) -> None:
    from tests.conftest import run_cli

    bad = run_cli(app, "mail", "reply-to", "--school", school.urn, "office@x.example\r\nBcc: a@b.c")
    assert bad.exit_code == 1 and "Enter one email address" in bad.output
    good = run_cli(app, "mail", "reply-to", "--school", school.urn, "office@hilltop.example")
    assert good.exit_code == 0, good.output
    factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    flush()
    assert {r.message["Reply-To"] for r in smtp_server.mailbox.received} == {
        "office@hilltop.example"
    }


def test_an_administrators_passing_verification_marks_their_log_alerts_read(
    db: Session, users: dict[Role, User], school: School, signer: Signer
) -> None:
    from incidents.alerts import system
    from incidents.alerts.queries import unread_count

    admin = users[Role.ADMIN]
    system.log_verified(db, school.id, False)
    assert unread_count(db, admin) == 1
    verify_and_record(
        db, school_id=school.id, actor=admin, vkey=signer.verifier_key, unanchored=True
    )
    assert unread_count(db, admin) == 0
