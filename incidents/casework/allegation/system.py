"""Tasks these steps open, and the audit entry each writes. The calling command has checked
permission and the workflow; nothing here checks either, so no view imports this module."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from incidents import audit
from incidents.alerts import system as alerts
from incidents.casework.guard import record
from incidents.models import Case, Task, TaskKind, User
from incidents.sensitive import Sensitive


def open_task(
    session: Session,
    case: Case,
    actor: User | None,
    *,
    title: str,
    owner: User | None,
    due_on: date,
) -> Task:
    """A task with its own wording (sealed, like every task title), assigned and alerted;
    `actor` None: opened by the system (the review job)."""
    task = Task(
        case=case,
        kind=TaskKind.CUSTOM,
        title=Sensitive(title),
        assignee_id=owner.id if owner else None,
        due_on=due_on,
        created_by_id=actor.id if actor else None,
    )
    session.add(task)
    session.flush()
    record(session, case, actor, audit.Action.TASK_CREATE, object_type="task", object_id=task.id)
    alerts.task_assigned(session, task, actor)
    return task
