"""The case-work form pages: triage and change of track, referrals, outcome and closure, tasks
and the police result. Each has a happy path through the web (the record changes as the service
defines, its audit entry is written, the free text is stored encrypted and never echoed in a
flash or URL) and bad input on every field (a GOV.UK error summary, the text shown back escaped,
and nothing changed)."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.clock import local_today
from incidents.models import (
    Agency,
    AuditEntry,
    Case,
    CaseKind,
    CaseOutcome,
    CaseState,
    DisclosureSource,
    PoliceHold,
    Referral,
    ReferralStatus,
    Role,
    Task,
    TriageDecision,
    User,
)
from tests import case_stages, factories
from tests.conftest import csrf_token, problem, success_banner
from tests.web.test_forms_bad_input import (
    ESCAPED_SCRIPT,
    REMOVE,
    SCRIPT,
    field_error,
    summary_errors,
)

SECRET = "Spoke to DC Jones of Anytown CID, ref X-99"
TODAY = local_today()


def day(offset: int) -> list[str]:
    when = TODAY + timedelta(days=offset)
    return [str(when.day), str(when.month), str(when.year)]


def audit_count(db: Session, case: Case, action: str) -> int:
    query = select(func.count()).select_from(AuditEntry)
    query = query.where(AuditEntry.case_id == case.id, AuditEntry.action == action)
    return db.scalar(query) or 0


def snapshot(db: Session, case: Case) -> tuple[object, ...]:
    """Everything a case-work form could change, to show that a refused one changed nothing."""
    db.expire_all()
    fresh = db.get(Case, case.id)
    assert fresh is not None
    counted = tuple(
        db.scalar(select(func.count()).select_from(model)) or 0
        for model in (TriageDecision, Referral, Task, PoliceHold)
    )
    # Opening the case page writes its own "viewed" entry; anything else is a change.
    audited = select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "case.view")
    return (
        fresh.state,
        fresh.kind,
        fresh.outcome,
        fresh.closed_at,
        fresh.employment_outcome,
        sorted((str(r.id), r.status.value) for r in fresh.referrals),
        sorted((str(t.id), t.done_at) for t in fresh.tasks),
        fresh.open_police_hold.id if fresh.open_police_hold else None,
        counted,
        db.scalar(audited),
    )


def post(client: FlaskClient, path: str, data: dict[str, object]) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def assert_refused(response: Any, case: Case, client: FlaskClient, reason: str) -> None:
    """Sent back to the case page with `reason` in the error summary, never in the green
    banner (the caller checks that nothing was saved)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert f"/cases/{case.id}" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert reason in problem(page), problem(page) or page[:500]
    assert reason not in success_banner(page)


def assert_back_on_case(
    response: Any, case: Case, client: FlaskClient, *, shown: bool = True
) -> str:
    """Redirected to the case page; neither the URL nor the flash carries the free text, which
    the case page itself reads back to those who may open the case (issue 17, item 1)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert f"/cases/{case.id}" in response.location
    assert SECRET not in response.location
    page: str = client.get(response.location).get_data(as_text=True)
    banner = re.search(r'<div class="govuk-notification-banner.*?</div>\s*</div>', page, re.S)
    assert banner, "no flash on the case page"
    assert SECRET not in banner.group(0)
    assert (SECRET in html.unescape(page)) is shown  # `shown`: the step took free text
    return page


def ciphertext_hides(ct: bytes | None) -> None:
    assert ct is not None
    assert SECRET.encode() not in ct


# --- Where each form lives and a valid submission -------------------------------------------


@dataclass
class Target:
    client: FlaskClient
    path: str
    valid: dict[str, object]
    case: Case


Opener = Callable[[Session, dict[Role, User], Callable[[Role], FlaskClient]], Target]

TRIAGE_VALID: dict[str, object] = {
    "harmed_child": "no",
    "criminal_offence": "no",
    "risk_of_harm": "no",
    "unsuitable": "no",
    "kind": "policy_breach",
    "personal_data_exposed": "no",
    "reasons": SECRET,
}


def _triage(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    case = case_stages.recorded(db, users[Role.HEADTEACHER])
    return Target(login_as(Role.HEADTEACHER), f"/cases/{case.id}/triage", dict(TRIAGE_VALID), case)


def _change_track(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head))
    valid = {**TRIAGE_VALID, "kind": "low_level_concern"}
    return Target(login_as(Role.HEADTEACHER), f"/cases/{case.id}/track", valid, case)


def _referral_new(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    case = case_stages.recorded(db, users[Role.HEADTEACHER])
    return Target(login_as(Role.DSL), f"/cases/{case.id}/referrals/new", {"agency": "police"}, case)


def _referral_step(step: str, valid: dict[str, object], *, made: bool) -> Opener:
    def opener(db: Session, users: dict[Role, User], login_as: Any) -> Target:
        head = users[Role.HEADTEACHER]
        case = case_stages.triaged(db, head, case_stages.recorded(db, head))
        referral = case_stages.with_referral(db, head, case)
        if made:
            post(
                login_as(Role.HEADTEACHER),
                f"/cases/{case.id}/referrals/{referral.id}/made",
                MADE_VALID,
            )
            db.expire_all()
            assert db.get(Referral, referral.id).status is ReferralStatus.MADE  # type: ignore[union-attr]
        path = f"/cases/{case.id}/referrals/{referral.id}/{step}"
        return Target(login_as(Role.DSL), path, dict(valid), case)

    return opener


MADE_VALID: dict[str, object] = {"method": "phone", "made_on": day(0), "their_reference": SECRET}
# An allegation's outcome is agreed with the LADO: who, and when (issue 13, item 2).
LADO_AGREED: dict[str, object] = {"lado_officer": "A LADO officer", "lado_agreed_on": day(0)}
CLOSE_DUTIES: dict[str, object] = {
    "removed_from_regulated_activity": "no",
    "teacher_serious_misconduct": "no",
}


def lado_advice(case: Case, investigation: str = "none", **extra: object) -> dict[str, object]:
    """The LADO's advice step on the web: who, when, threshold met, who investigates."""
    aware = case.became_aware_on
    return {
        "officer": "A LADO officer",
        "spoke_on": [str(aware.day), str(aware.month), str(aware.year)],
        "spoke_time": "00:00",
        "threshold_met": "yes",
        "investigation": investigation,
        "advice": "Deal with it internally.",
        **extra,
    }


def through_lado_web(client: FlaskClient, case: Case, investigation: str = "none") -> None:
    """Referred to the LADO, whose advice is recorded, and the referral closed."""
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    base = f"/cases/{case.id}/referrals/{lado.id}"
    assert post(client, f"{base}/made", MADE_VALID).status_code == 302
    assert post(client, f"{base}/advice", lado_advice(case, investigation)).status_code == 302
    assert post(client, f"{base}/closed", {}).status_code == 302


def _outcome(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head))
    valid = {"outcome": "upheld", "reasons": SECRET}
    return Target(login_as(Role.HEADTEACHER), f"/cases/{case.id}/outcome", valid, case)


def _close(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head))
    case_stages.with_outcome(db, head, case_stages.tasks_done(db, head, case))
    valid = {
        "employment_outcome": "continues",
        "mention_in_references": "no",
        "removed_from_regulated_activity": "no",
        "teacher_serious_misconduct": "no",
    }
    return Target(login_as(Role.HEADTEACHER), f"/cases/{case.id}/close", valid, case)


def _task(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    case = case_stages.recorded(db, users[Role.HEADTEACHER])
    valid = {"title": SECRET, "assignee": str(users[Role.DSL].id), "due_on": day(3)}
    return Target(login_as(Role.DSL), f"/cases/{case.id}/tasks/new", valid, case)


def _police(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    head = users[Role.HEADTEACHER]
    case = case_stages.under_police_hold(
        db, head, case_stages.triaged(db, head, case_stages.recorded(db, head))
    )
    return Target(login_as(Role.DSL), f"/cases/{case.id}/police-result", {"result": SECRET}, case)


def _allegation(db: Session, users: dict[Role, User]) -> Case:
    head = users[Role.HEADTEACHER]
    return case_stages.triaged(db, head, case_stages.recorded(db, head), CaseKind.ALLEGATION)


def _lado_advice(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    """An allegation's LADO referral, made: the LADO's decision and advice (items 1-2)."""
    case = _allegation(db, users)
    lado = case.referrals[0]
    base = f"/cases/{case.id}/referrals/{lado.id}"
    assert post(login_as(Role.HEADTEACHER), f"{base}/made", MADE_VALID).status_code == 302
    valid = lado_advice(case, "school", advice=SECRET)
    return Target(login_as(Role.DSL), f"{base}/advice", valid, case)


def _lado_not_made(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    """An allegation's LADO referral settled only on the LADO's word (item 1)."""
    case = _allegation(db, users)
    lado = case.referrals[0]
    valid = {
        k: v for k, v in lado_advice(case).items() if k in ("officer", "spoke_on", "spoke_time")
    }
    valid.update(their_reference="LADO-1", reasons=SECRET)
    path = f"/cases/{case.id}/referrals/{lado.id}/not-made"
    return Target(login_as(Role.DSL), path, valid, case)


def _allegation_outcome(db: Session, users: dict[Role, User], login_as: Any) -> Target:
    """An allegation the LADO agreed needs no investigation: its outcome, agreed with them."""
    case = _allegation(db, users)
    client = login_as(Role.HEADTEACHER)
    through_lado_web(client, case, "none")
    valid = {"outcome": "unfounded", "reasons": SECRET, **LADO_AGREED}
    return Target(client, f"/cases/{case.id}/outcome", valid, case)


FORMS: dict[str, Opener] = {
    "triage": _triage,
    "change_track": _change_track,
    "referral_new": _referral_new,
    "referral_made": _referral_step("made", MADE_VALID, made=False),
    "referral_not_made": _referral_step("not-made", {"reasons": SECRET}, made=False),
    "referral_acknowledged": _referral_step("acknowledged", {"their_reference": SECRET}, made=True),
    "referral_advice": _referral_step("advice", {"advice": SECRET}, made=True),
    "referral_closed": _referral_step("closed", {"reasons": SECRET}, made=True),
    "outcome": _outcome,
    "referral_lado_advice": _lado_advice,
    "referral_lado_not_made": _lado_not_made,
    "allegation_outcome": _allegation_outcome,
    "close": _close,
    "task": _task,
    "police_result": _police,
}


@pytest.fixture
def open_form(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> Callable[[str], Target]:
    return lambda name: FORMS[name](db, users, login_as)


# --- Happy paths ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMS))
def test_every_form_page_shows_with_its_fields(open_form: Callable[[str], Target], name: str):
    target = open_form(name)
    page = target.client.get(target.path).get_data(as_text=True)
    assert f"Case {target.case.reference}" in page
    for field in target.valid:
        if field not in ("made_on", "due_on", "spoke_on", "lado_agreed_on"):
            assert f'name="{field}"' in page, field


def test_triage_decides_the_track(open_form, db: Session) -> None:
    target = open_form("triage")
    response = post(target.client, target.path, target.valid)
    page = assert_back_on_case(response, target.case, target.client)
    assert "Decision saved" in page
    db.expire_all()
    assert target.case.state is CaseState.ASSESSED
    assert target.case.kind is CaseKind.POLICY_BREACH
    assert audit_count(db, target.case, "case.triage") == 1
    ciphertext_hides(target.case.latest_triage.reasons_ct)  # type: ignore[union-attr]


def test_triage_meeting_the_threshold_opens_the_lado_clock(open_form, db: Session) -> None:
    target = open_form("triage")
    data = {**target.valid, "harmed_child": "yes", "criminal_offence": "unknown"}
    data["kind"] = "allegation"
    assert_back_on_case(post(target.client, target.path, data), target.case, target.client)
    db.expire_all()
    assert target.case.kind is CaseKind.ALLEGATION
    # Part (b) not known: the police decide too (issue 13, item 2).
    assert [r.agency for r in target.case.referrals] == [Agency.LADO, Agency.POLICE]


def test_change_of_track_keeps_the_earlier_decision(open_form, db: Session) -> None:
    target = open_form("change_track")
    # The page starts from the last answers.
    page = target.client.get(target.path).get_data(as_text=True)
    assert 'value="no" checked' in page
    assert_back_on_case(post(target.client, target.path, target.valid), target.case, target.client)
    db.expire_all()
    assert target.case.kind is CaseKind.LOW_LEVEL_CONCERN
    assert len(target.case.triage_decisions) == 2
    assert audit_count(db, target.case, "case.change_track") == 1


def test_a_triage_not_possible_now_is_refused(open_form, db: Session) -> None:
    target = open_form("change_track")  # already assessed: a new decision is a change of track
    before = snapshot(db, target.case)
    path = target.path.removesuffix("/track") + "/triage"
    reason = "Assess the harm threshold and choose the track is not possible while the case is"
    assert_refused(post(target.client, path, target.valid), target.case, target.client, reason)
    assert snapshot(db, target.case) == before


def test_adding_a_referral(open_form, db: Session) -> None:
    target = open_form("referral_new")
    page = assert_back_on_case(
        post(target.client, target.path, target.valid), target.case, target.client, shown=False
    )
    assert "Referral to Police added" in page
    assert "Record that it was made" in page
    db.expire_all()
    [referral] = target.case.referrals
    assert (referral.agency, referral.status) == (Agency.POLICE, ReferralStatus.DRAFT)
    assert audit_count(db, target.case, "referral.create") == 1


def test_making_a_referral_moves_an_assessed_case_to_referred(open_form, db: Session) -> None:
    target = open_form("referral_made")
    assert_back_on_case(post(target.client, target.path, target.valid), target.case, target.client)
    db.expire_all()
    [referral] = target.case.referrals
    assert referral.status is ReferralStatus.MADE
    assert referral.their_reference.reveal() == SECRET  # type: ignore[union-attr]
    ciphertext_hides(referral.their_reference_ct)
    assert target.case.state is CaseState.REFERRED
    assert audit_count(db, target.case, "referral.update") == 1


@pytest.mark.parametrize(
    ("name", "status", "column", "action"),
    [
        ("referral_not_made", ReferralStatus.NOT_MADE, "reasons_ct", "referral.not_made"),
        ("referral_acknowledged", ReferralStatus.ACKNOWLEDGED, "their_reference_ct", None),
        ("referral_advice", ReferralStatus.ADVICE_RECEIVED, "advice_ct", None),
        ("referral_closed", ReferralStatus.CLOSED, "reasons_ct", None),
    ],
)
def test_each_step_of_a_referral(
    open_form, db: Session, name: str, status: ReferralStatus, column: str, action: str | None
) -> None:
    target = open_form(name)
    before = audit_count(db, target.case, action or "referral.update")
    assert_back_on_case(post(target.client, target.path, target.valid), target.case, target.client)
    db.expire_all()
    [referral] = target.case.referrals
    assert referral.status is status
    ciphertext_hides(getattr(referral, column))
    assert audit_count(db, target.case, action or "referral.update") == before + 1


def test_a_step_the_referral_is_past_is_refused(open_form, db: Session) -> None:
    target = open_form("referral_closed")
    post(target.client, target.path, target.valid)
    before = snapshot(db, target.case)
    reason = "That cannot be recorded for a referral that is closed"
    assert_refused(target.client.get(target.path), target.case, target.client, reason)
    # Sent anyway (a page left open): refused with the table's reason, nothing saved.
    made = target.path.removesuffix("/closed") + "/made"
    assert_refused(post(target.client, made, MADE_VALID), target.case, target.client, reason)
    assert snapshot(db, target.case) == before


def test_recording_the_outcome(open_form, db: Session) -> None:
    target = open_form("outcome")
    assert_back_on_case(post(target.client, target.path, target.valid), target.case, target.client)
    db.expire_all()
    assert target.case.outcome is CaseOutcome.UPHELD
    assert target.case.state is CaseState.OUTCOME_RECORDED
    ciphertext_hides(target.case.outcome_reasons_ct)
    assert audit_count(db, target.case, "case.outcome") == 1


def test_an_allegation_offers_exactly_the_five_kcsie_outcomes(
    db: Session, users: dict[Role, User], login_as
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head), CaseKind.ALLEGATION)
    client = login_as(Role.HEADTEACHER)
    through_lado_web(client, case)
    page = client.get(f"/cases/{case.id}/outcome").get_data(as_text=True)
    for value in ("substantiated", "malicious", "false", "unsubstantiated", "unfounded"):
        assert f'value="{value}"' in page
    assert 'value="upheld"' not in page


def test_closing_asks_to_check_the_answers_first(open_form, db: Session) -> None:
    target = open_form("close")
    before = snapshot(db, target.case)
    response = post(target.client, target.path, target.valid)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check your answers before closing the case" in page
    assert "Policy breach: 6 years after closure" in page
    assert snapshot(db, target.case) == before

    response = post(target.client, target.path, {**target.valid, "confirmed": "yes"})
    # To the case list, with the reference: the closed case's page asks for the password now.
    assert response.status_code == 302 and response.location.endswith("/cases/")
    listing = target.client.get(response.location).get_data(as_text=True)
    assert f"Case {target.case.reference} closed" in listing
    db.expire_all()
    assert target.case.state is CaseState.CLOSED
    assert target.case.mention_in_references is False
    assert target.case.retention_rule is not None
    assert audit_count(db, target.case, "case.close") == 1


def test_closing_lists_what_is_still_to_do_and_refuses(
    db: Session, users: dict[Role, User], login_as
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.with_outcome(
        db, head, case_stages.triaged(db, head, case_stages.recorded(db, head))
    )
    client = login_as(Role.HEADTEACHER)
    path = f"/cases/{case.id}/close"
    assert "Mark every task as done" in client.get(path).get_data(as_text=True)
    before = snapshot(db, case)
    data = {"employment_outcome": "continues", "mention_in_references": "no", "confirmed": "yes"}
    response = post(client, path, data)
    assert response.status_code == 200
    assert "Mark every task as done" in response.get_data(as_text=True)
    assert snapshot(db, case) == before


def test_adding_a_task(open_form, db: Session, users: dict[Role, User]) -> None:
    target = open_form("task")
    response = post(target.client, target.path, target.valid)
    page = assert_back_on_case(response, target.case, target.client)
    assert "Task added" in page
    db.expire_all()
    task = next(t for t in target.case.tasks if t.created_by_id is not None)
    assert task.assignee_id == users[Role.DSL].id
    assert task.due_on == TODAY + timedelta(days=3)
    ciphertext_hides(task.title_ct)
    assert audit_count(db, target.case, "task.create") == 2  # the parent task, and this one


def test_marking_a_task_done_twice_is_refused(
    db: Session, users: dict[Role, User], login_as
) -> None:
    case = case_stages.recorded(db, users[Role.HEADTEACHER])
    [task] = case.tasks  # explaining to the parent what happens next
    client = login_as(Role.DSL)
    path = f"/cases/{case.id}/tasks/{task.id}/done"
    assert "Task marked as done" in assert_back_on_case(
        post(client, path, {}), case, client, shown=False
    )
    before = snapshot(db, case)
    assert_refused(post(client, path, {}), case, client, "This task is already done")
    assert snapshot(db, case) == before


def test_recording_the_police_result_lifts_the_hold(open_form, db: Session) -> None:
    target = open_form("police_result")
    assert_back_on_case(post(target.client, target.path, target.valid), target.case, target.client)
    db.expire_all()
    assert target.case.open_police_hold is None
    assert target.case.state is CaseState.REFERRED
    ciphertext_hides(target.case.police_holds[0].result_ct)
    assert audit_count(db, target.case, "police_hold.lift") == 1


def test_recording_that_the_police_are_investigating_places_a_hold(
    db: Session, users: dict[Role, User], login_as
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, case_stages.recorded(db, head))
    client = login_as(Role.DSL)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'action="/cases/{case.id}/police-investigating"' in page
    response = post(client, f"/cases/{case.id}/police-investigating", {})
    page = assert_back_on_case(response, case, client, shown=False)
    assert f'href="/cases/{case.id}/police-result"' in page
    db.expire_all()
    assert case.state is CaseState.AWAITING_POLICE
    assert case.open_police_hold is not None
    assert audit_count(db, case, "police_hold.place") == 1
    # Not possible twice: refused with the reason, nothing changed.
    before = snapshot(db, case)
    response = post(client, f"/cases/{case.id}/police-investigating", {})
    assert_refused(response, case, client, "not possible while the case is awaiting police")
    assert snapshot(db, case) == before


def test_a_police_result_with_no_investigation_open_is_refused(open_form, db: Session) -> None:
    target = open_form("police_result")
    assert_back_on_case(post(target.client, target.path, target.valid), target.case, target.client)
    before = snapshot(db, target.case)
    reason = "There is no police investigation open"
    assert_refused(target.client.get(target.path), target.case, target.client, reason)
    response = post(target.client, target.path, target.valid)
    assert_refused(response, target.case, target.client, reason)
    assert snapshot(db, target.case) == before


def test_the_case_page_links_each_available_action(
    db: Session, users: dict[Role, User], login_as
) -> None:
    case = case_stages.recorded(db, users[Role.HEADTEACHER])
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    for path in ("triage", "referrals/new", "tasks/new"):
        assert f'href="/cases/{case.id}/{path}"' in page
    dsl_page = login_as(Role.DSL).get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/triage"' not in dsl_page
    assert f'href="/cases/{case.id}/referrals/new"' in dsl_page


def test_a_page_not_available_now_sends_the_user_back_with_the_reason(
    db: Session, users: dict[Role, User], login_as
) -> None:
    case = case_stages.recorded(db, users[Role.HEADTEACHER])
    client = login_as(Role.HEADTEACHER)
    before = snapshot(db, case)
    reason = "Record the outcome is not possible while the case is recorded"
    assert_refused(client.get(f"/cases/{case.id}/outcome"), case, client, reason)
    data = {"outcome": "upheld", "reasons": SECRET}
    assert_refused(post(client, f"/cases/{case.id}/outcome", data), case, client, reason)
    data = {"employment_outcome": "continues", "mention_in_references": "no", "confirmed": "yes"}
    reason = "Close the case is not possible while the case is recorded"
    assert_refused(post(client, f"/cases/{case.id}/close", data), case, client, reason)
    assert snapshot(db, case) == before


# --- Bad input, every field ------------------------------------------------------------------

TOO_LONG_REASONS_5K = "a" * 5_001
BAD: list[tuple[str, str, dict[str, object], str, str]] = [
    # (form, id, overrides, field, message)
    *(
        ("triage", f"{limb}-{kind}", {limb: value}, limb, "Answer yes, no or not known")
        for limb in ("harmed_child", "criminal_offence", "risk_of_harm", "unsuitable")
        for kind, value in (("empty", ""), ("missing", REMOVE), ("invalid", "maybe"))
    ),
    ("triage", "kind-empty", {"kind": ""}, "kind", "Choose the track"),
    ("triage", "kind-invalid", {"kind": "wizard"}, "kind", "Choose the track"),
    (
        "triage",
        "threshold-met-not-allegation",
        {"harmed_child": "yes"},
        "kind",
        "The harm threshold is met, so the track must be allegation",
    ),
    (
        "triage",
        "allegation-all-no",
        {"kind": "allegation"},
        "kind",
        "An allegation meets the harm threshold: answer yes or not known where a part "
        "applies, or choose another track",
    ),
    ("triage", "reasons-empty", {"reasons": ""}, "reasons", "Enter the reasons for your decision"),
    (
        "triage",
        "reasons-blank",
        {"reasons": " \r\n "},
        "reasons",
        "Enter the reasons for your decision",
    ),
    (
        "triage",
        "reasons-too-long",
        {"reasons": TOO_LONG_REASONS_5K},
        "reasons",
        "The reasons must be 5,000 characters or fewer",
    ),
    ("triage", "reasons-script", {"reasons": SCRIPT, "kind": ""}, "kind", "Choose the track"),
    (
        "change_track",
        "same-track",
        {"kind": "policy_breach"},
        "kind",
        "The case is already on this track: choose a different one",
    ),
    ("change_track", "kind-invalid", {"kind": SCRIPT}, "kind", "Choose the track"),
    (
        "change_track",
        "reasons-empty",
        {"reasons": ""},
        "reasons",
        "Enter the reasons for your decision",
    ),
    ("referral_new", "agency-empty", {"agency": ""}, "agency", "Choose who you are referring to"),
    (
        "referral_new",
        "agency-missing",
        {"agency": REMOVE},
        "agency",
        "Choose who you are referring to",
    ),
    (
        "referral_new",
        "agency-invalid",
        {"agency": SCRIPT},
        "agency",
        "Choose who you are referring to",
    ),
    ("referral_made", "method-empty", {"method": ""}, "method", "Choose how the referral was made"),
    (
        "referral_made",
        "method-invalid",
        {"method": "pigeon"},
        "method",
        "Choose how the referral was made",
    ),
    (
        "referral_made",
        "made-on-empty",
        {"made_on": ["", "", ""]},
        "made_on",
        "Enter the date the referral was made",
    ),
    (
        "referral_made",
        "made-on-letters",
        {"made_on": ["x", "3", str(TODAY.year)]},
        "made_on",
        "The date it was made must be a real date, like 27 3 2026",
    ),
    (
        "referral_made",
        "made-on-future",
        {"made_on": day(1)},
        "made_on",
        "The date it was made must be today or in the past",
    ),
    (
        "referral_made",
        "reference-too-long",
        {"their_reference": "a" * 101},
        "their_reference",
        "Their reference must be 100 characters or fewer",
    ),
    (
        "referral_made",
        "reasons-too-long",
        {"reasons": "a" * 2_001},
        "reasons",
        "The reasons must be 2,000 characters or fewer",
    ),
    (
        "referral_made",
        "reference-script",
        {"their_reference": SCRIPT, "method": ""},
        "method",
        "Choose how the referral was made",
    ),
    (
        "referral_not_made",
        "reasons-empty",
        {"reasons": "  "},
        "reasons",
        "Enter why it is not being referred",
    ),
    (
        "referral_not_made",
        "reasons-too-long",
        {"reasons": "a" * 2_001},
        "reasons",
        "The reasons must be 2,000 characters or fewer",
    ),
    (
        "referral_acknowledged",
        "reference-too-long",
        {"their_reference": "a" * 101},
        "their_reference",
        "Their reference must be 100 characters or fewer",
    ),
    ("referral_advice", "advice-empty", {"advice": ""}, "advice", "Enter the advice they gave"),
    (
        "referral_advice",
        "advice-too-long",
        {"advice": "a" * 10_001},
        "advice",
        "The advice must be 10,000 characters or fewer",
    ),
    (
        "referral_advice",
        "advice-script",
        {"advice": SCRIPT, "their_reference": "a" * 101},
        "their_reference",
        "Their reference must be 100 characters or fewer",
    ),
    (
        "referral_closed",
        "reasons-too-long",
        {"reasons": "a" * 2_001},
        "reasons",
        "The reasons must be 2,000 characters or fewer",
    ),
    ("outcome", "outcome-empty", {"outcome": ""}, "outcome", "Choose the outcome from the list"),
    (
        "outcome",
        "outcome-invalid",
        {"outcome": SCRIPT},
        "outcome",
        "Choose the outcome from the list",
    ),
    (
        "outcome",
        "outcome-not-for-this-track",
        {"outcome": "substantiated"},
        "outcome",
        "Choose the outcome from the list",
    ),
    ("outcome", "reasons-empty", {"reasons": ""}, "reasons", "Enter the reasons"),
    (
        "outcome",
        "reasons-too-long",
        {"reasons": TOO_LONG_REASONS_5K},
        "reasons",
        "The reasons must be 5,000 characters or fewer",
    ),
    (
        "outcome",
        "reasons-script",
        {"reasons": SCRIPT, "outcome": ""},
        "outcome",
        "Choose the outcome from the list",
    ),
    (
        "close",
        "employment-empty",
        {"employment_outcome": "", "confirmed": "yes"},
        "employment_outcome",
        "Say whether the person still works or volunteers here",
    ),
    (
        "close",
        "employment-invalid",
        {"employment_outcome": SCRIPT, "confirmed": "yes"},
        "employment_outcome",
        "Say whether the person still works or volunteers here",
    ),
    (
        "close",
        "mention-empty",
        {"mention_in_references": REMOVE, "confirmed": "yes"},
        "mention_in_references",
        "Say whether the case will be mentioned in references",
    ),
    (
        "close",
        "mention-invalid",
        {"mention_in_references": "perhaps", "confirmed": "yes"},
        "mention_in_references",
        "Say whether the case will be mentioned in references",
    ),
    ("task", "title-empty", {"title": ""}, "title", "Enter the task"),
    (
        "task",
        "title-too-long",
        {"title": "a" * 501},
        "title",
        "The task must be 500 characters or fewer",
    ),
    (
        "task",
        "assignee-empty",
        {"assignee": REMOVE},
        "assignee",
        "Choose who will do it from the list",
    ),
    (
        "task",
        "assignee-unknown",
        {"assignee": str(uuid.uuid4())},
        "assignee",
        "Choose who will do it from the list",
    ),
    (
        "task",
        "assignee-script",
        {"assignee": SCRIPT},
        "assignee",
        "Choose who will do it from the list",
    ),
    ("task", "due-empty", {"due_on": ["", "", ""]}, "due_on", "Enter the date it is due"),
    (
        "task",
        "due-past",
        {"due_on": day(-1)},
        "due_on",
        "The date it is due must be today or in the future",
    ),
    (
        "task",
        "due-partial",
        {"due_on": ["3", "", str(TODAY.year)]},
        "due_on",
        "The date it is due must include a month",
    ),
    (
        "task",
        "title-script",
        {"title": SCRIPT, "due_on": REMOVE},
        "due_on",
        "Enter the date it is due",
    ),
    (
        "police_result",
        "result-empty",
        {"result": ""},
        "result",
        "Enter what the police decided or found",
    ),
    (
        "police_result",
        "result-too-long",
        {"result": "a" * 5_001},
        "result",
        "The result must be 5,000 characters or fewer",
    ),
    # Issue 13: the new questions of the allegation route.
    (
        "triage",
        "exposed-missing",
        {"personal_data_exposed": REMOVE},
        "personal_data_exposed",
        "Say whether personal data was exposed",
    ),
    (
        "triage",
        "exposed-invalid",
        {"personal_data_exposed": SCRIPT},
        "personal_data_exposed",
        "Say whether personal data was exposed",
    ),
    (
        "triage",
        "breach-time-invalid",
        {"personal_data_exposed": "yes", "breach_aware_time": "25:00"},
        "breach_aware_time",
        "The time the school became aware of the breach must be a real time, like 14:30",
    ),
    (
        "triage",
        "breach-date-future",
        {"personal_data_exposed": "yes", "breach_aware_on": day(2)},
        "breach_aware_on",
        "The date the school became aware of the breach must be today or in the past",
    ),
    (
        "referral_made",
        "made-time-invalid",
        {"made_time": "later"},
        "made_time",
        "The time it was made must be a real time, like 14:30",
    ),
    (
        "referral_lado_advice",
        "officer-empty",
        {"officer": " "},
        "officer",
        "Enter the name of the LADO officer",
    ),
    (
        "referral_lado_advice",
        "officer-too-long",
        {"officer": "a" * 201},
        "officer",
        "The LADO officer's name must be 200 characters or fewer",
    ),
    (
        "referral_lado_advice",
        "spoke-on-empty",
        {"spoke_on": ["", "", ""]},
        "spoke_on",
        "Enter the date the LADO gave their decision",
    ),
    (
        "referral_lado_advice",
        "spoke-time-empty",
        {"spoke_time": ""},
        "spoke_time",
        "Enter the time the LADO gave their decision, like 14:30",
    ),
    (
        "referral_lado_advice",
        "spoke-time-invalid",
        {"spoke_time": SCRIPT[:8]},
        "spoke_time",
        "The time the LADO said so must be a real time, like 14:30",
    ),
    (
        "referral_lado_advice",
        "threshold-missing",
        {"threshold_met": REMOVE},
        "threshold_met",
        "Say whether the LADO says the harm threshold is met",
    ),
    (
        "referral_lado_advice",
        "investigation-missing",
        {"investigation": REMOVE},
        "investigation",
        "Choose who the LADO agreed investigates",
    ),
    (
        "referral_lado_advice",
        "investigation-invalid",
        {"investigation": "the-caretaker"},
        "investigation",
        "Choose who the LADO agreed investigates",
    ),
    (
        "referral_lado_advice",
        "not-met-without-reference",
        {"threshold_met": "no", "their_reference": ""},
        "their_reference",
        "Enter the LADO's reference for their decision that the threshold is not met",
    ),
    (
        "referral_lado_not_made",
        "school-alone",
        {"officer": REMOVE, "spoke_on": REMOVE, "spoke_time": REMOVE},
        "officer",
        "An allegation that meets the harm threshold is always referred to the LADO: record "
        "this only when the LADO says it does not meet the threshold, and enter the name of "
        "the LADO officer who said so",
    ),
    (
        "referral_lado_not_made",
        "reference-empty",
        {"their_reference": ""},
        "their_reference",
        "Enter the LADO's reference for their decision that the threshold is not met",
    ),
    (
        "allegation_outcome",
        "lado-officer-empty",
        {"lado_officer": ""},
        "lado_officer",
        "Enter the name of the LADO officer who agreed the outcome",
    ),
    (
        "allegation_outcome",
        "lado-agreed-on-empty",
        {"lado_agreed_on": ["", "", ""]},
        "lado_agreed_on",
        "Enter the date the LADO agreed the outcome",
    ),
    (
        "allegation_outcome",
        "lado-agreed-on-future",
        {"lado_agreed_on": day(1)},
        "lado_agreed_on",
        "The date the LADO agreed must be today or in the past",
    ),
    (
        "close",
        "removed-missing",
        {"removed_from_regulated_activity": REMOVE, "confirmed": "yes"},
        "removed_from_regulated_activity",
        "Say whether the person was removed from work with children because of harm or a "
        "risk of harm",
    ),
    (
        "close",
        "teacher-invalid",
        {"teacher_serious_misconduct": SCRIPT, "confirmed": "yes"},
        "teacher_serious_misconduct",
        "Say whether a teacher was dismissed, or would have been, for serious misconduct",
    ),
]


@pytest.mark.parametrize(
    ("name", "overrides", "field", "message"),
    [pytest.param(n, o, f, m, id=f"{n}-{i}") for n, i, o, f, m in BAD],
)
def test_bad_input_is_explained_and_changes_nothing(
    open_form: Callable[[str], Target],
    db: Session,
    name: str,
    overrides: dict[str, object],
    field: str,
    message: str,
) -> None:
    target = open_form(name)
    data = dict(target.valid)
    for key, value in overrides.items():
        if value is REMOVE:
            data.pop(key, None)
        else:
            data[key] = value
    before = snapshot(db, target.case)

    response = post(target.client, target.path, data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    assert summary_errors(page).get(field) == message, summary_errors(page)
    assert field_error(page, field) == message
    assert SCRIPT not in page
    if SCRIPT in [v for v in overrides.values() if isinstance(v, str)] and field not in overrides:
        assert ESCAPED_SCRIPT in page  # free text comes back as typed, escaped
    assert snapshot(db, target.case) == before


def test_a_late_referral_needs_its_reasons(db: Session, users: dict[Role, User], login_as) -> None:
    head = users[Role.HEADTEACHER]
    case = factories.make_case(db, head, became_aware_on=TODAY - timedelta(days=14))
    db.commit()
    case_stages.triaged(db, head, case, CaseKind.ALLEGATION)
    lado = case.referrals[0]
    client = login_as(Role.HEADTEACHER)
    before = snapshot(db, case)
    response = post(client, f"/cases/{case.id}/referrals/{lado.id}/made", MADE_VALID)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    message = "Enter why the referral was made after its deadline"
    assert summary_errors(page).get("reasons") == message
    assert snapshot(db, case) == before
    data = {**MADE_VALID, "reasons": "The LADO's line was closed for the holiday."}
    assert post(client, f"/cases/{case.id}/referrals/{lado.id}/made", data).status_code == 302


def test_a_malicious_allegation_cannot_be_mentioned_in_references(
    db: Session, users: dict[Role, User], login_as
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.recorded(db, head, DisclosureSource.ANONYMOUS)
    case_stages.triaged(db, head, case, CaseKind.ALLEGATION)
    client = login_as(Role.HEADTEACHER)
    through_lado_web(client, case)
    outcome = {"outcome": "malicious", "reasons": "Made up.", **LADO_AGREED}
    assert post(client, f"/cases/{case.id}/outcome", outcome).status_code == 302
    case_stages.tasks_done(db, head, case)
    # The TRA referral is considered for a teacher: not made, with reasons.
    add = post(client, f"/cases/{case.id}/referrals/new", {"agency": "tra"})
    assert add.status_code == 302
    db.expire_all()
    tra = next(r for r in case.referrals if r.agency is Agency.TRA)
    post(client, f"/cases/{case.id}/referrals/{tra.id}/not-made", {"reasons": "Malicious."})
    before = snapshot(db, case)
    data = {
        "employment_outcome": "continues",
        "mention_in_references": "yes",
        "personnel_file_kept": "no",
        "confirmed": "yes",
        **CLOSE_DUTIES,
    }
    response = post(client, f"/cases/{case.id}/close", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    message = (
        "Only a substantiated allegation may be mentioned in references: this one is malicious"
    )
    assert summary_errors(page).get("mention_in_references") == message
    assert snapshot(db, case) == before


def _allegation_ready_to_close(
    db: Session, users: dict[Role, User], login_as, outcome: str
) -> tuple[Case, FlaskClient]:
    """An allegation through the LADO, with `outcome`, a decision not to refer to the TRA and
    every task done: only the closing answers are left."""
    head = users[Role.HEADTEACHER]
    case = case_stages.recorded(db, head, DisclosureSource.ANONYMOUS)
    case_stages.triaged(db, head, case, CaseKind.ALLEGATION)
    client = login_as(Role.HEADTEACHER)
    through_lado_web(client, case)
    data = {"outcome": outcome, "reasons": "The reasons.", **LADO_AGREED}
    assert post(client, f"/cases/{case.id}/outcome", data).status_code == 302
    post(client, f"/cases/{case.id}/referrals/new", {"agency": "tra"})
    db.expire_all()
    tra = next(r for r in case.referrals if r.agency is Agency.TRA)
    post(client, f"/cases/{case.id}/referrals/{tra.id}/not-made", {"reasons": "Not needed."})
    case_stages.tasks_done(db, head, case)
    return case, client


def test_an_allegation_needs_the_pension_age_date_to_close(
    db: Session, users: dict[Role, User], login_as
) -> None:
    case, client = _allegation_ready_to_close(db, users, login_as, "unfounded")
    before = snapshot(db, case)
    data = {"employment_outcome": "continues", "mention_in_references": "no", **CLOSE_DUTIES}
    response = post(client, f"/cases/{case.id}/close", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    message = "Enter the date the person reaches normal pension age"
    assert summary_errors(page).get("pension_age_on") == message
    assert field_error(page, "pension_age_on") == message
    response = post(client, f"/cases/{case.id}/close", {**data, "pension_age_on": ["a", "b", "c"]})
    message = "The pension age date must be a real date, like 27 3 2026"
    assert summary_errors(response.get_data(as_text=True)).get("pension_age_on") == message
    assert snapshot(db, case) == before
    # With the date, the check page shows how long the record is kept, then it closes.
    data["pension_age_on"] = [str(TODAY.day), str(TODAY.month), str(TODAY.year + 30)]
    page = post(client, f"/cases/{case.id}/close", data).get_data(as_text=True)
    assert "until normal pension age or 10 years" in page
    response = post(client, f"/cases/{case.id}/close", {**data, "confirmed": "yes"})
    assert response.status_code == 302
    db.expire_all()
    assert case.state is CaseState.CLOSED
    assert case.retention_until == TODAY.replace(year=TODAY.year + 30)


def test_a_duty_that_follows_from_the_closing_answers_is_asked_before_the_summary(
    db: Session, users: dict[Role, User], login_as
) -> None:
    case, client = _allegation_ready_to_close(db, users, login_as, "substantiated")
    before = snapshot(db, case)
    pension = [str(TODAY.day), str(TODAY.month), str(TODAY.year + 30)]
    data = {"employment_outcome": "dismissed", "mention_in_references": "yes", **CLOSE_DUTIES}
    response = post(client, f"/cases/{case.id}/close", {**data, "pension_age_on": pension})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:300]
    message = "Refer the person to the DBS: it is a legal duty"
    assert summary_errors(page).get("employment_outcome") == message
    assert "Check your answers" not in page
    assert snapshot(db, case) == before
    # Confirmed without the summary (a page left open): refused, and the case stays open.
    response = post(
        client, f"/cases/{case.id}/close", {**data, "pension_age_on": pension, "confirmed": "yes"}
    )
    assert_refused(response, case, client, message)
    assert snapshot(db, case) == before
