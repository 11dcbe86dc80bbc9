"""What the case page shows of a case's evidence: each file with its short hash, whether its
bytes still match the logged hash, who added it (a sealed reporter stays sealed) and what it
supersedes. Only for someone who may see the case; nothing here is counted for statistics."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.casework.evidence import commands as evidence
from incidents.casework.evidence import sniff
from incidents.models import Case, EvidenceFile, User
from incidents.models.case_parts import Part, may_have
from incidents.permissions import can_view_case, is_case_manager

SEALED_REPORTER = "The member of staff who reported this (identity sealed)"


@dataclass(frozen=True)
class Row:
    file: EvidenceFile
    name: str
    description: str
    kind: str
    size: str
    source: str
    shows_date: date | None
    added_at: datetime
    added_by: str
    short_hash: str
    full_hash: str
    problem: str | None
    supersedes: str | None
    superseded: bool
    is_image: bool

    @property
    def verified(self) -> bool:
        return self.problem is None and not self.file.is_deleted


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def evidence_rows(
    session: Session, *, actor: User, case: Case, only: uuid.UUID | None = None
) -> list[Row]:
    """The case's files, oldest first, each checked against the log (`only`: just that one)."""
    if not can_view_case(actor, case) or case.is_erased:
        return []
    if not may_have(case, Part.EVIDENCE):  # the case's own query found none (issue 21)
        return []
    files = list(
        session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.case_id == case.id)
            .order_by(EvidenceFile.created_at, EvidenceFile.id)
        )
    )
    by_id = {f.id: f for f in files}
    replaced = {f.supersedes_id for f in files if f.supersedes_id is not None}
    uploaders = {f.uploaded_by_id for f in files if f.uploaded_by_id}
    names = (
        {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(uploaders)))}
        if uploaders
        else {}
    )
    return [
        _row(session, item, by_id, replaced, names)
        for item in files
        if only is None or item.id == only
    ]


def _added_by(item: EvidenceFile, names: dict[uuid.UUID, str]) -> str:
    if item.by_sealed_reporter:
        return SEALED_REPORTER
    if item.uploaded_by_id is None:
        return "Unknown"
    return names.get(item.uploaded_by_id, "A former user")


def _row(
    session: Session,
    item: EvidenceFile,
    by_id: dict[uuid.UUID, EvidenceFile],
    replaced: set[uuid.UUID],
    names: dict[uuid.UUID, str],
) -> Row:
    older = by_id.get(item.supersedes_id) if item.supersedes_id else None
    return Row(
        file=item,
        name=item.name.reveal() if item.name is not None else "Deleted file",
        description=item.description.reveal() if item.description is not None else "",
        kind=sniff.LABELS.get(item.media_type, item.media_type),
        size=_size(item.size),
        source=item.source.label,
        shows_date=item.shows_date,
        added_at=item.created_at,
        added_by=_added_by(item, names),
        short_hash=item.sha256[:12],
        full_hash=item.sha256,
        problem=evidence.verify(session, item),
        supersedes=older.sha256[:12] if older is not None else None,
        superseded=item.id in replaced,
        is_image=item.media_type.startswith("image/"),
    )


def may_delete(actor: User, case: Case) -> bool:
    return is_case_manager(actor, case) and not case.is_erased
