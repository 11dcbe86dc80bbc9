"""The disciplinary hearing bundle from the case page (issue 17, item 7): what
`incidents audit prove --disciplinary` writes, for the case manager, without a command line.
A zip of the JSON proofs (checked by `python -m incidents.audit.verifier`), a readable PDF of
the same entries, and a note on how to check them. Made only from a log that verifies; the
export is recorded, and checkpointed, before the proofs are made, as the command does."""

from __future__ import annotations

import contextlib
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from incidents import audit
from incidents.audit.actions import label
from incidents.audit.evidence import checkpoint_notes, disciplinary_evidence, pinned_key
from incidents.audit.verify import verify_school
from incidents.errors import Forbidden, InvalidInput, NotFound
from incidents.models import (
    AuditLog,
    Case,
    DisciplinaryProcess,
    Elevation,
    ElevationPurpose,
    Role,
    User,
)
from incidents.permissions import is_case_manager

NO_KEY = (
    "No verifier key has been pinned for this school's audit log yet, so the bundle cannot be "
    "checked: ask your administrator to run the signer (`incidents audit checkpoint`) first"
)
NOT_VERIFIED = "The audit log does not verify, so no bundle was made: ask your administrator"

README = """Hearing bundle for case {reference}, disciplinary process {process}

evidence.json  the audit entries about this process and the case's milestones, each with its
               inclusion proof against the latest signed checkpoint. Check it with:
               python -m incidents.audit.verifier evidence --key KEY evidence.json
               where KEY is the school's pinned verifier key.
bundle.pdf     the same entries, readable: when, what, and the role of who did it.
"""


@dataclass(frozen=True)
class BundleEntry:
    seq: int
    at: datetime
    what: str
    role: str


def _process(case: Case, process_id: uuid.UUID) -> DisciplinaryProcess:
    process = next((p for p in case.disciplinary_processes if p.id == process_id), None)
    if process is None:
        raise NotFound("Disciplinary process not found")
    return process


def _readable(data: dict[str, object]) -> list[BundleEntry]:
    """The leaves as a person reads them. Actor ids are left out: the proofs keep them."""
    rows = []
    for item in data["entries"]:  # type: ignore[attr-defined]
        leaf = json.loads(item["leaf"])
        roles = []
        for value in str(leaf.get("role") or "").split(","):
            with contextlib.suppress(ValueError):  # a role since renamed: left out
                roles.append(Role(value).label)
        rows.append(
            BundleEntry(
                seq=int(leaf["seq"]),
                at=datetime.fromisoformat(str(leaf["ts"]).replace("Z", "+00:00")),
                what=label(str(leaf["action"])),
                role=", ".join(roles) or "Not shown",
            )
        )
    return rows


def hearing_bundle(
    session: Session,
    *,
    actor: User,
    case: Case,
    process_id: uuid.UUID,
    grant: Elevation | None,
    folder: Path,
) -> tuple[dict[str, object], list[BundleEntry]]:
    """The proofs and their readable entries; the export recorded first. Case manager only."""
    if not is_case_manager(actor, case):
        raise Forbidden("Only the case manager can download the hearing bundle")
    process = _process(case, process_id)
    if (
        grant is None
        or grant.user_id != actor.id
        or grant.purpose is not ElevationPurpose.EXPORT
        or grant.record_id != case.id
    ):
        raise Forbidden("Re-enter your password and give a reason first")
    # The web process holds no signing key (issue 19, item 8): the log is checked against the
    # key the signer pinned beside the checkpoint files, and against those files.
    head = session.get(AuditLog, case.school_id)
    vkey = pinned_key(folder, head.origin) if head is not None else None
    if vkey is None or head is None:
        raise InvalidInput({"bundle": NO_KEY})
    files = checkpoint_notes(folder, head.origin)
    if not verify_school(session, case.school_id, vkey=vkey, external=files).ok:
        raise InvalidInput({"bundle": NOT_VERIFIED})
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.AUDIT_EXPORT,
        actor=actor,
        case_id=case.id,
        object_type="disciplinary",
        object_id=process.id,
    )
    data = disciplinary_evidence(session, case.school_id, process.id, case.id, vkey)
    return data, _readable(data)


def to_zip(case: Case, process_id: uuid.UUID, data: dict[str, object], pdf: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("evidence.json", json.dumps(data, indent=1))
        bundle.writestr("bundle.pdf", pdf)
        bundle.writestr("README.txt", README.format(reference=case.reference, process=process_id))
    return out.getvalue()
