"""Routing by source for the sources seed 001 does not spell out: each opens the case with the
first step it needs, for the case manager, due when that step matters, and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import deadlines
from incidents.casework.cases._routing import FIRST_STEP
from incidents.casework.tasks import commands as tasks
from incidents.clock import local_today
from incidents.errors import Refused
from incidents.models import AuditEntry, DisclosureSource, Role, TaskKind, User
from tests import factories


@pytest.mark.parametrize(
    ("source", "kind", "today"),
    [
        (DisclosureSource.ANONYMOUS, TaskKind.CHECK_ANONYMOUS, False),
        (DisclosureSource.GOVERNOR, TaskKind.GOVERNOR_REPORTED, False),
        (DisclosureSource.EXTERNAL_AGENCY, TaskKind.AGREE_WITH_AGENCY, True),
        (DisclosureSource.SELF_REPORT, TaskKind.RECORD_OWN_ACCOUNT, False),
        (DisclosureSource.MONITORING, TaskKind.PRESERVE_EVIDENCE, True),
    ],
)
def test_each_source_opens_with_its_first_step(
    db: Session, users: dict[Role, User], source, kind, today
):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head, source=source)
    db.commit()
    assert [t.kind for t in case.tasks] == [kind]
    task = case.tasks[0]
    assert task.assignee_id == head.id  # the case manager
    expected = local_today() if today else deadlines.add_working_days(local_today(), 1)
    assert task.due_on == expected
    assert task.describe() == kind.label and "Task" not in task.describe()
    created = db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == task.id)).all()
    assert created == ["task.create"]


def test_every_source_has_a_route():
    """A new source without its routing would open a case with no first step."""
    routed_elsewhere = {DisclosureSource.PARENT, DisclosureSource.CHILD, DisclosureSource.STAFF}
    assert set(FIRST_STEP) | routed_elsewhere == set(DisclosureSource)


def test_a_first_step_is_done_with_a_button_and_only_once(db: Session, users: dict[Role, User]):
    head = users[Role.HEADTEACHER]
    case = factories.make_case(
        db, head, source=DisclosureSource.MONITORING, became_aware_on=local_today() - timedelta(1)
    )
    task = case.tasks[0]
    tasks.complete_task(db, actor=head, case=case, task_id=task.id)
    assert task.is_done
    with pytest.raises(Refused, match="already done"):
        tasks.complete_task(db, actor=head, case=case, task_id=task.id)
