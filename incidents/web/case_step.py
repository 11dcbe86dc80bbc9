"""What every case-work form page shares: load the case the user may see, refuse a step the
workflow does not offer now (with its reason, back on the case page), and finish with a flash."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.extensions import db_session
from incidents.models import Case
from incidents.services import cases as case_service
from incidents.services.errors import InvalidInput
from incidents.web.forms import apply_service_errors

T = TypeVar("T")


def load(case_id: uuid.UUID) -> Case:
    """The case, or NotFound (another school's, or one the user is a subject of)."""
    return case_service.get_case(db_session(), actor=current_user, case_id=case_id, audited=False)


def refusal(case: Case, action: str) -> str | None:
    """Why `action` cannot be taken now by this user, or None."""
    try:
        workflow.check(case, action, current_user)
    except workflow.TransitionNotAllowedError as exc:
        return str(exc)
    return None


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
    """One service call for a submitted step: committed, and back to the case with `done` (or
    `done(result)`, for a message naming what was saved); or the service's field errors put
    on the form (None: show the form again, nothing saved); or back to the case with the
    workflow's reason the step is not possible now."""
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
