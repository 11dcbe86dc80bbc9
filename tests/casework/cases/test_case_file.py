"""The printed case file (issue 17, item 7): a PDF with every section, the marking on every page,
who printed it and when, page x of y; the password again and a reason first; each print an
audit entry; a sealed reporter printed only after being revealed; staff and governors refused
(the sweep in tests/web/test_access_control.py covers every role)."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.casework.cases import notes as note_service
from incidents.models import AuditEntry, DisclosureSource, Role, User
from tests import case_stages, factories
from tests.conftest import confirm_it_is_you

NOTE = "Phoned the LADO, who advised a strategy meeting."
SECTIONS = (
    "Case file",
    "The disclosure",
    "The harm test",
    "Referrals in detail",
    "Outcome",
    "Tasks",
    "Closure checklist",
    "Evidence",
    "Timeline",
)


def _pdf_text(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def _prints(db: Session, case_id: object) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.case_id == case_id, AuditEntry.action == "case.print"
    )
    return list(db.scalars(query))


def test_the_case_file_asks_for_the_password_then_prints_every_section(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.with_outcome(
        db, head, case_stages.triaged(db, head, case_stages.recorded(db, head))
    )
    note_service.add_note(db, actor=head, case=case, body=NOTE)
    db.commit()
    client = login_as(Role.DSL)
    url = f"/cases/{case.id}/case-file.pdf"

    first = client.get(url)
    assert first.status_code == 302
    assert urlsplit(first.location).path == "/reauthenticate/export"
    assert not _prints(db, case.id)

    confirm_it_is_you(client, "export", case.id, reason="The LADO asked for the file")
    response = client.get(url)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pages = _pdf_text(response.data)
    text = "\n".join(pages)
    for section in SECTIONS:
        assert section in text, section
    assert "Jo Teacher" in text and NOTE in text and "Admitted it." in text
    for number, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page
        assert f"Page {number} of {len(pages)}" in page
        assert users[Role.DSL].display_name in page  # printed by
    [entry] = _prints(db, case.id)
    assert entry.actor_id == users[Role.DSL].id and entry.object_type == "elevation"
    # The PDF is tagged (PDF/UA-1) like the statistics report.
    root = PdfReader(io.BytesIO(response.data)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]


def test_a_sealed_reporter_is_printed_only_once_revealed(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head, staff = users[Role.HEADTEACHER], users[Role.STAFF]
    case = factories.make_case(db, staff)  # a staff report: its reporter is sealed
    db.commit()
    assert case.source is DisclosureSource.STAFF and case.case_manager_id == head.id
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/case-file.pdf"
    confirm_it_is_you(client, "export", case.id)

    sealed = "\n".join(_pdf_text(client.get(url).data))
    assert staff.display_name not in sealed and staff.email not in sealed

    confirm_it_is_you(client, "reveal_reporter", case.id)
    assert staff.display_name in client.get(f"/cases/{case.id}/reporter").get_data(as_text=True)
    revealed = "\n".join(_pdf_text(client.get(url).data))
    assert staff.display_name in revealed
    assert len(_prints(db, case.id)) == 2


def test_staff_and_governors_cannot_print(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = case_stages.recorded(db, users[Role.HEADTEACHER])
    for role in (Role.STAFF, Role.GOVERNOR):
        response = login_as(role).get(f"/cases/{case.id}/case-file.pdf")
        assert response.status_code == 403
        assert response.mimetype != "application/pdf"
    assert not _prints(db, case.id)
