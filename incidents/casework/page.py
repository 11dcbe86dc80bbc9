"""Loading the case for a case-work page: the case the user may see (another school's, or one
they are a subject of, is a 404), the way back to it, and a refusal when the workflow does not
offer the step now. The rest of the page is the pipeline's (`web/pipeline.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.casework.cases import commands as case_service
from incidents.errors import InvalidInput
from incidents.extensions import db_session
from incidents.models import Case
from incidents.web.forms import apply_service_errors
from incidents.web.pipeline import back_to

T = TypeVar("T")


def load(case_id: uuid.UUID, action: str | None = None, anchor: str = "next-steps") -> Case:
    """The case, with the way back to its page set; Refused (the page goes back with the
    workflow's reason) when `action` is not possible now for this user."""
    case = case_service.get_case(db_session(), actor=current_user, case_id=case_id, audited=False)
    back_to(url_for("cases.show", case_id=case_id, _anchor=anchor))
    if action is not None:
        workflow.check(case, action, current_user)
    return case


def check(case: Case, action: str) -> None:
    """Refused, with the workflow's reason, when `action` is not possible now for this user."""
    workflow.check(case, action, current_user)


def refusal(case: Case, action: str) -> str | None:
    """Why `action` cannot be taken now by this user, or None (for pages that only show)."""
    try:
        workflow.check(case, action, current_user)
    except workflow.TransitionNotAllowedError as exc:
        return str(exc)
    return None


# --- Being replaced by the pipeline, page by page (web/pipeline.py) ---------------------------


def back(case_id: uuid.UUID, message: str | None = None, anchor: str = "next-steps") -> Response:
    """Back to the case page. Messages are fixed wording: never the user's free text."""
    if message:
        flash(message)
    return redirect(url_for("cases.show", case_id=case_id, _anchor=anchor))


def submit(
    case_id: uuid.UUID,
    form: FlaskForm,
    call: Callable[[], T],
    done: str | Callable[[T], str],
    anchor: str = "next-steps",
) -> Response | None:
    db = db_session()
    try:
        result = call()
    except InvalidInput as exc:
        db.rollback()
        apply_service_errors(form, exc)
        return None
    except workflow.TransitionNotAllowedError as exc:
        db.rollback()
        return back(case_id, str(exc))
    db.commit()
    return back(case_id, done if isinstance(done, str) else done(result), anchor)
