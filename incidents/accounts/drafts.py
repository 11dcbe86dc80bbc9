"""Form drafts (issue 17, item 9): what a user typed into a form they sent after their session
had ended, kept sealed under the school's key for `LIFETIME`, bound to that user, and given back
once, on the page they were on, after they sign in again. Never in the browser: no storage, no
cookie, no URL holds what was typed. Expired drafts are deleted when the user's drafts are next
read and by `incidents jobs run`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.db import new_id
from incidents.models import FormDraft, User
from incidents.models.base import utcnow
from incidents.sensitive import Sensitive

# Long enough to find the phone for the second factor and sign in again; short enough that
# little is left lying around.
LIFETIME = timedelta(minutes=30)
# A form is at most a few dozen fields; anything far bigger is not a form a person typed.
MAX_FIELDS = 200
MAX_BYTES = 256 * 1024
# Never kept: the token belonged to the ended session; the buttons are not what was typed; a
# kept "confirmed" would skip the check-your-answers page on the way back.
NOT_KEPT = frozenset({"csrf_token", "submit", "confirmed", "change"})
# Pages about the account itself ask for passwords and security codes: never kept, even sealed.
ACCOUNT_PAGES = frozenset(
    {"auth", "two_factor", "elevation", "account", "invitation", "password_reset", "session"}
)


@dataclass(frozen=True)
class Draft:
    """A draft opened for its owner: the page to fill in again, and what was typed there."""

    page: str
    fields: list[tuple[str, str]]
    files_dropped: bool


def keeps(endpoint: str | None) -> bool:
    """Whether a form sent to `endpoint` after the session ended is worth keeping."""
    return endpoint is not None and endpoint.split(".", 1)[0] not in ACCOUNT_PAGES


def _kept(fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in fields
        if name not in NOT_KEPT and "password" not in name.lower()
    ]


def keep(
    session: Session,
    *,
    user: User,
    page: str,
    fields: Iterable[tuple[str, str]],
    files_dropped: bool,
    now: datetime | None = None,
) -> FormDraft | None:
    """Keep what `user` sent to `page` (a path on this site). None when there is nothing worth
    keeping (a button with no fields) or it is not a form a person filled in."""
    kept = _kept(fields)
    if not kept or len(kept) > MAX_FIELDS or not _is_path(page):
        return None
    content = json.dumps({"page": page, "fields": kept, "files": files_dropped})
    if len(content) > MAX_BYTES:  # ASCII (json escapes the rest), so characters are bytes
        return None
    now = now or utcnow()
    draft = FormDraft(
        id=new_id(),
        school_id=user.school_id,
        user_id=user.id,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    draft.content = Sensitive(content)
    session.add(draft)
    audit.record(
        session,
        school_id=user.school_id,
        action=audit.Action.FORM_DRAFT_KEEP,
        actor=user,
        object_type="form_draft",
        object_id=draft.id,
        target=draft,
    )
    return draft


def take(session: Session, *, user: User, page: str, now: datetime | None = None) -> Draft | None:
    """The newest of `user`'s drafts for `page`, deleted as it is read (single use). Only the
    user's own drafts are ever read; their expired ones are deleted on the way."""
    now = now or utcnow()
    rows = session.scalars(
        select(FormDraft).where(FormDraft.user_id == user.id).order_by(FormDraft.created_at.desc())
    ).all()
    found: Draft | None = None
    for row in rows:
        if row.expires_at <= now:
            session.delete(row)
            continue
        if found is not None:
            continue
        opened = _open(row)
        if opened is not None and opened.page == page:
            found = opened
            audit.record(
                session,
                school_id=user.school_id,
                action=audit.Action.FORM_DRAFT_RESTORE,
                actor=user,
                object_type="form_draft",
                object_id=row.id,
                target=row,
            )
            session.delete(row)
    return found


def waiting_until(session: Session, *, user: User, now: datetime | None = None) -> datetime | None:
    """When the last of `user`'s drafts expires, if any is waiting: asked once at sign-in, so
    that other pages need not look for drafts at all."""
    rows = session.scalars(
        select(FormDraft.expires_at).where(
            FormDraft.user_id == user.id, FormDraft.expires_at > (now or utcnow())
        )
    ).all()
    return max(rows, default=None)


def purge_expired(session: Session, *, now: datetime | None = None) -> int:
    """Delete every expired draft (`incidents jobs run`): nothing typed is kept past its time
    even if its owner never signs in again. Not audited: keeping it was, and the expiry time
    was fixed then."""
    result = session.execute(delete(FormDraft).where(FormDraft.expires_at <= (now or utcnow())))
    return int(getattr(result, "rowcount", 0) or 0)


def _open(row: FormDraft) -> Draft | None:
    try:
        content = json.loads(row.content.reveal())
        fields = [(str(name), str(value)) for name, value in content["fields"]]
        return Draft(page=str(content["page"]), fields=fields, files_dropped=bool(content["files"]))
    except (ValueError, KeyError, TypeError):
        return None  # not what `keep` wrote: never shown


def _is_path(page: str) -> bool:
    return (
        page.startswith("/")
        and not page.startswith("//")
        and not any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in page)
    )
