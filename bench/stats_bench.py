"""Governors' statistics at trust scale, printed as figures (issue 6).

A trust of 50 schools with 10 years of cases (100,000 cases, about 150,000 clause citations and
20,000 referrals). For the trust officer's page (all schools) and for one school, it times in
the same run (medians of several runs):

1. the bare SQL the page needs: the same GROUP BY statements, sent straight to the driver;
2. the figures: those queries through SQLAlchemy, plus disclosure control on the whole page;
3. the whole page over HTTP (signed in, templates, charts' tables, headers), read from a
   stored release (issue 18: governors and trust officers see releases only).

Target: the page under 200 ms on SQLite and PostgreSQL.

Run:  .venv/bin/python bench/stats_bench.py   (SQLite in a temporary folder, then PostgreSQL
in its own database `incidents_bench`, created if missing, when the server at
postgresql+psycopg://postgres@127.0.0.1:5432 answers; or set BENCH_DATABASE_URL to an empty
database you can throw away.)
"""

from __future__ import annotations

import dataclasses
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, MetaData, event, insert, text
from sqlalchemy.orm import Session, sessionmaker

from incidents import create_app
from incidents.audit.signer import Signer
from incidents.catalogue import default_catalogue
from incidents.cli import alembic_config
from incidents.clock import local_today
from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import make_engine
from incidents.governance import releases
from incidents.governance.queries import StatsSettings
from incidents.models import (
    Case,
    PolicyClause,
    PolicyClauseVersion,
    Referral,
    Role,
    School,
)
from incidents.models.case import case_clause
from incidents.stats.figures import collect
from incidents.stats.tables import build_page
from incidents.stats.terms import TermCalendar, academic_year_of, terms
from tests import factories
from tests.conftest import sign_in

SCHOOLS = 50
CASES_PER_SCHOOL = 2_000  # 10 years of about 200 a year
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_BENCH_DB = "incidents_bench"
RUNS = 15
ALLEGATION_OUTCOMES = ("substantiated", "malicious", "false", "unsubstantiated", "unfounded")


def median_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    work()  # warm caches, compile statements
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def postgres_url() -> str | None:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    try:
        server = make_engine(f"{PG_SERVER}/postgres")
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_BENCH_DB}
            )
            if not exists:
                # Our own database: never the `test` one other runs may be using.
                conn.execute(text(f"CREATE DATABASE {PG_BENCH_DB}"))
        server.dispose()
    except Exception as exc:
        print(f"PostgreSQL: not reachable ({type(exc).__name__}), skipped")
        return None
    return f"{PG_SERVER}/{PG_BENCH_DB}"


def fresh_schema(url: str, keyring: Keyring) -> None:
    engine = make_engine(url)
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        meta.drop_all(bind=conn)
    engine.dispose()
    command.upgrade(alembic_config(url, keyring), "head")


def utc(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, dtime(hour), tzinfo=UTC)


def fill(engine: Engine, keyring: Keyring) -> list[uuid.UUID]:
    """Rows straight into the tables (the services would take hours for 100,000 cases). The
    statistics read only plain columns, so the encrypted columns get random bytes: nothing
    ever opens them."""
    rng = random.Random(6)
    today = local_today()
    catalogue = default_catalogue()
    categories = sorted(catalogue.categories)
    sessions = sessionmaker(bind=engine, info={"keyring": keyring})
    school_ids = [uuid.uuid4() for _ in range(SCHOOLS)]
    with sessions() as db:
        db.execute(
            insert(School),
            [
                {"id": sid, "name": f"Bench School {i:02d}", "urn": f"{700000 + i}"}
                for i, sid in enumerate(school_ids)
            ],
        )
        clauses: dict[uuid.UUID, list[uuid.UUID]] = {}
        clause_rows = []
        for sid in school_ids:
            clauses[sid] = []
            for n, category in enumerate(categories):
                cid = uuid.uuid4()
                clauses[sid].append(cid)
                clause_rows.append(
                    {
                        "id": cid,
                        "school_id": sid,
                        "code": f"B-{n}",
                        "source": "Bench",
                        "category": category,
                        "text": "A clause.",
                    }
                )
        db.execute(insert(PolicyClause), clause_rows)
        # Each clause's version 1: a citation names the wording in force (issue 19, item 14).
        version_of = {row["id"]: uuid.uuid4() for row in clause_rows}
        db.execute(
            insert(PolicyClauseVersion),
            [
                {
                    "id": version_of[row["id"]],
                    "clause_id": row["id"],
                    "number": 1,
                    "text": row["text"],
                }
                for row in clause_rows
            ],
        )
        cases, cites, referrals = [], [], []
        for sid in school_ids:
            for number in range(1, CASES_PER_SCHOOL + 1):
                case = _case(rng, sid, number, today)
                cases.append(case)
                for clause in rng.sample(clauses[sid], rng.choice((1, 1, 2))):
                    cites.append(
                        {
                            "case_id": case["id"],
                            "clause_id": clause,
                            "version_id": version_of[clause],
                        }
                    )
                referral = _referral(rng, case, today)
                if referral:
                    referrals.append(referral)
        for start in range(0, len(cases), 5_000):
            db.execute(insert(Case), cases[start : start + 5_000])
        for start in range(0, len(cites), 10_000):
            db.execute(insert(case_clause), cites[start : start + 10_000])
        db.execute(insert(Referral), referrals)
        db.commit()
        print(f"  {len(cases):,} cases, {len(cites):,} citations, {len(referrals):,} referrals")
    return school_ids


def _case(rng: random.Random, school_id: uuid.UUID, number: int, today: date) -> dict[str, Any]:
    aware = today - timedelta(days=rng.randint(0, 3649))
    kind = rng.choices(
        ["allegation", "low_level_concern", "policy_breach", "data_breach", None],
        weights=[10, 45, 35, 5, 5],
    )[0]
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "school_id": school_id,
        "reference": f"{aware.year}-{number:05d}"[:12],
        "year": aware.year,
        "number": number,
        "kind": kind,
        "state": "recorded" if kind is None else "investigating",
        "source": rng.choice(
            [
                "parent",
                "staff",
                "child",
                "anonymous",
                "governor",
                "external_agency",
                "self_report",
                "monitoring",
            ]
        ),
        "narrative_ct": os.urandom(48),  # stand-in ciphertext: never decrypted here
        "became_aware_on": aware,
        "recorded_at": utc(aware),
        "needs_direct_lado_referral": False,
    }
    age = (today - aware).days
    if kind is not None and age > 60 and rng.random() < 0.92:
        closed = min(today, aware + timedelta(days=rng.randint(5, 150)))
        outcome = (
            rng.choice(ALLEGATION_OUTCOMES)
            if kind == "allegation"
            else rng.choice(("upheld", "not_upheld"))
        )
        row.update(
            state="closed",
            outcome=outcome,
            outcome_at=utc(closed, 9),
            closed_at=utc(closed),
            employment_outcome="continues",
            mention_in_references=False,
            retention_rule="Bench",
            retention_until=closed + timedelta(days=3650),
        )
        if age > 7 * 365 and rng.random() < 0.3:
            row.update(state="erased", erased_at=utc(today), erasure_rule="Bench: shredded")
    return row


def _referral(rng: random.Random, case: dict[str, Any], today: date) -> dict[str, Any] | None:
    if case["kind"] not in ("allegation", "data_breach") and rng.random() > 0.05:
        return None
    aware: date = case["became_aware_on"]
    agency = {"allegation": "lado", "data_breach": "ico"}.get(case["kind"], "police")
    due = utc(aware + timedelta(days=1), 17) if agency in ("lado", "ico") else None
    made = utc(min(today, aware + timedelta(days=rng.choice((0, 0, 0, 1, 3)))), 11)
    return {
        "id": uuid.uuid4(),
        "case_id": case["id"],
        "agency": agency,
        "status": "made",
        "method": "phone",
        "due_at": due,
        "made_at": made,
        "created_at": utc(aware),
        "updated_at": made,
    }


def bare_sql(
    engine: Engine, school_ids: list[uuid.UUID] | None, year: int
) -> list[tuple[str, Any]]:
    """The statements the figures send, captured once, to be replayed straight to the driver."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not BEGIN (IMMEDIATE)
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    with Session(engine) as db:
        collect(db, school_ids=school_ids, year=year, calendar=TermCalendar(), today=local_today())
    event.remove(engine, "before_cursor_execute", capture)
    return captured


def time_scope(
    engine: Engine,
    factory: sessionmaker[Session],
    app: Any,
    email: str,
    scope: str,
    ids: list[uuid.UUID] | None,
    year: int,
) -> None:
    statements = bare_sql(engine, ids, year)
    # The cases-by-school/track/source/period count: the one the page's main tables need.
    main = next(s for s in statements if "GROUP BY" in s[0] and "source" in s[0])

    def main_group_by() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql(*main).fetchall()

    def raw() -> None:
        with engine.connect() as conn:
            for statement, parameters in statements:
                conn.exec_driver_sql(statement, parameters).fetchall()

    def figures() -> None:
        with factory() as db:
            found = collect(
                db, school_ids=ids, year=year, calendar=TermCalendar(), today=local_today()
            )
            build_page(found, calendar=TermCalendar(), threshold=5)

    client = app.test_client()
    sign_in(client, email)

    def page() -> None:
        response = client.get(f"/statistics/?year={year}")
        assert response.status_code == 200, response.status_code
        assert b'id="table-tracks"' in response.data  # the stored release, not "none yet"

    def page_and_charts() -> None:
        page()
        for name in ("tracks", "terms"):
            assert client.get(f"/statistics/chart/{name}.svg?year={year}").status_code == 200

    def warm_page_and_charts() -> None:
        # As deployed: the page's figures are computed once and reused by its chart images.
        cold = app.extensions["incidents.stats"]
        app.extensions["incidents.stats"] = dataclasses.replace(cold, cache_seconds=60)
        app.extensions.pop("incidents.stats.pages", None)
        try:
            page_and_charts()
        finally:
            app.extensions["incidents.stats"] = cold

    n = len(statements)
    print(f"    {scope}:")
    print(f"      bare SQL: the cases GROUP BY            {median_ms(main_group_by):7.1f} ms")
    print(f"      bare SQL: all {n} statements the page sends {median_ms(raw):7.1f} ms")
    print(f"      figures + disclosure control          {median_ms(figures):7.1f} ms")
    print(f"      the page over HTTP (target < 200 ms)  {median_ms(page):7.1f} ms")
    print(f"      the page and its two chart images     {median_ms(page_and_charts, 5):7.1f} ms")
    print(
        f"      the same, figures shared (as deployed) {median_ms(warm_page_and_charts, 5):7.1f} ms"
    )


def store_release(factory: sessionmaker[Session], year: int) -> None:
    """Governors and trust officers see stored releases only (issue 18): publish the year's
    three releases through the service, as the jobs runner does (every page of the trust and
    its 50 schools protected together), timing each; the pages are then read from them."""
    settings = StatsSettings()
    after = datetime.combine(
        terms(year, settings.calendar)[-1].end + timedelta(days=1), dtime(6), tzinfo=UTC
    )
    for period in ("autumn", "spring", "summer"):
        start = time.perf_counter()
        with factory() as db:
            releases.publish_release(
                db, actor=None, year=year, period=period, now=after, settings=settings
            )
            db.commit()
        print(
            f"  the {period} release published (trust and {SCHOOLS} schools, jointly "
            f"protected) in {time.perf_counter() - start:.1f} s (target < 60 s)",
            flush=True,
        )


def measure(url: str, label: str, folder: Path) -> None:
    keyring = Keyring(generate("bench keys"))
    print(f"{label}:")
    fresh_schema(url, keyring)
    engine = make_engine(url)
    start = time.perf_counter()
    school_ids = fill(engine, keyring)
    print(f"  filled in {time.perf_counter() - start:.1f} s")
    # The last whole year: its releases can be published (its terms have ended).
    year = academic_year_of(local_today()) - 1
    signer = Signer(name="bench-audit", private=Ed25519PrivateKey.generate())
    factory = sessionmaker(
        bind=engine, expire_on_commit=False, info={"keyring": keyring, "signer": signer}
    )
    with factory() as db:
        school = db.get(School, school_ids[0])
        assert school is not None
        officer = factories.make_user(db, school, Role.TRUST_OFFICER)
        factories.enrol_two_factor(db, officer)
        governor = factories.make_user(db, school, Role.GOVERNOR)
        db.commit()
        emails = {"trust officer, 50 schools": officer.email, "governor, 1 school": governor.email}
    app = create_app(
        settings=Settings(
            env="testing",
            secret_key="s" * 40,
            database_url=url,
            instance_path=folder,
            session_cookie_secure=False,
            ratelimit_enabled=False,
        ),
        session_factory=factory,
        # Every page is computed afresh (the cold case); the warm one is timed separately.
        overrides={"TESTING": True, "STATS_CACHE_SECONDS": "0"},
    )
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    store_release(factory, year)
    # The covering indexes the statistics use ship in migrations 0009 and 0010.
    for scope, ids in (
        ("trust officer, 50 schools", None),
        ("governor, 1 school", school_ids[:1]),
    ):
        time_scope(engine, factory, app, emails[scope], scope, ids, year)
    engine.dispose()


def main() -> None:
    # Timings on a shared machine are only as good as its idleness: say how busy it was.
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'bench.db'}", "SQLite", Path(folder))
        url = postgres_url()
        if url:
            measure(url, "PostgreSQL", Path(folder))


if __name__ == "__main__":
    main()
