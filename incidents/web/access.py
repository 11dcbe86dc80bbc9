"""Deny by default: every endpoint declares who may reach it, and a gate enforces it before any
view runs. An endpoint with no declaration is refused (and the access-control test fails)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from incidents.permissions import Permission, has_permission, needs_second_factor_enrolment

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
SIGNED_IN = "signed_in"
# Endpoints owned by Flask itself rather than our views.
BUILTIN_PUBLIC = frozenset({"static"})
# All a user whose role needs a second factor may reach until they have set one up.
BEFORE_ENROLMENT = frozenset({"two_factor.set_up", "auth.sign_out"})
# Set in the session at a sign-in through the school's identity provider when the school trusts
# the provider's multi-factor sign-in and the provider said it was used (issue 16, item 6): the
# provider's second factor stands for this service's own, so enrolment is not demanded either.
PROVIDER_MFA = "provider_mfa"


def public(view: F) -> F:
    """Reachable without signing in (sign-in page, health check, assets)."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    """Any signed-in user (home, sign-out)."""
    view.access = SIGNED_IN  # type: ignore[attr-defined]
    return view


def requires(permission: Permission) -> Callable[[F], F]:
    """Signed in and holding `permission`; record-level checks happen in the commands."""

    def mark(view: F) -> F:
        view.access = permission  # type: ignore[attr-defined]
        return view

    return mark


# The names of every file field in the service (evidence, the staff list import): a file sent
# under any other name, even to a page that takes files, is refused. A new file field uses one
# of these names or adds its own here.
FILE_FIELDS = frozenset({"file", "evidence_files"})


def takes_files(view: F) -> F:
    """The page takes uploaded files (multipart): the gate lets them through, up to the
    evidence limit (EVIDENCE_MAX_REQUEST_BYTES), instead of refusing them."""
    view.takes_files = True  # type: ignore[attr-defined]
    return view


def _takes_files(endpoint: str) -> bool:
    return bool(getattr(current_app.view_functions.get(endpoint), "takes_files", False))


def file_limit() -> None:
    """before_request hook, registered ahead of CSRF (which reads the body first): a page that
    takes files (evidence, issue 14) may receive up to its files' limit; Werkzeug spools the
    files to disk, never holding one whole in memory. Every other page keeps the small limit."""
    if request.endpoint is not None and _takes_files(request.endpoint):
        request.max_content_length = int(current_app.config["EVIDENCE_MAX_REQUEST_BYTES"])


def declared_access(endpoint: str) -> str | Permission | None:
    if endpoint in BUILTIN_PUBLIC:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def gate() -> Response | None:
    """before_request hook: the only place sign-in and role permissions are enforced for views."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: Flask answers 404 or 405 itself
    access = declared_access(endpoint)
    if access is None:
        abort(403)  # undeclared: deny
    if request.files and (
        not _takes_files(endpoint) or not FILE_FIELDS.issuperset(request.files.keys())
    ):
        # Other pages take no file, and a page that takes files takes them only in its file
        # fields: one sent in a text field would reach the forms as an object they cannot
        # read. Refused before any form or command sees it.
        abort(400)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=_safe_next()))
    if (
        endpoint not in BEFORE_ENROLMENT
        and needs_second_factor_enrolment(current_user)
        and not session.get(PROVIDER_MFA)
    ):
        return redirect(url_for("two_factor.set_up"))
    if isinstance(access, Permission) and not has_permission(current_user, access):
        abort(403)
    return None


def _safe_next() -> str | None:
    # Only a path on this site; ids in our URLs are opaque so the path holds no personal data.
    path = request.full_path if request.query_string else request.path
    if request.method not in ("GET", "HEAD"):
        path = page_for(path)
    return path if path.startswith("/") and not path.startswith("//") else None


def page_for(path: str) -> str:
    """Where to land after signing in again, for a form sent to `path` (issue 17, item 9):
    `path` itself if it is a page; else (a one-button step like /cases/<id>/notes) the nearest
    page above it, the one the form was on; else home. Never a "Page not found"."""
    adapter = current_app.url_map.bind("localhost")
    candidate = path
    while True:
        try:
            adapter.match(candidate.split("?", 1)[0], method="GET")
            return candidate
        except HTTPException:
            pass  # NotFound, MethodNotAllowed, or a redirect: not a page to land on
        bare = candidate.split("?", 1)[0].rstrip("/")
        if "/" not in bare or not bare:
            return url_for("home.index")
        candidate = bare.rsplit("/", 1)[0] or "/"
