"""Crypto-shredding a case makes its files unreadable with everything else (contents, names,
fingerprints), even with every key file; governors never see files, or how many a case has."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.casework.erasure.commands import shred_case
from incidents.casework.evidence import commands as evidence
from incidents.casework.evidence import queries
from incidents.crypto.keyring import ErasedError, Keyring
from incidents.errors import Refused
from incidents.models import Case, EvidenceFile, Role, User
from tests.casework.evidence import samples
from tests.casework.evidence.conftest import LIMITS, upload


def test_shredding_makes_files_unreadable(
    db: Session, users: dict[Role, User], case: Case, keyring: Keyring
) -> None:
    head = users[Role.HEADTEACHER]
    [item] = evidence.add_evidence(
        db,
        actor=head,
        case=case,
        uploads=[upload("Name-Of-Child.png", samples.image("PNG"))],
        limits=LIMITS,
    )
    db.commit()
    shred_case(
        db, actor=None, case=case, rule="10 years", keyring=keyring, override_reason="Test: early"
    )
    db.commit()
    db.expire_all()
    fresh = Session(bind=db.connection(), info={"keyring": Keyring(keyring.material)})
    stored = fresh.get(EvidenceFile, item.id)
    assert stored is not None
    with pytest.raises(ErasedError):
        _ = stored.name
    with pytest.raises(ErasedError):
        _ = stored.fingerprint
    with pytest.raises(Refused, match="erased"):
        list(evidence.clear_chunks(fresh, stored))
    assert queries.evidence_rows(db, actor=head, case=db.get(Case, case.id)) == []  # type: ignore[arg-type]


def test_governors_never_see_files_or_counts(
    db: Session, users: dict[Role, User], case: Case, login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    [item] = evidence.add_evidence(
        db,
        actor=head,
        case=case,
        uploads=[upload("shot.png", samples.image("PNG"))],
        limits=LIMITS,
    )
    db.commit()
    governor = login_as(Role.GOVERNOR)
    assert governor.get(f"/cases/{case.id}/evidence/{item.id}/download").status_code == 403
    assert queries.evidence_rows(db, actor=users[Role.GOVERNOR], case=case) == []
    for path in ("/", "/statistics/", "/statistics/statistics.csv"):
        response = governor.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert "shot.png" not in page and "evidence" not in page.lower()
