"""Tasks on a case: the statutory ones the workflow creates, those added by hand, and marking
a task done. Also the lists behind the home page's "due today" and "overdue"."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit, workflow
from incidents.alerts import system as alerts
from incidents.casework.guard import progressable, record
from incidents.casework.tasks.queries import case_workers
from incidents.casework.tasks.system import mark_done
from incidents.clock import local_today
from incidents.errors import InvalidInput, NotFound
from incidents.lifecycle import TASK
from incidents.models import Case, Task, TaskKind, User
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_TITLE = 500


def add_task(
    session: Session,
    *,
    actor: User,
    case: Case,
    title: str,
    assignee_id: uuid.UUID | None,
    due_on: date | None,
) -> Task:
    progressable(actor, case)
    workflow.check(case, "add_task", actor)
    errors = Errors()
    title = errors.text("title", title, label="The task", limit=MAX_TITLE, empty="Enter the task")
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    elif due_on < local_today():
        errors["due_on"] = "The date it is due must be today or in the future"
    workers = {u.id for u in case_workers(session, case)}
    if assignee_id is not None and assignee_id not in workers:
        errors["assignee"] = "Choose who will do it from the list"
    errors.raise_any()
    assert due_on is not None  # noqa: S101 - narrowing: a missing date is an error above
    task = Task(
        case=case,
        kind=TaskKind.CUSTOM,
        title=Sensitive(title),
        assignee_id=assignee_id,
        due_on=due_on,
        created_by_id=actor.id,
    )
    session.add(task)
    session.flush()
    record(session, case, actor, audit.Action.TASK_CREATE, object_type="task", object_id=task.id)
    alerts.task_assigned(session, task, actor)  # issue 15: the assignee is told
    return task


def complete_task(session: Session, *, actor: User, case: Case, task_id: uuid.UUID) -> Task:
    """Mark a task done by hand (`lifecycle.TASK`); Refused when it is done already."""
    progressable(actor, case)
    task = next((t for t in case.tasks if t.id == task_id), None)
    if task is None:
        raise NotFound("Task not found")
    TASK.check(task, "done")
    if task.kind in DONE_ELSEWHERE:
        raise InvalidInput({"task": DONE_ELSEWHERE[task.kind]})
    if task.kind is TaskKind.TELL_PARENTS and not any(
        n.created_at >= task.created_at for n in case.notes
    ):
        # The police's and CSC's advice on when the parents may be told is the evidence.
        raise InvalidInput(
            {
                "task": "Record in the chronology what the police and children's social care "
                "advised about when the parents may be told, then mark this task as done"
            }
        )
    mark_done(session, case, actor, task)
    return task


# Tasks finished by recording what was done, not by a button: the record is the evidence.
DONE_ELSEWHERE = {
    TaskKind.CONFIRM_SUSPENSION: "Record the date the suspension was confirmed in writing, "
    "under Suspension on the case page: that marks this task as done",
}
