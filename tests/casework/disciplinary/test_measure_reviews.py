"""Reviewing a parent's sanction (photography or phones withdrawn, premises restricted): bad
input on every field is refused with a clear message and nothing changes (no review, no audit
entry, the review task still open); a review continues the measure with its next review as a
new task, ends it, or changes it; only the case manager records one, while the measure is in
force and the case open; the reasons and changes are sealed; and the pages do the same."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import workflow
from incidents.audit import Action
from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.disciplinary import reviews as measure_reviews
from incidents.errors import InvalidInput, NotFound
from incidents.models import (
    AuditEntry,
    CaseKind,
    DisciplinaryMeasure,
    Measure,
    MeasureReview,
    PersonKind,
    ReviewDecision,
    Role,
    Task,
    TaskKind,
    User,
)
from tests.case_routes import STARTED, TODAY, entries, parent_measure, upheld
from tests.conftest import csrf_token, problem, success_banner
from tests.web.test_forms_bad_input import ESCAPED_SCRIPT, SCRIPT, summary_errors

LONG = "x" * 5_001


def _day(when: date) -> list[str]:
    return [str(when.day), str(when.month), str(when.year)]


def snapshot(db: Session, measure: DisciplinaryMeasure) -> tuple[object, ...]:
    db.expire_all()
    fresh = db.get(DisciplinaryMeasure, measure.id)
    assert fresh is not None
    review_tasks = sorted(
        (str(t.id), t.due_on, t.is_done)
        for t in fresh.process.case.tasks
        if t.kind is TaskKind.REVIEW_MEASURE
    )
    return (
        db.scalar(select(func.count()).select_from(MeasureReview)),
        db.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "case.view")
        ),
        (fresh.review_on, fresh.ends_on, fresh.review_task_id),
        review_tasks,
    )


def _review(db: Session, actor: User, measure: DisciplinaryMeasure, **kw: Any) -> MeasureReview:
    values: dict[str, Any] = {
        "decision": ReviewDecision.CONTINUE,
        "reviewed_on": TODAY,
        "reasons": "No further incidents; the restriction still protects pupils.",
    }
    values.update(kw)
    return measure_reviews.record_review(
        db,
        actor=actor,
        case=measure.process.case,
        measure_id=measure.id,
        data=measure_reviews.ReviewInput(**values),
    )


@pytest.fixture
def measure(db: Session, users: dict[Role, User]) -> DisciplinaryMeasure:
    return parent_measure(db, users[Role.HEADTEACHER])


# --- bad input -----------------------------------------------------------------------------------

BAD_SERVICE = [
    ({"decision": None}, "decision", "Choose what was decided"),
    ({"reviewed_on": None}, "reviewed_on", "Enter the date of the review"),
    ({"reviewed_on": TODAY + timedelta(days=1)}, "reviewed_on", "today or in the past"),
    ({"reviewed_on": STARTED - timedelta(days=1)}, "reviewed_on", "before the measure started"),
    ({"reasons": " "}, "reasons", "Enter the reasons for the decision"),
    ({"reasons": LONG}, "reasons", "5,000 characters or fewer"),
    ({"next_review_on": TODAY}, "next_review_on", "after the date of this review"),
    ({"next_review_on": TODAY - timedelta(days=3)}, "next_review_on", "after the date of this"),
    ({"decision": ReviewDecision.END}, "ends_on", "Enter the date it ends"),
    (
        {"decision": ReviewDecision.END, "ends_on": STARTED - timedelta(days=1)},
        "ends_on",
        "on or after the date it started",
    ),
    (
        {"decision": ReviewDecision.END, "ends_on": TODAY - timedelta(days=1)},
        "ends_on",
        "cannot be before the date of the review",
    ),
    (
        {"decision": ReviewDecision.END, "ends_on": TODAY, "next_review_on": TODAY + timedelta(9)},
        "next_review_on",
        "empty when you end it",
    ),
    ({"ends_on": TODAY}, "ends_on", "empty unless you are ending it"),
    ({"decision": ReviewDecision.VARY}, "changes", "Describe what changes"),
    ({"decision": ReviewDecision.VARY, "changes": "x" * 2_001}, "changes", "2,000 characters"),
    ({"changes": "Assemblies allowed."}, "changes", "empty unless you are changing it"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_SERVICE)
def test_a_review_refuses_bad_input_and_changes_nothing(db, users, measure, data, field, message):
    before = snapshot(db, measure)
    with pytest.raises(InvalidInput) as exc:
        _review(db, users[Role.HEADTEACHER], measure, **data)
    db.rollback()
    assert message in exc.value.errors.get(field, ""), exc.value.errors
    assert snapshot(db, measure) == before


def test_every_error_is_reported_at_once(db, users, measure):
    with pytest.raises(InvalidInput) as exc:
        _review(db, users[Role.HEADTEACHER], measure, decision=None, reviewed_on=None, reasons="")
    assert set(exc.value.errors) == {"decision", "reviewed_on", "reasons"}


def test_the_next_review_must_come_before_a_fixed_end(db, users):
    head = users[Role.HEADTEACHER]
    case = upheld(db, head, PersonKind.PARENT_CARER, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    fixed = disciplinary.add_measure(
        db,
        actor=head,
        case=case,
        process_id=process.id,
        data=disciplinary.MeasureInput(
            Measure.PHOTOGRAPHY_WITHDRAWN, STARTED, review_on=TODAY, ends_on=TODAY + timedelta(60)
        ),
    )
    db.commit()
    with pytest.raises(InvalidInput) as exc:
        _review(db, head, fixed, next_review_on=TODAY + timedelta(days=60))
    assert "before the measure ends" in exc.value.errors["next_review_on"]


def test_only_the_case_manager_reviews(db, users, measure):
    before = snapshot(db, measure)
    with pytest.raises(
        workflow.TransitionNotAllowedError, match="only be done by the case manager"
    ):
        _review(db, users[Role.DSL], measure)
    db.rollback()
    assert snapshot(db, measure) == before


def test_another_case_measure_is_not_found(db, users, measure):
    other = parent_measure(db, users[Role.HEADTEACHER])
    with pytest.raises(NotFound):
        measure_reviews.record_review(
            db,
            actor=users[Role.HEADTEACHER],
            case=measure.process.case,
            measure_id=other.id,
            data=measure_reviews.ReviewInput(ReviewDecision.CONTINUE, TODAY, "r"),
        )


def test_an_ended_measure_is_not_reviewed_again(db, users, measure):
    head = users[Role.HEADTEACHER]
    _review(db, head, measure, decision=ReviewDecision.END, ends_on=TODAY)
    db.commit()
    before = snapshot(db, measure)
    # Ended today: no sanction is left in force on the case, so the step itself is refused.
    with pytest.raises(workflow.TransitionNotAllowedError, match="no sanction or measure in force"):
        _review(db, head, measure)
    db.rollback()
    assert snapshot(db, measure) == before


def test_a_measure_past_its_end_is_refused_even_with_another_in_force(db, users, measure):
    head = users[Role.HEADTEACHER]
    case = measure.process.case
    # A second measure, recorded with an end date now past (as a test row: the service would
    # not add one to a concluded process); the first is still in force, so the step is offered.
    ended = DisciplinaryMeasure(
        process=measure.process,
        measure=Measure.MOBILE_PHONE_WITHDRAWN,
        starts_on=STARTED,
        ends_on=TODAY - timedelta(days=1),
        created_by_id=head.id,
    )
    db.add(ended)
    db.commit()
    before = snapshot(db, ended)
    with pytest.raises(workflow.TransitionNotAllowedError, match="already ended"):
        measure_reviews.record_review(
            db,
            actor=head,
            case=case,
            measure_id=ended.id,
            data=measure_reviews.ReviewInput(ReviewDecision.CONTINUE, TODAY, "r"),
        )
    db.rollback()
    assert snapshot(db, ended) == before


# --- normal runs ---------------------------------------------------------------------------------


def test_continuing_with_a_next_date_opens_the_next_review(db, users, measure):
    head = users[Role.HEADTEACHER]
    old_task = db.get(Task, measure.review_task_id)
    assert old_task is not None and not old_task.is_done
    before = entries(db, action=Action.DISCIPLINARY_MEASURE_REVIEW.value)
    next_on = TODAY + timedelta(days=90)
    review = _review(db, head, measure, next_review_on=next_on)
    db.commit()
    db.expire_all()
    assert db.get(Task, old_task.id).is_done  # type: ignore[union-attr]
    fresh = db.get(DisciplinaryMeasure, measure.id)
    assert fresh is not None and fresh.review_on == next_on and fresh.ends_on is None
    new_task = db.get(Task, fresh.review_task_id)
    assert new_task is not None and new_task.id != old_task.id and not new_task.is_done
    assert new_task.due_on == next_on and new_task.assignee_id == head.id
    assert (
        new_task.describe() == "Review the measure: Right to take photographs at school withdrawn"
    )
    stored = db.get(MeasureReview, review.id)
    assert stored is not None and stored.decision is ReviewDecision.CONTINUE
    assert stored.reviewed_by_id == head.id and stored.next_review_on == next_on
    # One entry, naming the process (the evidence file gathers it with the other steps).
    assert entries(db, action=Action.DISCIPLINARY_MEASURE_REVIEW.value) == before + 1
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == Action.DISCIPLINARY_MEASURE_REVIEW.value)
    ).one()
    assert entry.object_type == "disciplinary" and entry.object_id == fresh.process_id


def test_ending_sets_the_end_date_and_opens_no_task(db, users, measure):
    head = users[Role.HEADTEACHER]
    ends_on = TODAY + timedelta(days=7)
    _review(db, head, measure, decision=ReviewDecision.END, ends_on=ends_on)
    db.commit()
    db.expire_all()
    fresh = db.get(DisciplinaryMeasure, measure.id)
    assert fresh is not None and fresh.ends_on == ends_on
    assert fresh.review_on is None and fresh.review_task_id is None
    review_tasks = [t for t in fresh.process.case.tasks if t.kind is TaskKind.REVIEW_MEASURE]
    assert len(review_tasks) == 1 and review_tasks[0].is_done
    # It ends in a week: still in force, so it can be reviewed again until then.
    assert fresh.is_in_force


def test_a_change_is_sealed_with_its_reasons(db, users, measure):
    head = users[Role.HEADTEACHER]
    review = _review(
        db,
        head,
        measure,
        decision=ReviewDecision.VARY,
        changes="May attend the Christmas fair",
        reasons="Apologised in writing to Ms Okafor",
    )
    db.commit()
    assert review.changes_ct is not None and b"Christmas" not in review.changes_ct
    assert b"Okafor" not in review.reasons_ct
    assert review.changes is not None and review.changes.reveal() == "May attend the Christmas fair"
    # No next date given: no further review is planned, and no task is left open.
    db.expire_all()
    fresh = db.get(DisciplinaryMeasure, measure.id)
    assert fresh is not None and fresh.review_on is None and fresh.review_task_id is None
    assert all(t.is_done for t in fresh.process.case.tasks if t.kind is TaskKind.REVIEW_MEASURE)


def test_a_measure_with_no_review_date_can_still_be_reviewed(db, users):
    head = users[Role.HEADTEACHER]
    measure = parent_measure(db, head, review_in=None)
    _review(db, head, measure, next_review_on=TODAY + timedelta(days=30))
    db.commit()
    db.expire_all()
    fresh = db.get(DisciplinaryMeasure, measure.id)
    assert fresh is not None and fresh.review_task_id is not None


def test_a_closed_case_is_frozen(db, users, measure):
    case = measure.process.case
    step = workflow.transition("review_measure")
    assert step.from_states is not None and case.state in step.from_states
    assert all(s.value != "closed" for s in step.from_states)


# --- pages ---------------------------------------------------------------------------------------


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **data})


@pytest.fixture
def head(login_as: Any) -> FlaskClient:
    client: FlaskClient = login_as(Role.HEADTEACHER)
    return client


def _url(measure: DisciplinaryMeasure) -> str:
    return f"/cases/{measure.process.case_id}/measures/{measure.id}/review"


BAD_PAGE = [
    ({"reviewed_on": _day(TODAY), "reasons": "R"}, "decision", "Choose what was decided"),
    (
        {"decision": "banned", "reviewed_on": _day(TODAY), "reasons": "R"},
        "decision",
        "Choose what was decided",
    ),
    ({"decision": "continue", "reasons": "R"}, "reviewed_on", "Enter the date of the review"),
    (
        {"decision": "continue", "reviewed_on": ["3", "", "2026"], "reasons": "R"},
        "reviewed_on",
        "must include a month",
    ),
    (
        {"decision": "continue", "reviewed_on": _day(TODAY + timedelta(1)), "reasons": "R"},
        "reviewed_on",
        "today or in the past",
    ),
    (
        {"decision": "continue", "reviewed_on": _day(STARTED - timedelta(1)), "reasons": "R"},
        "reviewed_on",
        "before the measure started",
    ),
    ({"decision": "continue", "reviewed_on": _day(TODAY), "reasons": " "}, "reasons", "Enter the"),
    ({"decision": "continue", "reviewed_on": _day(TODAY), "reasons": LONG}, "reasons", "5,000"),
    (
        {
            "decision": "continue",
            "reviewed_on": _day(TODAY),
            "reasons": "R",
            "next_review_on": _day(TODAY - timedelta(1)),
        },
        "next_review_on",
        "after the date of this review",
    ),
    ({"decision": "end", "reviewed_on": _day(TODAY), "reasons": "R"}, "ends_on", "Enter the date"),
    (
        {
            "decision": "end",
            "reviewed_on": _day(TODAY),
            "reasons": "R",
            "ends_on": _day(STARTED - timedelta(1)),
        },
        "ends_on",
        "on or after the date it started",
    ),
    ({"decision": "vary", "reviewed_on": _day(TODAY), "reasons": "R"}, "changes", "Describe"),
    (
        {"decision": "vary", "reviewed_on": _day(TODAY), "reasons": "R", "changes": "x" * 2_001},
        "changes",
        "2,000 characters",
    ),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_PAGE)
def test_the_page_explains_bad_input_and_saves_nothing(
    db: Session, users: Any, head: FlaskClient, data: dict[str, Any], field: str, message: str
) -> None:
    measure = parent_measure(db, users[Role.HEADTEACHER])
    before = snapshot(db, measure)
    response = post(head, _url(measure), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200, response.status_code
    errors = summary_errors(body)
    assert any(message in text for text in errors.values()), errors
    assert any(target.startswith(field) for target in errors), errors
    assert snapshot(db, measure) == before


def test_reviewing_through_the_web_and_the_history_on_the_case_page(
    db: Session, users: Any, head: FlaskClient
) -> None:
    measure = parent_measure(db, users[Role.HEADTEACHER])
    case_page = f"/cases/{measure.process.case_id}"
    page = head.get(case_page).get_data(as_text=True)
    assert _url(measure) in page and "Record a review" in page
    form = head.get(_url(measure)).get_data(as_text=True)
    assert "Right to take photographs at school withdrawn" in form
    next_on = TODAY + timedelta(days=60)
    done = post(
        head,
        _url(measure),
        {
            "decision": "vary",
            "reviewed_on": _day(TODAY),
            "reasons": SCRIPT,
            "changes": "May attend sports day",
            "next_review_on": _day(next_on),
        },
    )
    assert done.status_code == 302
    page = head.get(done.location).get_data(as_text=True)
    assert "Review recorded" in page and SCRIPT not in page and ESCAPED_SCRIPT in page
    assert "Reviews of: Right to take photographs at school withdrawn" in page
    assert "Changed: May attend sports day" in page and "Next review" in page
    # Ended: the history grows, and the page no longer offers a review.
    ended = post(
        head,
        _url(measure),
        {
            "decision": "end",
            "reviewed_on": _day(TODAY),
            "reasons": "Conduct has been good.",
            "ends_on": _day(TODAY),
        },
    )
    assert ended.status_code == 302
    page = head.get(case_page).get_data(as_text=True)
    assert "Ended on" in page and "Conduct has been good." in page
    assert _url(measure) not in page
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(MeasureReview)) == 2
    # The page itself now sends the user back with the reason.
    again = head.get(_url(measure))
    assert again.status_code == 302
    refused = head.get(again.location).get_data(as_text=True)
    assert "no sanction or measure in force" in problem(refused)


def test_the_page_is_the_case_managers(db: Session, users: Any, login_as: Any) -> None:
    measure = parent_measure(db, users[Role.HEADTEACHER])
    dsl: FlaskClient = login_as(Role.DSL)
    before = snapshot(db, measure)
    page = dsl.get(f"/cases/{measure.process.case_id}").get_data(as_text=True)
    assert _url(measure) not in page
    response = post(
        dsl, _url(measure), {"decision": "continue", "reviewed_on": _day(TODAY), "reasons": "R"}
    )
    assert response.status_code in (302, 403)
    assert snapshot(db, measure) == before


def test_the_page_refuses_a_measure_that_has_ended_as_an_error(
    db: Session, users: Any, head: FlaskClient, measure: DisciplinaryMeasure
) -> None:
    # Another measure is still in force, so the case offers reviews: this one refuses by itself.
    ended = DisciplinaryMeasure(
        process=measure.process,
        measure=Measure.MOBILE_PHONE_WITHDRAWN,
        starts_on=STARTED,
        ends_on=TODAY - timedelta(days=1),
        created_by_id=users[Role.HEADTEACHER].id,
    )
    db.add(ended)
    db.commit()
    before = snapshot(db, ended)
    assert head.get(_url(ended)).status_code == 302
    response = post(
        head,
        _url(ended),
        {"decision": "continue", "reviewed_on": _day(TODAY), "reasons": SCRIPT},
    )
    assert response.status_code == 302
    page = head.get(response.location).get_data(as_text=True)
    assert "This sanction or measure has already ended" in problem(page)
    assert not success_banner(page) and SCRIPT not in page
    assert snapshot(db, ended) == before
