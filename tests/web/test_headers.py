"""Security headers on every page a user can reach, and on the error pages: a nonce-based CSP
that the page's own inline script satisfies, no framing, no referrer, no caching, HSTS on https."""

from __future__ import annotations

import dataclasses
import re
import time
import uuid
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from incidents import create_app
from incidents.accounts.sign_in_views import PENDING
from incidents.admin.clauses.commands import list_clauses
from incidents.audit.evidence import write_checkpoint_files
from incidents.audit.log import sign_head
from incidents.casework.allegation import organisations
from incidents.casework.cases import notes as note_service
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.evidence import commands as evidence_service
from incidents.casework.letters import commands as letter_service
from incidents.clock import local_today
from incidents.models import (
    AuditLog,
    Case,
    CaseKind,
    DisclosureSource,
    EngagedBy,
    LetterKind,
    LetterMethod,
    PersonKind,
    Requester,
    Role,
    User,
)
from incidents.registers.subject_access import commands as sar_service
from incidents.sensitive import Sensitive
from incidents.web import ERROR_PAGES
from tests import case_routes, case_stages, factories
from tests.casework.evidence import samples as evidence_samples
from tests.casework.evidence.conftest import LIMITS as EVIDENCE_LIMITS
from tests.casework.evidence.conftest import upload as evidence_upload
from tests.conftest import confirm_it_is_you, csrf_token
from tests.stats_release_cases import publish_to_date

# Every GET endpoint and who looks at it (None: nobody signed in). A new GET route must be added
# here, or test_every_get_endpoint_is_checked fails.
GET_PAGES: dict[str, Role | None] = {
    "static": None,
    "auth.sign_in": None,
    "health.healthz": None,
    "home.index": Role.STAFF,
    "report.new": Role.STAFF,
    "report.receipt": Role.STAFF,
    "cases.index": Role.HEADTEACHER,
    "cases.new": Role.HEADTEACHER,
    "cases.show": Role.HEADTEACHER,
    "cases.correct_note": Role.HEADTEACHER,
    "casework.parent_letter": Role.HEADTEACHER,
    "reporter.reveal_reporter": Role.HEADTEACHER,
    "triage.triage": Role.HEADTEACHER,
    "triage.change_track": Role.HEADTEACHER,
    "referrals.new": Role.DSL,
    "referrals.update": Role.DSL,
    "outcomes.record": Role.HEADTEACHER,
    "outcomes.close": Role.HEADTEACHER,
    "case_tasks.new_task": Role.DSL,
    "police.police_result": Role.DSL,
    "admin.clauses": Role.ADMIN,
    "admin.new_clause": Role.ADMIN,
    "admin.edit_clause": Role.ADMIN,
    "auth.second_factor": None,
    "two_factor.set_up": Role.STAFF,
    "elevation.reauthenticate": Role.HEADTEACHER,
    "disciplinary.start": Role.HEADTEACHER,
    "disciplinary.hearing": Role.HEADTEACHER,
    "disciplinary.outcome": Role.HEADTEACHER,
    "disciplinary.new_measure": Role.HEADTEACHER,
    "disciplinary.conclude": Role.HEADTEACHER,
    "disciplinary.end": Role.HEADTEACHER,
    "suspension.new": Role.HEADTEACHER,
    "suspension.confirmation_sent": Role.HEADTEACHER,
    "suspension.lift": Role.HEADTEACHER,
    "measure_reviews.review": Role.HEADTEACHER,
    "breaches.facts": Role.HEADTEACHER,
    "breaches.ico": Role.HEADTEACHER,
    "breaches.people_told": Role.HEADTEACHER,
    "breaches.register": Role.DSL,
    "legal_holds.place": Role.HEADTEACHER,
    "case_manager.change": Role.HEADTEACHER,
    "legal_holds.lift": Role.HEADTEACHER,
    "evidence.add": Role.HEADTEACHER,
    "evidence.replace": Role.HEADTEACHER,
    "evidence.delete": Role.HEADTEACHER,
    "evidence.show": Role.HEADTEACHER,
    "evidence.image": Role.HEADTEACHER,
    "evidence.download": Role.HEADTEACHER,
    "audit_status.show": Role.ADMIN,
    "sar.index": Role.HEADTEACHER,
    "sar.new": Role.HEADTEACHER,
    "sar.show": Role.HEADTEACHER,
    "sar.extend": Role.HEADTEACHER,
    "sar.respond": Role.HEADTEACHER,
    "sar.close": Role.HEADTEACHER,
    "alerts.preferences": Role.DSL,
    "stats.index": Role.GOVERNOR,
    "stats.chart": Role.GOVERNOR,
    "stats.export_csv": Role.GOVERNOR,
    "stats.report_pdf": Role.GOVERNOR,
    # Accounts and people in the browser (issue 16).
    "account.show": Role.DSL,
    "account.password": Role.DSL,
    "account.recovery_codes": Role.DSL,
    "password_reset.forgot": None,
    "users.index": Role.ADMIN,
    "users.invite": Role.ADMIN,
    "users.show": Role.ADMIN,
    "users.roles": Role.ADMIN,
    "users.deactivate": Role.ADMIN,
    "people.index": Role.ADMIN,
    "people.new": Role.ADMIN,
    "people.upload": Role.ADMIN,
    "people.edit": Role.ADMIN,
    "people.left": Role.ADMIN,
    "people.merge_duplicate": Role.ADMIN,
    "sign_in_settings.edit": Role.ADMIN,
    # The school's policies and procedures, the page about one adult, the allegation steps
    # (issue 13).
    "admin.choose_policies": Role.ADMIN,
    "admin_procedures.edit": Role.ADMIN,
    "person.person": Role.HEADTEACHER,
    "allegation_steps.record_meeting": Role.HEADTEACHER,
    "allegation_steps.inform": Role.HEADTEACHER,
    "allegation_steps.start_clock": Role.HEADTEACHER,
    "allegation_steps.record_organisation": Role.HEADTEACHER,
    # The printed case file (issue 17), after the password again.
    "cases.case_file": Role.HEADTEACHER,
    "cases.hearing_bundle": Role.HEADTEACHER,
    "allegation_steps.end_restriction": Role.HEADTEACHER,
    "allegation_steps.organisation_stopped": Role.HEADTEACHER,
    # Letters (issue 17, item 8): from the case page, and the school's wording.
    "letters.choose": Role.HEADTEACHER,
    "letters.write": Role.HEADTEACHER,
    "letters.show": Role.HEADTEACHER,
    "letters.download": Role.HEADTEACHER,
    "letter_templates.index": Role.ADMIN,
    "letter_templates.edit": Role.ADMIN,
    "letter_templates.letterhead": Role.ADMIN,
    # A link's page once its token is in the session; without one, it says the link has expired.
    "invitation.accept": None,
    "password_reset.reset": None,
}
# Pages a link opens once and then leaves (their token moves into the session): they answer
# with a redirect, whose headers are checked in test_link_pages_send_the_security_headers.
LINK_PAGES = {
    "invitation.link": "/invitation/not-a-real-token",
    "password_reset.link": "/reset-password/not-a-real-token",
}
# The case-work pages need the case at a stage where the page is offered.
CASE_STEP_BLUEPRINTS = frozenset(
    {
        "triage",
        "referrals",
        "outcomes",
        "case_tasks",
        "police",
        "disciplinary",
        "measure_reviews",
        "suspension",
        "breaches",
        "legal_holds",
    }
)
NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-+/=]+)'")
ONE_YEAR = 31_536_000


class _Page(HTMLParser):
    """What the CSP cares about in a page: scripts, inline styles and inline event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_script_nonces: list[str | None] = []
        self.style_element_nonces: list[str | None] = []
        self.inline_handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.has_govuk_template = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html" and "govuk-template" in (found.get("class") or "").split():
            self.has_govuk_template = True
        if tag == "script" and "src" not in found:
            self.inline_script_nonces.append(found.get("nonce"))
        if tag == "style":
            self.style_element_nonces.append(found.get("nonce"))
        self.inline_handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        if "style" in found:
            self.style_attributes.append(f"<{tag} style={found['style']!r}>")


def _parse(response: TestResponse) -> _Page:
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


def _csp_nonce(response: TestResponse) -> str:
    csp = response.headers.get("Content-Security-Policy", "")
    script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
    match = NONCE.search(script_src)
    assert match, f"script-src has no nonce: {script_src!r}"
    return match.group(1)


def assert_security_headers(response: TestResponse, *, cacheable: bool = False) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, "no Content-Security-Policy"
    directives = [d.strip() for d in csp.split(";")]
    assert "frame-ancestors 'none'" in directives
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    _csp_nonce(response)
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "no-referrer"
    if not cacheable:
        assert "no-store" in response.headers.get("Cache-Control", "")


def assert_page_fits_its_csp(response: TestResponse) -> _Page:
    """Everything inline on the page carries this response's nonce, or the browser blocks it."""
    page = _parse(response)
    nonce = _csp_nonce(response)
    assert page.inline_script_nonces, "expected the GOV.UK template's inline script"
    assert page.inline_script_nonces == [nonce] * len(page.inline_script_nonces)
    assert page.style_element_nonces == [nonce] * len(page.style_element_nonces)
    assert page.inline_handlers == [], "inline event handlers are blocked by the CSP"
    assert page.style_attributes == [], "style attributes are blocked by the CSP"
    return page


def _url_and_client(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    endpoint: str,
) -> tuple[str, FlaskClient]:
    role = GET_PAGES[endpoint]
    client = app.test_client() if role is None else login_as(role)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values: dict[str, object] = {}
    if "filename" in rule.arguments:
        values["filename"] = "app.css"
    if rule.arguments and endpoint.split(".")[0] in CASE_STEP_BLUEPRINTS:
        values.update(case_stages.ready_for(db, users[Role.HEADTEACHER], endpoint))
    elif rule.arguments & {"case_id", "note_id"}:
        # A member of staff's report: the one kind of case with a sealed reporter to reveal.
        source = (
            DisclosureSource.STAFF
            if endpoint == "reporter.reveal_reporter"
            else DisclosureSource.PARENT
        )
        case = factories.make_case(db, users[Role.HEADTEACHER], source=source)
        case.reporter_identity = Sensitive("A teaching colleague")
        db.commit()
        note = note_service.add_note(db, actor=users[Role.HEADTEACHER], case=case, body="A note")
        db.commit()
        values.update(case_id=case.id, note_id=note.id)
        if "file_id" in rule.arguments:
            [item] = evidence_service.add_evidence(
                db,
                actor=users[Role.HEADTEACHER],
                case=case,
                uploads=[evidence_upload("shot.png", evidence_samples.image("PNG"))],
                limits=EVIDENCE_LIMITS,
            )
            db.commit()
            values["file_id"] = item.id
    if "user_id" in rule.arguments:
        values["user_id"] = users[Role.DSL].id
    if "kind" in rule.arguments:
        values["kind"] = "parent"  # the case above came from a parent
    if "letter_id" in rule.arguments:
        letter = letter_service.send_letter(
            db,
            actor=users[Role.HEADTEACHER],
            case=db.get(Case, values["case_id"]),
            data=letter_service.LetterInput(
                LetterKind.PARENT, "A Parent", "", "A Contact", "", LetterMethod.POST, local_today()
            ),
        )
        db.commit()
        values["letter_id"] = letter.id
    if "person_id" in rule.arguments:
        # The admin's people pages and the page about one adult: a member of staff a case is about.
        subject = factories.make_person(db, users[Role.HEADTEACHER], name="Sam Subject")
        factories.make_case(db, users[Role.HEADTEACHER], subjects=[subject])
        db.commit()
        values["person_id"] = subject.id
    if endpoint.startswith("allegation_steps."):
        # A child's allegation about a member of staff: the reporting restriction applies.
        head = users[Role.HEADTEACHER]
        child = CaseInput(
            narrative="A pupil said a teacher messaged them.",
            became_aware_on=local_today(),
            new_subject=NewSubject(name="Jo Teacher", kind=PersonKind.STAFF),
            not_listed=True,
            source=DisclosureSource.CHILD,
            reporter="A pupil",
            child_words="He messaged me at night.",
        )
        case = record_disclosure(db, actor=head, data=child)
        db.commit()
        case_stages.triaged(db, head, case, kind=CaseKind.ALLEGATION)
        values["case_id"] = case.id
        if "organisation_id" in rule.arguments:
            # Stopping a supply worker waits for the LADO's word (issue 13).
            case = case_routes.case_about(db, head)
            case_routes.assess(db, head, case, CaseKind.ALLEGATION)
            case_routes.through_lado(db, head, case)
            db.commit()
            values["case_id"] = case.id
            organisation = organisations.record_organisation(
                db, actor=head, case=case, kind=EngagedBy.AGENCY, name="Supply Co", contact="c"
            )
            db.commit()
            values["organisation_id"] = organisation.id
    if endpoint == "cases.hearing_bundle":
        values.update(case_routes.ready_for(db, users[Role.HEADTEACHER], "disciplinary.hearing"))
        # What the signer's timer does: sign the head and write the checkpoint files, pinning
        # its verifier key, which is what the web app checks the log against.
        school_id = users[Role.HEADTEACHER].school_id
        signer = db.info["signer"]
        log_head = db.get(AuditLog, school_id)
        assert log_head is not None
        sign_head(db, log_head, reason="scheduled")
        db.commit()
        folder = app.extensions["incidents.settings"].checkpoint_dir or (
            Path(app.instance_path) / "checkpoints"
        )
        write_checkpoint_files(db, school_id, folder, signer.verifier_key)
        confirm_it_is_you(client, "export", values["case_id"])
    if endpoint == "cases.case_file":
        confirm_it_is_you(client, "export", values["case_id"])
    if "purpose_name" in rule.arguments:
        values["purpose_name"] = "export"
        values["record"] = uuid.uuid4()  # a grant is for one record
    if "name" in rule.arguments:
        values["name"] = "tracks"  # a statistics chart
    if "request_id" in rule.arguments:
        request = sar_service.log_request(
            db,
            actor=users[Role.HEADTEACHER],
            data=sar_service.NewRequest("A Requester", Requester.OTHER, date(2026, 1, 5)),
        )
        db.commit()
        values["request_id"] = request.id
    if "clause_id" in rule.arguments:
        values["clause_id"] = list_clauses(db, users[Role.ADMIN].school_id)[0].id
    if endpoint == "auth.second_factor":
        # The code page is shown between a correct password and the code.
        with client.session_transaction() as session:
            head = users[Role.HEADTEACHER]
            session[PENDING] = {"user": str(head.id), "at": int(time.time()), "next": "/"}
    if endpoint == "report.receipt":
        with client.session_transaction() as session:
            session["receipt"] = {"reference": "2026-0001", "at": "2026-03-27T10:00:00+00:00"}
    if endpoint == "reporter.reveal_reporter":
        # Revealing a sealed identity needs the password again and a reason, first.
        purpose = f"/reauthenticate/reveal_reporter?record={values['case_id']}"
        client.post(
            purpose,
            data={
                "csrf_token": csrf_token(client, purpose),
                "password": factories.PASSWORD,
                "reason": "LADO asked",
            },
        )
    if endpoint in ("stats.chart", "stats.export_csv", "stats.report_pdf"):
        # Governors see published releases only (issue 18): a chart or download needs one.
        publish_to_date(db)
    if endpoint in ("stats.export_csv", "stats.report_pdf"):
        # A download, too, needs the password again and a reason first.
        confirm_it_is_you(client, "export", users[Role.GOVERNOR].school_id)
    with app.test_request_context():
        return url_for(endpoint, **values), client


# The provider sign-in pages answer with a page of their own kind, never 200 here: no provider
# is set up for a made-up school (404), no sign-in is in flight for the callback (400).
PROVIDER_PAGES = {"provider_sign_in.start": 404, "provider_sign_in.callback": 400}


def test_every_get_endpoint_is_checked(app: Flask) -> None:
    with_get = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())}
    assert with_get == set(GET_PAGES) | set(LINK_PAGES) | set(PROVIDER_PAGES)


@pytest.mark.parametrize("endpoint", sorted(PROVIDER_PAGES))
def test_provider_pages_send_the_security_headers(app: Flask, endpoint: str) -> None:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        url = url_for(endpoint, **({"school_id": uuid.uuid4()} if rule.arguments else {}))
    response = app.test_client().get(url)
    assert response.status_code == PROVIDER_PAGES[endpoint]
    assert_security_headers(response)
    assert assert_page_fits_its_csp(response).has_govuk_template


@pytest.mark.parametrize("endpoint", sorted(LINK_PAGES))
def test_link_pages_send_the_security_headers(client: FlaskClient, endpoint: str) -> None:
    response = client.get(LINK_PAGES[endpoint])
    assert response.status_code == 302  # to the page itself, or back to start with a reason
    assert_security_headers(response, cacheable=False)


@pytest.mark.parametrize("endpoint", sorted(GET_PAGES))
def test_page_sends_the_security_headers(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    endpoint: str,
) -> None:
    url, client = _url_and_client(app, db, users, login_as, endpoint)

    response = client.get(url)

    assert response.status_code == 200
    is_static = endpoint == "static"
    assert_security_headers(response, cacheable=is_static)
    assert "Strict-Transport-Security" not in response.headers  # plain http: HSTS is ignored
    if response.mimetype == "text/html":
        page = assert_page_fits_its_csp(response)
        assert page.has_govuk_template

    if endpoint == "report.receipt":
        # The receipt is shown once: the https request needs a report of its own.
        with client.session_transaction() as session:
            session["receipt"] = {"reference": "2026-0002", "at": "2026-03-27T10:00:00+00:00"}
    secure = client.get(url, base_url="https://localhost")
    assert secure.status_code == 200
    hsts = secure.headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= ONE_YEAR, hsts
    assert_security_headers(secure, cacheable=is_static)


def test_each_response_gets_a_fresh_nonce(client: FlaskClient) -> None:
    first = _csp_nonce(client.get("/sign-in"))
    second = _csp_nonce(client.get("/sign-in"))
    assert first != second
    assert len(first) >= 16  # enough randomness that it cannot be guessed


# --- error pages --------------------------------------------------------------------------------


def _error_response(case: str, app: Flask, login_as: Callable[[Role], FlaskClient]) -> TestResponse:
    if case == "404 anonymous":
        return app.test_client().get("/no-such-page")
    if case == "404 signed in":
        return login_as(Role.HEADTEACHER).get("/no-such-page")
    if case == "404 missing case":
        return login_as(Role.HEADTEACHER).get("/cases/00000000-0000-4000-8000-000000000000")
    if case == "403 wrong role":
        return login_as(Role.STAFF).get("/cases/")
    if case == "405 wrong method":
        return login_as(Role.STAFF).get("/sign-out")
    if case == "400 no CSRF token":
        return app.test_client().post("/sign-in", data={"email": "a@b.example"})
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "404 anonymous",
        "404 signed in",
        "404 missing case",
        "403 wrong role",
        "405 wrong method",
        "400 no CSRF token",
    ],
)
def test_error_pages_carry_the_headers_and_the_govuk_layout(
    app: Flask, login_as: Callable[[Role], FlaskClient], case: str
) -> None:
    response = _error_response(case, app, login_as)

    code = int(case.split()[0])
    assert response.status_code == code
    assert_security_headers(response)
    page = assert_page_fits_its_csp(response)
    assert page.has_govuk_template
    body = response.get_data(as_text=True)
    assert "govuk-template" in body
    title = ERROR_PAGES[code][0]
    assert title.replace("'", "&#39;") in body
    assert "Traceback" not in body


def test_error_page_over_https_carries_hsts(client: FlaskClient) -> None:
    response = client.get("/no-such-page", base_url="https://localhost")
    assert response.status_code == 404
    assert "max-age=" in response.headers.get("Strict-Transport-Security", "")
    assert "Strict-Transport-Security" not in client.get("/no-such-page").headers


def test_behind_a_trusted_proxy_https_is_recognised(settings, session_factory) -> None:
    """With TRUSTED_PROXIES set, the proxy's X-Forwarded-Proto counts: HSTS is sent."""
    proxied = create_app(
        settings=dataclasses.replace(settings, trusted_proxies=1),
        session_factory=session_factory,
        overrides={"TESTING": True},
    )
    response = proxied.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    direct = create_app(
        settings=settings, session_factory=session_factory, overrides={"TESTING": True}
    )
    spoofed = direct.test_client().get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_stay_signed_in_answer_sends_the_security_headers(
    login_as: Callable[[Role], FlaskClient],
) -> None:
    """The timeout warning's one endpoint (issue 17, item 9) answers a POST, not a page: it is
    not in GET_PAGES, so it is checked here."""
    client = login_as(Role.DSL)
    response = client.post("/session/extend", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert_security_headers(response, cacheable=False)
