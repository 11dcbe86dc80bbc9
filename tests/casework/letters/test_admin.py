"""The school's letters, edited by the administrator: a placeholder that does not exist, or that
this letter may not use, is refused at save naming it; a preview with made-up details saves
nothing; each saved change is an audit entry with the old and new text; only an administrator
can edit (a case worker, a governor or staff cannot)."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.casework.letters.defaults import DEFAULTS
from incidents.models import AuditEntry, LetterKind, LetterTemplate, Role, SchoolSettings, User
from incidents.sensitive import cipher_of, place_of
from tests.conftest import post_form, problem, success_banner

URL = "/admin/letters/parent"


def _saved(db: Session) -> list[LetterTemplate]:
    return list(db.scalars(select(LetterTemplate)))


def test_the_editor_shows_the_shipped_wording_and_the_allowed_placeholders(
    login_as: Callable[[Role], FlaskClient],
) -> None:
    page = login_as(Role.ADMIN).get(URL).get_data(as_text=True)
    assert "Thank you for telling us about your concern." in page
    assert "{{ recipient_name }}" in page and "{{ narrative }}" not in page
    index = login_as(Role.ADMIN).get("/admin/letters").get_data(as_text=True)
    for kind in LetterKind:
        assert kind.label in index


def test_an_unknown_placeholder_is_refused_at_save_naming_it(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.ADMIN)
    response = post_form(client, URL, {"body": "Dear {{ parent_nmae }},", "submit": "Save"})
    assert response.status_code == 200
    assert "{{ parent_nmae }} is not a placeholder" in problem(response.get_data(as_text=True))
    assert _saved(db) == []


def test_another_letters_placeholder_is_refused_at_save_and_at_preview(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.ADMIN)
    body = {"body": "You told us: {{ narrative }}"}
    saved = post_form(client, URL, {**body, "submit": "Save"})
    assert "{{ narrative }} cannot be used" in problem(saved.get_data(as_text=True))
    previewed = post_form(client, URL, {**body, "preview": "Preview"})
    assert previewed.status_code == 400
    assert "{{ narrative }} cannot be used" in problem(previewed.get_data(as_text=True))
    assert _saved(db) == []


def test_a_preview_fills_in_made_up_details_and_saves_nothing(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.ADMIN)
    response = post_form(
        client,
        URL,
        {"body": "Dear {{ recipient_name }}, ref {{ reference }}", "preview": "Preview"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dear Sam Sample, ref 2026-0001" in page and "Not saved yet" in page
    assert _saved(db) == []


def test_a_saved_change_is_audited_with_the_old_and_new_text(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.ADMIN)
    new = "Dear {{ recipient_name }},\n\nOur own words.\n"
    response = post_form(client, URL, {"body": new, "submit": "Save"})
    assert response.status_code == 302
    assert "is saved" in success_banner(client.get(response.location).get_data(as_text=True))
    [row] = _saved(db)
    assert row.kind is LetterKind.PARENT and row.body == new
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == audit.Action.LETTER_TEMPLATE_CHANGE)
    ).one()
    detail = json.loads(cipher_of(db).open(db, place_of(entry, "detail"), entry.detail_ct))
    assert detail == {"kind": "parent", "before": None, "after": new}
    assert "your school&#39;s wording" in client.get("/admin/letters").get_data(as_text=True)
    assert DEFAULTS[LetterKind.PARENT] not in client.get(URL).get_data(as_text=True)


def test_the_letterhead_address_is_saved_and_audited(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    client = login_as(Role.ADMIN)
    blank = post_form(client, "/admin/letters/letterhead", {"address": "   "})
    assert "Enter the school&#39;s postal address" in problem(blank.get_data(as_text=True))
    saved = post_form(client, "/admin/letters/letterhead", {"address": "School Lane\nTowncaster"})
    assert saved.status_code == 302
    settings = db.get(SchoolSettings, users[Role.ADMIN].school_id)
    assert settings is not None and settings.letter_address == "School Lane\nTowncaster"
    assert db.scalar(
        select(AuditEntry.id).where(AuditEntry.action == audit.Action.LETTERHEAD_CHANGE)
    )


def test_only_an_administrator_edits_the_letters(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    for role in (Role.HEADTEACHER, Role.DSL, Role.GOVERNOR, Role.STAFF):
        client = login_as(role)
        assert client.get(URL).status_code == 403
        assert client.get("/admin/letters").status_code == 403
    assert _saved(db) == []


def test_an_unknown_letter_kind_is_not_found(login_as: Callable[[Role], FlaskClient]) -> None:
    assert login_as(Role.ADMIN).get("/admin/letters/nonsense").status_code == 404
