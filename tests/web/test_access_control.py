"""The access-control sweep: every route is declared, and every role (and nobody signed in) gets
exactly the answer its permissions allow, including the record-level rules on cases and clauses."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from incidents.admin.clauses.commands import list_clauses
from incidents.casework.cases import notes as note_service
from incidents.casework.evidence import commands as evidence_service
from incidents.casework.letters import commands as letter_service
from incidents.casework.referrals import commands as referral_service
from incidents.clock import local_today
from incidents.models import (
    Agency,
    Case,
    EvidenceFile,
    LetterKind,
    LetterMethod,
    Note,
    PolicyClause,
    Referral,
    Requester,
    Role,
    SentLetter,
    SubjectAccessRequest,
    User,
)
from incidents.permissions import Permission, permissions_for
from incidents.registers.subject_access import commands as sar_service
from incidents.web.access import PUBLIC, SIGNED_IN, declared_access
from tests import case_stages, factories
from tests.casework.evidence import samples as evidence_samples
from tests.casework.evidence.conftest import LIMITS as EVIDENCE_LIMITS
from tests.casework.evidence.conftest import upload as evidence_upload
from tests.conftest import csrf_token
from tests.stats_release_cases import publish_to_date

Access = str | Permission

# Every endpoint, who may reach it, and its methods (HEAD and OPTIONS are Flask's own).
# A new route must be added here, or test_url_map_matches_the_table fails.
EXPECTED: dict[str, tuple[Access, frozenset[str]]] = {
    "static": (PUBLIC, frozenset({"GET"})),
    "auth.sign_in": (PUBLIC, frozenset({"GET", "POST"})),
    "auth.sign_out": (SIGNED_IN, frozenset({"POST"})),
    "auth.second_factor": (PUBLIC, frozenset({"GET", "POST"})),
    "two_factor.set_up": (SIGNED_IN, frozenset({"GET", "POST"})),
    "elevation.reauthenticate": (SIGNED_IN, frozenset({"GET", "POST"})),
    "health.healthz": (PUBLIC, frozenset({"GET"})),
    "home.index": (SIGNED_IN, frozenset({"GET"})),
    "report.new": (Permission.CONCERN_REPORT, frozenset({"GET", "POST"})),
    "report.receipt": (Permission.CONCERN_REPORT, frozenset({"GET"})),
    "cases.index": (Permission.CASE_LIST, frozenset({"GET", "POST"})),
    "cases.new": (Permission.CASE_CREATE, frozenset({"GET", "POST"})),
    "cases.show": (Permission.CASE_READ, frozenset({"GET"})),
    "cases.add_note": (Permission.NOTE_CREATE, frozenset({"POST"})),
    "cases.correct_note": (Permission.NOTE_CREATE, frozenset({"GET", "POST"})),
    "cases.case_file": (Permission.CASE_READ, frozenset({"GET"})),
    "cases.hearing_bundle": (Permission.CASE_DECIDE, frozenset({"GET"})),
    "casework.step": (Permission.CASE_DECIDE, frozenset({"POST"})),
    "case_tasks.task_done": (Permission.CASE_PROGRESS, frozenset({"POST"})),
    "reporter.reveal_reporter": (Permission.CASE_DECIDE, frozenset({"GET"})),
    "casework.parent_letter": (Permission.CASE_READ, frozenset({"GET"})),
    "triage.triage": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "triage.change_track": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "referrals.new": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "referrals.update": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "outcomes.record": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "outcomes.close": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "case_tasks.new_task": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "police.police_result": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "police.await_police": (Permission.CASE_PROGRESS, frozenset({"POST"})),
    "admin.clauses": (Permission.CLAUSE_MANAGE, frozenset({"GET"})),
    "admin.new_clause": (Permission.CLAUSE_MANAGE, frozenset({"GET", "POST"})),
    "admin.edit_clause": (Permission.CLAUSE_MANAGE, frozenset({"GET", "POST"})),
    "admin.retire_clause": (Permission.CLAUSE_MANAGE, frozenset({"POST"})),
    "admin.restore_clause": (Permission.CLAUSE_MANAGE, frozenset({"POST"})),
    "admin.choose_policies": (Permission.CLAUSE_MANAGE, frozenset({"GET", "POST"})),
    "admin_procedures.edit": (Permission.CLAUSE_MANAGE, frozenset({"GET", "POST"})),
    "disciplinary.start": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "disciplinary.hearing": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "disciplinary.outcome": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "disciplinary.new_measure": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "disciplinary.conclude": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "disciplinary.end": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "suspension.new": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "suspension.confirmation_sent": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "suspension.lift": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "measure_reviews.review": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "breaches.facts": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "breaches.ico": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "breaches.people_told": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "breaches.register": (Permission.CASE_LIST, frozenset({"GET"})),
    "legal_holds.place": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "case_manager.change": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "legal_holds.lift": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    # Evidence (issue 14): who may see the case sees its files; adding and replacing are case
    # work; deleting is the case manager's (checked per record in the command).
    "evidence.add": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "evidence.replace": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "evidence.delete": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "evidence.show": (Permission.CASE_READ, frozenset({"GET"})),
    "evidence.image": (Permission.CASE_READ, frozenset({"GET"})),
    "evidence.download": (Permission.CASE_READ, frozenset({"GET"})),
    # Letters (issue 17, item 8): case work for the case manager and the DSLs (checked per
    # case in the commands); the wording is the administrator's, like the school's procedures.
    "letters.choose": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "letters.write": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "letters.show": (Permission.CASE_PROGRESS, frozenset({"GET"})),
    "letters.download": (Permission.CASE_PROGRESS, frozenset({"GET"})),
    "letter_templates.index": (Permission.CLAUSE_MANAGE, frozenset({"GET"})),
    "letter_templates.edit": (Permission.CLAUSE_MANAGE, frozenset({"GET", "POST"})),
    "letter_templates.letterhead": (Permission.CLAUSE_MANAGE, frozenset({"GET", "POST"})),
    "stats.index": (Permission.STATS_READ, frozenset({"GET"})),
    "stats.chart": (Permission.STATS_READ, frozenset({"GET"})),
    "stats.export_csv": (Permission.STATS_READ, frozenset({"GET"})),
    "stats.report_pdf": (Permission.STATS_READ, frozenset({"GET"})),
    "audit_status.show": (Permission.AUDIT_STATUS, frozenset({"GET"})),
    "audit_status.verify": (Permission.AUDIT_STATUS, frozenset({"POST"})),
    "sar.index": (Permission.SAR_MANAGE, frozenset({"GET"})),
    "sar.new": (Permission.SAR_MANAGE, frozenset({"GET", "POST"})),
    "sar.show": (Permission.SAR_MANAGE, frozenset({"GET"})),
    "sar.extend": (Permission.SAR_MANAGE, frozenset({"GET", "POST"})),
    "sar.respond": (Permission.SAR_MANAGE, frozenset({"GET", "POST"})),
    "sar.close": (Permission.SAR_MANAGE, frozenset({"GET", "POST"})),
    "alerts.preferences": (SIGNED_IN, frozenset({"GET", "POST"})),
    "allegation_steps.end_restriction": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "allegation_steps.record_meeting": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "allegation_steps.inform": (Permission.CASE_PROGRESS, frozenset({"GET", "POST"})),
    "allegation_steps.start_clock": (Permission.CASE_DECIDE, frozenset({"GET", "POST"})),
    "allegation_steps.record_organisation": (
        Permission.CASE_PROGRESS,
        frozenset({"GET", "POST"}),
    ),
    "allegation_steps.organisation_stopped": (
        Permission.CASE_DECIDE,
        frozenset({"GET", "POST"}),
    ),
    "person.person": (Permission.CASE_DECIDE, frozenset({"GET"})),
    # Accounts in the browser (issue 16).
    "users.index": (Permission.USER_MANAGE, frozenset({"GET"})),
    "users.show": (Permission.USER_MANAGE, frozenset({"GET"})),
    "users.invite": (Permission.USER_MANAGE, frozenset({"GET", "POST"})),
    "users.roles": (Permission.USER_MANAGE, frozenset({"GET", "POST"})),
    "users.deactivate": (Permission.USER_MANAGE, frozenset({"GET", "POST"})),
    "users.reactivate": (Permission.USER_MANAGE, frozenset({"POST"})),
    "users.reset_two_factor": (Permission.USER_MANAGE, frozenset({"POST"})),
    "users.resend_invitation": (Permission.USER_MANAGE, frozenset({"POST"})),
    "invitation.link": (PUBLIC, frozenset({"GET"})),
    "invitation.accept": (PUBLIC, frozenset({"GET", "POST"})),
    "password_reset.forgot": (PUBLIC, frozenset({"GET", "POST"})),
    "password_reset.link": (PUBLIC, frozenset({"GET"})),
    "password_reset.reset": (PUBLIC, frozenset({"GET", "POST"})),
    "account.show": (SIGNED_IN, frozenset({"GET"})),
    "account.password": (SIGNED_IN, frozenset({"GET", "POST"})),
    "account.end_session": (SIGNED_IN, frozenset({"POST"})),
    "account.end_others": (SIGNED_IN, frozenset({"POST"})),
    "account.recovery_codes": (SIGNED_IN, frozenset({"GET", "POST"})),
    "session.extend": (SIGNED_IN, frozenset({"POST"})),
    "people.index": (Permission.PEOPLE_MANAGE, frozenset({"GET"})),
    "people.new": (Permission.PEOPLE_MANAGE, frozenset({"GET", "POST"})),
    "people.edit": (Permission.PEOPLE_MANAGE, frozenset({"GET", "POST"})),
    "people.left": (Permission.PEOPLE_MANAGE, frozenset({"GET", "POST"})),
    "people.upload": (Permission.PEOPLE_MANAGE, frozenset({"GET", "POST"})),
    "people.confirm": (Permission.PEOPLE_MANAGE, frozenset({"POST"})),
    "people.merge_duplicate": (Permission.PEOPLE_MANAGE, frozenset({"GET", "POST"})),
    # Sign-in with the school's identity provider (issue 16, item 6).
    "provider_sign_in.start": (PUBLIC, frozenset({"GET"})),
    "provider_sign_in.callback": (PUBLIC, frozenset({"GET"})),
    "sign_in_settings.edit": (Permission.USER_MANAGE, frozenset({"GET", "POST"})),
}
# Public pages that only move a link's token into the session and go on to a clean address.
LINK_PAGES = {"invitation.link": "/invitation", "password_reset.link": "/reset-password"}
# Public provider pages, for nobody signed in: the test school has no provider (404), and no
# sign-in is in flight for the callback to finish (400, the plain refusal page).
PROVIDER_PAGES = {"provider_sign_in.start": 404, "provider_sign_in.callback": 400}

# Who may do what (DESIGN.md "Who uses it"), written out here rather than read from the app, so a
# widened role fails the sweep. Record-level limits (the chair's own cases only) are tested below.
_CASE_WORK = {
    Permission.CASE_CREATE,
    Permission.CASE_LIST,
    Permission.CASE_READ,
    Permission.NOTE_CREATE,
    Permission.CONCERN_REPORT,
    Permission.CASE_PROGRESS,
}
ROLE_MAY: dict[Role, frozenset[Permission]] = {
    Role.STAFF: frozenset({Permission.CONCERN_REPORT}),
    Role.HEADTEACHER: frozenset(
        _CASE_WORK | {Permission.STATS_READ, Permission.CASE_DECIDE, Permission.SAR_MANAGE}
    ),
    Role.CHAIR_OF_GOVERNORS: frozenset(
        _CASE_WORK | {Permission.STATS_READ, Permission.CASE_DECIDE}
    ),
    Role.DSL: frozenset(_CASE_WORK),
    Role.DEPUTY_DSL: frozenset(_CASE_WORK),
    Role.GOVERNOR: frozenset({Permission.STATS_READ, Permission.CONCERN_REPORT}),
    # Like the chair, only the cases they manage (issue 13, item 3); never record one.
    Role.TRUST_OFFICER: frozenset(
        {
            Permission.STATS_READ,
            Permission.CASE_LIST,
            Permission.CASE_READ,
            Permission.NOTE_CREATE,
            Permission.CASE_PROGRESS,
            Permission.CASE_DECIDE,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Permission.CLAUSE_MANAGE,
            Permission.AUDIT_STATUS,
            Permission.USER_MANAGE,
            Permission.PEOPLE_MANAGE,
        }
    ),
}

ROUTES = sorted(
    (endpoint, method) for endpoint, (_, methods) in EXPECTED.items() for method in methods
)
ROLES: list[Role | None] = [None, *Role]  # None: nobody signed in
# The case-work form pages: each is refused for a case the user may not open, like the rest.
CASE_STEP_PAGES = [
    "triage.triage",
    "triage.change_track",
    "referrals.new",
    "referrals.update",
    "outcomes.record",
    "outcomes.close",
    "case_tasks.new_task",
    "police.police_result",
    "disciplinary.start",
    "disciplinary.hearing",
    "disciplinary.outcome",
    "disciplinary.new_measure",
    "disciplinary.conclude",
    "disciplinary.end",
    "suspension.new",
    "suspension.confirmation_sent",
    "suspension.lift",
    "measure_reviews.review",
    "breaches.facts",
    "breaches.ico",
    "breaches.people_told",
    "legal_holds.place",
    "legal_holds.lift",
    "case_manager.change",
    "allegation_steps.end_restriction",
    "allegation_steps.record_meeting",
    "allegation_steps.inform",
    "allegation_steps.start_clock",
    "allegation_steps.record_organisation",
    "allegation_steps.organisation_stopped",
]
CASE_URLS = [
    ("cases.show", "GET"),
    ("cases.add_note", "POST"),
    ("cases.correct_note", "GET"),
    ("cases.correct_note", "POST"),
    *((endpoint, method) for endpoint in CASE_STEP_PAGES for method in ("GET", "POST")),
    ("police.await_police", "POST"),
    ("evidence.add", "GET"),
    ("evidence.add", "POST"),
    ("evidence.replace", "GET"),
    ("evidence.replace", "POST"),
    ("evidence.delete", "GET"),
    ("evidence.delete", "POST"),
    ("evidence.show", "GET"),
    ("evidence.image", "GET"),
    ("evidence.download", "GET"),
    ("letters.choose", "GET"),
    ("letters.choose", "POST"),
    ("letters.write", "GET"),
    ("letters.write", "POST"),
    ("letters.show", "GET"),
    ("letters.download", "GET"),
]
CLAUSE_URLS = [
    ("admin.edit_clause", "GET"),
    ("admin.edit_clause", "POST"),
    ("admin.retire_clause", "POST"),
    ("admin.restore_clause", "POST"),
]
CASE_WORKERS = [Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL]
NOTE_TEXT = "Spoke to the parent about the friend request."


def _role_id(role: Role | None) -> str:
    return role.value if role else "anonymous"


def _route_id(route: tuple[str, str]) -> str:
    return f"{route[1]} {route[0]}"


@dataclass
class Objects:
    case: Case
    note: Note
    clause: PolicyClause
    referral: Referral
    request: SubjectAccessRequest
    evidence: EvidenceFile
    letter: SentLetter


def _make_objects(
    db: Session, users: dict[Role, User], *, for_chair: bool = False, for_officer: bool = False
) -> Objects:
    """A case (with a note) the role may open, and one of the school's clauses.

    The chair only works cases they manage, which is when the headteacher is the subject; every
    other case worker gets the usual case recorded by the headteacher."""
    if for_officer:
        # Nobody in school can manage a case about both the head and the chair: the trust or
        # LA officer does (issue 13, item 3).
        both = [
            factories.person_of(db, users[Role.HEADTEACHER]),
            factories.person_of(db, users[Role.CHAIR_OF_GOVERNORS]),
        ]
        case = factories.make_case(db, users[Role.DSL], subjects=both)
        author = users[Role.TRUST_OFFICER]
    elif for_chair:
        head = factories.person_of(db, users[Role.HEADTEACHER])
        case = factories.make_case(db, users[Role.DSL], subjects=[head])
        author = users[Role.CHAIR_OF_GOVERNORS]
    else:
        case = factories.make_case(db, users[Role.HEADTEACHER])
        author = users[Role.HEADTEACHER]
    db.commit()
    note = note_service.add_note(db, actor=author, case=case, body=NOTE_TEXT)
    db.commit()
    referral = referral_service.add_referral(db, actor=author, case=case, agency=Agency.POLICE)
    db.commit()
    [evidence] = evidence_service.add_evidence(
        db,
        actor=author,
        case=case,
        uploads=[evidence_upload("screenshot.png", evidence_samples.image("PNG"))],
        limits=EVIDENCE_LIMITS,
    )
    db.commit()
    letter = letter_service.send_letter(
        db,
        actor=author,
        case=case,
        data=letter_service.LetterInput(
            LetterKind.PARENT, "A Parent", "", "A Contact", "", LetterMethod.POST, local_today()
        ),
    )
    db.commit()
    clause = list_clauses(db, case.school_id)[0]
    request = sar_service.log_request(
        db,
        actor=users[Role.HEADTEACHER],
        data=sar_service.NewRequest("A Requester", Requester.DATA_SUBJECT, date(2026, 1, 5)),
    )
    db.commit()
    return Objects(
        case=case,
        note=note,
        clause=clause,
        referral=referral,
        request=request,
        evidence=evidence,
        letter=letter,
    )


def _url(app: Flask, endpoint: str, objects: Objects | None = None, **ids: object) -> str:
    """A real URL for the endpoint, with ids from `objects` unless given in `ids`."""
    if objects is not None:
        ids = {
            "case_id": objects.case.id,
            "note_id": objects.note.id,
            # The recorded case comes from a parent: the workflow gave it a task.
            "task_id": objects.case.tasks[0].id,
            "action": "investigate",
            "clause_id": objects.clause.id,
            "referral_id": objects.referral.id,
            "request_id": objects.request.id,
            "file_id": objects.evidence.id,
            "letter_id": objects.letter.id,
            "kind": "parent",  # a letter kind: the recorded case came from a parent
            "step_name": "made",
            # Process, decision and measure ids are looked up within the case, after its step is
            # checked: the fresh case is not at that step, so any id shows the refusal.
            "process_id": uuid.uuid4(),
            "decision_id": uuid.uuid4(),
            "measure_id": uuid.uuid4(),
            "hold_id": uuid.uuid4(),
            "organisation_id": uuid.uuid4(),
            # The page about one adult: the person the case is about.
            "person_id": objects.case.subjects[0].id,
            "purpose_name": "export",
            "name": "tracks",  # a statistics chart
            # Accounts (issue 16): the case's manager's account, a link token and a session.
            "user_id": objects.case.case_manager_id,
            "token": "not-a-real-token",
            "session_id": uuid.uuid4(),
            "school_id": objects.case.school_id,
            **ids,
        }
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values: dict[str, object] = {"filename": "app.css"} if "filename" in rule.arguments else {}
    if rule.arguments == {"purpose_name"}:
        values["purpose_name"] = "export"
        values["record"] = ids.get("case_id", uuid.uuid4())  # a grant opens one record
    else:
        values.update({name: ids[name] for name in rule.arguments - {"filename"}})
    with app.test_request_context():
        return url_for(endpoint, **values)


def _client_for(app: Flask, login_as: Callable[[Role], FlaskClient], role: Role | None):
    return app.test_client() if role is None else login_as(role)


def _request(client: FlaskClient, method: str, url: str, signed_in: bool) -> TestResponse:
    if method == "GET":
        return client.get(url)
    # A valid token from a page this client may see; the form itself is left empty.
    token = csrf_token(client, "/" if signed_in else "/sign-in")
    return client.post(url, data={"csrf_token": token})


def _landing(app: Flask, url: str) -> str:
    """Where signing in brings the user back to: `url` itself if it is a page; for an address
    that only takes a form (POST), the nearest page above it, the one the form was on, so
    nobody lands on "Page not found" (issue 17, item 9)."""
    adapter = app.url_map.bind("localhost")
    path = url
    while path:
        try:
            adapter.match(path.split("?", 1)[0], method="GET")
            return path
        except HTTPException:
            path = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[0]
    return "/"


def _is_sign_in_redirect(response: TestResponse) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/sign-in"


def _allowed(role: Role | None, access: Access) -> bool:
    if access == PUBLIC:
        return True
    if role is None:
        return False
    if access == SIGNED_IN:
        return True
    return permission_of(role, access)


def permission_of(role: Role, permission: Access) -> bool:
    return permission in ROLE_MAY[role]


# --- how much of the sweep runs -------------------------------------------------------------
# SQLite (every CI run, and the default): every role on every route. PostgreSQL (every CI run,
# after SQLite): the permission checks are the same Python on both databases, so there each
# route is asked by nobody signed in, by one role that may use it and by one that may not, and
# the record-level rules by one or two roles per route; the roles rotate from route to route so
# every role still meets PostgreSQL on some routes. Every page is still rendered on PostgreSQL by a
# role allowed to see it, which is what catches SQL that only one database accepts.
# INCIDENTS_SWEEP=full runs the whole matrix on PostgreSQL too; the choice is printed at the end.
ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
FULL_SWEEP = os.environ.get("INCIDENTS_SWEEP", "sample" if ON_POSTGRES else "full") == "full"


def _rotating(options: Sequence[Role | None], index: int, how_many: int) -> list[Role | None]:
    """`how_many` of `options`, starting at a place that moves with the route's index."""
    if not options:
        return []
    return [options[(index + step) % len(options)] for step in range(min(how_many, len(options)))]


def role_route_pairs(
    roles: Sequence[Role | None],
    routes: Sequence[tuple[str, str]],
    *,
    sample: Callable[[int, tuple[str, str]], list[Role | None]],
) -> list[Any]:
    """The (role, route) cases of a sweep: all of them, or `sample`'s choice per route."""
    chosen: list[tuple[Role | None, tuple[str, str]]] = []
    for index, route in enumerate(routes):
        picked = roles if FULL_SWEEP else sample(index, route)
        chosen.extend((role, route) for role in roles if role in picked)
    return [
        pytest.param(role, route, id=f"{_role_id(role)}-{_route_id(route)}")
        for role, route in sorted(chosen, key=lambda pair: roles.index(pair[0]))
    ]


def _allowed_and_refused(index: int, route: tuple[str, str]) -> list[Role | None]:
    access = EXPECTED[route[0]][0]
    allowed = [role for role in ROLES if role is not None and _allowed(role, access)]
    refused = [role for role in ROLES if role is not None and not _allowed(role, access)]
    return [None, *_rotating(allowed, index, 1), *_rotating(refused, index, 1)]


def _two_roles(index: int, route: tuple[str, str]) -> list[Role | None]:
    roles: list[Role | None] = list(Role)
    return [roles[index % len(roles)], roles[(index + len(roles) // 2) % len(roles)]]


def _one_case_worker(index: int, route: tuple[str, str]) -> list[Role | None]:
    return _rotating(list(CASE_WORKERS), index, 1)


# --- every route is declared, and the table here is complete ---------------------------------


@pytest.mark.parametrize("role", list(Role), ids=_role_id)
def test_role_grants_exactly_what_the_design_says(role: Role) -> None:
    assert permissions_for([role]) == ROLE_MAY[role]


def test_url_map_matches_the_table(app: Flask) -> None:
    in_app: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        in_app.setdefault(rule.endpoint, set()).update(
            (rule.methods or set()) - {"HEAD", "OPTIONS"}
        )
    assert set(in_app) == set(EXPECTED), "add new routes to EXPECTED with who may reach them"
    for endpoint, methods in in_app.items():
        assert methods == EXPECTED[endpoint][1], endpoint


def test_every_endpoint_declares_the_access_in_the_table(app: Flask) -> None:
    with app.app_context():
        declared = {
            rule.endpoint: declared_access(rule.endpoint) for rule in app.url_map.iter_rules()
        }
    undeclared = sorted(ep for ep, access in declared.items() if access is None)
    assert undeclared == [], f"views without @public, @signed_in or @requires: {undeclared}"
    for endpoint, access in declared.items():
        assert access == EXPECTED[endpoint][0], endpoint


def test_an_undeclared_view_is_refused_even_to_a_signed_in_user(
    app: Flask, login_as: Callable[[Role], FlaskClient]
) -> None:
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    client = login_as(Role.HEADTEACHER)
    response = client.get("/undeclared")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)
    assert app.test_client().get("/undeclared").status_code == 403


# --- the sweep: every role and nobody, on every route ------------------------------------------


@pytest.mark.parametrize(
    ("role", "route"), role_route_pairs(ROLES, ROUTES, sample=_allowed_and_refused)
)
def test_route_answers_by_role(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    role: Role | None,
    route: tuple[str, str],
) -> None:
    endpoint, method = route
    access = EXPECTED[endpoint][0]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    objects = None
    if rule.arguments - {"filename", "purpose_name"}:
        objects = _make_objects(
            db,
            users,
            for_chair=role is Role.CHAIR_OF_GOVERNORS,
            for_officer=role is Role.TRUST_OFFICER,
        )
    url = _url(app, endpoint, objects)
    if endpoint == "stats.chart":
        publish_to_date(db)  # governors see published releases only (issue 18)
    client = _client_for(app, login_as, role)
    if endpoint == "report.receipt":
        # The receipt is only shown straight after a report; give this session one.
        with client.session_transaction() as session:
            session["receipt"] = {"reference": "2026-0001", "at": "2026-03-27T10:00:00+00:00"}

    response = _request(client, method, url, signed_in=role is not None)

    if not _allowed(role, access):
        if role is None:
            assert _is_sign_in_redirect(response), response.status_code
            next_url = parse_qs(urlsplit(response.location).query).get("next")
            assert next_url == [_landing(app, url)], "sign-in should bring the user back here"
        else:
            assert response.status_code == 403
        return
    if endpoint == "auth.sign_out":
        # Signing out lands on the sign-in page, and the user is then signed out.
        assert _is_sign_in_redirect(response)
        assert _is_sign_in_redirect(client.get("/"))
        return
    if role is None and endpoint in LINK_PAGES:
        assert response.status_code == 302
        assert urlsplit(response.location).path == LINK_PAGES[endpoint]
        return
    if role is None and endpoint in PROVIDER_PAGES:
        assert response.status_code == PROVIDER_PAGES[endpoint]
        return
    if role is None and endpoint == "auth.second_factor":
        assert _is_sign_in_redirect(response)  # no correct password yet: back to the start
        return
    if role is None:
        assert response.status_code == 200  # public pages, and the sign-in form re-shown
        return
    allowed_codes = {200, 302} if method == "GET" else {200, 302, 400}
    assert response.status_code in allowed_codes, response.status_code
    assert not _is_sign_in_redirect(response), "a signed-in user was sent to sign in"


# --- record-level rules ------------------------------------------------------------------------


def _note_count(db: Session, case: Case) -> int:
    return db.scalar(select(func.count()).select_from(Note).where(Note.case_id == case.id)) or 0


def _case_request(
    client: FlaskClient, app: Flask, route: tuple[str, str], case_id: uuid.UUID, note_id: uuid.UUID
) -> TestResponse:
    endpoint, method = route
    # Referral ids are looked up within the case, so any id shows the case-level refusal.
    url = _url(
        app,
        endpoint,
        case_id=case_id,
        note_id=note_id,
        referral_id=uuid.uuid4(),
        step_name="made",
        process_id=uuid.uuid4(),
        decision_id=uuid.uuid4(),
        measure_id=uuid.uuid4(),
        hold_id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        file_id=uuid.uuid4(),
        letter_id=uuid.uuid4(),
        kind="parent",
    )
    if method == "GET":
        return client.get(url)
    token = csrf_token(client, "/")
    # A complete, valid form: the refusal must come from the record check, not validation.
    return client.post(
        url, data={"csrf_token": token, "body": "Should not be saved", "reason": "Typo"}
    )


@pytest.mark.parametrize("route", CASE_URLS, ids=_route_id)
def test_chair_cannot_open_a_case_they_do_not_manage(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    route: tuple[str, str],
) -> None:
    objects = _make_objects(db, users)  # managed by the headteacher
    before = _note_count(db, objects.case)

    response = _case_request(
        login_as(Role.CHAIR_OF_GOVERNORS), app, route, objects.case.id, objects.note.id
    )

    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert objects.case.reference not in body
    assert NOTE_TEXT not in body
    assert _note_count(db, objects.case) == before


@pytest.mark.parametrize(
    ("role", "route"), role_route_pairs(CASE_WORKERS, CASE_URLS, sample=_one_case_worker)
)
def test_nobody_can_open_a_case_they_are_the_subject_of(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    role: Role,
    route: tuple[str, str],
) -> None:
    subject = factories.person_of(db, users[role])
    recorder = users[Role.DSL if role is Role.HEADTEACHER else Role.HEADTEACHER]
    case = factories.make_case(db, recorder, subjects=[subject])
    db.commit()
    note = note_service.add_note(db, actor=recorder, case=case, body=NOTE_TEXT)
    db.commit()
    before = _note_count(db, case)

    response = _case_request(login_as(role), app, route, case.id, note.id)

    # A page the role may not use at all (a DSL deciding the track) is refused before the case.
    assert response.status_code == (404 if permission_of(role, EXPECTED[route[0]][0]) else 403)
    body = response.get_data(as_text=True)
    assert case.reference not in body
    assert NOTE_TEXT not in body
    assert _note_count(db, case) == before


def test_chair_can_open_the_case_where_the_headteacher_is_the_subject(
    app: Flask, db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    # The other side of the two rules above: the chair manages this one; the head is out.
    objects = _make_objects(db, users, for_chair=True)
    url = _url(app, "cases.show", objects)
    assert login_as(Role.CHAIR_OF_GOVERNORS).get(url).status_code == 200
    assert login_as(Role.HEADTEACHER).get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "route"), role_route_pairs(list(Role), CASE_URLS, sample=_two_roles)
)
def test_another_schools_case_is_not_found(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    role: Role,
    route: tuple[str, str],
) -> None:
    other_school = factories.make_school(db, name="Other Academy")
    other_head = factories.make_user(db, other_school, Role.HEADTEACHER)
    case = factories.make_case(db, other_head)
    db.commit()
    note = note_service.add_note(db, actor=other_head, case=case, body=NOTE_TEXT)
    db.commit()
    before = _note_count(db, case)
    client = login_as(role)

    response = _case_request(client, app, route, case.id, note.id)

    if permission_of(role, EXPECTED[route[0]][0]):
        assert response.status_code == 404
    else:
        assert response.status_code == 403  # refused by role before any record is looked at
    # Either way, the answer is the one given for ids that exist nowhere.
    missing = _case_request(client, app, route, uuid.uuid4(), uuid.uuid4())
    assert missing.status_code == response.status_code
    body = response.get_data(as_text=True)
    assert case.reference not in body
    assert NOTE_TEXT not in body
    assert "Other Academy" not in body
    assert _note_count(db, case) == before


# The pages that show a case itself (issue 19, item 12); step pages are refused on a closed
# case by the workflow before any password is asked for.
CLOSED_CASE_URLS = [
    ("cases.show", "GET"),
    ("cases.add_note", "POST"),
    ("cases.correct_note", "GET"),
    ("cases.correct_note", "POST"),
    ("casework.parent_letter", "GET"),
]


@pytest.mark.parametrize("route", CLOSED_CASE_URLS, ids=_route_id)
@pytest.mark.parametrize("role", CASE_WORKERS, ids=_role_id)
def test_a_closed_case_asks_every_case_worker_for_the_password_first(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    role: Role,
    route: tuple[str, str],
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.closed(db, head)
    note = note_service.add_note(db, actor=head, case=case, body=NOTE_TEXT)
    db.commit()
    before = _note_count(db, case)

    response = _case_request(login_as(role), app, route, case.id, note.id)

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/reauthenticate/open_closed_case"
    assert NOTE_TEXT not in response.get_data(as_text=True)
    assert _note_count(db, case) == before


@pytest.mark.parametrize("route", CLAUSE_URLS, ids=_route_id)
def test_admin_cannot_reach_another_schools_clause(
    app: Flask,
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    route: tuple[str, str],
) -> None:
    other_school = factories.make_school(db, name="Other Academy")
    db.commit()
    clause = list_clauses(db, other_school.id)[0]
    was_retired = route[0] == "admin.restore_clause"
    if was_retired:  # so that a wrongful restore would show
        clause.retired_at = datetime.now(UTC)
        db.commit()
    original_text = clause.text
    original = (clause.code, clause.text)
    client = login_as(Role.ADMIN)
    url = _url(app, route[0], clause_id=clause.id)
    if route[1] == "GET":
        response = client.get(url)
    else:
        token = csrf_token(client, "/")
        response = client.post(
            url,
            data={
                "csrf_token": token,
                "code": "HIJACK-1",
                "source": "Not theirs",
                "category": clause.category,
                "text": "Rewritten by another school's admin",
            },
        )

    assert response.status_code == 404
    assert original_text not in response.get_data(as_text=True)
    db.expire_all()
    reloaded = db.get(PolicyClause, clause.id)
    assert reloaded is not None
    assert (reloaded.code, reloaded.text) == original
    assert (reloaded.retired_at is not None) is was_retired
