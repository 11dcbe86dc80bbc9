"""Invisible characters in free text are shown, not obeyed (issue 19, item 18): a right-to-left
override or a zero-width space in a note, a narrative or a reason appears on the page as a
marked tag such as [U+202E] instead of silently changing how the text reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.casework.cases import notes as note_service
from incidents.models import Role, User
from incidents.sensitive import Sensitive
from incidents.web.filters import visible
from tests import factories

OVERRIDE = "\u202e"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"Paid {OVERRIDE}0001 back", "Paid [U+202E]0001 back"),
        ("pass\u200bword", "pass[U+200B]word"),
        ("\ufeffStarts with a mark", "[U+FEFF]Starts with a mark"),
        ("a\u2066b\u2069c", "a[U+2066]b[U+2069]c"),
        ("bell\x07", "bell[U+0007]"),
    ],
)
def test_each_invisible_character_becomes_a_marked_tag(typed: str, shown: str) -> None:
    html = str(visible(Sensitive(typed)))
    assert "govuk-tag" in html
    assert all(ch not in html for ch in (OVERRIDE, "\u200b", "\ufeff", "\u2066", "\x07"))
    text = html.replace("</span>", "")
    while "<span" in text:
        start = text.index("<span")
        text = text[:start] + text[text.index(">", start) + 1 :]
    assert text == shown


def test_ordinary_text_is_only_escaped_and_keeps_its_lines_and_joiners() -> None:
    typed = "Line one\nLine two\t<b>bold</b> & family \U0001f468\u200d\U0001f469"
    assert str(visible(typed)) == (
        "Line one\nLine two\t&lt;b&gt;bold&lt;/b&gt; &amp; family \U0001f468\u200d\U0001f469"
    )
    assert str(visible(None)) == ""


def test_a_note_with_a_right_to_left_override_shows_it_on_the_case_page(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head, narrative=f"Said it was {OVERRIDE}gnitoor")
    note_service.add_note(db, actor=head, case=case, body=f"Refund of {OVERRIDE}0051 agreed")
    db.commit()

    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)

    assert OVERRIDE not in page
    assert page.count("[U+202E]") == 2  # the narrative and the note
    assert "Refund of <span" in page and "0051 agreed" in page
