"""Admin: the school's policy-clause catalogue (list, add, edit, retire, restore)."""

from __future__ import annotations

import html
import json
import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from incidents.admin.clauses import commands as clause_service
from incidents.models import AuditEntry, PolicyClause, Role
from tests import REPO, factories
from tests.conftest import count, csrf_token, problem, success_banner

CATALOGUE = json.loads(
    (REPO / "incidents" / "catalogue" / "default_clauses.json").read_text("utf-8")
)


def listed_codes(page: str) -> list[str]:
    """Clause codes in the list, in order (the first cell of each row)."""
    return re.findall(r'id="clause-[0-9a-f-]{36}">\s*<td class="govuk-table__cell">([^<]+)', page)


def clause_row(page: str, clause_id: object) -> str:
    match = re.search(rf'id="clause-{clause_id}">(.*?)</tr>', page, re.S)
    assert match, "clause not listed"
    return match.group(1)


def field_error(page: str, field: str) -> str:
    match = re.search(
        rf'id="{field}-error" class="govuk-error-message">\s*'
        r'<span class="govuk-visually-hidden">Error:</span>\s*(.*?)\s*</p>',
        page,
        re.S,
    )
    assert match, f"no error on {field}"
    return html.unescape(match.group(1))


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def test_list_shows_the_whole_catalogue_loaded_for_the_school(admin, school, db):
    page = admin.get("/admin/clauses").get_data(as_text=True)

    expected = sorted(c["code"] for c in CATALOGUE["clauses"])
    assert len(expected) == count(db, PolicyClause)
    assert listed_codes(page) == expected
    assert f"{len(expected)} clauses" in page
    first = CATALOGUE["clauses"][0]
    assert str(escape(first["text"])) in page


def test_add_a_clause(admin, users, db):
    token = csrf_token(admin, "/admin/clauses/new")
    response = admin.post(
        "/admin/clauses/new",
        data={
            "csrf_token": token,
            "code": "local-12",
            "source": "Staff handbook 4.2",
            "category": "images",
            "text": "Staff must not post photos of school trips on personal accounts.",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/clauses")
    clause = db.scalar(select(PolicyClause).where(PolicyClause.code == "LOCAL-12"))
    assert clause is not None
    assert (clause.source, clause.category, clause.retired_at) == (
        "Staff handbook 4.2",
        "images",
        None,
    )
    page = admin.get("/admin/clauses").get_data(as_text=True)
    row = clause_row(page, clause.id)
    assert "LOCAL-12" in row
    assert "Staff must not post photos of school trips on personal accounts." in row
    assert "Clause added" in page
    assert f"{len(CATALOGUE['clauses']) + 1} clauses" in page
    event = db.scalar(select(AuditEntry).where(AuditEntry.action == "clause.create"))
    assert event is not None
    assert (event.object_id, event.actor_id) == (clause.id, users[Role.ADMIN].id)


def test_edit_a_clause(admin, school, db):
    clause = clause_service.list_clauses(db, school.id)[0]
    path = f"/admin/clauses/{clause.id}"
    form = admin.get(path).get_data(as_text=True)
    assert f'value="{clause.code}"' in form
    assert str(escape(clause.text)) in form

    response = admin.post(
        path,
        data={
            "csrf_token": csrf_token(admin, path),
            "code": clause.code,
            "source": "Local: staff handbook 1.1",
            "category": "other",
            "text": "Reworded by the governing board.",
        },
    )

    assert response.status_code == 302
    db.refresh(clause)
    assert (clause.source, clause.category, clause.text) == (
        "Local: staff handbook 1.1",
        "other",
        "Reworded by the governing board.",
    )
    page = admin.get("/admin/clauses").get_data(as_text=True)
    assert "Reworded by the governing board." in clause_row(page, clause.id)
    assert "Clause updated" in page
    assert db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "clause.update", AuditEntry.object_id == clause.id)
    )


def test_adding_a_clause_with_a_code_in_use_is_refused(admin, school, db):
    taken = clause_service.list_clauses(db, school.id)[0]
    before = count(db, PolicyClause)
    response = admin.post(
        "/admin/clauses/new",
        data={
            "csrf_token": csrf_token(admin, "/admin/clauses/new"),
            "code": taken.code.lower(),
            "source": "Staff handbook",
            "category": "other",
            "text": "A second clause with the same code.",
        },
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert field_error(page, "code") == "Another clause already has this code"
    assert "Another clause already has this code" in problem(page)
    assert success_banner(page) == ""
    assert count(db, PolicyClause) == before
    assert not db.scalar(select(func.count()).where(AuditEntry.action == "clause.create"))


def test_editing_a_clause_to_another_clauses_code_is_refused(admin, school, db):
    clause, other = clause_service.list_clauses(db, school.id)[:2]
    path = f"/admin/clauses/{clause.id}"
    response = admin.post(
        path,
        data={
            "csrf_token": csrf_token(admin, path),
            "code": other.code,
            "source": clause.source,
            "category": clause.category,
            "text": "Changed text that must not be saved.",
        },
    )

    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "code") == (
        "Another clause already has this code"
    )
    db.refresh(clause)
    assert clause.text != "Changed text that must not be saved."
    assert clause.code != other.code


def test_retire_and_restore_a_clause(admin, school, db):
    clause = clause_service.list_clauses(db, school.id)[0]
    token = csrf_token(admin, "/admin/clauses")

    retired = admin.post(f"/admin/clauses/{clause.id}/retire", data={"csrf_token": token})
    assert retired.status_code == 302
    assert retired.headers["Location"].endswith(f"/admin/clauses#clause-{clause.id}")
    db.refresh(clause)
    assert clause.retired_at is not None
    page = admin.get("/admin/clauses").get_data(as_text=True)
    row = clause_row(page, clause.id)
    assert "Retired" in row
    assert f'action="/admin/clauses/{clause.id}/restore"' in row
    assert f"Clause {clause.code} retired" in success_banner(page) and problem(page) == ""
    # Retired clauses stay listed for the admin.
    assert f"{len(CATALOGUE['clauses'])} clauses" in page

    restored = admin.post(f"/admin/clauses/{clause.id}/restore", data={"csrf_token": token})
    assert restored.status_code == 302
    db.refresh(clause)
    assert clause.retired_at is None
    row = clause_row(admin.get("/admin/clauses").get_data(as_text=True), clause.id)
    assert "Retired" not in row
    assert f'action="/admin/clauses/{clause.id}/retire"' in row
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == clause.id).order_by(AuditEntry.seq)
    ).all()
    assert actions == ["clause.retire", "clause.restore"]


def test_retire_without_csrf_token_changes_nothing(admin, school, db):
    clause = clause_service.list_clauses(db, school.id)[0]
    response = admin.post(f"/admin/clauses/{clause.id}/retire", data={})
    assert response.status_code == 400
    db.refresh(clause)
    assert clause.retired_at is None


def test_another_schools_clause_is_not_found(admin, db):
    other_school = factories.make_school(db, name="Other Primary School")
    db.commit()
    theirs = clause_service.list_clauses(db, other_school.id)[0]
    token = csrf_token(admin, "/admin/clauses")

    assert admin.get(f"/admin/clauses/{theirs.id}").status_code == 404
    edit = admin.post(
        f"/admin/clauses/{theirs.id}",
        data={
            "csrf_token": token,
            "code": theirs.code,
            "source": "Hijacked",
            "category": "other",
            "text": "Hijacked",
        },
    )
    assert edit.status_code == 404
    retire = admin.post(f"/admin/clauses/{theirs.id}/retire", data={"csrf_token": token})
    assert retire.status_code == 404
    db.refresh(theirs)
    assert theirs.source != "Hijacked"
    assert theirs.retired_at is None
    page = admin.get("/admin/clauses").get_data(as_text=True)
    assert f"clause-{theirs.id}" not in page


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.HEADTEACHER, "get", "/admin/clauses"),
        (Role.STAFF, "post", "/admin/clauses/new"),
    ],
)
def test_other_roles_cannot_manage_clauses(login_as, db, role, method, path):
    client = login_as(role)
    before = count(db, PolicyClause)
    data = {
        "csrf_token": csrf_token(client, "/"),
        "code": "LOCAL-1",
        "source": "Handbook",
        "category": "other",
        "text": "Text",
    }
    response = client.get(path) if method == "get" else client.post(path, data=data)
    assert response.status_code == 403
    assert count(db, PolicyClause) == before
