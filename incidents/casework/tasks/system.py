"""Steps the workflow takes by itself as the consequence of another command (a statutory task
opened, or marked done by the record that finishes it). The calling command has checked
permission and workflow; nothing here checks either, so no view imports this module."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from incidents import audit
from incidents.alerts import system as alerts
from incidents.casework.guard import record
from incidents.casework.tasks.queries import case_workers
from incidents.models import Case, Role, Task, TaskKind, User
from incidents.models.base import utcnow


def create_standard(
    session: Session, case: Case, kind: TaskKind, *, assignee: User | None, due_on: date
) -> Task:
    """A task the rules require; written by the system (no actor) in the caller's transaction."""
    task = Task(case=case, kind=kind, assignee_id=assignee.id if assignee else None, due_on=due_on)
    session.add(task)
    session.flush()
    record(session, case, None, audit.Action.TASK_CREATE, object_type="task", object_id=task.id)
    alerts.task_assigned(session, task, None)  # issue 15: the assignee is told
    return task


def first_with_role(session: Session, case: Case, *roles: Role) -> User | None:
    for role in roles:
        for user in case_workers(session, case):
            if role in user.roles:
                return user
    return None


def mark_done(session: Session, case: Case, actor: User, task: Task) -> None:
    """Mark a task done, for a service that has checked the step (and the task's kind)."""
    task.done_at = utcnow()
    task.done_by_id = actor.id
    record(session, case, actor, audit.Action.TASK_COMPLETE, object_type="task", object_id=task.id)
