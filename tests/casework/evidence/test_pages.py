"""The evidence pages through the web: adding files (and every bad input: a clear error, the
form shown again, no row written), the case page's list with short hash and "Verified", the
preview redrawn without metadata, the download as an attachment with a sandboxing policy, a
tampered file refused before a byte is sent, replacing and deleting with a reason."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from incidents.casework.evidence import commands as evidence
from incidents.clock import local_today
from incidents.models import AuditEntry, Case, EvidenceChunk, EvidenceFile, Role, User
from tests.casework.evidence import samples
from tests.casework.evidence.conftest import LIMITS, upload
from tests.conftest import count, csrf_token, problem, success_banner
from tests.web.test_forms_bad_input import field_error, summary_errors


def _rows(db: Session) -> tuple[int, int, int]:
    return count(db, EvidenceFile), count(db, EvidenceChunk), count(db, AuditEntry)


def _post_files(
    client: FlaskClient,
    path: str,
    files: list[tuple[str, bytes]],
    **fields: object,
) -> TestResponse:
    data: dict[str, object] = {
        "csrf_token": csrf_token(client, path),
        "description": "The post, as the parent showed it",
        "source": "parent",
        **fields,
    }
    data["file"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(path, data=data, content_type="multipart/form-data")


@pytest.fixture
def head_client(login_as: Callable[[Role], FlaskClient]) -> FlaskClient:
    return login_as(Role.HEADTEACHER)


def test_the_head_adds_a_screenshot_and_sees_it_verified(
    db: Session, head_client: FlaskClient, case: Case
) -> None:
    page = head_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "No files have been added." in page and "Add evidence" in page
    add = head_client.get(f"/cases/{case.id}/evidence/add").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in add and "smaller than 25 MB" in add

    response = _post_files(
        head_client, f"/cases/{case.id}/evidence/add", [("screenshot.png", samples.image("PNG"))]
    )

    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    page = head_client.get(response.location).get_data(as_text=True)
    assert success_banner(page).strip() == "File added"
    item = db.scalars(select(EvidenceFile)).one()
    assert item.sha256[:12] in page and "Verified" in page and "screenshot.png" in page
    assert item.source.value == "parent"


def test_several_files_at_once(db: Session, head_client: FlaskClient, case: Case) -> None:
    response = _post_files(
        head_client,
        f"/cases/{case.id}/evidence/add",
        [("a.txt", samples.TEXT), ("b.pdf", samples.PDF)],
    )
    assert response.status_code == 302
    assert count(db, EvidenceFile) == 2


BAD: list[tuple[str, list[tuple[str, bytes]], dict[str, object], dict[str, str]]] = [
    ("no file", [], {}, {"file": "Select a file to add"}),
    ("an svg", [("x.svg", samples.SVG)], {}, {"file": "x.svg: web pages, SVG and XML files"}),
    ("an empty file", [("e.png", b"")], {}, {"file": "e.png: the file is empty"}),
    ("a zip bomb", [("z.docx", samples.zip_bomb())], {}, {"file": "z.docx: this document unpacks"}),
    ("a path", [("../x.txt", samples.TEXT)], {}, {"file": "folder parts"}),
    ("no source", [("a.txt", samples.TEXT)], {"source": ""}, {"source": "Select where"}),
    ("a made-up source", [("a.txt", samples.TEXT)], {"source": "nasa"}, {"source": "Select where"}),
    (
        "a future date",
        [("a.txt", samples.TEXT)],
        {
            "shows_date": [
                str((local_today() + timedelta(days=3)).day),
                str((local_today() + timedelta(days=3)).month),
                str((local_today() + timedelta(days=3)).year),
            ]
        },
        {"shows_date": "The date it shows must be today or in the past"},
    ),
    (
        "an impossible date",
        [("a.txt", samples.TEXT)],
        {"shows_date": ["31", "2", "2026"]},
        {"shows_date": "must be a real date"},
    ),
    (
        "a long description",
        [("a.txt", samples.TEXT)],
        {"description": "d" * 501},
        {"description": "500 characters or fewer"},
    ),
]


@pytest.mark.parametrize(("why", "files", "fields", "errors"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_nothing_stored(
    db: Session,
    head_client: FlaskClient,
    case: Case,
    why: str,
    files: list[tuple[str, bytes]],
    fields: dict[str, object],
    errors: dict[str, str],
) -> None:
    before = _rows(db)
    response = _post_files(head_client, f"/cases/{case.id}/evidence/add", files, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, why
    summary = summary_errors(page)
    for name, words in errors.items():
        assert any(words in text for text in summary.values()), (why, summary)
        assert words in (field_error(page, name) or field_error(page, f"{name}-day") or ""), name
    assert _rows(db) == before


def test_text_sent_in_the_file_field_is_not_a_file(
    db: Session, head_client: FlaskClient, case: Case
) -> None:
    path = f"/cases/{case.id}/evidence/add"
    before = _rows(db)
    response = head_client.post(
        path,
        data={
            "csrf_token": csrf_token(head_client, path),
            "file": "not a file",
            "source": "parent",
        },
    )
    assert "Select a file to add" in problem(response.get_data(as_text=True))
    assert _rows(db) == before


def test_a_file_sent_to_a_page_that_takes_none_is_refused(
    db: Session, head_client: FlaskClient, case: Case
) -> None:
    path = f"/cases/{case.id}/notes"
    response = head_client.post(
        path,
        data={
            "csrf_token": csrf_token(head_client, f"/cases/{case.id}"),
            "body": (io.BytesIO(b"x"), "a.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_without_a_csrf_token_nothing_is_stored(
    db: Session, head_client: FlaskClient, case: Case
) -> None:
    before = _rows(db)
    response = head_client.post(
        f"/cases/{case.id}/evidence/add",
        data={"file": (io.BytesIO(samples.TEXT), "a.txt"), "source": "parent"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _rows(db) == before


def _stored(db: Session, head: User, case: Case, name: str, data: bytes) -> EvidenceFile:
    [item] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload(name, data)], limits=LIMITS
    )
    db.commit()
    return item


def test_download_is_an_attachment_in_a_sandbox_and_is_recorded(
    db: Session, users: dict[Role, User], head_client: FlaskClient, case: Case
) -> None:
    data = samples.ACCEPTED["letter.pdf"][1]
    item = _stored(db, users[Role.HEADTEACHER], case, "LADO letter \u2013 March.pdf", data)
    response = head_client.get(f"/cases/{case.id}/evidence/{item.id}/download")
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''LADO%20letter%20%E2%80%93%20March.pdf"
        in response.headers["Content-Disposition"]
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        db.scalar(
            select(AuditEntry.id).where(
                AuditEntry.object_id == item.id, AuditEntry.action == "evidence.download"
            )
        )
        is not None
    )


def test_the_preview_is_redrawn_small_and_without_metadata(
    db: Session, users: dict[Role, User], head_client: FlaskClient, case: Case
) -> None:
    photo = samples.image("JPEG", (3000, 2000), exif=True)
    assert b"Camera-Maker-Secret" in photo
    item = _stored(db, users[Role.HEADTEACHER], case, "photo.jpg", photo)
    page = head_client.get(f"/cases/{case.id}/evidence/{item.id}").get_data(as_text=True)
    assert "Preview" in page and "Verified" in page
    response = head_client.get(f"/cases/{case.id}/evidence/{item.id}/preview.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    body = response.get_data()
    assert b"Camera-Maker-Secret" not in body and body != photo
    with Image.open(io.BytesIO(body)) as drawn:
        assert max(drawn.size) <= 1200
        assert not drawn.getexif()
    assert (
        db.scalar(
            select(AuditEntry.id).where(
                AuditEntry.object_id == item.id, AuditEntry.action == "evidence.preview"
            )
        )
        is not None
    )


def test_a_pdf_has_no_preview(
    db: Session, users: dict[Role, User], head_client: FlaskClient, case: Case
) -> None:
    item = _stored(db, users[Role.HEADTEACHER], case, "a.pdf", samples.PDF)
    assert head_client.get(f"/cases/{case.id}/evidence/{item.id}/preview.png").status_code == 404


def test_a_tampered_file_is_refused_before_a_byte_is_sent(
    db: Session, users: dict[Role, User], head_client: FlaskClient, case: Case
) -> None:
    item = _stored(db, users[Role.HEADTEACHER], case, "a.txt", samples.TEXT)
    stored = bytearray(
        db.scalar(select(EvidenceChunk.data).where(EvidenceChunk.file_id == item.id)) or b""
    )
    stored[-3] ^= 0xFF
    db.execute(
        update(EvidenceChunk).where(EvidenceChunk.file_id == item.id).values(data=bytes(stored))
    )
    db.commit()
    downloads = count(db, AuditEntry)
    response = head_client.get(f"/cases/{case.id}/evidence/{item.id}/download")
    assert response.status_code == 302
    page = head_client.get(response.location).get_data(as_text=True)
    assert f"hash {item.sha256[:12]}" in problem(page)
    assert "altered" in problem(page)
    assert "Does not match" in page
    assert count(db, AuditEntry) == downloads + 1  # only the case page's own "opened" entry


def test_replace_and_delete_through_the_pages(
    db: Session, users: dict[Role, User], head_client: FlaskClient, case: Case
) -> None:
    old = _stored(db, users[Role.HEADTEACHER], case, "a.txt", samples.TEXT)
    path = f"/cases/{case.id}/evidence/{old.id}/replace"
    before = _rows(db)
    refused = _post_files(head_client, path, [("b.txt", b"clearer")])
    assert "Enter why this file replaces the earlier one" in problem(refused.get_data(as_text=True))
    assert _rows(db) == before
    done = _post_files(head_client, path, [("b.txt", b"clearer")], reason="A clearer copy")
    assert done.status_code == 302
    page = head_client.get(done.location).get_data(as_text=True)
    assert f"Replaces the file with hash {old.sha256[:12]}" in page and "Replaced" in page

    delete = f"/cases/{case.id}/evidence/{old.id}/delete"
    empty = head_client.post(delete, data={"csrf_token": csrf_token(head_client, delete)})
    assert "Enter why the file is being deleted" in problem(empty.get_data(as_text=True))
    gone = head_client.post(
        delete, data={"csrf_token": csrf_token(head_client, delete), "reason": "Wrong family"}
    )
    assert gone.status_code == 302
    page = head_client.get(gone.location).get_data(as_text=True)
    assert "Deleted file" in page and old.sha256[:12] in page
    assert head_client.get(f"/cases/{case.id}/evidence/{old.id}/download").status_code == 404


def test_a_dsl_cannot_delete(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient], case: Case
) -> None:
    item = _stored(db, users[Role.HEADTEACHER], case, "a.txt", samples.TEXT)
    dsl = login_as(Role.DSL)
    page = dsl.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Download" in page and f"/evidence/{item.id}/delete" not in page
    assert dsl.get(f"/cases/{case.id}/evidence/{item.id}/delete").status_code == 403


def test_a_file_over_the_limit_is_refused_by_name_and_a_huge_body_by_size(
    app: object, db: Session, head_client: FlaskClient, case: Case
) -> None:
    config = head_client.application.config
    config["EVIDENCE_MAX_FILE_BYTES"] = 2 * 1024 * 1024
    config["EVIDENCE_MAX_REQUEST_BYTES"] = 5 * 1024 * 1024
    before = _rows(db)
    big = b"a long chat log line\n" * (3 * 1024 * 1024 // 21)
    response = _post_files(head_client, f"/cases/{case.id}/evidence/add", [("chat.txt", big)])
    assert "chat.txt: the file must be smaller than 2 MB" in problem(
        response.get_data(as_text=True)
    )
    huge = _post_files(head_client, f"/cases/{case.id}/evidence/add", [("chat.txt", big + big)])
    assert huge.status_code == 413
    assert "too large" in huge.get_data(as_text=True)
    assert _rows(db) == before
