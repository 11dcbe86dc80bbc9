"""How many pages a case worker sees from "Record" to "Closed" (issue 17, item 3's note): three
journeys driven through the app with Werkzeug's test client, as a browser would, counting every
HTML page shown (a form, the check-your-answers page, the case page a step returns to).

- parent: a parent's disclosure about a member of staff, the allegation track: the LADO
  referral made, their advice (no investigation needed), the outcome agreed with them;
- staff: a member of staff's disclosure, a policy breach handled internally;
- child: a child's disclosure, an allegation: the police investigation's result, the LADO and
  any other referral settled, the outcome agreed with the LADO.

Each step is what the case page offers: open its form (one page), send it (back on the case
page: one page); a button on the case page is one page. Sign-in is not counted.

Run:  .venv/bin/python bench/page_counts.py [--database-url URL]
(SQLite in a temporary folder by default.)
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from incidents import closure, create_app
from incidents.clock import local_today
from incidents.config import Settings
from incidents.crypto.keyring import Keyring
from incidents.crypto.keys import generate
from incidents.db import Base, make_engine, make_session_factory
from incidents.models import Agency, Case, Role, TaskKind
from tests import factories
from tests.conftest import sign_in

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CASE_URL = re.compile(r"/cases/([0-9a-f-]{36})$")


def _parts(days_ago: int = 0) -> list[str]:
    day = local_today() - timedelta(days=days_ago)
    return [str(day.day), str(day.month), str(day.year)]


def _problem(page: str) -> str:
    found = re.search(r"govuk-error-summary.*?</ul>", page, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(0)) if found else page[-1500:]


class Visitor:
    """A browser that counts the HTML pages it is shown."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.pages: list[str] = []
        self.text = ""

    def _shown(self, response: Any, what: str) -> None:
        while response.status_code in (302, 303):
            location = response.location
            response = self.client.get(location)
            what = f"GET {location}"
        assert response.status_code == 200, (what, response.status_code)
        if response.mimetype == "text/html":
            self.pages.append(what)
            self.text = response.get_data(as_text=True)

    def open(self, path: str) -> None:
        self._shown(self.client.get(path), f"GET {path}")

    def send(self, path: str, data: dict[str, object]) -> None:
        """Send the form on the page being shown (its CSRF token)."""
        token = CSRF.search(self.text)
        assert token, f"no form on the page before POST {path}"
        response = self.client.post(path, data={"csrf_token": token.group(1), **data})
        page = response.get_data(as_text=True)
        if response.status_code != 302 and "govuk-error-summary" in page:
            problems = re.findall(
                r'<a href="#[^"]*">\s*(.*?)\s*</a>', page.split("govuk-error-summary", 1)[1]
            )
            raise AssertionError(f"POST {path} refused: {problems[:5]}")
        self._shown(response, f"POST {path}")

    def step(self, path: str, data: dict[str, object]) -> None:
        """A step with a page of its own: open it, send it."""
        self.open(path)
        self.send(path, data)


def _record(visit: Visitor, source: str) -> uuid.UUID:
    answers: dict[str, object] = {
        "source": source,
        "reporter": "" if source == "staff" else "Sam Discloser, 07700 900123",
        "new_subject_name": f"Jo {source.title()}case",  # a new person each journey
        "new_subject_kind": "staff",
        "narrative": "What was said, in the words used.",
        "became_aware_on": _parts(1),
        "disclosed_time": "10:15",
        "place": "The school office",
        "received_by": "",
    }
    if source == "child":
        answers["child_words"] = "Sir messaged me and said not to tell my mum."
    visit.open("/cases/new")
    visit.send("/cases/new", answers)  # check your answers
    visit.send("/cases/new", {**answers, "confirmed": "yes"})  # the case page
    found = CASE_URL.search(visit.pages[-1].split()[-1])
    assert found, visit.pages[-1]
    return uuid.UUID(found.group(1))


TRIAGE = {
    "criminal_offence": "no",
    "risk_of_harm": "no",
    "unsuitable": "no",
    "personal_data_exposed": "no",
    "reasons": "Reasons for the track.",
}


def _read(db: Session, case_id: uuid.UUID, what: Callable[[Case], Any]) -> Any:
    """Read the case as it is now, then end the transaction: the app writes in between."""
    db.expire_all()
    case = db.get(Case, case_id)
    assert case is not None
    try:
        return what(case)
    finally:
        db.rollback()


def _settle_referrals(visit: Visitor, db: Session, case_id: uuid.UUID) -> None:
    open_ones = _read(db, case_id, lambda c: [(r.id, r.agency) for r in c.referrals if r.is_open])
    for referral_id, agency in open_ones:
        base = f"/cases/{case_id}/referrals/{referral_id}"
        if agency is Agency.LADO:
            visit.step(
                f"{base}/made",
                {"method": "phone", "made_on": _parts(0), "their_reference": "LADO-1"},
            )
            visit.step(
                f"{base}/advice",
                {
                    "officer": "A LADO officer",
                    "spoke_on": _parts(0),
                    "spoke_time": "00:00",
                    "threshold_met": "yes",
                    "investigation": "none",
                    "advice": "Deal with it internally.",
                },
            )
            visit.step(f"{base}/closed", {})
        else:
            visit.step(f"{base}/not-made", {"reasons": "Advice taken: not needed."})


def _finish_tasks(visit: Visitor, db: Session, case_id: uuid.UUID) -> None:
    to_do = _read(db, case_id, lambda c: [(t.id, t.kind) for t in c.tasks if not t.is_done])
    for task_id, kind in to_do:
        if kind is TaskKind.TELL_PARENTS:
            visit.send(f"/cases/{case_id}/notes", {"body": "Agencies: tell the parents today."})
        visit.send(f"/cases/{case_id}/tasks/{task_id}/done", {})


def _consider_referrals(visit: Visitor, db: Session, case_id: uuid.UUID) -> None:
    """The closure checklist's TRA and DBS items: a referral considered, decided not needed."""
    undone = _read(db, case_id, lambda c: [k.label for k in closure.checklist(c) if not k.done])
    for agency, named in (("tra", "Teaching Regulation"), ("dbs", "to the DBS")):
        if any(named in label for label in undone):
            visit.step(f"/cases/{case_id}/referrals/new", {"agency": agency})
            made = _read(
                db,
                case_id,
                lambda c, a=agency: [
                    r.id for r in c.referrals if r.agency.value == a and r.is_open
                ],
            )
            base = f"/cases/{case_id}/referrals/{made[-1]}"
            visit.step(f"{base}/not-made", {"reasons": "Considered: the threshold is not met."})


CLOSE = {
    "employment_outcome": "continues",
    "mention_in_references": "no",
    "removed_from_regulated_activity": "no",
    "teacher_serious_misconduct": "no",
    "pension_age_on": ["1", "6", "2050"],
}
LADO_AGREED = {"lado_officer": "A LADO officer", "lado_agreed_on": _parts(0)}


def journey(visit: Visitor, db: Session, source: str) -> None:
    case_id = _record(visit, source)
    allegation = source in ("parent", "child")
    limbs = {"harmed_child": "yes" if allegation else "no"}
    kind = "allegation" if allegation else "policy_breach"
    visit.step(f"/cases/{case_id}/triage", {**TRIAGE, **limbs, "kind": kind})
    if _read(db, case_id, lambda c: c.open_police_hold is not None):
        visit.step(f"/cases/{case_id}/police-result", {"result": "No further action."})
    _settle_referrals(visit, db, case_id)
    outcome: dict[str, object] = (
        {"outcome": "unfounded", **LADO_AGREED} if allegation else {"outcome": "upheld"}
    )
    visit.step(f"/cases/{case_id}/outcome", {**outcome, "reasons": "The reasons."})
    _finish_tasks(visit, db, case_id)
    _consider_referrals(visit, db, case_id)
    visit.step(f"/cases/{case_id}/close", CLOSE)  # check your answers
    visit.send(f"/cases/{case_id}/close", {**CLOSE, "confirmed": "yes"})
    if not _read(db, case_id, lambda c: c.closed_at is not None):
        raise AssertionError(f"not closed: {visit.pages[-3:]}\n" + _problem(visit.text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--verbose", action="store_true", help="list every page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'pages.db'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        factory: sessionmaker[Session] = make_session_factory(
            engine, keyring=Keyring(generate("bench keys")), audit_origin_base="bench.invalid"
        )
        settings = Settings(
            env="testing",
            secret_key=secrets.token_urlsafe(48),
            database_url=url,
            instance_path=folder / "instance",
            session_cookie_secure=False,
            ratelimit_enabled=False,
        )
        app = create_app(overrides={"TESTING": True}, settings=settings, session_factory=factory)
        with factory() as db:
            school = factories.make_school(db)
            head = factories.make_user(db, school, Role.HEADTEACHER)
            factories.enrol_two_factor(db, head)
            db.commit()
            email = head.email
            db.rollback()
            print("Pages from 'Record' to 'Closed' (HTML pages shown, sign-in not counted)")
            for source in ("parent", "staff", "child"):
                client = app.test_client()
                sign_in(client, email)
                visit = Visitor(client)
                journey(visit, db, source)
                print(f"  {source:7} {len(visit.pages):3} pages")
                if args.verbose:
                    for what in visit.pages:
                        print(f"          {what}")
        engine.dispose()


if __name__ == "__main__":
    run: Callable[[], None] = main
    run()
