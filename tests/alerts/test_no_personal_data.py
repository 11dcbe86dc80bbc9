"""No personal data in any email: markers planted in every free-text field of cases of every
kind and source (names, what happened, the child's words, who reported it, the triage reasons,
notes, task titles, who asked for their data) and every email the system then sends, through
the real server, is scanned for them, for case references and for words that say what kind
of case it is."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.alerts import clocks, commands, digest
from incidents.casework.cases import notes, steps
from incidents.casework.cases.commands import (
    CaseInput,
    NewSubject,
    record_disclosure,
    report_concern,
)
from incidents.casework.tasks import commands as tasks
from incidents.casework.triage import commands as triage
from incidents.clock import local_today
from incidents.models import (
    Case,
    CaseKind,
    DisclosureSource,
    PersonKind,
    Requester,
    Role,
    School,
    ThresholdAnswer,
    User,
)
from incidents.models.base import utcnow
from incidents.registers.subject_access import commands as sar
from tests import factories
from tests.alerts.conftest import SmtpServer

YES, NO = ThresholdAnswer.YES, ThresholdAnswer.NO
# Words that would say what a case is about, or which statutory route it is on.
REVEALING = (
    "LADO",
    "ICO",
    "Information Commissioner",
    "allegation",
    "low-level",
    "breach",
    "police",
    "social care",
    "child",
    "suspen",
    "subject access",
    "parent",
    "staff",
)


def _marker(field: str, n: int) -> str:
    return f"Zq{field}{n}Marker"


def _open(db: Session, actor: User, source: DisclosureSource, n: int) -> Case:
    data = CaseInput(
        narrative=f"What happened {_marker('Narrative', n)}",
        became_aware_on=local_today(),
        new_subject=NewSubject(f"Pat {_marker('Subject', n)}", PersonKind.STAFF),
        source=source,
        reporter=f"Reporter {_marker('Reporter', n)}",
        child_words=f"Words {_marker('ChildWords', n)}" if source is DisclosureSource.CHILD else "",
    )
    if source is DisclosureSource.STAFF:
        data = dataclasses.replace(data, source=None, reporter="")
        return report_concern(db, actor=actor, data=data)
    return record_disclosure(db, actor=actor, data=data)


def test_no_email_carries_a_name_a_narrative_a_source_a_kind_or_a_reference(
    db: Session,
    users: dict[Role, User],
    school: School,
    smtp_server: SmtpServer,
    flush: Any,
) -> None:
    head, deputy = users[Role.HEADTEACHER], users[Role.DEPUTY_DSL]
    staff = factories.make_user(db, school, Role.STAFF, name=f"Kim {_marker('StaffName', 0)}")
    # One user reads alerts in the daily digest, so digests are scanned too.
    commands.set_delivery(db, actor=deputy, delivery="digest")
    cases: list[Case] = []
    kinds = list(CaseKind)
    for n, source in enumerate(DisclosureSource):
        actor = staff if source is DisclosureSource.STAFF else head
        case = _open(db, actor, source, n)
        if source is DisclosureSource.STAFF:
            steps.take_step(db, actor=head, case=case, action="accept")
        kind = kinds[n % len(kinds)]
        answer = YES if kind is CaseKind.ALLEGATION else NO
        data = triage.TriageInput(answer, NO, NO, NO, kind, f"Reasons {_marker('Triage', n)}")
        triage.triage(db, actor=head, case=case, data=data)
        notes.add_note(db, actor=head, case=case, body=f"Note {_marker('Note', n)}")
        tasks.add_task(
            db,
            actor=head,
            case=case,
            title=f"Task {_marker('Task', n)}",
            assignee_id=deputy.id,
            due_on=local_today(),
        )
        cases.append(case)
    sar.log_request(
        db,
        actor=head,
        data=sar.NewRequest(
            f"Requester {_marker('Requester', 0)}", Requester.DATA_SUBJECT, local_today()
        ),
    )
    db.commit()
    assert {c.kind for c in cases} == set(CaseKind)
    flush()
    # Weeks later, on a working morning: every clock has passed; the digest is due.
    later = utcnow() + timedelta(days=45)
    while not digest.is_digest_time(later):
        later += timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        assert clocks.raise_due(db) > 0
        assert digest.make_digests(db) > 0
        db.commit()
        flush()

    received = smtp_server.mailbox.received
    kinds_sent = {r.message["Subject"].rsplit(": ", 1)[0] for r in received}
    assert kinds_sent == {
        "A new concern needs you",
        "Urgent: a disclosure needs you today",
        "A task has been given to you",
        "Urgent: a deadline has passed",
        "Your daily summary",
    }
    forbidden = [
        *(
            _marker(f, n)
            for f in ("Narrative", "Subject", "Reporter", "ChildWords", "Triage", "Note", "Task")
            for n in range(len(cases))
        ),
        _marker("StaffName", 0),
        _marker("Requester", 0),
        *(c.reference for c in cases),
        *(u.display_name for u in db.scalars(select(User))),
    ]
    for mail in received:
        message = mail.message
        parts = [str(value) for value in message.values()]
        parts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
        parts.append(mail.content.decode("utf-8", "replace"))
        for part in parts:
            for secret in forbidden:
                assert secret not in part, f"{secret!r} in {message['Subject']!r}"
            for word in REVEALING:
                assert word.lower() not in part.lower(), f"{word!r} in {message['Subject']!r}"
