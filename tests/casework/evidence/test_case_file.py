"""The printed case file lists the case's evidence by SHA-256 (issue 14, item 6), so a LADO or a
panel given a copy of a file can match it; the contents and a sealed uploader are never printed."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from incidents.casework.evidence.commands import add_evidence
from incidents.models import Case, Role, User
from tests.casework.evidence import samples
from tests.casework.evidence.conftest import LIMITS, upload
from tests.conftest import confirm_it_is_you


def _printed(client: FlaskClient, case: Case) -> str:
    confirm_it_is_you(client, "export", case.id, reason="The LADO asked for the file")
    response = client.get(f"/cases/{case.id}/case-file.pdf")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.data)).pages
    # Text extraction breaks a long hash across lines: join them back.
    return "".join(page.extract_text() for page in pages).replace("\n", "")


def test_the_case_file_lists_each_file_with_its_full_hash(
    db: Session, head: User, case: Case, login_as: Callable[[Role], FlaskClient]
) -> None:
    photo = samples.image("PNG")
    add_evidence(
        db,
        actor=head,
        case=case,
        uploads=[upload("post.png", photo, description="The Instagram post")],
        limits=LIMITS,
    )
    db.commit()
    text = _printed(login_as(Role.HEADTEACHER), case)
    assert hashlib.sha256(photo).hexdigest() in text
    start = text.index("Evidence")
    assert "post.png" in text and "The Instagram post" in text, text[start : start + 400]
    assert "Matchesthelog" in text.replace(" ", "")  # wrapped in its narrow column


def test_a_case_without_files_says_so(
    db: Session, case: Case, login_as: Callable[[Role], FlaskClient]
) -> None:
    text = _printed(login_as(Role.HEADTEACHER), case)
    assert "No evidence files have been added to this case." in text
