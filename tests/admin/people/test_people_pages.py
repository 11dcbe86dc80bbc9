"""The people pages (issue 16): add, edit and record a leaver (audited), and the staff import:
a preview of what would be added, changed and skipped, saved only when confirmed."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.audit import Action
from incidents.models import AuditEntry, Person, PersonKind, Role, User
from incidents.models.person import email_index_of
from incidents.sensitive import Sensitive
from tests import factories
from tests.conftest import csrf_token, post_form, problem, success_banner

Login = Callable[[Role], FlaskClient]
HEAD = "Name,Role,Email,Start date\r\n"


def _people(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Person)) or 0


def _by_email(db: Session, school_id, email: str) -> Person | None:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(
        select(Person).where(Person.email_index == email_index_of(db, school_id, email))
    )


def _upload(client: FlaskClient, text: str | bytes):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/admin/people/import",
        data={
            "csrf_token": csrf_token(client, "/admin/people/import"),
            "file": (io.BytesIO(data), "staff.csv"),
        },
        content_type="multipart/form-data",
    )


def _confirm(client: FlaskClient, page: str):  # type: ignore[no-untyped-def]
    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', page, re.S)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page)
    assert text and digest

    return client.post(
        "/admin/people/import/confirm",
        data={
            "csrf_token": csrf_token(client, "/admin/people/import"),
            "csv_text": html.unescape(text.group(1)),
            "digest": digest.group(1),
        },
        content_type="multipart/form-data",
    )


def test_the_import_previews_then_saves_only_when_confirmed(
    login_as: Login, db: Session, users: dict[Role, User], school
) -> None:
    admin = login_as(Role.ADMIN)
    existing = factories.make_person(db, users[Role.HEADTEACHER], name="Cara Old")
    existing.email = Sensitive("cara@school.example")
    db.commit()
    before = _people(db)
    page = _upload(
        admin,
        HEAD
        + "Ann Lee,Year 4 teacher,ann@school.example,01/09/2024\r\n"
        + "Cara Newname,Teacher,CARA@school.example,\r\n"
        + "=cmd,Teacher,x@school.example,\r\n",
    ).get_data(as_text=True)
    assert "Nothing has been saved yet. 1 to add, 1 to change, 1 skipped." in page
    assert "Ann Lee" in page and "Name, role" in page and "runs as a formula" in page
    assert _people(db) == before  # nothing saved by the preview

    response = _confirm(admin, page)
    assert response.status_code == 302
    banner = success_banner(admin.get(response.location).get_data(as_text=True))
    assert "1 added, 1 changed" in banner
    assert _people(db) == before + 1
    ann = _by_email(db, school.id, "ann@school.example")
    assert ann is not None and ann.name.reveal() == "Ann Lee"
    cara = _by_email(db, school.id, "cara@school.example")
    assert cara is not None and cara.id == existing.id and cara.name.reveal() == "Cara Newname"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == Action.STAFF_IMPORT.value))
    assert entry is not None
    # The same file again: nothing to do, every row skipped with its reason.
    page = _upload(
        admin, HEAD + "Ann Lee,Year 4 teacher,ann@school.example,01/09/2024\r\n"
    ).get_data(as_text=True)
    assert "Already here, nothing has changed" in page and "Save these changes" not in page


def test_a_confirmation_for_a_plan_that_no_longer_holds_saves_nothing(
    login_as: Login, db: Session, users: dict[Role, User], school
) -> None:
    admin = login_as(Role.ADMIN)
    page = _upload(admin, HEAD + "Ann Lee,Teacher,ann@school.example,\r\n").get_data(as_text=True)
    # Meanwhile someone adds Ann by hand.
    post_form(
        admin,
        "/admin/people/new",
        {
            "name": "Ann Lee",
            "kind": "staff",
            "email": "ann@school.example",
            "job_title": "Head of year",
        },
    )
    before = _people(db)
    page = _confirm(admin, page).get_data(as_text=True)
    assert "changed since the preview" in page
    assert _people(db) == before


def test_bad_files_say_why_and_save_nothing(login_as: Login, db: Session) -> None:
    admin = login_as(Role.ADMIN)
    before = _people(db)
    for data, message in [
        ("Name,Role,Email,Start date\nJosé,T,j@s.example,\n".encode("cp1252"), "not in UTF-8"),
        (b"Name,Email\nA,a@s.example\n", "Missing: role, start date"),
        (b"", "The file is empty"),
    ]:
        page = _upload(admin, data).get_data(as_text=True)
        assert message in problem(page), problem(page)
    assert _people(db) == before


def test_a_file_on_any_other_page_is_still_refused(login_as: Login) -> None:
    admin = login_as(Role.ADMIN)
    response = admin.post(
        "/admin/people/new",
        data={
            "csrf_token": csrf_token(admin, "/admin/people/new"),
            "name": (io.BytesIO(b"x"), "a.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_add_edit_and_record_a_leaver_each_audited(login_as: Login, db: Session, school) -> None:
    admin = login_as(Role.ADMIN)
    response = post_form(
        admin,
        "/admin/people/new",
        {
            "name": "Dee Volunteer",
            "kind": "volunteer",
            "email": "dee@school.example",
            "job_title": "Reading helper",
            "started_on": ["1", "9", "2025"],
        },
    )
    assert response.status_code == 302
    dee = _by_email(db, school.id, "dee@school.example")
    assert dee is not None and dee.job_title.reveal() == "Reading helper"  # type: ignore[union-attr]
    page = admin.get("/admin/people").get_data(as_text=True)
    assert "Dee Volunteer" in page
    response = post_form(
        admin,
        f"/admin/people/{dee.id}/edit",
        {"name": "Dee Helper", "kind": "volunteer", "email": "dee@school.example", "job_title": ""},
    )
    assert response.status_code == 302
    response = post_form(admin, f"/admin/people/{dee.id}/left", {"left_on": ["1", "1", "2026"]})
    assert response.status_code == 302
    assert "Their name stays" in success_banner(admin.get(response.location).get_data(as_text=True))
    db.expire_all()
    assert db.get(Person, dee.id).left_on is not None  # type: ignore[union-attr]
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == dee.id)))
    assert {
        Action.PERSON_CREATE.value,
        Action.PERSON_UPDATE.value,
        Action.PERSON_LEFT.value,
    } <= actions


def test_bad_person_details_are_refused_on_the_field(login_as: Login, db: Session) -> None:
    admin = login_as(Role.ADMIN)
    before = _people(db)
    post_form(
        admin, "/admin/people/new", {"name": "A", "kind": "staff", "email": "a@school.example"}
    )
    for data, message in [
        ({"name": ""}, "Enter the person&#39;s name"),
        ({"name": "x" * 121}, "120 characters or fewer"),
        ({"kind": "pupil"}, "Choose staff, governor or volunteer"),
        ({"email": "nope"}, "correct format"),
        ({"email": "a@school.example"}, "already has this email"),
        ({"started_on": ["31", "2", "2024"]}, "must be a real date"),
    ]:
        form = {"name": "Someone", "kind": "staff", "email": "", "job_title": ""}
        form.update(data)
        page = post_form(admin, "/admin/people/new", form).get_data(as_text=True)
        assert message in problem(page), (data, problem(page))
    assert _people(db) == before + 1
    # A pupil or parent is not on this page at all.
    head = db.scalar(select(User).where(User.email.like("headteacher%")))
    assert head is not None
    pupil = factories.make_person(db, head, name="A Pupil", kind=PersonKind.PUPIL)
    db.commit()
    assert admin.get(f"/admin/people/{pupil.id}/edit").status_code == 404


def test_no_file_chosen(login_as: Login) -> None:
    admin = login_as(Role.ADMIN)
    page = admin.post(
        "/admin/people/import",
        data={"csrf_token": csrf_token(admin, "/admin/people/import")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Choose a CSV file" in problem(page)


def test_merging_a_duplicate_moves_its_cases_and_is_audited(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    keep = factories.make_person(db, head, name="Alex Subject")
    duplicate = factories.make_person(db, head, name="Alex  Subject")
    case = factories.make_case(db, head, subjects=[duplicate])
    db.commit()
    admin = login_as(Role.ADMIN)
    path = f"/admin/people/{keep.id}/merge"
    page = post_form(admin, path, {"duplicate": str(duplicate.id)}).get_data(as_text=True)
    assert "Check before you merge" in page and "This cannot be undone" in page
    assert db.get(Person, duplicate.id) is not None  # nothing merged before the second page
    response = post_form(admin, path, {"duplicate": str(duplicate.id), "confirmed": "yes"})
    assert response.status_code == 302
    gone = duplicate.id
    db.expunge_all()
    assert db.scalar(select(Person.id).where(Person.id == gone)) is None
    assert [p.id for p in db.get(type(case), case.id).subjects] == [keep.id]  # type: ignore[union-attr]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == Action.PERSON_MERGE.value))
    assert entry is not None and entry.object_id == keep.id


def test_two_people_with_different_accounts_are_never_merged(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    dsl = factories.person_of(db, users[Role.DSL])
    deputy = factories.person_of(db, users[Role.DEPUTY_DSL])
    admin = login_as(Role.ADMIN)
    path = f"/admin/people/{dsl.id}/merge"
    response = post_form(admin, path, {"duplicate": str(deputy.id), "confirmed": "yes"})
    assert "different user account" in problem(admin.get(response.location).get_data(as_text=True))
    assert db.get(Person, deputy.id) is not None
    page = post_form(admin, path, {"duplicate": str(dsl.id)}).get_data(as_text=True)
    assert "Choose the duplicate" in problem(page)
