"""The disciplinary, suspension and breach pages: each is offered on the case page in the right
state, the happy paths go through check-your-answers where the step cannot be undone, flashes
never echo free text, and bad input on every field shows a GOV.UK error summary and changes
nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.casework.disciplinary import commands as disciplinary
from incidents.models import (
    AuditEntry,
    BreachRecord,
    Case,
    CaseKind,
    CaseState,
    DisciplinaryMeasure,
    DisciplinaryProcess,
    DisciplinaryStage,
    Measure,
    PersonKind,
    Role,
    StaffOutcome,
    SuspensionDecision,
    TaskKind,
)
from tests import case_stages
from tests.case_routes import TODAY, assess, case_about, through_lado, upheld
from tests.conftest import csrf_token, problem, success_banner
from tests.web.test_forms_bad_input import ESCAPED_SCRIPT, SCRIPT, summary_errors

SECRET = "HR ref 4471-JONES"


def day(offset: int = 0) -> list[str]:
    when = TODAY + timedelta(days=offset)
    return [str(when.day), str(when.month), str(when.year)]


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


def snapshot(db: Session, case: Case) -> tuple[object, ...]:
    db.expire_all()
    fresh = db.get(Case, case.id)
    assert fresh is not None
    counted = tuple(
        db.scalar(select(func.count()).select_from(m)) or 0
        for m in (DisciplinaryProcess, DisciplinaryMeasure, SuspensionDecision, BreachRecord)
    )
    audited = select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "case.view")
    stages = [(p.stage, p.outcome, p.hearing_on) for p in fresh.disciplinary_processes]
    decisions = [
        (d.confirmation_sent_on, d.late_reason_ct, d.lifted_on, d.lifted_reasons_ct)
        for d in fresh.suspension_decisions
    ]
    return fresh.state, counted, stages, decisions, db.scalar(audited)


def flashed(page: str) -> str:
    """What the case page says after a step: done (green) or refused (an error, never green)."""
    return success_banner(page) + problem(page)


@pytest.fixture
def head(login_as: Any) -> FlaskClient:
    client: FlaskClient = login_as(Role.HEADTEACHER)
    return client


# --- happy paths ---------------------------------------------------------------------------------


def test_staff_process_through_the_web(db: Session, users: Any, head: FlaskClient) -> None:
    case = upheld(db, users[Role.HEADTEACHER], PersonKind.STAFF, CaseKind.POLICY_BREACH)
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/disciplinary/start" in page
    start = f"/cases/{case.id}/disciplinary/start"
    assert head.get(start).status_code == 200
    check = post(head, start, {"hr_reference": SECRET})
    body = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check your answers" in body and SECRET in body
    assert db.scalar(select(func.count()).select_from(DisciplinaryProcess)) == 0
    # "Change your answers" goes back to the filled-in form and saves nothing.
    back = post(head, start, {"hr_reference": SECRET, "confirmed": "yes", "change": "yes"})
    assert "Check your answers" not in back.get_data(as_text=True)
    assert f'value="{SECRET}"' in back.get_data(as_text=True)
    done = post(head, start, {"hr_reference": SECRET, "confirmed": "yes"})
    assert done.status_code == 302
    db.expire_all()
    [process] = db.get(Case, case.id).disciplinary_processes  # type: ignore[union-attr]
    assert process.case.state is CaseState.DISCIPLINARY
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert SECRET not in flashed(page) and "Disciplinary process started" in flashed(page)
    assert str(process.id) in page and "Record the hearing date" in page

    base = f"/cases/{case.id}/disciplinary/{process.id}"
    assert post(head, f"{base}/hearing", {"hearing_on": day()}).status_code == 302
    outcome = {"outcome": "dismissal", "decided_on": day(), "reasons": SCRIPT}
    check = post(head, f"{base}/outcome", outcome)
    assert "Check your answers" in check.get_data(as_text=True)
    assert ESCAPED_SCRIPT in check.get_data(as_text=True)
    assert post(head, f"{base}/outcome", {**outcome, "confirmed": "yes"}).status_code == 302
    db.expire_all()
    process = db.get(DisciplinaryProcess, process.id)  # type: ignore[assignment]
    assert process.stage is DisciplinaryStage.CONCLUDED
    assert process.outcome is StaffOutcome.DISMISSAL and process.hearing_on == TODAY
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Dismissal" in page and ESCAPED_SCRIPT in page and SCRIPT not in page
    # The close page suggests the answer the dismissal implies.
    case_stages.tasks_done(db, users[Role.HEADTEACHER], db.get(Case, case.id))  # type: ignore[arg-type]
    close = head.get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert re.search(r'value="dismissed"\s+checked', close)


def test_parent_sanctions_through_the_web(db: Session, users: Any, head: FlaskClient) -> None:
    case = upheld(db, users[Role.HEADTEACHER], PersonKind.PARENT_CARER, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(
        db, actor=users[Role.HEADTEACHER], case=case, person_id=None
    )
    db.commit()
    base = f"/cases/{case.id}/disciplinary/{process.id}"
    form = head.get(f"{base}/measures/new").get_data(as_text=True)
    assert "photography_withdrawn" in form and "governor_removed" not in form
    # Hearings are for staff: the page sends the user back with the reason.
    refused = head.get(f"{base}/hearing")
    assert refused.status_code == 302
    measure = {"measure": "photography_withdrawn", "starts_on": day(), "review_on": day(90)}
    assert post(head, f"{base}/measures/new", measure).status_code == 302
    summary = head.get(f"{base}/conclude").get_data(as_text=True)
    assert "Right to take photographs at school withdrawn" in summary
    assert post(head, f"{base}/conclude", {}).status_code == 302
    db.expire_all()
    process = db.get(DisciplinaryProcess, process.id)  # type: ignore[assignment]
    assert process.stage is DisciplinaryStage.CONCLUDED
    assert [m.measure for m in process.measures] == [Measure.PHOTOGRAPHY_WITHDRAWN]


def test_suspension_through_the_web(db: Session, users: Any, head: FlaskClient) -> None:
    actor = users[Role.HEADTEACHER]
    case = case_about(db, actor, PersonKind.STAFF)
    assess(db, actor, case, CaseKind.ALLEGATION)
    through_lado(db, actor, case)
    db.commit()
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/suspension/new" in page
    data = {
        "why_redeployment": "No role away from the class.",
        "suspended": "yes",
        "reasons": SECRET,
        "decided_on": day(),
    }
    check = post(head, f"/cases/{case.id}/suspension/new", data)
    body = check.get_data(as_text=True)
    assert "Check your answers" in body and "Confirm it in writing by" in body
    done = post(head, f"/cases/{case.id}/suspension/new", {**data, "confirmed": "yes"})
    assert done.status_code == 302
    db.expire_all()
    [decision] = db.get(Case, case.id).suspension_decisions  # type: ignore[union-attr]
    assert decision.suspended and decision.awaits_confirmation
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert SECRET not in flashed(page) and "Confirm the suspension in writing" in page
    sent = f"/cases/{case.id}/suspension/{decision.id}/confirmed"
    assert post(head, sent, {"sent_on": day()}).status_code == 302
    db.expire_all()
    decision = db.get(SuspensionDecision, decision.id)  # type: ignore[assignment]
    assert decision.confirmation_sent_on == TODAY
    task = next(t for t in decision.case.tasks if t.kind is TaskKind.CONFIRM_SUSPENSION)
    assert task.is_done


def test_breach_record_and_register_through_the_web(
    db: Session, users: Any, head: FlaskClient, login_as: Any
) -> None:
    actor = users[Role.HEADTEACHER]
    case = case_about(db, actor, PersonKind.STAFF)
    assess(db, actor, case, CaseKind.DATA_BREACH)
    db.commit()
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Record the facts of the data breach" in page
    assert "Record the decision on reporting to the ICO" not in page  # facts first
    facts = {
        "what_happened": SECRET,
        "data_involved": "Names.",
        "people_affected": "1,200",
        "subjects": ["pupils", "parents"],
        "likely_effects": "Low.",
        "remedial_action": "Recalled.",
    }
    assert post(head, f"/cases/{case.id}/breach/facts", facts).status_code == 302
    again = head.get(f"/cases/{case.id}/breach/facts").get_data(as_text=True)
    assert SECRET in again and 'value="1200"' in again  # opens with what is recorded
    ico = {"report": "no", "reasons": "Unlikely to be a risk."}
    assert post(head, f"/cases/{case.id}/breach/ico", ico).status_code == 302
    told = {"told": "no", "reasons": "Not a high risk."}
    assert post(head, f"/cases/{case.id}/breach/people-told", told).status_code == 302
    db.expire_all()
    record = db.get(Case, case.id).breach_record  # type: ignore[union-attr]
    assert record is not None and record.is_complete and record.people_affected == 1200
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert SECRET in page and SECRET not in flashed(page)
    assert "/breaches" in login_as(Role.DSL).get("/cases/").get_data(as_text=True)
    register = login_as(Role.DSL).get("/breaches").get_data(as_text=True)
    assert case.reference in register and "No (decided not to)" in register
    assert SECRET not in register


def test_ending_a_suspension_through_the_web(db: Session, users: Any, head: FlaskClient) -> None:
    case, decision = _suspended(db, users, days_ago=3)
    since = f"Suspended since {decision.decided_on.day} {decision.decided_on:%B %Y}"
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert since in page
    url = f"/cases/{case.id}/suspension/{decision.id}/ended"
    assert url in page
    data = {"lifted_on": day(), "reasons": SECRET}
    check = post(head, url, data).get_data(as_text=True)
    assert "Check your answers" in check and SECRET in check
    db.expire_all()
    assert db.get(SuspensionDecision, decision.id).lifted_on is None  # type: ignore[union-attr]
    done = post(head, url, {**data, "confirmed": "yes"})
    assert done.status_code == 302
    page = head.get(done.location).get_data(as_text=True)
    assert "The end of the suspension is recorded" in flashed(page) and SECRET not in flashed(page)
    start, end = decision.decided_on, TODAY
    assert f"Suspended from {start.day} {start:%B %Y} to {end.day} {end:%B %Y}" in page
    assert SECRET in page and since not in page and url not in page
    # Once only: the page sends the user back with the reason, and nothing changes.
    before = snapshot(db, case)
    again = post(head, url, {"lifted_on": day(), "reasons": "Again.", "confirmed": "yes"})
    assert again.status_code == 302
    refused = head.get(again.location).get_data(as_text=True)
    assert "no suspension in force" in problem(refused)
    assert "no suspension in force" not in success_banner(refused)
    assert snapshot(db, case) == before


def test_a_decision_not_to_suspend_has_no_end(db: Session, users: Any, head: FlaskClient) -> None:
    from incidents.casework.suspension import commands as suspension

    case, decision = _suspended(db, users)
    kept = suspension.decide_suspension(
        db,
        actor=users[Role.HEADTEACHER],
        case=case,
        data=suspension.SuspensionInput(None, {}, False, "Supervision instead.", TODAY),
    )
    db.commit()
    before = snapshot(db, case)
    url = f"/cases/{case.id}/suspension/{kept.id}/ended"
    response = post(head, url, {"lifted_on": day(), "reasons": "R", "confirmed": "yes"})
    assert response.status_code == 302
    refused = head.get(response.location).get_data(as_text=True)
    assert "This decision was not to suspend" in problem(refused)
    assert not success_banner(refused)
    assert snapshot(db, case) == before
    assert decision.is_in_force


def test_a_late_confirmation_through_the_web(db: Session, users: Any, head: FlaskClient) -> None:
    case, decision = _suspended(db, users, days_ago=14)
    due = decision.confirmation_due_on
    assert due is not None
    url = f"/cases/{case.id}/suspension/{decision.id}/confirmed"
    form = head.get(url).get_data(as_text=True)
    assert f"Only needed if it was sent after {due.day} {due:%B %Y}" in form
    done = post(head, url, {"sent_on": day(), "late_reason": "Sent to the wrong address first."})
    assert done.status_code == 302
    page = head.get(done.location).get_data(as_text=True)
    assert "Why the confirmation was late" in page and "Sent to the wrong address" in page


def test_a_review_date_gives_the_case_manager_a_task(
    db: Session, users: Any, head: FlaskClient
) -> None:
    case, process = _parent_process(db, users)
    url = f"/cases/{case.id}/disciplinary/{process.id}/measures/new"
    data = {"measure": "photography_withdrawn", "starts_on": day(), "review_on": day(30)}
    assert post(head, url, data).status_code == 302
    db.expire_all()
    fresh = db.get(Case, case.id)
    assert fresh is not None
    [task] = [t for t in fresh.tasks if t.kind is TaskKind.REVIEW_MEASURE]
    assert task.due_on == TODAY + timedelta(days=30)
    assert task.assignee_id == users[Role.HEADTEACHER].id
    [measure] = fresh.disciplinary_processes[0].measures
    assert measure.review_task_id == task.id
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Review the measure: Right to take photographs at school withdrawn" in page
    # Done through the ordinary task flow.
    done = post(head, f"/cases/{case.id}/tasks/{task.id}/done", {})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(type(task), task.id).is_done  # type: ignore[union-attr]


# --- bad input on every field ---------------------------------------------------------------------


def _staff_process(db: Session, users: Any) -> tuple[Case, DisciplinaryProcess]:
    case = upheld(db, users[Role.HEADTEACHER], PersonKind.STAFF, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(
        db, actor=users[Role.HEADTEACHER], case=case, person_id=None
    )
    db.commit()
    return case, process


def _parent_process(db: Session, users: Any) -> tuple[Case, DisciplinaryProcess]:
    case = upheld(db, users[Role.HEADTEACHER], PersonKind.PARENT_CARER, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(
        db, actor=users[Role.HEADTEACHER], case=case, person_id=None
    )
    db.commit()
    return case, process


def _allegation(db: Session, users: Any) -> tuple[Case, None]:
    actor = users[Role.HEADTEACHER]
    case = case_about(db, actor, PersonKind.STAFF)
    assess(db, actor, case, CaseKind.ALLEGATION)
    through_lado(db, actor, case)
    db.commit()
    return case, None


def _suspended(db: Session, users: Any, *, days_ago: int = 0) -> tuple[Case, SuspensionDecision]:
    from incidents.casework.referrals import commands as referrals
    from incidents.casework.suspension import commands as suspension
    from incidents.models import Agency, Alternative, ReferralMethod, ReferralStatus

    actor = users[Role.HEADTEACHER]
    when = TODAY - timedelta(days=days_ago)
    case = case_about(db, actor, PersonKind.STAFF, became_aware_on=when)
    assess(db, actor, case, CaseKind.ALLEGATION)
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    referrals.update_referral(
        db,
        actor=actor,
        case=case,
        referral_id=lado.id,
        # Made today: late when the school knew days ago, so it says why.
        data=referrals.ReferralUpdate(
            ReferralStatus.MADE, ReferralMethod.PHONE, TODAY, reasons="Late: why."
        ),
    )
    decision = suspension.decide_suspension(
        db,
        actor=actor,
        case=case,
        data=suspension.SuspensionInput(
            None, {Alternative.SUPERVISION: "No one free."}, True, "Risk.", when
        ),
    )
    db.commit()
    return case, decision


def _breach(db: Session, users: Any, *, with_facts: bool = False) -> tuple[Case, None]:
    from incidents.casework.breach import commands as breaches
    from incidents.models import DataSubjects

    actor = users[Role.HEADTEACHER]
    case = case_about(db, actor, PersonKind.STAFF)
    assess(db, actor, case, CaseKind.DATA_BREACH)
    if with_facts:
        facts = breaches.BreachFacts("a", "b", 2, frozenset({DataSubjects.STAFF}), "c", "d")
        breaches.record_facts(db, actor=actor, case=case, data=facts)
    db.commit()
    return case, None


PAGES: dict[str, tuple[Any, str]] = {
    "start": (
        lambda db, u: (
            upheld(db, u[Role.HEADTEACHER], PersonKind.STAFF, CaseKind.POLICY_BREACH),
            None,
        ),
        "disciplinary/start",
    ),
    "hearing": (_staff_process, "disciplinary/{p}/hearing"),
    "outcome": (_staff_process, "disciplinary/{p}/outcome"),
    "measure": (_parent_process, "disciplinary/{p}/measures/new"),
    "end": (_staff_process, "disciplinary/{p}/end"),
    "suspension": (_allegation, "suspension/new"),
    "lift": (_suspended, "suspension/{p}/ended"),
    "confirmed": (_suspended, "suspension/{p}/confirmed"),
    "late": (lambda db, u: _suspended(db, u, days_ago=14), "suspension/{p}/confirmed"),
    "facts": (_breach, "breach/facts"),
    "ico": (lambda db, u: _breach(db, u, with_facts=True), "breach/ico"),
    "told": (lambda db, u: _breach(db, u, with_facts=True), "breach/people-told"),
}

LONG = "x" * 5_001
BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("start", {"person": "not-a-person"}, "person", "Choose who the process is about"),
    ("start", {"hr_reference": "x" * 101}, "hr_reference", "100 characters or fewer"),
    ("hearing", {}, "hearing_on", "Enter the date of the hearing"),
    ("hearing", {"hearing_on": ["32", "13", "2026"]}, "hearing_on", "must be a real date"),
    ("outcome", {"decided_on": day(), "reasons": "R"}, "outcome", "Choose the outcome"),
    (
        "outcome",
        {"outcome": "sacked", "decided_on": day(), "reasons": "R"},
        "outcome",
        "Choose the outcome",
    ),
    (
        "outcome",
        {"outcome": "dismissal", "decided_on": day(), "reasons": "R"},
        "outcome",
        "can only follow a hearing",
    ),
    ("outcome", {"outcome": "no_action", "reasons": "R"}, "decided_on", "Enter the date"),
    (
        "outcome",
        {"outcome": "no_action", "decided_on": day(1), "reasons": "R"},
        "decided_on",
        "today or in the past",
    ),
    (
        "outcome",
        {"outcome": "no_action", "decided_on": day(), "reasons": " "},
        "reasons",
        "Enter the reasons",
    ),
    (
        "outcome",
        {"outcome": "no_action", "decided_on": day(), "reasons": LONG},
        "reasons",
        "5,000 characters",
    ),
    ("measure", {"starts_on": day()}, "measure", "Choose the sanction"),
    (
        "measure",
        {"measure": "governor_removed", "starts_on": day()},
        "measure",
        "Choose the sanction",
    ),
    ("measure", {"measure": "photography_withdrawn"}, "starts_on", "Enter the date it starts"),
    (
        "measure",
        {"measure": "photography_withdrawn", "starts_on": day(), "review_on": day(-1)},
        "review_on",
        "on or after the start",
    ),
    (
        "measure",
        {"measure": "photography_withdrawn", "starts_on": day(), "ends_on": ["1", "2"]},
        "ends_on",
        "must include a year",
    ),
    ("measure", {"measure": "other", "starts_on": day()}, "details", "Describe the measure"),
    ("end", {"reasons": ""}, "reasons", "Enter why the process is ending"),
    (
        "suspension",
        {"suspended": "yes", "reasons": "R", "decided_on": day()},
        "why_redeployment",
        "must not be the default",
    ),
    ("suspension", {"reasons": "R", "decided_on": day()}, "suspended", "Say whether"),
    ("suspension", {"suspended": "no", "decided_on": day()}, "reasons", "Enter the reasons"),
    ("suspension", {"suspended": "no", "reasons": "R"}, "decided_on", "Enter the date"),
    (
        "suspension",
        {"suspended": "no", "reasons": "R", "decided_on": day(-30)},
        "decided_on",
        "before the school",
    ),
    (
        "suspension",
        {"suspended": "no", "reasons": "R", "decided_on": day(), "why_other": "x" * 2_001},
        "why_other",
        "2,000 characters",
    ),
    ("lift", {"reasons": "Returned."}, "lifted_on", "Enter the date the suspension ended"),
    ("lift", {"lifted_on": ["3", "", "2026"], "reasons": "R"}, "lifted_on", "must include a month"),
    ("lift", {"lifted_on": day(1), "reasons": "R"}, "lifted_on", "today or in the past"),
    ("lift", {"lifted_on": day(-1), "reasons": "R"}, "lifted_on", "before it was decided"),
    ("lift", {"lifted_on": day(), "reasons": " "}, "reasons", "Enter why the suspension ended"),
    ("lift", {"lifted_on": day(), "reasons": LONG}, "reasons", "5,000 characters"),
    ("confirmed", {}, "sent_on", "Enter the date the confirmation was sent"),
    ("confirmed", {"sent_on": day(1)}, "sent_on", "today or in the past"),
    ("late", {"sent_on": day()}, "late_reason", "Enter why the confirmation was sent after"),
    ("late", {"sent_on": day(), "late_reason": "x" * 2_001}, "late_reason", "2,000 characters"),
    ("facts", {}, "what_happened", "Enter what happened"),
    ("facts", {"people_affected": "lots"}, "people_affected", "whole number"),
    ("facts", {"people_affected": "0"}, "people_affected", "between 1 and"),
    ("facts", {"subjects": ["aliens"]}, "subjects", "Choose whose data it was from the list"),
    ("facts", {"likely_effects": LONG}, "likely_effects", "5,000 characters"),
    ("ico", {"reasons": "R"}, "report", "Say whether"),
    ("ico", {"report": "no"}, "reasons", "Enter the reasons"),
    ("told", {"reasons": "R"}, "told", "Say whether"),
    ("told", {"told": "yes"}, "told_on", "Enter the date they were told"),
    ("told", {"told": "yes", "told_on": day(1)}, "told_on", "today or in the past"),
    ("told", {"told": "no"}, "reasons", "Enter why the people affected were not told"),
]


@pytest.mark.parametrize(
    ("page", "data", "field", "message"), BAD, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_input_is_explained_and_changes_nothing(
    db: Session,
    users: Any,
    head: FlaskClient,
    page: str,
    data: dict[str, Any],
    field: str,
    message: str,
) -> None:
    make, path = PAGES[page]
    case, process = make(db, users)
    url = f"/cases/{case.id}/" + path.format(p=process.id if process else "")
    before = snapshot(db, case)
    response = post(head, url, {**data, "what_happened_extra": SCRIPT})
    body = response.get_data(as_text=True)
    assert response.status_code == 200, response.status_code
    errors = summary_errors(body)
    assert any(message in text for text in errors.values()), errors
    assert any(target.startswith(field) for target in errors), errors
    assert "Check your answers" not in body
    assert snapshot(db, case) == before


def test_free_text_is_shown_back_escaped(db: Session, users: Any, head: FlaskClient) -> None:
    case, process = _staff_process(db, users)
    body = post(
        head,
        f"/cases/{case.id}/disciplinary/{process.id}/outcome",
        {"outcome": "no_action", "reasons": SCRIPT},
    ).get_data(as_text=True)
    assert ESCAPED_SCRIPT in body and SCRIPT not in body


def test_pages_refuse_a_case_not_at_their_step(db: Session, users: Any, head: FlaskClient) -> None:
    case = case_about(db, users[Role.HEADTEACHER], PersonKind.PARENT_CARER)
    db.commit()
    for path in ("disciplinary/start", "suspension/new", "breach/facts"):
        response = head.get(f"/cases/{case.id}/{path}")
        assert response.status_code == 302
        page = head.get(response.location).get_data(as_text=True)
        assert "not possible while the case is recorded" in problem(page)
        assert not success_banner(page)


def _refused(head: FlaskClient, url: str, data: dict[str, Any]) -> str:
    """POST `url`: sent back to the case page, whose error summary (never the green banner) is
    returned."""
    response = post(head, url, data)
    assert response.status_code == 302
    page = head.get(response.location).get_data(as_text=True)
    assert not success_banner(page)
    return problem(page)


def test_a_refused_disciplinary_step_is_an_error_and_saves_nothing(
    db: Session, users: Any, head: FlaskClient
) -> None:
    case, process = _staff_process(db, users)
    disciplinary.discontinue(
        db, actor=users[Role.HEADTEACHER], case=case, process_id=process.id, reasons="Resigned."
    )
    db.commit()
    before = snapshot(db, case)
    url = f"/cases/{case.id}/disciplinary/{process.id}/hearing"
    assert "This disciplinary process has already ended" in _refused(
        head, url, {"hearing_on": day()}
    )
    assert snapshot(db, case) == before


def test_a_refused_suspension_step_is_an_error_and_saves_nothing(
    db: Session, users: Any, head: FlaskClient
) -> None:
    from incidents.casework.suspension import commands as suspension
    from incidents.models import Alternative

    case, confirmed = _suspended(db, users)
    actor = users[Role.HEADTEACHER]
    suspension.confirm_suspension(
        db, actor=actor, case=case, decision_id=confirmed.id, sent_on=TODAY
    )
    # A second suspension waits for its confirmation: the case offers the step, the first
    # decision refuses it by itself.
    suspension.decide_suspension(
        db,
        actor=actor,
        case=case,
        data=suspension.SuspensionInput(
            None, {Alternative.SUPERVISION: "Still no one."}, True, "Risk.", TODAY
        ),
    )
    db.commit()
    before = snapshot(db, case)
    url = f"/cases/{case.id}/suspension/{confirmed.id}/confirmed"
    assert head.get(url).status_code == 302
    reason = "This suspension has already been confirmed in writing"
    assert reason in _refused(head, url, {"sent_on": day(), "late_reason": SECRET})
    assert snapshot(db, case) == before


def test_a_refused_breach_step_is_an_error_and_saves_nothing(
    db: Session, users: Any, head: FlaskClient
) -> None:
    case, _ = _breach(db, users)
    before = snapshot(db, case)
    url = f"/cases/{case.id}/breach/ico"
    refused = _refused(head, url, {"report": "no", "reasons": SECRET})
    assert "Record the facts of the breach first" in refused and SECRET not in refused
    assert snapshot(db, case) == before


def test_the_breach_section_shows_the_ico_referral_and_its_reference(
    db: Session, users: Any, head: FlaskClient
) -> None:
    from incidents.casework.breach import commands as breaches
    from incidents.models import Agency, ReferralStatus
    from tests.case_routes import move

    case, _ = _breach(db, users, with_facts=True)
    actor = users[Role.HEADTEACHER]
    breaches.decide_ico(db, actor=actor, case=case, report=True, reasons="High risk.")
    move(db, actor, case, Agency.ICO, ReferralStatus.MADE)
    db.commit()
    page = head.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Yes: High risk." in page and "ICO reference REF-1" in page
    register = head.get("/breaches").get_data(as_text=True)
    assert re.search(r"Yes</td>\s*<td[^>]*>Yes</td>", register)
