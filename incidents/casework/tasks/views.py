"""Task pages: adding a task to a case by hand, and marking one done."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents.casework import page as case_step
from incidents.casework.tasks import commands as tasks
from incidents.casework.tasks import queries as task_queries
from incidents.casework.tasks.forms import TaskForm
from incidents.extensions import db_session
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import button, form_page

bp = Blueprint("case_tasks", __name__, url_prefix="/cases/<uuid:case_id>")

NOBODY = "nobody"
ANCHOR = "tasks"


@bp.route("/tasks/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def new_task(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "add_task", anchor=ANCHOR)
    db = db_session()
    form = TaskForm()
    form.assignee.choices = [
        *(SelectChoice(str(u.id), u.display_name) for u in task_queries.case_workers(db, case)),
        SelectChoice(NOBODY, "Nobody yet"),
    ]
    return form_page(
        form,
        command=lambda: tasks.add_task(
            db,
            actor=current_user,
            case=case,
            title=form.title.data or "",
            assignee_id=None if form.assignee.data == NOBODY else uuid.UUID(form.assignee.data),
            due_on=form.due_on.data,
        ),
        done_message="Task added",
        show=lambda: render_template("casework/task_new.html", case=case, form=form),
    )


@bp.route("/tasks/<uuid:task_id>/done", methods=["POST"])
@requires(Permission.CASE_PROGRESS)
def task_done(case_id: uuid.UUID, task_id: uuid.UUID) -> Response:
    case = case_step.load(case_id)
    return button(
        lambda: tasks.complete_task(db_session(), actor=current_user, case=case, task_id=task_id),
        "Task marked as done",
    )
