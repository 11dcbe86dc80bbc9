"""The printed case file (issue 17, item 7): who may print it, the record of each print, and the
PDF itself (WeasyPrint, tagged PDF/UA-1, fetching nothing but the app's own static files).

A file leaves the service's sign-in, time-out and access checks for good, so each print asks
for the password again and a reason (an EXPORT grant on this case), and each is an audit entry
pointing at that grant. A sealed reporter is printed only for someone who has just revealed
them, under their own live grant for that."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import Forbidden
from incidents.models import Case, Elevation, ElevationPurpose, User
from incidents.permissions import Permission, can_view_case, has_permission
from incidents.stats import export

MARKING = "OFFICIAL-SENSITIVE"
NEEDS_GRANT = "Re-enter your password and give a reason before printing the case file"


def may_print(actor: User, case: Case) -> bool:
    """Whoever may open the case may print it; a governor or a member of staff never can."""
    return has_permission(actor, Permission.CASE_READ) and can_view_case(actor, case)


def record_print(
    session: Session, *, actor: User, case: Case, grant: Elevation | None, revealed: bool
) -> None:
    """The print's audit entry, pointing at the grant that keeps the reason. `revealed`: the
    sealed reporter is in the file (the actor revealed them just before)."""
    if not may_print(actor, case):
        raise Forbidden("Your role cannot print case files")
    if (
        grant is None
        or grant.user_id != actor.id
        or grant.purpose is not ElevationPurpose.EXPORT
        or grant.record_id != case.id
    ):
        raise Forbidden(NEEDS_GRANT)
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.CASE_FILE_PRINT,
        actor=actor,
        case_id=case.id,
        object_type="elevation",
        object_id=grant.id,
        detail={"format": "pdf", "reporter_revealed": revealed},
    )


def to_pdf(html: str, static_folder: Path) -> bytes:
    """The case file as a tagged PDF; nothing outside the static folder is ever fetched."""
    fetcher = export.report_fetcher(static_folder, lambda name: b"")
    return export.to_pdf(html, fetcher)
