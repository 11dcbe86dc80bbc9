"""Writing a letter from a case (issue 17, item 8): the case's data filled in, a preview before
it is recorded, a record on the case (sealed, audited, in its timeline), a tagged PDF marked
OFFICIAL-SENSITIVE on every page, never another case's data and never a sealed reporter."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.casework.cases import steps as casework
from incidents.casework.letters import queries as letters
from incidents.casework.suspension import commands as suspension
from incidents.clock import local_today
from incidents.models import (
    Alternative,
    AuditEntry,
    CaseKind,
    DisclosureSource,
    LetterKind,
    PersonKind,
    Role,
    SentLetter,
    User,
)
from incidents.web.filters import long_date
from tests import case_routes, case_stages, factories
from tests.casework.letters.helpers import parent_case, pdf_pages, send
from tests.conftest import confirm_it_is_you, date_parts, post_form


def _answers(**changes: object) -> dict[str, object]:
    answers: dict[str, object] = {
        "recipient_name": "Pat Parent",
        "recipient_address": "1 Acacia Avenue\nTowncaster",
        "contact_name": "Ms Head",
        "extra_paragraph": "We will call you on Monday.",
        "method": "post",
        "sent_on": date_parts(local_today()),
    }
    answers.update(changes)
    return answers


def _entries(db: Session, case_id: object, action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.action == action)
    return list(db.scalars(query))


def test_a_dsl_writes_the_parent_letter_from_the_case_and_downloads_it(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = parent_case(db, head)
    client = login_as(Role.DSL)

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Write a letter" in page and "No letters have been sent" in page
    choose = client.get(f"/cases/{case.id}/letters/new").get_data(as_text=True)
    assert LetterKind.PARENT.label in choose
    # Not offered yet: no outcome, no suspension; said, with why.
    assert "only once the outcome has been recorded" in choose
    answer = post_form(client, f"/cases/{case.id}/letters/new", {"kind": "parent"})
    assert answer.status_code == 302 and answer.location.endswith("/letters/new/parent")

    url = f"/cases/{case.id}/letters/new/parent"
    form = client.get(url).get_data(as_text=True)
    # The parent's name and address, from the disclosure, are filled in.
    assert 'value="Pat Parent"' in form and "1 Acacia Avenue" in form

    preview = post_form(client, url, _answers())
    shown = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Dear Pat Parent," in shown and "We will call you on Monday." in shown
    assert "Record the letter as sent" in shown
    assert db.scalar(select(SentLetter.id)) is None  # nothing saved before it is confirmed

    done = post_form(client, url, {**_answers(), "confirmed": "yes"})
    assert done.status_code == 302
    letter = db.scalars(select(SentLetter)).one()
    assert done.location.endswith(f"/cases/{case.id}/letters/{letter.id}")
    assert letter.kind is LetterKind.PARENT and letter.sent_by_id == users[Role.DSL].id
    # The letter as sent is sealed under the case key: no name in the stored bytes.
    stored = db.scalar(select(SentLetter.content_ct).where(SentLetter.id == letter.id))
    assert stored is not None
    assert b"Pat Parent" not in bytes(stored)
    [sent] = _entries(db, case.id, "letter.send")
    assert sent.actor_id == users[Role.DSL].id

    shown = client.get(done.location).get_data(as_text=True)
    assert "Dear Pat Parent," in shown and "By post" in shown
    pdf = client.get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert "Pat" not in pdf.headers["Content-Disposition"]
    pages = pdf_pages(pdf.data)
    whole = "\n".join(pages)
    assert "Dear Pat Parent," in whole and "1 Acacia Avenue" in whole
    assert case.reference in whole and users[Role.DSL].school.name in whole
    for number, page_text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page_text
        assert f"Page {number} of {len(pages)}" in page_text
    root = PdfReader(io.BytesIO(pdf.data)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert len(_entries(db, case.id, "letter.download")) == 1

    # On the case page, and in the case manager's timeline.
    assert LetterKind.PARENT.label in client.get(f"/cases/{case.id}").get_data(as_text=True)
    timeline = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Recorded a letter as sent" in timeline


def test_the_letterhead_and_the_schools_own_wording_are_used(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    admin = login_as(Role.ADMIN)
    post_form(admin, "/admin/letters/letterhead", {"address": "School Lane\nTowncaster TC1 1AA"})
    post_form(
        admin,
        "/admin/letters/parent",
        {"body": "Hello {{ recipient_name }}, about {{ reference }}.", "submit": "Save"},
    )
    case = parent_case(db, users[Role.HEADTEACHER])
    letter = send(db, users[Role.HEADTEACHER], case)
    pdf = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf")
    whole = "\n".join(pdf_pages(pdf.data))
    assert "School Lane" in whole and f"Hello Pat Parent, about {case.reference}." in whole


def test_a_letter_never_carries_another_cases_data(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    first = parent_case(db, head, parent="Pat Parent", subject="Jo Teacher")
    second = parent_case(
        db,
        head,
        parent="Robin Other",
        address="9 Elm Road",
        subject="Kim Coach",
        narrative="Quite another matter.",
    )
    case_stages.with_outcome(db, head, case_stages.triaged(db, head, first))
    case_stages.triaged(db, head, second)
    second_letter = send(db, head, second, recipient_name="Robin Other")
    client = login_as(Role.HEADTEACHER)
    for kind in (LetterKind.PARENT, LetterKind.OUTCOME):
        name = "Pat Parent" if kind is LetterKind.PARENT else "Jo Teacher"
        letter = send(db, head, first, kind, recipient_name=name)
        whole = "\n".join(
            pdf_pages(client.get(f"/cases/{first.id}/letters/{letter.id}/letter.pdf").data)
        )
        assert name in whole and first.reference in whole
        for other in ("Robin Other", "9 Elm Road", "Kim Coach", second.reference):
            assert other not in whole, other
    # The other case's letter, asked for under this case, is not found.
    assert client.get(f"/cases/{first.id}/letters/{second_letter.id}").status_code == 404
    assert client.get(f"/cases/{first.id}/letters/{second_letter.id}/letter.pdf").status_code == 404


def test_the_outcome_letter_carries_the_outcome_and_its_reasons(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.with_outcome(db, head, case_stages.triaged(db, head, parent_case(db, head)))
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/letters/new/outcome"
    assert 'value="Jo Teacher"' in client.get(url).get_data(as_text=True)
    answers = _answers(recipient_name="Jo Teacher", recipient_address="2 Work Street")
    post_form(client, url, {**answers, "confirmed": "yes"})
    letter = db.scalars(select(SentLetter)).one()
    whole = "\n".join(
        pdf_pages(client.get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf").data)
    )
    assert "Dear Jo Teacher," in whole and "Upheld" in whole and "Admitted it." in whole
    # The parent who raised it is not in the letter to the person it is about.
    assert "Pat Parent" not in whole and "Acacia" not in whole


def test_the_suspension_confirmation_names_the_contact(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_routes.case_about(db, head, PersonKind.STAFF)
    case_routes.assess(db, head, case, CaseKind.ALLEGATION)
    suspension.decide_suspension(
        db,
        actor=head,
        case=case,
        data=suspension.SuspensionInput(
            None, {Alternative.REDEPLOYMENT: "No other post"}, True, "Risk to pupils", local_today()
        ),
    )
    db.commit()
    letter = send(
        db,
        head,
        case,
        LetterKind.SUSPENSION,
        recipient_name="Sam Person",
        contact_name="Dee Contact",
    )
    client = login_as(Role.HEADTEACHER)
    whole = "\n".join(
        pdf_pages(client.get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf").data)
    )
    assert "Dear Sam Person," in whole and "Risk to pupils" in whole
    assert "Your named contact while you are suspended is Dee Contact" in whole


def test_the_parent_sanction_letter_gives_the_review_date(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    measure = case_routes.parent_measure(db, head, review_in=30)
    case = measure.process.case
    letter = send(db, head, case, LetterKind.SANCTION, recipient_name="Sam Person")
    whole = "\n".join(
        pdf_pages(
            login_as(Role.HEADTEACHER).get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf").data
        )
    )
    assert measure.review_on is not None
    assert f"We will review this decision on {long_date(measure.review_on)}" in whole
    assert "make representations" in whole


def test_a_sealed_reporter_is_never_put_in_a_letter(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head, staff = users[Role.HEADTEACHER], users[Role.STAFF]
    case = factories.make_case(db, staff)  # a staff report: the reporter is sealed
    db.commit()
    assert case.source is DisclosureSource.STAFF
    casework.take_step(db, actor=head, case=case, action="accept")
    case_stages.with_outcome(db, head, case_stages.triaged(db, head, case))
    client = login_as(Role.HEADTEACHER)
    # No letter goes to the reporter, and none is pre-filled from them.
    assert letters.why_not(case, LetterKind.PARENT) is not None
    for kind in (LetterKind.OUTCOME,):
        form = client.get(f"/cases/{case.id}/letters/new/{kind.value}").get_data(as_text=True)
        assert staff.display_name not in form
        letter = send(db, head, case, kind, recipient_name="Jo Teacher")
        whole = "\n".join(
            pdf_pages(client.get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf").data)
        )
        assert staff.display_name not in whole and staff.email not in whole
    refused = client.get(f"/cases/{case.id}/letters/new/parent")
    assert refused.status_code == 302  # back to the case, with the reason


def test_governors_and_staff_cannot_get_a_letter(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = parent_case(db, users[Role.HEADTEACHER])
    letter = send(db, users[Role.HEADTEACHER], case)
    for role in (Role.STAFF, Role.GOVERNOR, Role.ADMIN):
        client = login_as(role)
        for url in (
            f"/cases/{case.id}/letters/{letter.id}/letter.pdf",
            f"/cases/{case.id}/letters/{letter.id}",
            f"/cases/{case.id}/letters/new",
        ):
            response = client.get(url)
            assert response.status_code == 403, (role, url)
            assert "Pat Parent" not in response.get_data(as_text=True)
    assert not _entries(db, case.id, "letter.download")


def test_the_case_page_offers_the_named_parent_letter_and_the_case_file_lists_letters(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = parent_case(db, head)
    send(db, head, case)
    client = login_as(Role.HEADTEACHER)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/letters/new/parent" in page
    confirm_it_is_you(client, "export", case.id)
    whole = "\n".join(pdf_pages(client.get(f"/cases/{case.id}/case-file.pdf").data))
    assert "Letters" in whole and LetterKind.PARENT.label in whole


def test_a_closed_case_asks_for_the_password_before_a_letter(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.closed(db, head)
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/letters/new/outcome"
    first = client.get(url)
    assert first.status_code == 302 and "/reauthenticate/" in first.location
    confirm_it_is_you(client, "open_closed_case", case.id)
    assert 'value="Jo Teacher"' in client.get(url).get_data(as_text=True)


def test_the_lado_summary_carries_what_was_disclosed(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_routes.case_about(db, head, PersonKind.STAFF)
    case_routes.assess(db, head, case, CaseKind.ALLEGATION)
    db.commit()
    letter = send(db, head, case, LetterKind.LADO_SUMMARY, recipient_name="Lee Lado")
    client = login_as(Role.HEADTEACHER)
    whole = "\n".join(
        pdf_pages(client.get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf").data)
    )
    assert "To Lee Lado, local authority designated officer" in whole
    assert "Sam Person" in whole and "What was seen, in the words used." in whole
    assert CaseKind.ALLEGATION.label in whole
