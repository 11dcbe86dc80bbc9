"""Adding, reading, verifying and deleting evidence through the commands: every accepted type
round-trips byte for byte; every refusal stores nothing; a stored file that was altered, swapped
or cut short is refused with a message that names it; the log carries no name or content."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from incidents.audit import tlog
from incidents.casework.evidence import commands as evidence
from incidents.casework.evidence.commands import EvidenceTampered, Limits
from incidents.errors import Forbidden, InvalidInput, Refused
from incidents.models import AuditEntry, Case, EvidenceChunk, EvidenceFile, Role, User
from incidents.sensitive import cipher_of, place_of
from tests.case_routes import case_about
from tests.casework.evidence import samples
from tests.casework.evidence.conftest import LIMITS, upload
from tests.conftest import count


def _rows(db: Session) -> tuple[int, int, int]:
    return count(db, EvidenceFile), count(db, EvidenceChunk), count(db, AuditEntry)


def _read(db: Session, item: EvidenceFile) -> bytes:
    return b"".join(evidence.clear_chunks(db, item))


@pytest.mark.parametrize("name", sorted(samples.ACCEPTED))
def test_every_accepted_type_round_trips(db: Session, head: User, case: Case, name: str) -> None:
    media_type, data = samples.ACCEPTED[name]
    [item] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload(name, data)], limits=LIMITS
    )
    db.commit()
    db.expire_all()
    assert item.media_type == media_type
    assert item.size == len(data)
    assert _read(db, item) == data
    assert item.name is not None and item.name.reveal() == name
    assert evidence.verify(db, item) is None


def test_a_large_file_is_cut_into_chunks_and_comes_back_whole(
    db: Session, head: User, case: Case
) -> None:
    data = (b"line of a long chat log\n" * 120_000)[: 2 * evidence.CHUNK_SIZE + 12345]
    [item] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload("long.txt", data)], limits=LIMITS
    )
    db.commit()
    assert item.chunk_count == 3
    assert count(db, EvidenceChunk) == 3
    assert _read(db, item) == data
    assert evidence.describe(item).startswith(
        f"the file with hash {hashlib.sha256(data).hexdigest()[:12]}"
    )


@pytest.mark.parametrize(
    ("name", "data", "words"), samples.REFUSED, ids=[r[0] for r in samples.REFUSED]
)
def test_refused_files_store_nothing(
    db: Session, head: User, case: Case, name: str, data: bytes, words: str
) -> None:
    before = _rows(db)
    with pytest.raises(InvalidInput) as refused:
        evidence.add_evidence(
            db, actor=head, case=case, uploads=[upload(name, data)], limits=LIMITS
        )
    db.rollback()
    message = refused.value.errors["file"]
    assert words in message
    assert message.startswith(name) or not name
    assert _rows(db) == before


@pytest.mark.parametrize(("name", "words"), samples.BAD_NAMES)
def test_names_with_paths_or_control_characters_are_refused(
    db: Session, head: User, case: Case, name: str, words: str
) -> None:
    before = _rows(db)
    with pytest.raises(InvalidInput) as refused:
        evidence.add_evidence(
            db, actor=head, case=case, uploads=[upload(name, samples.TEXT)], limits=LIMITS
        )
    db.rollback()
    assert words in refused.value.errors["file"]
    assert _rows(db) == before


def test_one_bad_file_among_good_ones_stores_none_of_them(
    db: Session, head: User, case: Case
) -> None:
    before = _rows(db)
    with pytest.raises(InvalidInput) as refused:
        evidence.add_evidence(
            db,
            actor=head,
            case=case,
            uploads=[upload("a.txt", samples.TEXT), upload("b.svg", samples.SVG)],
            limits=LIMITS,
        )
    db.rollback()
    assert "b.svg" in refused.value.errors["file"]
    assert _rows(db) == before


def test_limits_per_file_and_per_case(db: Session, head: User, case: Case) -> None:
    small = Limits(per_file=100, per_case=150)
    with pytest.raises(InvalidInput, match="smaller than"):
        evidence.add_evidence(
            db, actor=head, case=case, uploads=[upload("big.txt", b"x" * 101)], limits=small
        )
    db.rollback()
    evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload("one.txt", b"y" * 100)], limits=small
    )
    db.commit()
    before = _rows(db)
    with pytest.raises(InvalidInput, match="more of files"):
        evidence.add_evidence(
            db, actor=head, case=case, uploads=[upload("two.txt", b"z" * 60)], limits=small
        )
    db.rollback()
    assert _rows(db) == before


def test_source_and_description_are_checked(db: Session, head: User, case: Case) -> None:
    with pytest.raises(InvalidInput) as refused:
        evidence.add_evidence(
            db,
            actor=head,
            case=case,
            uploads=[upload("a.txt", samples.TEXT, source=None, description="d" * 501)],
            limits=LIMITS,
        )
    assert set(refused.value.errors) == {"source", "description"}


def test_the_log_holds_the_hash_size_and_type_never_the_name(
    db: Session, head: User, case: Case
) -> None:
    data = samples.ACCEPTED["screenshot.png"][1]
    [item] = evidence.add_evidence(
        db,
        actor=head,
        case=case,
        uploads=[upload("Sam-Person-Secret-Name.png", data, description="Secret-Description")],
        limits=LIMITS,
    )
    db.commit()
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.object_id == item.id, AuditEntry.action == "evidence.add"
        )
    ).one()
    leaf = bytes(entry.leaf)
    assert b"Secret" not in leaf
    sha = hashlib.sha256(data).hexdigest()
    assert sha.encode() not in leaf  # salted: a copy of the file cannot be looked up
    assert tlog.parse_entry(leaf)["ev"] == tlog.evidence_commitment(sha, item.salt)
    detail = json.loads(
        cipher_of(db).open(db, place_of(entry, "detail"), bytes(entry.detail_ct or b""))
    )
    assert detail == {"sha256": sha, "size": len(data), "type": "image/png", "supersedes": None}
    assert evidence.logged_matches(db, item)


# --- tampering ------------------------------------------------------------------------------


def _two_chunk_file(db: Session, head: User, case: Case, name: str = "log.txt") -> EvidenceFile:
    data = b"a" * evidence.CHUNK_SIZE + b"b" * 100
    [item] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload(name, data)], limits=LIMITS
    )
    db.commit()
    return item


def _chunk(db: Session, item: EvidenceFile, number: int) -> bytes:
    return bytes(
        db.scalar(
            select(EvidenceChunk.data).where(
                EvidenceChunk.file_id == item.id, EvidenceChunk.number == number
            )
        )
        or b""
    )


def _put(db: Session, item: EvidenceFile, number: int, data: bytes) -> None:
    db.execute(
        update(EvidenceChunk)
        .where(EvidenceChunk.file_id == item.id, EvidenceChunk.number == number)
        .values(data=data)
    )
    db.commit()


def _refused(db: Session, head: User, case: Case, item: EvidenceFile, words: str) -> None:
    problem = evidence.verify(db, item)
    assert problem is not None and words in problem
    assert item.sha256[:12] in problem
    with pytest.raises(EvidenceTampered, match=words):
        evidence.open_file(db, actor=head, case=case, evidence=item, preview=False)
    db.rollback()


def test_a_changed_byte_is_refused(db: Session, head: User, case: Case) -> None:
    item = _two_chunk_file(db, head, case)
    stored = bytearray(_chunk(db, item, 1))
    stored[-20] ^= 1
    _put(db, item, 1, bytes(stored))
    _refused(db, head, case, item, "altered")


def test_chunks_swapped_within_a_file_are_refused(db: Session, head: User, case: Case) -> None:
    item = _two_chunk_file(db, head, case)
    first, second = _chunk(db, item, 0), _chunk(db, item, 1)
    _put(db, item, 0, second)
    _put(db, item, 1, first)
    _refused(db, head, case, item, "altered")


def test_a_chunk_from_another_file_is_refused(db: Session, head: User, case: Case) -> None:
    one = _two_chunk_file(db, head, case, "one.txt")
    two = _two_chunk_file(db, head, case, "two.txt")
    _put(db, one, 0, _chunk(db, two, 0))
    _refused(db, head, case, one, "altered")


def test_a_chunk_from_another_case_is_refused(db: Session, head: User, case: Case) -> None:
    other = case_about(db, head)
    db.commit()
    mine = _two_chunk_file(db, head, case, "mine.txt")
    theirs = _two_chunk_file(db, head, other, "theirs.txt")
    _put(db, mine, 1, _chunk(db, theirs, 1))
    _refused(db, head, case, mine, "altered")


def test_a_truncated_file_is_refused(db: Session, head: User, case: Case) -> None:
    item = _two_chunk_file(db, head, case)
    db.execute(
        delete(EvidenceChunk).where(EvidenceChunk.file_id == item.id, EvidenceChunk.number == 1)
    )
    db.commit()
    _refused(db, head, case, item, "cut short")


def test_a_file_row_claiming_fewer_chunks_is_refused(db: Session, head: User, case: Case) -> None:
    item = _two_chunk_file(db, head, case)
    db.execute(
        delete(EvidenceChunk).where(EvidenceChunk.file_id == item.id, EvidenceChunk.number == 1)
    )
    db.execute(update(EvidenceFile).where(EvidenceFile.id == item.id).values(chunk_count=1))
    db.commit()
    db.refresh(item)
    _refused(db, head, case, item, "altered")


# --- who may ------------------------------------------------------------------------------------


def test_staff_and_governors_cannot_add_or_open(
    db: Session, users: dict[Role, User], case: Case
) -> None:
    head = users[Role.HEADTEACHER]
    [item] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload("a.txt", samples.TEXT)], limits=LIMITS
    )
    db.commit()
    for role in (Role.STAFF, Role.GOVERNOR, Role.ADMIN):
        with pytest.raises(Exception, match="not found"):
            evidence.add_evidence(
                db,
                actor=users[role],
                case=case,
                uploads=[upload("b.txt", samples.TEXT)],
                limits=LIMITS,
            )
        with pytest.raises(Exception, match="not found"):
            evidence.open_file(db, actor=users[role], case=case, evidence=item, preview=False)
        db.rollback()


def test_only_the_case_manager_deletes_with_a_reason_leaving_a_tombstone(
    db: Session, users: dict[Role, User], case: Case
) -> None:
    head = users[Role.HEADTEACHER]
    assert case.case_manager_id == head.id
    [item] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload("a.txt", samples.TEXT)], limits=LIMITS
    )
    db.commit()
    sha = item.sha256
    with pytest.raises(Forbidden):
        evidence.delete_evidence(db, actor=users[Role.DSL], case=case, evidence=item, reason="r")
    db.rollback()
    with pytest.raises(InvalidInput):
        evidence.delete_evidence(db, actor=head, case=case, evidence=item, reason="  ")
    db.rollback()
    evidence.delete_evidence(db, actor=head, case=case, evidence=item, reason="Wrong child")
    db.commit()
    db.expire_all()
    assert item.is_deleted and item.name is None and item.sha256 == sha
    assert count(db, EvidenceChunk) == 0
    leaf = db.scalar(select(AuditEntry.leaf).where(AuditEntry.action == "evidence.delete"))
    assert tlog.parse_entry(bytes(leaf or b""))["ev"] == tlog.evidence_commitment(sha, item.salt)
    with pytest.raises(Exception, match="not found"):
        evidence.open_file(db, actor=head, case=case, evidence=item, preview=False)


def test_superseding_needs_a_reason_and_keeps_the_original(
    db: Session, head: User, case: Case
) -> None:
    [old] = evidence.add_evidence(
        db, actor=head, case=case, uploads=[upload("a.txt", samples.TEXT)], limits=LIMITS
    )
    db.commit()
    before = _rows(db)
    with pytest.raises(InvalidInput) as refused:
        evidence.add_evidence(
            db,
            actor=head,
            case=case,
            uploads=[upload("b.txt", b"better")],
            limits=LIMITS,
            supersedes=old,
            reason="",
        )
    db.rollback()
    assert "reason" in refused.value.errors
    assert _rows(db) == before
    [new] = evidence.add_evidence(
        db,
        actor=head,
        case=case,
        uploads=[upload("b.txt", b"better")],
        limits=LIMITS,
        supersedes=old,
        reason="A clearer copy",
    )
    db.commit()
    assert new.supersedes_id == old.id and new.reason is not None
    assert _read(db, old) == samples.TEXT
    # The old version cannot be replaced a second time: only the newest can.
    with pytest.raises(Refused, match="already been replaced"):
        evidence.add_evidence(
            db,
            actor=head,
            case=case,
            uploads=[upload("c.txt", b"another")],
            limits=LIMITS,
            supersedes=old,
            reason="A fork",
        )


def test_a_staff_reporters_files_do_not_name_them(db: Session, users: dict[Role, User]) -> None:
    from tests import factories

    staff = users[Role.STAFF]
    reported = factories.make_case(db, staff)
    [item] = evidence.attach_to_report(
        db,
        actor=staff,
        case=reported,
        uploads=[upload("shot.png", samples.image("PNG"))],
        limits=LIMITS,
    )
    db.commit()
    assert item.uploaded_by_id is None and item.by_sealed_reporter
    entry = db.scalars(select(AuditEntry).where(AuditEntry.object_id == item.id)).one()
    assert entry.actor_id != staff.id
    assert str(staff.id).encode() not in bytes(entry.leaf)
    # Someone else cannot attach to that report.
    with pytest.raises(Exception, match="not found"):
        evidence.attach_to_report(
            db,
            actor=users[Role.GOVERNOR],
            case=reported,
            uploads=[upload("x.txt", samples.TEXT)],
            limits=LIMITS,
        )
