"""Where a file's sealed chunks live: one small interface, and the database store used by
default, so a file is written in the same transaction as its audit entry and backed up with the
database. A trust that wants the ciphertext elsewhere implements `ChunkStore`; the chunks are
already encrypted and bound to their file, so the store is trusted with nothing but keeping them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Protocol

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from incidents.models.evidence import EvidenceChunk


class ChunkStore(Protocol):
    def put(self, file_id: uuid.UUID, number: int, sealed: bytes) -> None: ...

    def chunks(self, file_id: uuid.UUID) -> Iterator[tuple[int, bytes]]:
        """The file's chunks in order, one at a time (never all in memory)."""
        ...

    def count(self, file_id: uuid.UUID) -> int: ...

    def drop(self, file_id: uuid.UUID) -> None: ...


class DatabaseStore:
    """Chunks as rows of `evidence_chunk`, through the caller's session and transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, file_id: uuid.UUID, number: int, sealed: bytes) -> None:
        # Core insert: the ORM would keep every chunk object (and its bytes) until commit.
        self.session.execute(
            insert(EvidenceChunk), {"file_id": file_id, "number": number, "data": sealed}
        )

    def chunks(self, file_id: uuid.UUID) -> Iterator[tuple[int, bytes]]:
        # One query per chunk: a server-side cursor is not portable to SQLite, and a chunk a
        # query keeps memory to one chunk whatever the driver buffers.
        numbers = self.session.scalars(
            select(EvidenceChunk.number)
            .where(EvidenceChunk.file_id == file_id)
            .order_by(EvidenceChunk.number)
        ).all()
        for number in numbers:
            data = self.session.scalar(
                select(EvidenceChunk.data).where(
                    EvidenceChunk.file_id == file_id, EvidenceChunk.number == number
                )
            )
            if data is not None:
                yield number, bytes(data)

    def count(self, file_id: uuid.UUID) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(EvidenceChunk)
                .where(EvidenceChunk.file_id == file_id)
            )
            or 0
        )

    def drop(self, file_id: uuid.UUID) -> None:
        self.session.execute(delete(EvidenceChunk).where(EvidenceChunk.file_id == file_id))


def store_for(session: Session) -> ChunkStore:
    """The store a session's files go to: the database unless a store was put in its info."""
    store = session.info.get("evidence_store")
    return store if store is not None else DatabaseStore(session)
