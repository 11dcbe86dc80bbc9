"""The raw counts behind the statistics pages: a handful of GROUP BY queries over plain columns
(track, source, state, outcome, dates, referral clock, clause category). No query reads an
encrypted column or loads a model with personal fields, so nothing is ever decrypted here, and
crypto-shredded cases still count (shredding keeps these columns).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from incidents.models import Case, CaseState, PolicyClause, Referral, School
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
    # (school id, track or "unassessed", source, period) -> cases the school became aware of
    cases: Counter[tuple[uuid.UUID, str, str, str]] = field(default_factory=Counter)
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


def add_cases(
    figures: Figures, school: uuid.UUID, kind: str, source: str, when: str, n: int
) -> None:
    """Count cases in `figures`; a term of the year before (LAST_TERM + term) counts in its
    "last" column and in that term of `figures.previous`."""
    if when.startswith(LAST_TERM):
        figures.cases[(school, kind, source, "last")] += n
        if figures.previous is not None:
            figures.previous.cases[(school, kind, source, when[len(LAST_TERM) :])] += n
    else:
        figures.cases[(school, kind, source, when)] += n


def add_categories(figures: Figures, category: str, when: str, n: int) -> None:
    if when.startswith(LAST_TERM):
        figures.categories[(category, "last")] += n
        if figures.previous is not None:
            figures.previous.categories[(category, when[len(LAST_TERM) :])] += n
    else:
        figures.categories[(category, when)] += n


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
) -> Figures:
    """Every count one statistics page needs, for the given schools (None: every school the
    instance serves, which needs no filter on the school at all: a trust's page scans less)."""
    named = select(School.id, School.name).order_by(School.name)
    if school_ids is not None:
        named = named.where(School.id.in_(school_ids))
    schools = session.execute(named).all()
    named_schools = [(row.id, row.name) for row in schools]
    figures = Figures(year=year, schools=named_schools, today=today)
    figures.previous = Figures(year=year - 1, schools=named_schools, today=today)
    span = Case.became_aware_on.between(year_start(year - 1), year_end(year))
    in_scope: ColumnElement[bool] = true() if school_ids is None else Case.school_id.in_(school_ids)

    period = _period(Case.became_aware_on, year, calendar).label("period")
    track = func.coalesce(cast(Case.kind, String), UNASSESSED).label("track")
    rows = session.execute(
        select(Case.school_id, track, Case.source, period, func.count())
        .where(in_scope, span)
        # The period first: grouping by the school first makes SQLite walk the school index
        # and fetch each row from it, slower than reading the table straight through.
        .group_by(period, track, Case.source, Case.school_id)
    )
    for school_id, kind, source, when, n in rows:
        add_cases(figures, school_id, str(kind), str(source), str(when), n)

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
    """Outcomes recorded and cases closed, in one pass over the table: each row says in which
    year (if either) its outcome was recorded and it was closed, and how long closing took."""
    decided = _slot(Case.outcome_at, year).label("decided")
    closed = _slot(Case.closed_at, year).label("closed")
    days = case(
        (
            _in_years(Case.closed_at, year),
            days_between(session, Case.closed_at, Case.became_aware_on, _years(year)),
        ),
        else_=None,
    ).label("days")
    rows = session.execute(
        select(Case.outcome, decided, closed, days, func.count())
        .where(
            in_scope,
            Case.outcome.is_not(None),  # closing needs an outcome first
            or_(_in_years(Case.outcome_at, year), _in_years(Case.closed_at, year)),
        )
        .group_by(Case.outcome, decided, closed, days)
    )
    for outcome, when_decided, when_closed, n_days, n in rows:
        if when_decided is not None:
            for target, slot in _slots(figures, str(when_decided)):
                target.outcomes[(str(outcome), slot)] += n
        if when_closed is not None and n_days is not None:
            for target, slot in _slots(figures, str(when_closed)):
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
