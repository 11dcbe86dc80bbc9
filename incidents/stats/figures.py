"""The raw counts behind the statistics pages: a handful of GROUP BY queries over plain columns
(track, source, state, outcome, dates, referral clock, clause category). No query reads an
encrypted column or loads a model with personal fields, so nothing is ever decrypted here, and
crypto-shredded cases still count (shredding keeps these columns).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from incidents.models import Case, CaseKind, CaseState, PolicyClause, Referral, School
from incidents.models.case import case_clause
from incidents.models.referral import MADE_STATUSES
from incidents.stats.london import days_between, london_date
from incidents.stats.london import london_midnight as london_midnight  # demo history uses it
from incidents.stats.terms import TermCalendar, terms, year_end, year_start

# Open cases by how long ago the school became aware: (key, label, at least this many days).
AGE_BANDS = (
    ("under_30", "Under 30 days", 0),
    ("30_to_89", "30 to 89 days", 30),
    ("90_to_179", "90 to 179 days", 90),
    ("180_plus", "180 days or more", 180),
)
UNASSESSED = "unassessed"
OPEN_STATES = tuple(s for s in CaseState if s not in (CaseState.CLOSED, CaseState.ERASED))


@dataclass
class Figures:
    """Counts only. Period keys: autumn, spring, summer (of the chosen year) and last (the
    whole year before); year slots for dated events: year and last."""

    year: int
    schools: list[tuple[uuid.UUID, str]]
    # (dimension, value, period) -> cases the school(s) became aware of, by "track" (value:
    # the track or "unassessed"), by "source" and by "school" (value: the school id as text).
    # Each breakdown is counted on its own: the page never needs their cross product, and at
    # trust scale that product is thousands of rows where these are a few hundred.
    cases: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # (school id as text, period) -> allegations: whether they may be split by term
    allegations: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (clause category, period) -> cases citing at least one clause in it
    categories: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (outcome, year slot) -> outcomes recorded
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (within | late | no_limit, year slot) -> referrals made
    referrals: Counter[tuple[str, str]] = field(default_factory=Counter)
    # year slot -> {days from becoming aware to closing: cases closed}
    days_to_close: dict[str, Counter[int]] = field(default_factory=dict)
    # age band -> cases open today
    open_by_age: Counter[str] = field(default_factory=Counter)
    # The day the figures were taken: terms after it have not happened yet.
    today: date | None = None
    # The year before, term by term (its own "last" left empty): the page's "last year"
    # column shows exactly what that year's own page publishes, so it is built from these.
    previous: Figures | None = None


LAST_TERM = "last:"  # a period key prefix: a term of the year before


def _add(
    counter: Counter[Any], previous: Counter[Any] | None, key: tuple[str, ...], when: str, n: int
) -> None:
    """Count under `when`; a term of the year before (LAST_TERM + term) counts as "last" here
    and under that term in the year before's own figures (`previous`)."""
    if when.startswith(LAST_TERM):
        counter[(*key, "last")] += n
        if previous is not None:
            previous[(*key, when[len(LAST_TERM) :])] += n
    else:
        counter[(*key, when)] += n


def add_breakdown(figures: Figures, dimension: str, value: str, when: str, n: int) -> None:
    """Count `n` cases by one dimension ("track", "source" or "school")."""
    before = figures.previous.cases if figures.previous is not None else None
    _add(figures.cases, before, (dimension, value), when, n)


def add_school(figures: Figures, school: str, when: str, n: int, allegations: int) -> None:
    add_breakdown(figures, "school", school, when, n)
    before = figures.previous.allegations if figures.previous is not None else None
    _add(figures.allegations, before, (school,), when, allegations)


def add_cases(
    figures: Figures, school: uuid.UUID, kind: str, source: str, when: str, n: int
) -> None:
    """Count `n` cases of one school, track and source in every breakdown (tests and tools
    that build figures case by case; `collect` counts each breakdown in SQL)."""
    add_breakdown(figures, "track", kind, when, n)
    add_breakdown(figures, "source", source, when, n)
    add_school(figures, str(school), when, n, n if kind == CaseKind.ALLEGATION.value else 0)


def add_categories(figures: Figures, category: str, when: str, n: int) -> None:
    before = figures.previous.categories if figures.previous is not None else None
    _add(figures.categories, before, (category,), when, n)


def _period(column: Any, year: int, calendar: TermCalendar) -> ColumnElement[Any]:
    whens = [(column.between(t.start, t.end), literal(t.name)) for t in terms(year, calendar)]
    # The year before by term too, for its own page's figures (see Figures.previous).
    whens += [
        (column.between(t.start, t.end), literal(LAST_TERM + t.name))
        for t in terms(year - 1, calendar)
    ]
    return case(*whens, else_=None)


def _slot(column: Any, year: int) -> ColumnElement[Any]:
    """ "year" or "last" for a UTC timestamp, by London dates."""
    this_start, next_start = (
        london_midnight(year_start(year)),
        london_midnight(year_start(year + 1)),
    )
    last_start = london_midnight(year_start(year - 1))
    return case(
        (and_(column >= this_start, column < next_start), literal("year")),
        (and_(column >= last_start, column < this_start), literal("last")),
        else_=None,
    )


def _no_index(session: Session, column: Any) -> Any:
    """SQLite only: `+column` stops the planner using the column's index, so it reads the
    cases in range first and then their citations, instead of walking every citation ever
    made and looking its case up (4x slower at trust scale). PostgreSQL plans it well."""
    if session.get_bind().dialect.name == "sqlite":
        return literal_column(f"+{Case.__tablename__}.{column.key}")
    return column


def _in_years(column: Any, year: int) -> ColumnElement[bool]:
    """The chosen year and the one before, as a plain range (an index on it can be used)."""
    return and_(
        column >= london_midnight(year_start(year - 1)),
        column < london_midnight(year_start(year + 1)),
    )


def _years(year: int) -> range:
    """The calendar years the page's dated events can fall in (see `london_date`): the two
    academic years, and a year either side for deadlines set before or after them."""
    return range(year - 2, year + 2)


def collect(
    session: Session,
    *,
    school_ids: list[uuid.UUID] | None,
    year: int,
    calendar: TermCalendar,
    today: date,
    recorded_by: datetime | None = None,
) -> Figures:
    """Every count one statistics page needs, for the given schools (None: every school the
    instance serves, which needs no filter on the school at all: a trust's page scans less).
    `recorded_by`: only cases recorded by then (a release's cut-off), so a release's counts
    can be worked out again, exactly, after later cases are recorded."""
    named = select(School.id, School.name).order_by(School.name)
    if school_ids is not None:
        named = named.where(School.id.in_(school_ids))
    schools = session.execute(named).all()
    named_schools = [(row.id, row.name) for row in schools]
    figures = Figures(year=year, schools=named_schools, today=today)
    figures.previous = Figures(year=year - 1, schools=named_schools, today=today)
    span = Case.became_aware_on.between(year_start(year - 1), year_end(year))
    in_scope: ColumnElement[bool] = true() if school_ids is None else Case.school_id.in_(school_ids)
    if recorded_by is not None:
        in_scope = and_(in_scope, Case.recorded_at <= recorded_by)

    period = _period(Case.became_aware_on, year, calendar).label("period")
    track = func.coalesce(cast(Case.kind, String), UNASSESSED).label("track")
    rows = session.execute(
        select(period, track, Case.source, func.count())
        .where(in_scope, span)
        .group_by(period, track, Case.source)
    )
    for when, kind, source, n in rows:
        add_breakdown(figures, "track", str(kind), str(when), n)
        add_breakdown(figures, "source", str(source), str(when), n)
    alleged = func.count(case((Case.kind == CaseKind.ALLEGATION, 1)))
    rows = session.execute(
        select(period, Case.school_id, func.count(), alleged)
        .where(in_scope, span)
        .group_by(period, Case.school_id)
    )
    for when, school_id, n, allegations in rows:
        add_school(figures, str(school_id), str(when), n, allegations)

    category_rows = session.execute(
        select(PolicyClause.category, period, func.count(func.distinct(Case.id)))
        .select_from(Case)
        .join(case_clause, case_clause.c.case_id == _no_index(session, Case.id))
        .join(PolicyClause, PolicyClause.id == case_clause.c.clause_id)
        .where(in_scope, span)
        .group_by(PolicyClause.category, period)
    )
    for category, when, n in category_rows:
        add_categories(figures, str(category), str(when), n)

    _collect_outcomes(session, figures, in_scope, year)
    _collect_referrals(session, figures, school_ids, year)
    _collect_open(session, figures, in_scope, today)
    figures.previous.open_by_age = figures.open_by_age
    return figures


def _collect_outcomes(session: Session, figures: Figures, in_scope: Any, year: int) -> None:
    """Outcomes recorded, and cases closed with how long closing took: two range scans, each
    on its own index (one query over "either date in range" read every case with an outcome)."""
    decided = _slot(Case.outcome_at, year).label("decided")
    rows = session.execute(
        select(Case.outcome, decided, func.count())
        .where(in_scope, _in_years(Case.outcome_at, year), Case.outcome.is_not(None))
        .group_by(Case.outcome, decided)
    )
    for outcome, when, n in rows:
        for target, slot in _slots(figures, str(when)):
            target.outcomes[(str(outcome), slot)] += n
    closed = _slot(Case.closed_at, year).label("closed")
    days = days_between(session, Case.closed_at, Case.became_aware_on, _years(year)).label("days")
    rows = session.execute(
        select(closed, days, func.count())
        .where(
            in_scope,
            _in_years(Case.closed_at, year),
            Case.outcome.is_not(None),  # closing needs an outcome first
        )
        .group_by(closed, days)
    )
    for when, n_days, n in rows:
        if n_days is not None:
            for target, slot in _slots(figures, str(when)):
                target.days_to_close.setdefault(slot, Counter())[int(n_days)] += n


def _collect_referrals(
    session: Session, figures: Figures, school_ids: list[uuid.UUID] | None, year: int
) -> None:
    slot = _slot(Referral.made_at, year).label("slot")
    # Made in time: on or before the London day the clock ran out (as the case page judges it).
    # Made before the deadline's instant is in time without working out either date.
    timing = case(
        (Referral.due_at.is_(None), literal("no_limit")),
        (Referral.made_at <= Referral.due_at, literal("within")),
        (
            london_date(session, Referral.made_at, _years(year))
            <= london_date(session, Referral.due_at, _years(year)),
            literal("within"),
        ),
        else_=literal("late"),
    ).label("timing")
    query = (
        select(timing, slot, func.count())
        .select_from(Referral)
        .where(Referral.status.in_(list(MADE_STATUSES)), _in_years(Referral.made_at, year))
        .group_by(timing, slot)
    )
    if school_ids is not None:  # every school: no join needed
        query = query.join(Case, Case.id == Referral.case_id).where(Case.school_id.in_(school_ids))
    rows = session.execute(query)
    for when_made, when, n in rows:
        for target, made in _slots(figures, str(when)):
            target.referrals[(str(when_made), made)] += n


def _slots(figures: Figures, slot: str) -> list[tuple[Figures, str]]:
    """Where a dated event counts: "last" is also the "year" of the year before's figures."""
    if slot == "last" and figures.previous is not None:
        return [(figures, slot), (figures.previous, "year")]
    return [(figures, slot)]


def _collect_open(session: Session, figures: Figures, in_scope: Any, today: date) -> None:
    # Oldest band first: the first matching WHEN wins.
    band = case(
        *[
            (Case.became_aware_on <= today - timedelta(days=low), literal(key))
            for key, _label, low in reversed(AGE_BANDS[1:])
        ],
        else_=literal(AGE_BANDS[0][0]),
    ).label("band")
    rows = session.execute(
        select(band, func.count())
        # IN, not NOT IN: the state index finds the open cases without a full scan.
        .where(in_scope, Case.state.in_(OPEN_STATES))
        .group_by(band)
    )
    for key, n in rows:
        figures.open_by_age[str(key)] += n
