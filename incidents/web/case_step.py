"""What every case-work form page shares: load the case the user may see, refuse a step the
workflow does not offer now (with its reason, back on the case page), and finish with a flash."""

from __future__ import annotations

import uuid

from flask import flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.extensions import db_session
from incidents.models import Case
from incidents.services import cases as case_service


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
