"""Recording a disclosure shows check-your-answers first (issue 17, item 3): nothing is saved
until it is confirmed, "Change your answers" brings the filled-in form back, and the date the
school became aware is filled in with today."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.clock import local_today
from incidents.models import Case, Role
from tests.conftest import count, csrf_token, date_parts

NARRATIVE = "A parent said the teacher messaged her son at night."
ANSWERS = {
    "source": "parent",
    "reporter": "Sam Parent, 07700 900123",
    "new_subject_name": "Jo Teacher",
    "new_subject_kind": "staff",
    "narrative": NARRATIVE,
    "occurred_on": date_parts(local_today() - timedelta(days=2)),
    "became_aware_on": date_parts(local_today()),
}


def test_nothing_is_recorded_until_the_answers_are_checked(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.HEADTEACHER)
    form = client.get("/cases/new").get_data(as_text=True)
    today = local_today()
    aware = form[form.index('id="became_aware_on"') :][:2000]
    values = re.findall(r'value="(\d+)"', aware)[:3]
    assert [int(v) for v in values] == [today.day, today.month, today.year]

    token = csrf_token(client, "/cases/new")
    check = client.post("/cases/new", data={"csrf_token": token, **ANSWERS})

    assert check.status_code == 200
    page = html.unescape(check.get_data(as_text=True))
    assert "Check your answers before recording the disclosure" in page
    for shown in (NARRATIVE, "Sam Parent, 07700 900123", "Jo Teacher (member of staff)"):
        assert shown in page
    assert "cannot be changed" in page
    assert count(db, Case) == 0

    changed = client.post(
        "/cases/new", data={"csrf_token": token, **ANSWERS, "confirmed": "yes", "change": "yes"}
    )
    assert changed.status_code == 200 and "Record a disclosure" in changed.get_data(as_text=True)
    assert NARRATIVE in html.unescape(changed.get_data(as_text=True))  # the form, filled in
    assert count(db, Case) == 0

    done = client.post("/cases/new", data={"csrf_token": token, **ANSWERS, "confirmed": "yes"})
    assert done.status_code == 302
    assert count(db, Case) == 1
