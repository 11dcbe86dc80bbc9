"""Key management: status counts and KEK rotation (re-wrapping every data key, resumably)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from incidents.crypto.keyring import Keyring
from incidents.models import DataKey, KeyScope


@dataclass(frozen=True)
class KeyStatus:
    source: str
    current_version: int
    versions: list[int]
    by_kek_version: dict[int, int]
    by_scope: dict[str, int]
    destroyed: int

    @property
    def behind(self) -> int:
        """Live data keys still wrapped under an older KEK version (a rotation to finish)."""
        return sum(n for v, n in self.by_kek_version.items() if v != self.current_version)


def status(session: Session, keyring: Keyring) -> KeyStatus:
    live = DataKey.wrapped.is_not(None)
    by_version: dict[int, int] = {
        version: n
        for version, n in session.execute(
            select(DataKey.kek_version, func.count()).where(live).group_by(DataKey.kek_version)
        )
    }
    by_scope: dict[str, int] = {
        KeyScope(scope).value: n
        for scope, n in session.execute(
            select(DataKey.scope, func.count()).where(live).group_by(DataKey.scope)
        )
    }
    destroyed = session.scalar(select(func.count()).where(DataKey.wrapped.is_(None))) or 0
    material = keyring.material
    return KeyStatus(
        source=material.source,
        current_version=material.current,
        versions=sorted(material.keks),
        by_kek_version=by_version,
        by_scope=by_scope,
        destroyed=destroyed,
    )


def rewrap_batch(
    session: Session, keyring: Keyring, batch_size: int, after: uuid.UUID | None = None
) -> tuple[int, uuid.UUID | None]:
    """Re-wrap up to `batch_size` live data keys not yet on the current KEK version (ids after
    `after`), in one executemany UPDATE of plain rows: the ORM's per-object work would cost ten
    times the cryptography. Only the columns the wrapping binds are read (parsing the rows'
    timestamps alone cost a fifth of a rotation). The caller commits after each batch, so an
    interrupted rotation keeps what it did and a second run finishes the rest."""
    current = keyring.material.current
    table = DataKey.__table__
    assert isinstance(table, Table)  # noqa: S101 - narrowing for the type checker
    c = table.c
    query = (
        select(c.id, c.school_id, c.case_id, c.version, c.kek_version, c.wrapped)
        .where(c.wrapped.is_not(None), c.kek_version != current)
        .order_by(c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    if after is not None:
        query = query.where(c.id > after)
    rows = session.execute(query).all()
    if not rows:
        return 0, after
    session.execute(
        table.update()
        .where(c.id == bindparam("key_id"))
        .values(wrapped=bindparam("new_wrapped"), kek_version=current),
        [{"key_id": r.id, "new_wrapped": keyring.rewrapped(r)} for r in rows],
    )
    return len(rows), rows[-1].id


def rewrap_all(
    session: Session,
    keyring: Keyring,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    done = 0
    after: uuid.UUID | None = None
    while True:
        n, after = rewrap_batch(session, keyring, batch_size, after)
        if n == 0:
            return done
        session.commit()
        done += n
        if progress is not None:
            progress(n)
