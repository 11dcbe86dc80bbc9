"""Admin: the users pages. A role that opens cases is given on the same page as the roles, with
the admin's password and a reason (the elevation mechanism's grant); a wrong password's audit
entry is kept even though nothing else is saved."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Literal, TypeAlias

from flask import Blueprint, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents.admin.users import commands, queries
from incidents.admin.users.forms import InviteForm, RolesForm
from incidents.extensions import db_session, limiter
from incidents.models import Elevation, Role, User
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.forms import ConfirmForm
from incidents.web.pipeline import back_to, button, form_page

bp = Blueprint("users", __name__, url_prefix="/admin/users")
# The re-authentication a change of roles needs: the grant, none needed, or refused (False).
Grant: TypeAlias = Elevation | Literal[False] | None


def _user(user_id: uuid.UUID) -> User:
    user = queries.user_in_school(db_session(), current_user.school_id, user_id)
    back_to(url_for("users.show", user_id=user.id))
    return user


@bp.route("")
@requires(Permission.USER_MANAGE)
def index() -> str:
    search = request.args.get("q", "")[: queries.MAX_SEARCH]
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    users = queries.list_users(
        db_session(), current_user.school_id, search=search, role=role, status=status
    )
    return render_template(
        "admin/users/index.html",
        users=users,
        search=search,
        role=role,
        status=status,
        roles=list(Role),
        statuses=list(queries.Status),
        status_of=queries.status_of,
    )


@bp.route("/<uuid:user_id>")
@requires(Permission.USER_MANAGE)
def show(user_id: uuid.UUID) -> str:
    user = _user(user_id)
    return render_template(
        "admin/users/show.html",
        user=user,
        status=queries.status_of(user),
        form=ConfirmForm(formdata=None),
        is_self=user.id == current_user.id,
    )


def _grant(form: FlaskForm, before: Iterable[Role], record_id: uuid.UUID | None) -> Grant:
    """The re-authentication grant when the roles chosen open cases (None when they do not),
    or False when the password or reason is wrong: the errors are on the form, and the failed
    attempt's audit entry is committed. Only for a form that is valid."""
    db = db_session()
    result = commands.case_access_grant(
        db,
        actor=current_user,
        login_token=session.get("sid"),
        before=before,
        after=form.roles.data or [],
        password=form.password.data or "",
        reason=form.reason.data or "",
        record_id=record_id,
    )
    if isinstance(result, dict):
        db.commit()  # only the audit entry of a wrong password, if there was one
        for name, message in result.items():
            getattr(form, name).errors = [message]
        return False
    return result


@bp.route("/invite", methods=["GET", "POST"])
@requires(Permission.USER_MANAGE)
@limiter.limit("30 per hour", methods=["POST"])
def invite() -> str | Response:
    back_to(url_for("users.index"))
    form = InviteForm()

    def show() -> str:
        return render_template("admin/users/invite.html", form=form)

    grant: Grant = None
    if form.validate_on_submit():
        grant = _grant(form, (), None)
        if grant is False:
            return show()
    return form_page(
        form,
        command=lambda: commands.invite(
            db_session(),
            actor=current_user,
            email=form.email.data or "",
            display_name=form.display_name.data or "",
            roles=form.roles.data or [],
            elevation=grant or None,
        ),
        done_message="Invitation sent. The link works once, for 72 hours.",
        show=show,
        then=lambda user: url_for("users.show", user_id=user.id),
    )


@bp.route("/<uuid:user_id>/roles", methods=["GET", "POST"])
@requires(Permission.USER_MANAGE)
@limiter.limit("30 per hour", methods=["POST"])
def roles(user_id: uuid.UUID) -> str | Response:
    user = _user(user_id)
    form = RolesForm()
    if request.method == "GET":
        form.roles.data = sorted(user.roles)

    def show() -> str:
        return render_template("admin/users/roles.html", form=form, user=user)

    grant: Grant = None
    if form.validate_on_submit():
        grant = _grant(form, user.roles, user.id)
        if grant is False:
            return show()
    return form_page(
        form,
        command=lambda: commands.change_roles(
            db_session(),
            actor=current_user,
            user=user,
            roles=form.roles.data or [],
            elevation=grant or None,
        ),
        done_message="Roles saved",
        show=show,
    )


@bp.route("/<uuid:user_id>/deactivate", methods=["GET", "POST"])
@requires(Permission.USER_MANAGE)
def deactivate(user_id: uuid.UUID) -> str | Response:
    """Check first (GOV.UK pattern): what happens, and their open tasks to hand on."""
    user = _user(user_id)
    if request.method == "POST":
        return button(
            lambda: commands.deactivate(db_session(), actor=current_user, user=user),
            "The account has been deactivated and every session it had has ended",
        )
    return render_template(
        "admin/users/deactivate.html",
        user=user,
        tasks=queries.open_tasks(db_session(), user),
        form=ConfirmForm(formdata=None),
    )


@bp.route("/<uuid:user_id>/reactivate", methods=["POST"])
@requires(Permission.USER_MANAGE)
def reactivate(user_id: uuid.UUID) -> Response:
    user = _user(user_id)
    return button(
        lambda: commands.reactivate(db_session(), actor=current_user, user=user),
        "The account has been reactivated",
    )


@bp.route("/<uuid:user_id>/reset-two-factor", methods=["POST"])
@requires(Permission.USER_MANAGE)
def reset_two_factor(user_id: uuid.UUID) -> Response:
    user = _user(user_id)
    return button(
        lambda: commands.reset_two_factor(db_session(), actor=current_user, user=user),
        "Two-factor sign-in has been reset. They will set it up again when they next sign in",
    )


@bp.route("/<uuid:user_id>/resend-invitation", methods=["POST"])
@requires(Permission.USER_MANAGE)
@limiter.limit("20 per hour", methods=["POST"])
def resend_invitation(user_id: uuid.UUID) -> Response:
    user = _user(user_id)
    return button(
        lambda: commands.resend_invitation(db_session(), actor=current_user, user=user),
        "A new invitation has been sent. The old link no longer works",
    )
