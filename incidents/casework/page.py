"""Loading the case for a case-work page: the case the user may see (another school's, or one
they are a subject of, is a 404), the way back to it, and a refusal when the workflow does not
offer the step now. The rest of the page is the pipeline's (`web/pipeline.py`)."""

from __future__ import annotations

import uuid

from flask import abort, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.accounts.elevation_views import require_elevation
from incidents.casework.cases import commands as case_service
from incidents.extensions import db_session
from incidents.models import Case, CaseState, Elevation, ElevationPurpose
from incidents.web.pipeline import back_to


def load(case_id: uuid.UUID, action: str | None = None, anchor: str = "next-steps") -> Case:
    """The case, with the way back to its page set; Refused (the page goes back with the
    workflow's reason) when `action` is not possible now for this user."""
    case = case_service.get_case(db_session(), actor=current_user, case_id=case_id, audited=False)
    back_to(url_for("cases.show", case_id=case_id, _anchor=anchor))
    if action is not None:
        workflow.check(case, action, current_user)
    return case


def closed_case_grant(case: Case) -> Elevation | None:
    """None for a case that is not closed. A closed case opens only under a fresh grant for
    it (the password again and a reason): the grant, or the request ends here with a redirect
    to the re-authentication page, which comes back to this page (or, after a form was sent,
    to the case page: a POST cannot be replayed).

    For the pages that show the case itself: the case page, its notes and corrections, the
    letter. A step page needs none: nothing starts from "closed", so the workflow refuses it
    first, except revealing the reporter, which asks under its own purpose."""
    if case.state is not CaseState.CLOSED:
        return None
    back = None if request.method == "GET" else url_for("cases.show", case_id=case.id)
    grant = require_elevation(ElevationPurpose.OPEN_CLOSED_CASE, case.id, back=back)
    if isinstance(grant, Response):
        abort(grant)
    return grant


def check(case: Case, action: str) -> None:
    """Refused, with the workflow's reason, when `action` is not possible now for this user."""
    workflow.check(case, action, current_user)
