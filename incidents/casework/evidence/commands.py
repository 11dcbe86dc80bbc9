"""Evidence commands: add (or supersede) files, open one to view or download, delete one before
the case is erased. Each checks who may, writes its audit entry in the caller's transaction and
never commits. Refused files leave nothing behind: every check runs before the first row.

An upload's audit entry holds (sealed) the file's SHA-256, size and type, never its name or
bytes, and its leaf carries `tlog.evidence_commitment` of the SHA-256, so the file can later be
proved against the log by anyone holding it, its salt and the case's bundle.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.audit import tlog
from incidents.casework import guard
from incidents.casework.evidence import sniff
from incidents.casework.evidence.storage import store_for
from incidents.clock import local_today
from incidents.crypto.envelope import ChunkCipher, SealedHeader, read_header
from incidents.crypto.keyring import ErasedError, Keyring
from incidents.db import new_id
from incidents.errors import Forbidden, InvalidInput, NotFound, Refused
from incidents.models import Case, CaseState, User
from incidents.models.audit import AuditEntry
from incidents.models.evidence import EvidenceFile, EvidenceSource
from incidents.permissions import is_case_manager
from incidents.sensitive import Sensitive, cipher_of
from incidents.validation import Errors

CHUNK_SIZE = 1024 * 1024
MAX_DESCRIPTION = 500
MAX_REASON = 1000
FIELD = "file"


@dataclass(frozen=True)
class Limits:
    per_file: int
    per_case: int


@dataclass(frozen=True)
class Upload:
    """One file as received: its name as the browser sent it, and a seekable stream of it."""

    name: str
    stream: IO[bytes]
    description: str = ""
    source: EvidenceSource | None = None
    shows_date: date | None = None


class EvidenceTampered(Refused):
    """A stored file no longer matches what was uploaded: said plainly, naming the file."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _keyring(session: Session) -> Keyring:
    cipher = cipher_of(session)
    if not isinstance(cipher, Keyring):
        raise TypeError("evidence needs the session's keyring")
    return cipher


def _size_of(stream: IO[bytes]) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _digest(stream: IO[bytes]) -> str:
    sha = hashlib.sha256()
    while block := stream.read(CHUNK_SIZE):
        sha.update(block)
    stream.seek(0)
    return sha.hexdigest()


def case_bytes(session: Session, case: Case) -> int:
    """What the case's kept (not deleted) files hold, against the per-case limit."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(EvidenceFile.size), 0)).where(
                EvidenceFile.case_id == case.id, EvidenceFile.deleted_at.is_(None)
            )
        )
        or 0
    )


def _add_error(errors: Errors, field: str, message: str) -> None:
    # Several files can each be refused: the user sees every reason at once.
    errors[field] = f"{errors[field]}. {message}" if field in errors else message


@dataclass(frozen=True)
class _Checked:
    upload: Upload
    name: str
    size: int
    accepted: sniff.Accepted


def _check(uploads: Sequence[Upload], limits: Limits, room: int, errors: Errors) -> list[_Checked]:
    checked: list[_Checked] = []
    if not uploads:
        _add_error(errors, FIELD, "Select a file to add")
        return checked
    total = 0
    for upload in uploads:
        try:
            name = sniff.check_name(FIELD, upload.name)
            size = _size_of(upload.stream)
            if size == 0:
                raise sniff.refuse(FIELD, name, "the file is empty")
            if size > limits.per_file:
                raise sniff.refuse(
                    FIELD, name, f"the file must be smaller than {_megabytes(limits.per_file)}"
                )
            accepted = sniff.sniff(FIELD, name, upload.stream, size)
        except InvalidInput as exc:
            _add_error(errors, FIELD, exc.errors[FIELD])
            continue
        total += size
        checked.append(_Checked(upload, name, size, accepted))
    # The description, source and date are asked once for the files sent together.
    first = uploads[0]
    if len(first.description.strip()) > MAX_DESCRIPTION:
        _add_error(
            errors, "description", f"Description must be {MAX_DESCRIPTION} characters or fewer"
        )
    if first.source is None:
        _add_error(errors, "source", "Select where the file came from")
    errors.past_date(
        "shows_date", first.shows_date, called="The date it shows", today=local_today()
    )
    if total > room:
        _add_error(
            errors,
            FIELD,
            f"The case can keep {_megabytes(room)} more of files, and these come to "
            f"{_megabytes(total)}: delete a file or add a smaller one",
        )
    return checked


def add_evidence(
    session: Session,
    *,
    actor: User,
    case: Case,
    uploads: Sequence[Upload],
    limits: Limits,
    supersedes: EvidenceFile | None = None,
    reason: str = "",
) -> list[EvidenceFile]:
    """Case workers add files to a case they progress; with `supersedes`, one file that
    replaces another, giving a reason (the old file is kept as it was)."""
    guard.progressable(actor, case)
    return _add(session, actor, case, uploads, limits, supersedes, reason, sealed=False)


def attach_to_report(
    session: Session, *, actor: User, case: Case, uploads: Sequence[Upload], limits: Limits
) -> list[EvidenceFile]:
    """A member of staff's files, sent with the report they have just made: recorded under
    the same per-case pseudonym as the report, so the files do not reveal who reported."""
    report = session.scalar(
        select(AuditEntry.actor_id).where(
            AuditEntry.case_id == case.id, AuditEntry.action == audit.Action.CASE_REPORT.value
        )
    )
    mine = report is not None and report == audit.log.actor_pseudonym(
        session, case.school_id, case.id, actor.id
    )
    if not mine or case.state is not CaseState.REPORTED:
        raise NotFound("Case not found")
    return _add(session, actor, case, uploads, limits, None, "", sealed=True)


def _add(
    session: Session,
    actor: User,
    case: Case,
    uploads: Sequence[Upload],
    limits: Limits,
    supersedes: EvidenceFile | None,
    reason: str,
    *,
    sealed: bool,
) -> list[EvidenceFile]:
    errors = Errors()
    if supersedes is not None:
        if supersedes.case_id != case.id:
            raise NotFound("File not found")
        if supersedes.is_deleted:
            raise Refused("A deleted file cannot be replaced")
        # One line of versions, never a fork: two replacements of the same file would leave a
        # reader unable to say which copy the school relied on.
        if session.scalar(
            select(EvidenceFile.id).where(EvidenceFile.supersedes_id == supersedes.id).limit(1)
        ):
            raise Refused("This file has already been replaced: replace the newest version")
        if len(uploads) != 1:
            _add_error(errors, FIELD, "Select the one file that replaces this one")
        if not reason.strip():
            _add_error(errors, "reason", "Enter why this file replaces the earlier one")
        elif len(reason.strip()) > MAX_REASON:
            _add_error(errors, "reason", f"Reason must be {MAX_REASON} characters or fewer")
    room = max(0, limits.per_case - case_bytes(session, case))
    checked = _check(uploads, limits, room, errors)
    errors.raise_any()
    return [_store(session, actor, case, item, supersedes, reason, sealed) for item in checked]


def _store(
    session: Session,
    actor: User,
    case: Case,
    item: _Checked,
    supersedes: EvidenceFile | None,
    reason: str,
    sealed: bool,
) -> EvidenceFile:
    stream = item.upload.stream
    sha256 = _digest(stream)
    salt = os.urandom(16).hex()
    count = max(1, -(-item.size // CHUNK_SIZE))
    description = item.upload.description.strip()
    evidence = EvidenceFile(
        id=new_id(),
        case=case,
        uploaded_by_id=None if sealed else actor.id,
        by_sealed_reporter=sealed,
        source=item.upload.source or EvidenceSource.OTHER,
        shows_date=item.upload.shows_date,
        media_type=item.accepted.media_type,
        size=item.size,
        chunk_size=CHUNK_SIZE,
        chunk_count=count,
        supersedes_id=supersedes.id if supersedes is not None else None,
    )
    evidence.name = Sensitive(item.name)
    evidence.description = Sensitive(description) if description else None
    evidence.fingerprint = Sensitive(f"{sha256} {salt}")
    if supersedes is not None:
        evidence.reason = Sensitive(reason.strip())
    session.add(evidence)
    session.flush()
    cipher = _chunk_cipher_for_new(session, case, evidence)
    store = store_for(session)
    sha = hashlib.sha256()
    number = 0
    while block := stream.read(CHUNK_SIZE):
        sha.update(block)
        store.put(evidence.id, number, cipher.seal(number, block))
        number += 1
    if number != count or sha.hexdigest() != sha256:
        # The spooled upload changed under us: nothing of it may stand.
        raise Refused("The file changed while it was being saved: try again")
    entry = audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.EVIDENCE_ADD,
        actor=actor,
        case_id=case.id,
        object_type="evidence",
        object_id=evidence.id,
        target=evidence,
        detail={
            "sha256": sha256,
            "size": item.size,
            "type": item.accepted.media_type,
            "supersedes": str(supersedes.id) if supersedes is not None else None,
        },
        sealed_actor=sealed,
        commitment=tlog.evidence_commitment(sha256, salt),
        checkpoint=True,  # a file may be needed in a bundle at once
    )
    evidence.upload_entry_id = entry.id
    return evidence


def _chunk_cipher_for_new(session: Session, case: Case, evidence: EvidenceFile) -> ChunkCipher:
    row, dek = _keyring(session).current_key(session, case.school_id, case.id)
    return ChunkCipher(
        dek,
        SealedHeader(row.id, row.version),
        file_id=evidence.id,
        count=evidence.chunk_count,
        scope=f"case:{case.id}",
    )


# --- reading ------------------------------------------------------------------------------------


def describe(evidence: EvidenceFile) -> str:
    """How a message names a file: by its hash and date, never its (personal) name."""
    return f"the file with hash {evidence.sha256[:12]} added on {evidence.created_at:%d %B %Y}"


def clear_chunks(session: Session, evidence: EvidenceFile) -> Iterator[bytes]:
    """The file's bytes, chunk by chunk, each authenticated as it is opened; at the end the
    count and the SHA-256 are checked against what was uploaded. EvidenceTampered otherwise."""
    keyring = _keyring(session)
    cipher: ChunkCipher | None = None
    sha = hashlib.sha256()
    expected = 0
    scope = f"case:{evidence.case_id}"
    for number, sealed in store_for(session).chunks(evidence.id):
        if number != expected:
            raise EvidenceTampered(f"{describe(evidence)} is missing part {expected}")
        try:
            if cipher is None:
                header = read_header(sealed)
                cipher = ChunkCipher(
                    keyring.key_by_id(session, header.key_id),
                    header,
                    file_id=evidence.id,
                    count=evidence.chunk_count,
                    scope=scope,
                )
            clear = cipher.open(number, sealed)
        except EvidenceTampered:
            raise
        except ErasedError:
            raise Refused("The case was erased: its files can never be read again") from None
        except Exception as exc:
            raise EvidenceTampered(
                f"{describe(evidence)} has been altered since it was uploaded and cannot be "
                f"opened ({exc})"
            ) from None
        sha.update(clear)
        expected += 1
        yield clear
    if expected != evidence.chunk_count:
        raise EvidenceTampered(
            f"{describe(evidence)} is cut short: {expected} of its {evidence.chunk_count} parts "
            "are stored"
        )
    if sha.hexdigest() != evidence.sha256:
        raise EvidenceTampered(f"{describe(evidence)} does not match the hash logged at upload")


def logged_matches(session: Session, evidence: EvidenceFile) -> bool:
    """The upload's leaf commits to this file's fingerprint (nobody swapped the sealed hash)."""
    if evidence.upload_entry_id is None:
        return False
    leaf = session.scalar(select(AuditEntry.leaf).where(AuditEntry.id == evidence.upload_entry_id))
    if leaf is None:
        return False
    entry = tlog.parse_entry(bytes(leaf))
    return entry.get("ev") == tlog.evidence_commitment(
        evidence.sha256, evidence.salt
    ) and entry.get("oid") == str(evidence.id)


def verify(session: Session, evidence: EvidenceFile) -> str | None:
    """None when the stored file is exactly what was uploaded and logged; else the problem."""
    if evidence.is_deleted:
        return None
    if not logged_matches(session, evidence):
        return f"{describe(evidence)} does not match its entry in the audit log"
    try:
        for _ in clear_chunks(session, evidence):
            pass
    except EvidenceTampered as exc:
        return str(exc)
    return None


def _visible_file(actor: User, case: Case, evidence: EvidenceFile) -> None:
    guard.visible(actor, case)
    if evidence.case_id != case.id or evidence.is_deleted:
        raise NotFound("File not found")


def open_file(
    session: Session, *, actor: User, case: Case, evidence: EvidenceFile, preview: bool
) -> Iterator[bytes]:
    """Check the file whole, record who opened it, then hand back its bytes to stream (the
    caller commits the entry first). A file that fails the check is refused before a byte is
    sent, rather than cut off mid-download."""
    _visible_file(actor, case, evidence)
    problem = verify(session, evidence)
    if problem is not None:
        raise EvidenceTampered(problem[0].upper() + problem[1:])
    guard.record(
        session,
        case,
        actor,
        audit.Action.EVIDENCE_PREVIEW if preview else audit.Action.EVIDENCE_DOWNLOAD,
        object_type="evidence",
        object_id=evidence.id,
    )
    return clear_chunks(session, evidence)


def delete_evidence(
    session: Session, *, actor: User, case: Case, evidence: EvidenceFile, reason: str
) -> None:
    """Only the case manager, with a reason, before the case is erased. The bytes, name and
    description go; a tombstone row stays with the hash, and the log entry commits to it."""
    _visible_file(actor, case, evidence)
    if not is_case_manager(actor, case):
        raise Forbidden("Only the case manager can delete evidence")
    if not reason.strip():
        raise InvalidInput({"reason": "Enter why the file is being deleted"})
    if len(reason.strip()) > MAX_REASON:
        raise InvalidInput({"reason": f"Reason must be {MAX_REASON} characters or fewer"})
    store_for(session).drop(evidence.id)
    evidence.name = None
    evidence.description = None
    evidence.deleted_at = datetime.now(UTC)
    session.flush()
    audit.record(
        session,
        school_id=case.school_id,
        action=audit.Action.EVIDENCE_DELETE,
        actor=actor,
        case_id=case.id,
        object_type="evidence",
        object_id=evidence.id,
        target=evidence,
        detail={"reason": reason.strip(), "sha256": evidence.sha256},
        commitment=tlog.evidence_commitment(evidence.sha256, evidence.salt),
    )


def get_file(session: Session, case: Case, file_id: uuid.UUID) -> EvidenceFile:
    evidence = session.get(EvidenceFile, file_id)
    if evidence is None or evidence.case_id != case.id:
        raise NotFound("File not found")
    return evidence
