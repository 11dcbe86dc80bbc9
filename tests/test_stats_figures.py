"""The counts behind the tables that are not about when a case began: outcomes recorded,
referrals made in time or late, cases closed and the median days to close, open cases by age.
Cases are taken through the services; only the closing dates are moved back, as history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from incidents.clock import local_today
from incidents.models import (
    Agency,
    Case,
    CaseKind,
    CaseOutcome,
    DisclosureSource,
    EmploymentOutcome,
    ReferralMethod,
    ReferralStatus,
    Role,
    ThresholdAnswer,
    User,
)
from incidents.services import casework, outcomes, referrals, tasks, triage
from incidents.services.statistics import StatsSettings, statistics_page
from incidents.stats.figures import london_midnight
from incidents.stats.tables import Page
from incidents.stats.terms import academic_year_of, year_start
from tests import factories

N, Y = ThresholdAnswer.NO, ThresholdAnswer.YES
THIS_YEAR = academic_year_of(local_today())


def _page(db: Session, user: User) -> Page:
    return statistics_page(
        db, actor=user, year=THIS_YEAR, today=local_today(), settings=StatsSettings()
    )


def _text(page: Page, table: str, row: str, col: str) -> str:
    return page.text(page.table(table), row, col)


def _closed_breach(db: Session, head: User, days_to_close: int) -> Case:
    aware = year_start(THIS_YEAR)  # 1 September: every closing date below is this year
    case = factories.make_case(db, head, source=DisclosureSource.ANONYMOUS, became_aware_on=aware)
    triage.triage(
        db, actor=head, case=case, data=triage.TriageInput(N, N, N, N, CaseKind.POLICY_BREACH, "R")
    )
    casework.take_step(db, actor=head, case=case, action="investigate")
    outcomes.record_outcome(db, actor=head, case=case, outcome=CaseOutcome.UPHELD, reasons="R")
    for task in case.tasks:
        if not task.is_done:
            tasks.complete_task(db, actor=head, case=case, task_id=task.id)
    outcomes.close_case(
        db,
        actor=head,
        case=case,
        data=outcomes.ClosureInput(EmploymentOutcome.CONTINUES, mention_in_references=False),
    )
    closed = min(local_today(), aware + timedelta(days=days_to_close))
    case.outcome_at = case.closed_at = london_midnight(closed) + timedelta(hours=12)
    db.commit()
    return case


def test_outcomes_closing_and_the_median(db: Session, users: dict[Role, User]) -> None:
    head = users[Role.HEADTEACHER]
    for days in range(11):  # 0 to 10 days: median 5
        _closed_breach(db, head, days)
    page = _page(db, users[Role.GOVERNOR])
    assert _text(page, "outcomes", CaseOutcome.UPHELD.value, "year") == "11"
    assert _text(page, "outcomes", "total", "year") == "11"
    assert _text(page, "closing", "closed", "year") == "11"
    assert _text(page, "closing", "median", "year") == "5"
    assert _text(page, "closing", "median", "last") == "c"  # none closed last year


def test_a_median_on_fewer_than_ten_cases_is_c(db: Session, users: dict[Role, User]) -> None:
    for days in range(9):
        _closed_breach(db, users[Role.HEADTEACHER], days)
    page = _page(db, users[Role.GOVERNOR])
    assert _text(page, "closing", "closed", "year") == "9"
    assert _text(page, "closing", "median", "year") == "c"


def _allegation_with_lado(db: Session, head: User, *, late: bool) -> Case:
    aware = local_today() - timedelta(days=10)
    case = factories.make_case(db, head, source=DisclosureSource.ANONYMOUS, became_aware_on=aware)
    triage.triage(
        db, actor=head, case=case, data=triage.TriageInput(Y, N, N, N, CaseKind.ALLEGATION, "R")
    )
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    referrals.update_referral(
        db,
        actor=head,
        case=case,
        referral_id=lado.id,
        data=referrals.ReferralUpdate(
            status=ReferralStatus.MADE,
            method=ReferralMethod.PHONE,
            made_on=aware + timedelta(days=7 if late else 0),
            reasons="The LADO's line was down." if late else "",
        ),
    )
    db.commit()
    return case


def test_referrals_in_time_late_and_the_share(db: Session, users: dict[Role, User]) -> None:
    head = users[Role.HEADTEACHER]
    for _ in range(9):
        _allegation_with_lado(db, head, late=False)
    for _ in range(6):
        _allegation_with_lado(db, head, late=True)
    page = _page(db, users[Role.GOVERNOR])
    assert _text(page, "referrals", "within", "year") == "9"
    assert _text(page, "referrals", "late", "year") == "6"
    assert _text(page, "referrals", "total", "year") == "15"
    assert _text(page, "referrals", "share", "year") == "60%"
    # The open allegations, by age: all 10 days old.
    assert _text(page, "open", "under_30", "now") == "15"


def test_a_share_with_a_small_part_is_c(db: Session, users: dict[Role, User]) -> None:
    head = users[Role.HEADTEACHER]
    for _ in range(12):
        _allegation_with_lado(db, head, late=False)
    _allegation_with_lado(db, head, late=True)
    page = _page(db, users[Role.GOVERNOR])
    assert _text(page, "referrals", "late", "year") == "c"
    # 12 of 13 would give the one late referral away.
    assert _text(page, "referrals", "share", "year") == "c"
