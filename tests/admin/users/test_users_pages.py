"""The admin's users pages (issue 16): invite, list, change roles, deactivate a leaver,
reactivate, reset two-factor, resend an invitation; each an audit entry, with the guards."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.accounts import tokens
from incidents.audit import Action
from incidents.models import (
    AccountToken,
    AlertKind,
    AuditEntry,
    Elevation,
    LoginSession,
    OutboxMessage,
    Role,
    TokenPurpose,
    User,
)
from tests import factories
from tests.conftest import csrf_token, post_form, problem, sign_in, success_banner

Login = Callable[[Role], FlaskClient]


def _user(db: Session, email: str) -> User | None:
    db.expire_all()
    return db.scalar(select(User).where(User.email == email))


def _entries(db: Session, action: Action) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action.value)))


def _outbox(db: Session, kind: AlertKind) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def _invite(client: FlaskClient, **data: object):
    form = {
        "display_name": "Sam Newstart",
        "email": "sam.newstart@school.example",
        "roles": ["staff"],
    }
    form.update(data)
    return post_form(client, "/admin/users/invite", form)


def test_admin_invites_a_member_of_staff_by_email(login_as: Login, db: Session) -> None:
    client = login_as(Role.ADMIN)
    response = _invite(client)
    assert response.status_code == 302
    user = _user(db, "sam.newstart@school.example")
    assert user is not None and user.roles == {Role.STAFF}
    assert user.password_hash == ""  # no password until they accept
    [message] = _outbox(db, AlertKind.ACCOUNT_INVITATION)
    assert message.recipient_id == user.id
    assert message.link_path == "/invitation/"
    # The token is sealed in the outbox row; the token table keeps only its hash.
    secret = message.link_secret
    assert secret is not None and len(secret.reveal()) >= 40
    assert secret.reveal().encode() not in (message.link_secret_ct or b"")
    row = db.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
    assert row is not None and row.purpose is TokenPurpose.INVITATION
    assert row.token_hash != secret.reveal().encode()
    assert (row.expires_at - row.created_at).total_seconds() == 72 * 3600
    assert tokens.find(db, token=secret.reveal(), purpose=TokenPurpose.INVITATION) is not None
    [entry] = _entries(db, Action.USER_INVITE)
    assert entry.object_id == user.id
    # No case-access role: the head and DSL are not told.
    assert _outbox(db, AlertKind.CASE_ACCESS_GRANTED) == []
    page = client.get(response.location).get_data(as_text=True)
    assert "Invitation sent" in success_banner(page)
    assert "Invited" in page


def test_giving_case_access_needs_the_admins_password_and_a_reason(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    client = login_as(Role.ADMIN)
    page = _invite(client, roles=["dsl"]).get_data(as_text=True)
    assert "Enter your password" in problem(page)
    assert "Enter why you need access" in problem(page)
    assert _user(db, "sam.newstart@school.example") is None

    page = _invite(client, roles=["dsl"], password="wrong password!!", reason="New DSL").get_data(
        as_text=True
    )
    assert "Enter your correct password" in problem(page)
    assert _user(db, "sam.newstart@school.example") is None
    # The wrong password is on the record even though nothing else was saved.
    assert len(_entries(db, Action.REAUTHENTICATE_FAILED)) == 1

    response = _invite(
        client, roles=["dsl"], password=factories.PASSWORD, reason="Our new safeguarding lead"
    )
    assert response.status_code == 302
    user = _user(db, "sam.newstart@school.example")
    assert user is not None and user.roles == {Role.DSL}
    assert db.scalar(select(func.count()).select_from(Elevation)) == 1
    told = {m.recipient_id for m in _outbox(db, AlertKind.CASE_ACCESS_GRANTED)}
    assert told == {users[Role.HEADTEACHER].id, users[Role.DSL].id}


def test_an_invitation_to_an_existing_address_is_refused_on_the_field(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    client = login_as(Role.ADMIN)
    page = _invite(client, email=users[Role.STAFF].email.upper()).get_data(as_text=True)
    assert "A user with this email address already exists" in problem(page)
    assert _outbox(db, AlertKind.ACCOUNT_INVITATION) == []


def test_bad_invitations_are_refused_with_a_message_and_nothing_saved(
    login_as: Login, db: Session
) -> None:
    client = login_as(Role.ADMIN)
    before = db.scalar(select(func.count()).select_from(User))
    cases = [
        ({"display_name": ""}, "Enter the person&#39;s name"),
        ({"display_name": "x" * 121}, "Name must be 120 characters or fewer"),
        ({"email": ""}, "Enter an email address"),
        ({"email": "not an address"}, "Enter an email address in the correct format"),
        ({"email": "a@" + "b" * 260 + ".example"}, "Email address must be 254 characters"),
        ({"roles": []}, "Choose at least one role"),
        ({"roles": ["emperor"]}, "Choose roles from the list"),
        ({"roles": ["dsl"], "password": "x", "reason": "r" * 501}, "500 characters or fewer"),
    ]
    for data, message in cases:
        page = _invite(client, **data).get_data(as_text=True)
        assert message in problem(page), (data, problem(page))
    assert db.scalar(select(func.count()).select_from(User)) == before
    assert _outbox(db, AlertKind.ACCOUNT_INVITATION) == []


def test_the_list_finds_users_by_name_role_and_status(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    client = login_as(Role.ADMIN)
    _invite(client)
    page = client.get("/admin/users").get_data(as_text=True)
    for user in users.values():
        assert user.display_name in page
    page = client.get("/admin/users?q=newstart").get_data(as_text=True)
    assert "Sam Newstart" in page and users[Role.STAFF].display_name not in page
    page = client.get("/admin/users?status=invited").get_data(as_text=True)
    assert "Sam Newstart" in page and users[Role.DSL].display_name not in page
    page = client.get("/admin/users?role=dsl").get_data(as_text=True)
    assert users[Role.DSL].display_name in page and "Sam Newstart" not in page
    # Wildcards in the search are text, and filters not offered are ignored.
    page = client.get("/admin/users?q=%25&role=emperor&status=x").get_data(as_text=True)
    assert "0 users" in page


def test_roles_change_and_the_last_headteacher_cannot_be_removed(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    client = login_as(Role.ADMIN)
    head = users[Role.HEADTEACHER]
    path = f"/admin/users/{head.id}/roles"
    response = post_form(client, path, {"roles": ["staff"]})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "at least one active headteacher" in problem(page)
    assert _user(db, head.email).roles == {Role.HEADTEACHER}  # type: ignore[union-attr]

    staff = users[Role.STAFF]
    response = post_form(client, f"/admin/users/{staff.id}/roles", {"roles": ["staff", "governor"]})
    assert response.status_code == 302
    assert _user(db, staff.email).roles == {Role.STAFF, Role.GOVERNOR}  # type: ignore[union-attr]
    [entry] = _entries(db, Action.USER_ROLES_CHANGE)
    assert entry.object_id == staff.id and entry.actor_id == users[Role.ADMIN].id


def test_making_someone_a_deputy_dsl_needs_reauthentication_and_tells_head_and_dsl(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    client = login_as(Role.ADMIN)
    staff = users[Role.STAFF]
    path = f"/admin/users/{staff.id}/roles"
    page = post_form(client, path, {"roles": ["deputy_dsl"]}).get_data(as_text=True)
    assert "Enter your password" in problem(page)
    assert _user(db, staff.email).roles == {Role.STAFF}  # type: ignore[union-attr]
    response = post_form(
        client,
        path,
        {"roles": ["deputy_dsl"], "password": factories.PASSWORD, "reason": "Covering a leave"},
    )
    assert response.status_code == 302
    assert _user(db, staff.email).roles == {Role.DEPUTY_DSL}  # type: ignore[union-attr]
    assert len(_outbox(db, AlertKind.CASE_ACCESS_GRANTED)) == 2


def test_a_deactivated_leaver_is_signed_out_at_once_and_can_never_sign_in(
    app, login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    leaver = users[Role.DSL]
    their_browser = login_as(Role.DSL)
    assert their_browser.get("/cases/").status_code == 200
    factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()

    admin = login_as(Role.ADMIN)
    page = admin.get(f"/admin/users/{leaver.id}/deactivate").get_data(as_text=True)
    assert "They will be signed out everywhere" in page
    response = post_form(admin, f"/admin/users/{leaver.id}/deactivate", {})
    assert response.status_code == 302
    assert "deactivated" in success_banner(admin.get(response.location).get_data(as_text=True))

    # Their very next request is refused: back to sign in.
    response = their_browser.get("/cases/")
    assert response.status_code == 302 and "/sign-in" in response.location
    live = db.scalar(
        select(func.count())
        .select_from(LoginSession)
        .where(LoginSession.user_id == leaver.id, LoginSession.ended_at.is_(None))
    )
    assert live == 0
    fresh = app.test_client()
    token = csrf_token(fresh, "/sign-in")
    response = fresh.post(
        "/sign-in",
        data={"csrf_token": token, "email": leaver.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 200  # the sign-in form again, refused
    # Their name stays: the account is there, only inactive.
    assert _user(db, leaver.email) is not None
    assert "Deactivated" in admin.get("/admin/users").get_data(as_text=True)
    [entry] = _entries(db, Action.USER_DEACTIVATE)
    assert entry.object_id == leaver.id

    response = post_form(admin, f"/admin/users/{leaver.id}/reactivate", {}, token_from="/")
    assert response.status_code == 302
    assert _user(db, leaver.email).is_active  # type: ignore[union-attr]


def test_the_deactivate_page_lists_open_tasks_for_reassignment(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head)  # a parent's report: the workflow gives a task
    db.commit()
    task = case.tasks[0]
    assert task.assignee_id is not None
    assignee = db.get(User, task.assignee_id)
    assert assignee is not None
    page = login_as(Role.ADMIN).get(f"/admin/users/{assignee.id}/deactivate").get_data(as_text=True)
    assert "Their open tasks" in page and case.reference in page


def test_the_last_headteacher_cannot_be_deactivated_and_nobody_deactivates_themselves(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    admin = login_as(Role.ADMIN)
    head = users[Role.HEADTEACHER]
    response = post_form(admin, f"/admin/users/{head.id}/deactivate", {}, token_from="/")
    page = admin.get(response.location).get_data(as_text=True)
    assert "at least one active headteacher" in problem(page)
    assert _user(db, head.email).is_active  # type: ignore[union-attr]

    me = users[Role.ADMIN]
    response = post_form(admin, f"/admin/users/{me.id}/deactivate", {}, token_from="/")
    assert "your own account" in problem(admin.get(response.location).get_data(as_text=True))
    response = post_form(admin, f"/admin/users/{me.id}/roles", {"roles": ["staff"]})
    assert "your own account" in problem(admin.get(response.location).get_data(as_text=True))


def test_the_last_admin_cannot_lose_the_role(
    login_as: Login, db: Session, users: dict[Role, User], school
) -> None:
    second = factories.make_user(db, school, Role.ADMIN)
    factories.enrol_two_factor(db, second)
    db.commit()
    admin = login_as(Role.ADMIN)
    # Two admins: one may take the role from the other, but then not from the last.
    assert (
        post_form(admin, f"/admin/users/{second.id}/roles", {"roles": ["staff"]}).status_code == 302
    )
    assert _user(db, second.email).roles == {Role.STAFF}  # type: ignore[union-attr]


def test_admin_resets_someone_elses_two_factor_not_their_own(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    admin = login_as(Role.ADMIN)
    dsl = users[Role.DSL]
    response = post_form(admin, f"/admin/users/{dsl.id}/reset-two-factor", {}, token_from="/")
    assert response.status_code == 302
    assert not _user(db, dsl.email).has_second_factor  # type: ignore[union-attr]
    me = users[Role.ADMIN]
    response = post_form(admin, f"/admin/users/{me.id}/reset-two-factor", {}, token_from="/")
    assert "your own account" in problem(admin.get(response.location).get_data(as_text=True))
    assert _user(db, me.email).has_second_factor  # type: ignore[union-attr]


def test_a_new_invitation_replaces_the_old_link(login_as: Login, db: Session) -> None:
    admin = login_as(Role.ADMIN)
    _invite(admin)
    user = _user(db, "sam.newstart@school.example")
    assert user is not None
    first = _outbox(db, AlertKind.ACCOUNT_INVITATION)[0].link_secret
    response = post_form(admin, f"/admin/users/{user.id}/resend-invitation", {}, token_from="/")
    assert response.status_code == 302
    messages = _outbox(db, AlertKind.ACCOUNT_INVITATION)
    assert len(messages) == 2
    second = next(m.link_secret for m in messages if m.link_secret != first)
    assert first is not None and second is not None
    assert tokens.find(db, token=first.reveal(), purpose=TokenPurpose.INVITATION) is None
    assert tokens.find(db, token=second.reveal(), purpose=TokenPurpose.INVITATION) is not None
    assert len(_entries(db, Action.USER_INVITATION_RESEND)) == 1


def test_another_schools_user_is_not_found(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    other = factories.make_school(db, name="Other Primary School")
    stranger = factories.make_user(db, other, Role.STAFF)
    db.commit()
    admin = login_as(Role.ADMIN)
    assert admin.get(f"/admin/users/{stranger.id}").status_code == 404
    response = post_form(admin, f"/admin/users/{stranger.id}/deactivate", {}, token_from="/")
    assert response.status_code == 404
    assert _user(db, stranger.email).is_active  # type: ignore[union-attr]
    assert stranger.display_name not in admin.get("/admin/users").get_data(as_text=True)


def test_the_audit_page_lists_recent_account_changes_by_name(
    login_as: Login, db: Session, users: dict[Role, User]
) -> None:
    admin = login_as(Role.ADMIN)
    post_form(admin, f"/admin/users/{users[Role.STAFF].id}/deactivate", {}, token_from="/")
    page = admin.get("/admin/audit").get_data(as_text=True)
    section = page[page.index("Recent changes to accounts") :]
    row = re.search(r"Deactivated a user&#39;s account.*?</tr>", section, re.S)
    assert row and users[Role.STAFF].display_name in row.group(0)
    assert users[Role.ADMIN].display_name in section


def test_a_signed_in_user_can_sign_in_again_as_the_sweep_expects(app, users) -> None:
    # Guard for the helpers above: the test school's admin signs in with two factors.
    client = app.test_client()
    sign_in(client, users[Role.ADMIN].email)
    assert client.get("/admin/users").status_code == 200
