"""A letter to one of the people a case is about names that person only: with several, the
writer chooses one (a case about two adults must never get one letter telling each the other's
name and outcome); with one, nothing is asked. A forged choice is refused and nothing stored."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.casework.letters import commands as letter_service
from incidents.casework.letters import queries as letters
from incidents.casework.outcome import commands as outcomes
from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.models import (
    AuditEntry,
    Case,
    CaseOutcome,
    LetterKind,
    LetterMethod,
    Person,
    Role,
    SentLetter,
    User,
)
from tests import case_stages, factories
from tests.casework.letters.helpers import parent_case, pdf_pages
from tests.conftest import date_parts, post_form, problem

ANN, BEN = "Ann Adult", "Ben Other"


def _two_adults(
    db: Session, head: User, reasons: str = "Admitted it."
) -> tuple[Case, Person, Person]:
    ann, ben = factories.make_person(db, head, ANN), factories.make_person(db, head, BEN)
    case = factories.make_case(db, head, subjects=[ann, ben])
    db.commit()
    case_stages.triaged(db, head, case)
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons=reasons)
    db.commit()
    return case, ann, ben


def _answers(**changes: object) -> dict[str, object]:
    answers: dict[str, object] = {
        "recipient_name": "",
        "recipient_address": "2 Work Street",
        "contact_name": "Ms Head",
        "extra_paragraph": "",
        "method": "post",
        "sent_on": date_parts(local_today()),
    }
    answers.update(changes)
    return answers


def _counts(db: Session) -> tuple[int, int]:
    return (
        db.scalar(select(func.count()).select_from(SentLetter)) or 0,
        db.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def test_the_outcome_letter_asks_who_it_is_to_and_names_only_them(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case, ann, ben = _two_adults(db, head)
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/letters/new/outcome"

    form = client.get(url).get_data(as_text=True)
    assert "Which person is the letter to?" in form
    assert f'value="{ann.id}"' in form and f'value="{ben.id}"' in form
    assert f"{ANN} and {BEN}" not in form and f"{BEN} and {ANN}" not in form
    assert 'value="Ann' not in form and 'value="Ben' not in form  # no name filled in yet
    name_box = form[form.index('id="recipient_name"') :].split(">", 1)[0]
    assert "required" not in name_box  # left empty, it is the chosen person's name

    preview = post_form(client, url, _answers(subject=str(ann.id))).get_data(as_text=True)
    assert f"Dear {ANN}," in preview
    assert BEN not in preview

    done = post_form(client, url, {**_answers(subject=str(ann.id)), "confirmed": "yes"})
    assert done.status_code == 302
    letter = db.scalars(select(SentLetter)).one()
    # What was sent, read back: to Ann alone, and it says so by her id.
    sent = letters.LetterText.loads(letter.content.reveal())
    assert sent.recipient_name == ANN and f"Dear {ANN}," in sent.body
    assert BEN not in letter.content.reveal()
    assert sent.subject_id == str(ann.id)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "letter.send")).one()
    assert entry.detail is not None
    assert json.loads(entry.detail.reveal())["subject_id"] == str(ann.id)

    shown = client.get(done.location).get_data(as_text=True)
    assert f"Dear {ANN}," in shown and BEN not in shown
    pdf = client.get(f"/cases/{case.id}/letters/{letter.id}/letter.pdf")
    whole = "\n".join(pdf_pages(pdf.data))
    assert f"Dear {ANN}," in whole and "Upheld" in whole and "Admitted it." in whole
    assert BEN not in whole and "Ben" not in whole


def test_no_choice_or_another_cases_person_is_refused_and_nothing_is_stored(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case, _, _ = _two_adults(db, head)
    elsewhere = factories.make_person(db, head, "Kim Coach")
    factories.make_case(db, head, subjects=[elsewhere])
    db.commit()
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/letters/new/outcome"
    before = _counts(db)
    for subject in ("", str(elsewhere.id), "not-an-id"):
        for confirmed in ({}, {"confirmed": "yes"}):  # the form, and a forged confirmation
            response = post_form(client, url, {**_answers(subject=subject), **confirmed})
            page = response.get_data(as_text=True)
            assert response.status_code == 200
            assert "Choose who the letter is to" in problem(page), (subject, problem(page))
            assert "Kim Coach" not in page
            assert _counts(db) == before
    # The service refuses it too, whoever calls it.
    data = letter_service.LetterInput(
        LetterKind.OUTCOME, "", "", "Ms Head", "", LetterMethod.POST, local_today(), elsewhere.id
    )
    with pytest.raises(InvalidInput) as refused:
        letter_service.send_letter(db, actor=head, case=case, data=data)
    assert refused.value.errors == {"subject": "Choose who the letter is to"}
    db.rollback()
    assert _counts(db) == before


def test_the_writers_own_answers_cannot_name_the_other_person(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case, ann, _ = _two_adults(db, head)
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/letters/new/outcome"
    before = _counts(db)
    for field in ("recipient_name", "extra_paragraph"):
        answers = _answers(subject=str(ann.id), **{field: f"About {BEN.upper()} too."})
        page = post_form(client, url, {**answers, "confirmed": "yes"}).get_data(as_text=True)
        assert letter_service.NAMES_ANOTHER in problem(page), field
        assert _counts(db) == before


def test_reasons_naming_the_other_person_are_pointed_out_before_recording(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case, ann, _ = _two_adults(db, head, reasons=f"{BEN} admitted sending the messages.")
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/letters/new/outcome"
    page = post_form(client, url, _answers(subject=str(ann.id))).get_data(as_text=True)
    assert f"This letter to {ANN} names {BEN}" in page
    assert "Record the letter as sent" in page
    assert db.scalar(select(SentLetter.id)) is None


def test_with_one_person_nothing_is_asked(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.with_outcome(db, head, case_stages.triaged(db, head, parent_case(db, head)))
    client = login_as(Role.HEADTEACHER)
    url = f"/cases/{case.id}/letters/new/outcome"
    form = client.get(url).get_data(as_text=True)
    assert "Which person is the letter to?" not in form
    assert "The letter is to Jo Teacher" in form and 'value="Jo Teacher"' in form
    # Another case's person, forged in, is refused here too.
    elsewhere = factories.make_person(db, head, "Kim Coach")
    factories.make_case(db, head, subjects=[elsewhere])
    db.commit()
    forged = {
        **_answers(recipient_name="Jo Teacher", subject=str(elsewhere.id)),
        "confirmed": "yes",
    }
    refused = post_form(client, url, forged).get_data(as_text=True)
    assert "Choose who the letter is to" in problem(refused)
    assert db.scalar(select(SentLetter.id)) is None
    done = post_form(client, url, {**_answers(recipient_name="Jo Teacher"), "confirmed": "yes"})
    assert done.status_code == 302
    letter = db.scalars(select(SentLetter)).one()
    sent = letters.LetterText.loads(letter.content.reveal())
    assert "Dear Jo Teacher," in sent.body
    assert sent.subject_id == str(case.subjects[0].id)


def test_other_letters_ask_nothing_and_the_lado_summary_names_everyone(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case, _, _ = _two_adults(db, head)
    client = login_as(Role.HEADTEACHER)
    form = client.get(f"/cases/{case.id}/letters/new/parent")
    assert form.status_code == 200
    assert "Which person is the letter to?" not in form.get_data(as_text=True)
    values = letters.case_values(case, LetterKind.LADO_SUMMARY)
    assert ANN in values["subject_name"] and BEN in values["subject_name"]


def test_only_another_persons_whole_name_counts(db: Session, users: dict[Role, User]) -> None:
    head = users[Role.HEADTEACHER]
    names = ("Sam Lee-Jones", "Sam Lee", "Bo Jones")
    sam_lj, sam, bo = (factories.make_person(db, head, name) for name in names)
    case = factories.make_case(db, head, subjects=[sam_lj, sam, bo])
    db.commit()
    # A shared surname, or another's name inside the subject's own, is not another's name.
    assert letters.others_named(case, sam_lj, "Dear Sam Lee-Jones, about Mr Jones") == []
    assert letters.others_named(case, bo, "Dear Bo Jones; SAM  lee said") == ["Sam Lee"]
    assert letters.others_named(case, sam, "Dear Sam Lee, Samuel Leeds") == []
