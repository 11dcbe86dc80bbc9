"""The caseload home page (issue 17, item 4) as a school's open cases grow, printed as figures:
for a DSL, the median time of the whole page over the test client (signed in, templates,
headers) and its SQL statements, at a small and a large caseload. The statement count must not
grow (issue 21); the time grows with the rows read, never with round trips.

Every case goes through the services (recorded with its routing tasks; every third gets a task
nobody has, every fifth is triaged as an allegation, which starts the LADO clock), so building
the large caseload takes a while on a busy machine.

Run:  .venv/bin/python bench/home_bench.py [small] [large]   (SQLite in a temporary folder;
set BENCH_DATABASE_URL to an empty PostgreSQL database you can throw away to use it instead.)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from bench.stats_bench import fresh_schema
from incidents import create_app
from incidents.audit.signer import Signer
from incidents.casework.tasks.commands import add_task
from incidents.clock import local_today
from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import make_engine
from incidents.models import CaseKind, Role, User
from tests import case_stages, factories
from tests.conftest import sign_in

RUNS = 9


def median_ms(work: Callable[[], object]) -> float:
    work()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def grow(factory: sessionmaker[Any], head_id: Any, count: int) -> None:
    with factory() as db:
        head = db.get(User, head_id)
        for n in range(count):
            case = case_stages.recorded(db, head)
            if n % 3 == 0:
                add_task(
                    db,
                    actor=head,
                    case=case,
                    title="Bench task",
                    assignee_id=None,
                    due_on=local_today() + timedelta(days=n % 9),
                )
                db.commit()
            if n % 5 == 0:
                case_stages.triaged(db, head, case, CaseKind.ALLEGATION)


def main() -> None:
    small, large = (int(a) for a in (sys.argv[1:3] if len(sys.argv) > 2 else ("20", "200")))
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(folder) / 'b.db'}"
        keyring = Keyring(generate("bench keys"))
        fresh_schema(url, keyring)
        engine = make_engine(url)
        signer = Signer(name="bench-audit", private=Ed25519PrivateKey.generate())
        factory = sessionmaker(
            bind=engine, expire_on_commit=False, info={"keyring": keyring, "signer": signer}
        )
        with factory() as db:
            school = factories.make_school(db, name="Bench Primary School")
            users = {role: factories.make_user(db, school, role) for role in Role}
            for role in (Role.HEADTEACHER, Role.DSL):
                factories.enrol_two_factor(db, users[role])
            db.commit()
            head_id, dsl_email = users[Role.HEADTEACHER].id, users[Role.DSL].email
        app = create_app(
            settings=Settings(
                env="testing",
                secret_key="s" * 40,
                database_url=url,
                instance_path=Path(folder),
                session_cookie_secure=False,
                ratelimit_enabled=False,
            ),
            session_factory=factory,
            overrides={"TESTING": True},
        )
        client = app.test_client()
        sign_in(client, dsl_email)
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        grown = 0
        print(f"{engine.dialect.name}: open cases, statements, median ms ({RUNS} runs)")
        for size in (small, large):
            start = time.perf_counter()
            grow(factory, head_id, size - grown)
            grown = size
            built = time.perf_counter() - start
            for sort in ("deadline", "opened", "status"):
                statements.clear()
                assert client.get(f"/?sort={sort}").status_code == 200
                count = len(statements)
                ms = median_ms(lambda s=sort: client.get(f"/?sort={s}"))
                print(
                    f"  {size:>5} cases, sort={sort:<8} {count:>3} statements {ms:8.1f} ms"
                    f"   (built in {built:.0f} s)"
                )
        engine.dispose()


if __name__ == "__main__":
    main()
