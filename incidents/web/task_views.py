"""Case work that is neither triage, referral nor outcome: adding a task by hand, recording that
the police are investigating (a hold on the school's own investigation), and that they have
finished, with their result (which lifts the hold)."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents import workflow
from incidents.extensions import db_session
from incidents.models import Case, CaseState
from incidents.permissions import Permission
from incidents.services import police, tasks
from incidents.web import case_step
from incidents.web.access import requires
from incidents.web.casework_forms import PoliceResultForm, TaskForm
from incidents.web.forms import ConfirmForm

bp = Blueprint("case_tasks", __name__, url_prefix="/cases/<uuid:case_id>")

NOBODY = "nobody"


@bp.route("/tasks/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def new_task(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, "add_task")
    if refused:
        return case_step.back(case_id, refused)
    db = db_session()
    form = TaskForm()
    form.assignee.choices = [
        *(SelectChoice(str(u.id), u.display_name) for u in tasks.case_workers(db, case)),
        SelectChoice(NOBODY, "Nobody yet"),
    ]
    if form.validate_on_submit():
        chosen = form.assignee.data
        sent = case_step.submit(
            case_id,
            form,
            lambda: tasks.add_task(
                db,
                actor=current_user,
                case=case,
                title=form.title.data or "",
                assignee_id=None if chosen == NOBODY else uuid.UUID(chosen),
                due_on=form.due_on.data,
            ),
            "Task added",
            anchor="tasks",
        )
        if sent:
            return sent
    return render_template("casework/task_new.html", case=case, form=form)


def _police_action(case: Case) -> str:
    return "police_finished" if case.state is CaseState.AWAITING_POLICE else "police_result"


@bp.route("/police-result", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def police_result(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    refused = case_step.refusal(case, _police_action(case))
    if refused:
        return case_step.back(case_id, refused)
    form = PoliceResultForm()
    if form.validate_on_submit():
        sent = case_step.submit(
            case_id,
            form,
            lambda: police.record_result(
                db_session(), actor=current_user, case=case, result=form.result.data or ""
            ),
            "Police result recorded: the hold is lifted",
        )
        if sent:
            return sent
    return render_template("casework/police_result.html", case=case, form=form)


@bp.route("/police-investigating", methods=["POST"])
@requires(Permission.CASE_PROGRESS)
def await_police(case_id: uuid.UUID) -> Response:
    case = case_step.load(case_id)
    if not ConfirmForm().validate_on_submit():
        return case_step.back(case_id)
    db = db_session()
    try:
        police.await_police(db, actor=current_user, case=case)
    except workflow.TransitionNotAllowedError as exc:
        db.rollback()
        return case_step.back(case_id, str(exc))
    db.commit()
    return case_step.back(case_id, "Recorded: the school's own investigation waits for the police")
