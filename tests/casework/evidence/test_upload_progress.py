"""Upload progress (issue 14): the pages that take files are sent by the browser's script so it
can show how much has been sent. For that request a redirect is answered as a header the script
follows, so the banner that says the files were added is still shown on the next page; a
refusal is the form again, as without the script; and no other request is changed."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.models import Case, EvidenceFile, Role
from tests.casework.evidence import samples
from tests.conftest import count, csrf_token, problem, success_banner


def _send(client: FlaskClient, path: str, name: str, content: bytes, **headers: str):
    data: dict[str, object] = {
        "csrf_token": csrf_token(client, path),
        "description": "The post",
        "source": "parent",
        "file": [(io.BytesIO(content), name)],
    }
    return client.post(path, data=data, content_type="multipart/form-data", headers=headers)


@pytest.fixture
def head_client(login_as: Callable[[Role], FlaskClient]) -> FlaskClient:
    return login_as(Role.HEADTEACHER)


def test_the_script_is_told_where_to_go_and_the_banner_waits_for_it(
    db: Session, head_client: FlaskClient, case: Case
) -> None:
    path = f"/cases/{case.id}/evidence/add"
    response = _send(
        head_client, path, "shot.png", samples.image("PNG"), **{"X-Upload-Progress": "1"}
    )
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["X-Upload-Next"] == f"/cases/{case.id}#evidence"
    assert count(db, EvidenceFile) == 1
    # The flash message was not read by the script's request: the next page shows it.
    assert success_banner(head_client.get(response.headers["X-Upload-Next"]).get_data(as_text=True))


def test_a_refused_file_comes_back_as_the_form(
    db: Session, head_client: FlaskClient, case: Case
) -> None:
    path = f"/cases/{case.id}/evidence/add"
    response = _send(head_client, path, "shot.svg", samples.SVG, **{"X-Upload-Progress": "1"})
    assert response.status_code == 200 and "X-Upload-Next" not in response.headers
    assert "shot.svg" in problem(response.get_data(as_text=True))
    assert count(db, EvidenceFile) == 0


def test_without_the_header_a_redirect_stays_a_redirect(
    head_client: FlaskClient, case: Case
) -> None:
    path = f"/cases/{case.id}/evidence/add"
    response = _send(head_client, path, "shot.png", samples.image("PNG"))
    assert response.status_code == 302 and "X-Upload-Next" not in response.headers


def test_the_progress_panel_is_on_every_page_that_takes_files(
    head_client: FlaskClient, case: Case
) -> None:
    for path in (f"/cases/{case.id}/evidence/add", "/report/"):
        page = head_client.get(path).get_data(as_text=True)
        assert "data-upload-form" in page and "data-upload-progress" in page, path
        assert "upload-progress.js" in page, path
