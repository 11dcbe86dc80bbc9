"""The counts behind the tables that are not about when a case began: outcomes recorded,
referrals made in time or late, cases closed and the median days to close, open cases by age.
Cases are taken through the services; only the closing dates are moved back, as history."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, literal, select
from sqlalchemy.orm import Session

from incidents.casework.cases import steps as casework
from incidents.casework.outcome import commands as outcomes
from incidents.casework.referrals import commands as referrals
from incidents.casework.tasks import commands as tasks
from incidents.casework.triage import commands as triage
from incidents.clock import SCHOOL_TZ, local_today
from incidents.governance.queries import StatsSettings, statistics_page
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
from incidents.models.base import UTCDateTime
from incidents.stats.london import days_between, london_midnight, summer_time
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


# --- London days at the edges: the school's day, not UTC's ---------------------------------------

LAST_YEAR = THIS_YEAR - 1
# A September day of last year, in British Summer Time (London is UTC+1).
SUMMER_DAY = year_start(LAST_YEAR) + timedelta(days=20)


def _at_london(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SCHOOL_TZ).astimezone(UTC)


def test_a_case_closed_at_half_past_midnight_in_summer_counts_that_london_day(
    db: Session, users: dict[Role, User]
) -> None:
    for days in range(1, 12):  # 1 to 11 days: median 6
        case = _closed_breach(db, users[Role.HEADTEACHER], 0)
        case.became_aware_on = SUMMER_DAY
        # 00:30 BST is 23:30 UTC the day before: by UTC's date it took a day less.
        case.outcome_at = case.closed_at = _at_london(SUMMER_DAY + timedelta(days=days), 0, 30)
    db.commit()
    page = _page(db, users[Role.GOVERNOR])
    assert _text(page, "closing", "closed", "last") == "11"
    assert _text(page, "closing", "median", "last") == "6"


def test_a_referral_is_in_time_by_the_london_day_its_clock_ran_out(
    db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    due = _at_london(SUMMER_DAY, 17, 0)
    for late in [False] * 6 + [True] * 7:
        case = _allegation_with_lado(db, head, late=False)
        case.became_aware_on = SUMMER_DAY - timedelta(days=1)
        lado = next(r for r in case.referrals if r.agency is Agency.LADO)
        lado.due_at = due
        # After the deadline's hour but the same London day: in time, as the case page says.
        # Half past midnight the next London day (23:30 UTC the same day): late.
        lado.made_at = (
            _at_london(SUMMER_DAY + timedelta(days=1), 0, 30)
            if late
            else _at_london(SUMMER_DAY, 23, 30)
        )
    db.commit()
    page = _page(db, users[Role.GOVERNOR])
    assert _text(page, "referrals", "within", "last") == "6"
    assert _text(page, "referrals", "late", "last") == "7"


def test_summer_time_matches_the_tz_database() -> None:
    def offset(instant: datetime) -> timedelta | None:
        return instant.astimezone(SCHOOL_TZ).utcoffset()

    second, hour = timedelta(seconds=1), timedelta(hours=1)
    for year in range(2000, 2041):
        start, end = summer_time(year)
        assert (offset(start - second), offset(start)) == (timedelta(0), hour)
        assert (offset(end - second), offset(end)) == (hour, timedelta(0))


def test_days_to_close_are_whole_london_days_at_every_edge(db: Session) -> None:
    """The SQL that counts days to close agrees with Python's London calendar for instants
    on, just before and just after London midnight, across both clock changes."""
    aware = date(THIS_YEAR - 1, 3, 1)
    start, end = summer_time(THIS_YEAR)
    edges = [london_midnight(date(THIS_YEAR - 1, 9, 20)), london_midnight(date(THIS_YEAR, 1, 5))]
    edges += [start, end, london_midnight(start.date()), london_midnight(end.date())]
    tiny = [timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1)]
    instants = [edge + d for edge in edges for d in [*tiny, timedelta(minutes=30)]]
    days = days_between(
        db,
        bindparam("later", type_=UTCDateTime()),
        literal(aware),
        range(THIS_YEAR - 2, THIS_YEAR + 2),
    )
    for instant in instants:
        expected = (instant.astimezone(SCHOOL_TZ).date() - aware).days
        assert db.scalar(select(days), {"later": instant}) == expected, instant
