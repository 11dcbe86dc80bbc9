"""Loading the case for a case-work page: the case the user may see (another school's, or one
they are a subject of, is a 404), the way back to it, and a refusal when the workflow does not
offer the step now. The rest of the page is the pipeline's (`web/pipeline.py`)."""

from __future__ import annotations

import uuid

from flask import url_for
from flask_login import current_user

from incidents import workflow
from incidents.casework.cases import commands as case_service
from incidents.extensions import db_session
from incidents.models import Case
from incidents.web.pipeline import back_to


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
