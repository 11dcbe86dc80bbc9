"""The circumstances of a recorded disclosure (issue 17, item 3): the time and place, who else
was there and who it was made to are asked on the record form, read back on check-your-answers,
kept sealed, and shown on the case page and in the case file to the people who may see the
discloser's contact, and to nobody else."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.clock import SCHOOL_TZ, local_today
from incidents.models import Case, Role, User
from incidents.web.filters import london_datetime
from tests.conftest import confirm_it_is_you, count, csrf_token, date_parts

PLACE = "Marker-place: the Year 4 reading corner"
PRESENT = "Marker-present: Ms Teaching-Assistant"
RECEIVED_BY = "Marker-received: Mr Class-Teacher"
YESTERDAY = local_today() - timedelta(days=1)
ANSWERS = {
    "source": "parent",
    "reporter": "Sam Parent, 07700 900123",
    "new_subject_name": "Jo Teacher",
    "new_subject_kind": "staff",
    "narrative": "A parent said the teacher messaged her son at night.",
    "became_aware_on": date_parts(YESTERDAY),
    "disclosed_time": "2:30pm",
    "place": PLACE,
    "present": PRESENT,
    "received_by": RECEIVED_BY,
}
TOLD_AT = datetime.combine(YESTERDAY, time(14, 30), tzinfo=SCHOOL_TZ).astimezone(UTC)


def _record(client: FlaskClient, **changes: object) -> Case | str:
    token = csrf_token(client, "/cases/new")
    data = {"csrf_token": token, **ANSWERS, **changes}
    check = client.post("/cases/new", data=data)
    page = html.unescape(check.get_data(as_text=True))
    if "Check your answers" not in page:
        return page
    done = client.post("/cases/new", data={**data, "confirmed": "yes"})
    assert done.status_code == 302
    return page


def _case(db: Session) -> Case:
    case = db.scalar(select(Case))
    assert case is not None
    return case


def test_the_form_asks_and_check_your_answers_reads_them_back(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.HEADTEACHER)
    form = client.get("/cases/new").get_data(as_text=True)
    for question in (
        "What time were you told?",
        "Where were you told?",
        "Who else was there?",
        "Who was the disclosure made to?",
    ):
        assert question in form

    check = _record(client)

    assert isinstance(check, str)
    for shown in ("2:30pm", PLACE, PRESENT, RECEIVED_BY):
        assert shown in check
    case = _case(db)
    assert case.disclosed_at == TOLD_AT
    assert case.disclosure_place is not None and case.disclosure_place.reveal() == PLACE
    assert case.disclosure_present is not None and case.disclosure_present.reveal() == PRESENT
    received = case.disclosure_received_by
    assert received is not None and received.reveal() == RECEIVED_BY


def test_they_are_sealed_in_the_database(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    _record(login_as(Role.HEADTEACHER))
    row = db.execute(select(Case.__table__).where(Case.__table__.c.id == _case(db).id)).one()
    stored = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row
    )
    for marker in (PLACE, PRESENT, RECEIVED_BY):
        assert marker.split(":")[0].encode() not in stored


def test_the_case_page_shows_them_to_the_case_manager_and_dsls_only(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    _record(login_as(Role.HEADTEACHER))
    case = _case(db)

    for role in (Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL):
        page = html.unescape(login_as(role).get(f"/cases/{case.id}").get_data(as_text=True))
        for shown in (PLACE, PRESENT, RECEIVED_BY, london_datetime(TOLD_AT)):
            assert shown in page, (role, shown)

    # The DSL manages it now: the headteacher still sees the case, not where or who.
    case.case_manager_id = users[Role.DSL].id
    db.commit()
    page = html.unescape(login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True))
    for hidden in (PLACE, PRESENT, RECEIVED_BY):
        assert hidden not in page
    assert "Shown to the case manager and the designated safeguarding leads only" in page
    for role in (Role.STAFF, Role.GOVERNOR):
        response = login_as(role).get(f"/cases/{case.id}")
        assert response.status_code in (403, 404)


def test_a_staff_disclosure_keeps_them_sealed_with_the_reporter(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.HEADTEACHER)
    _record(client, source="staff")
    case = _case(db)

    page = html.unescape(client.get(f"/cases/{case.id}").get_data(as_text=True))
    for hidden in (PLACE, PRESENT, RECEIVED_BY):
        assert hidden not in page
    assert "Sealed with the reporter's identity" in page


def test_the_case_file_prints_them(db: Session, login_as: Callable[[Role], FlaskClient]) -> None:
    _record(login_as(Role.HEADTEACHER))
    case = _case(db)
    client = login_as(Role.DSL)
    confirm_it_is_you(client, "export", case.id, reason="The LADO asked for the file")

    body = client.get(f"/cases/{case.id}/case-file.pdf").data
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(body)).pages
    )
    for printed in (PLACE, PRESENT, RECEIVED_BY, london_datetime(TOLD_AT)):
        assert " ".join(printed.split()) in text, printed


def test_a_time_still_to_come_today_is_refused(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.HEADTEACHER)
    later = datetime.now(SCHOOL_TZ) + timedelta(minutes=5)
    if later.date() != local_today():
        later = datetime.now(SCHOOL_TZ)  # just before midnight: the next minute is tomorrow
        today = local_today() + timedelta(days=1)
    else:
        today = local_today()
    page = _record(
        client, became_aware_on=date_parts(today), disclosed_time=later.strftime("%H:%M")
    )

    assert isinstance(page, str) and "Check your answers" not in page
    assert count(db, Case) == 0
    assert ("The time you were told must be in the past" in page) or (
        "must be today or in the past" in page
    )


def test_control_characters_are_shown_not_obeyed(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.HEADTEACHER)
    _record(client, place="Room\u202e 4", present="Bell\x07 ringer")
    page = client.get(f"/cases/{_case(db).id}").get_data(as_text=True)

    assert "\u202e" not in page and "\x07" not in page
    assert "[U+202E]" in page and "[U+0007]" in page
