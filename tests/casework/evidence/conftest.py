"""Evidence tests: a case to attach to, and uploads made from bytes."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from incidents.casework.evidence.commands import Limits, Upload
from incidents.models import Case, EvidenceSource, Role, User
from tests.case_routes import case_about

LIMITS = Limits(per_file=5 * 1024 * 1024, per_case=12 * 1024 * 1024)


def upload(name: str, data: bytes, **extra: object) -> Upload:
    return Upload(
        name=name,
        stream=io.BytesIO(data),
        description=str(extra.get("description", "What it shows")),
        source=extra.get("source", EvidenceSource.SCHOOL),  # type: ignore[arg-type]
    )


@pytest.fixture
def head(users: dict[Role, User]) -> User:
    return users[Role.HEADTEACHER]


@pytest.fixture
def case(db: Session, head: User) -> Case:
    made = case_about(db, head)
    db.commit()
    return made


@pytest.fixture
def make_upload() -> Callable[..., Upload]:
    return upload
