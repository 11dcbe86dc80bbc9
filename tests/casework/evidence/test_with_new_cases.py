"""Files sent with a staff report or a recorded disclosure: stored with the new case in one
transaction; a refused file sends no report and records no case; the staff reporter's files do
not reveal who they are."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.clock import local_today
from incidents.models import AuditEntry, Case, EvidenceChunk, EvidenceFile, Role, User
from tests.casework.evidence import samples
from tests.conftest import count, csrf_token, date_parts, problem
from tests.web.test_forms_bad_input import field_error

NARRATIVE = "Saw a post about a pupil on a teacher's public Instagram."


def _report(client: FlaskClient, path: str, files: list[tuple[str, bytes]], **extra: object):
    data: dict[str, object] = {
        "csrf_token": csrf_token(client, path),
        "new_subject_name": "Chris Newname",
        "new_subject_kind": "staff",
        "narrative": NARRATIVE,
        "became_aware_on": date_parts(local_today()),
        "evidence_description": "Screenshot of the post",
        **extra,
    }
    data["evidence_files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(path, data=data, content_type="multipart/form-data")


def _rows(db: Session) -> tuple[int, int, int, int]:
    return count(db, Case), count(db, EvidenceFile), count(db, EvidenceChunk), count(db, AuditEntry)


def test_staff_report_with_a_screenshot_keeps_the_reporter_sealed(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    staff = login_as(Role.STAFF)
    form = staff.get("/report/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and "Attach files" in form
    response = _report(staff, "/report/", [("shot.png", samples.image("PNG"))])
    assert response.status_code == 302 and response.location.endswith("/report/receipt")
    case = db.scalars(select(Case)).one()
    item = db.scalars(select(EvidenceFile)).one()
    assert item.case_id == case.id and item.by_sealed_reporter and item.uploaded_by_id is None
    assert item.source.value == "staff"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.object_id == item.id)).one()
    assert entry.actor_id != users[Role.STAFF].id

    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "shot.png" in page and "Verified" in page
    assert "The member of staff who reported this (identity sealed)" in page
    assert users[Role.STAFF].display_name not in page


def test_a_refused_file_sends_no_report(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    staff = login_as(Role.STAFF)
    before = _rows(db)
    response = _report(staff, "/report/", [("shot.svg", samples.SVG)])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "shot.svg: web pages, SVG and XML files" in problem(page)
    assert "shot.svg" in (field_error(page, "evidence_files") or "")
    assert _rows(db) == before


def test_a_report_without_files_still_works(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    response = _report(login_as(Role.STAFF), "/report/", [])
    assert response.status_code == 302
    assert count(db, Case) == 1 and count(db, EvidenceFile) == 0


def test_a_recorded_disclosure_with_a_parents_photo(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    head = login_as(Role.HEADTEACHER)
    # The answers are checked first; the files are chosen on the check-your-answers page,
    # which is the last page before the disclosure is recorded.
    summary = _report(head, "/cases/new", [], source="parent", reporter="A parent")
    page = summary.get_data(as_text=True)
    assert "Check your answers" in page and 'enctype="multipart/form-data"' in page
    assert 'name="evidence_files"' in page and count(db, Case) == 0
    response = _report(
        head,
        "/cases/new",
        [("photo.jpg", samples.image("JPEG")), ("email.eml", samples.EMAIL)],
        source="parent",
        reporter="A parent",
        confirmed="yes",
    )
    assert response.status_code == 302, problem(response.get_data(as_text=True))
    files = list(db.scalars(select(EvidenceFile)))
    assert len(files) == 2 and {f.source.value for f in files} == {"parent"}
    assert {f.media_type for f in files} == {"image/jpeg", "message/rfc822"}


def test_a_refused_file_records_no_case(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    head = login_as(Role.HEADTEACHER)
    before = _rows(db)
    response = _report(
        head,
        "/cases/new",
        [("empty.txt", b"")],
        source="parent",
        reporter="A parent",
        confirmed="yes",
    )
    page = response.get_data(as_text=True)
    assert "empty.txt: the file is empty" in problem(page)
    # Back on the check-your-answers page, the answers still there to record with another file.
    assert "Check your answers" in page and "public Instagram" in page
    assert _rows(db) == before
