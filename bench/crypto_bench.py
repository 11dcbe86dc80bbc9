"""Encryption costs, printed as figures (issue: personal data encrypted at rest).

1. per-field seal and open (AES-256-GCM with associated data) for a name and a 1 KiB narrative;
2. the case list of 50 cases with decrypted subject names, against the same page with the fields
   stored in clear (target: encrypted at most 1.5x the clear page);
3. KEK rotation: re-wrapping 100,000 data keys (target: under 10 s).

Run:  .venv/bin/python bench/crypto_bench.py   (SQLite in a temporary folder; set
BENCH_DATABASE_URL=postgresql+psycopg://... to run parts 2 and 3 on PostgreSQL, empty database)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import MetaData, insert, text
from sqlalchemy.orm import Session, sessionmaker

from incidents import create_app
from incidents.admin import keys as key_service
from incidents.audit.signer import Signer
from incidents.cli import alembic_config
from incidents.config import Settings
from incidents.crypto import envelope
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate, with_new_version
from incidents.db import make_engine, new_id
from incidents.models import DataKey, KeyScope, Role
from incidents.sensitive import Place
from tests import factories
from tests.conftest import sign_in


class ClearCipher:
    """The same field path with no cryptography: what the page costs with fields in clear."""

    def seal(self, session, place, school_id, case_id, plaintext):  # type: ignore[no-untyped-def]
        return plaintext.encode()

    def open(self, session, place, sealed):  # type: ignore[no-untyped-def]
        return bytes(sealed).decode()

    def blind_index(self, school_id, purpose, value):  # type: ignore[no-untyped-def]
        return b"0" * 16


def per_field() -> None:
    key = envelope.new_key()
    header = envelope.SealedHeader(uuid.uuid4(), 1)
    place = Place("case_file", "narrative", uuid.uuid4(), f"case:{uuid.uuid4()}")
    for label, text_ in (
        ("name (20 B)", "Xylophonia Qwertyson"),
        ("narrative (1 KiB)", "x" * 1024),
    ):
        n = 20_000
        start = time.perf_counter()
        for _ in range(n):
            sealed = envelope.seal_field(key, header, place, text_)
        seal_us = (time.perf_counter() - start) / n * 1e6
        start = time.perf_counter()
        for _ in range(n):
            envelope.open_field(key, place, sealed)
        open_us = (time.perf_counter() - start) / n * 1e6
        print(f"  {label:<18} seal {seal_us:6.2f} µs   open {open_us:6.2f} µs")


def fresh_database(url: str | None, folder: Path, name: str, keyring: object) -> str:
    if url:
        engine = make_engine(url)
        meta = MetaData()
        meta.reflect(bind=engine)
        meta.drop_all(bind=engine)
        engine.dispose()
    else:
        url = f"sqlite:///{folder / name}"
    command.upgrade(alembic_config(url, keyring), "head")
    return url


def case_list(url: str, folder: Path, cipher: object, label: str) -> float:
    engine = make_engine(url)
    # A real signer, as in production: recording a case signs a checkpoint at once.
    signer = Signer(name="bench-audit", private=Ed25519PrivateKey.generate())
    factory = sessionmaker(
        bind=engine, expire_on_commit=False, info={"keyring": cipher, "signer": signer}
    )
    with factory() as db:
        school = factories.make_school(db)
        dsl = factories.make_user(db, school, Role.DSL)
        factories.enrol_two_factor(db, dsl)  # case workers must use a second factor
        head = factories.make_user(db, school, Role.HEADTEACHER)
        for i in range(50):
            person = factories.make_person(db, head, name=f"Subject Number{i}")
            factories.make_case(db, head, subjects=[person], narrative="x" * 800)
        db.commit()
        email = dsl.email
    settings = Settings(
        env="testing",
        secret_key="b" * 40,
        database_url=url,
        instance_path=folder,
        session_cookie_secure=False,
        ratelimit_enabled=False,
    )
    app = create_app(
        settings=settings, session_factory=factory, overrides={"TESTING": True, "PAGE_SIZE": 50}
    )
    client = app.test_client()
    sign_in(client, email)
    for _ in range(5):  # warm up templates and caches
        assert client.get("/cases/").status_code == 200
    timings = []
    for _ in range(40):
        start = time.perf_counter()
        body = client.get("/cases/").get_data(as_text=True)
        timings.append(time.perf_counter() - start)
    assert body.count("Subject Number") == 50
    median = statistics.median(timings) * 1000
    print(
        f"  case list, 50 cases, {label:<9} median {median:6.2f} ms "
        f"(p90 {sorted(timings)[35] * 1000:.2f} ms)"
    )
    engine.dispose()
    return median


def rotation(url: str, n: int = 100_000) -> None:
    material = generate()
    keyring = Keyring(material)
    engine = make_engine(url)
    with Session(engine) as db:
        school_id = uuid.uuid4()
        db.execute(
            text(
                "INSERT INTO school (id, name, urn, created_at) VALUES "
                "(:id, 'Bench', '900900', CURRENT_TIMESTAMP)"
            ),
            {"id": school_id.hex if url.startswith("sqlite") else school_id},
        )
        rows = []
        kek = keyring.school_kek(school_id, 1)
        for _ in range(n):
            # Ids as the application makes them (UUIDv7, time-ordered): random ids would make
            # the re-wrap's id-ordered walk jump around the table, which no real database does.
            key_id, case_id = new_id(), new_id()
            rows.append(
                {
                    "id": key_id,
                    "school_id": school_id,
                    "scope": KeyScope.CASE,
                    "case_id": case_id,
                    "version": 1,
                    "kek_version": 1,
                    "wrapped": envelope.wrap_key(
                        kek,
                        envelope.new_key(),
                        school_id=school_id,
                        key_id=key_id,
                        scope=f"case:{case_id}",
                        version=1,
                    ),
                }
            )
        db.execute(insert(DataKey), rows)
        db.commit()
    keyring.material = with_new_version(material)
    with Session(engine) as db:
        start = time.perf_counter()
        done = key_service.rewrap_all(db, keyring)
        elapsed = time.perf_counter() - start
    print(
        f"  KEK rotation: re-wrapped {done:,} data keys in {elapsed:.2f} s "
        f"({done / elapsed:,.0f} keys/s; target under 10 s)"
    )
    engine.dispose()


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    where = "PostgreSQL" if url else "SQLite"
    print("Per-field cost (AES-256-GCM with associated data):")
    per_field()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        keyring = Keyring(generate())
        print(f"Case list page ({where}, through the Flask app, 40 requests each):")
        clear_url = fresh_database(url, folder, "clear.db", keyring)
        clear = case_list(clear_url, folder, ClearCipher(), "clear")
        enc_url = fresh_database(url, folder, "encrypted.db", keyring)
        encrypted = case_list(enc_url, folder, keyring, "encrypted")
        print(f"  ratio encrypted / clear: {encrypted / clear:.2f} (target at most 1.5)")
        print(f"KEK rotation ({where}):")
        rotation(fresh_database(url, folder, "rotation.db", keyring))


if __name__ == "__main__":
    main()
