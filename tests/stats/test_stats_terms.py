"""Academic years and terms in England: the boundaries, Easter, the settings that move them,
and the counts landing in the right column on both sides of each boundary."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from incidents.governance.queries import StatsSettings, statistics_page
from incidents.models import Role, School, User
from incidents.stats.terms import (
    TermCalendar,
    academic_year_of,
    calendar_from,
    easter_sunday,
    parse_year,
    term_of,
    terms,
    year_label,
)
from tests import factories


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2025, 8, 31), 2024),
        (date(2025, 9, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
        (date(2026, 8, 31), 2025),
    ],
)
def test_the_academic_year_runs_from_1_september_to_31_august(day: date, year: int) -> None:
    assert academic_year_of(day) == year


def test_easter_is_computed_offline() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2038) == date(2038, 4, 25)  # the latest possible date


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2025, 9, 1), "autumn"),
        (date(2025, 12, 31), "autumn"),
        (date(2026, 1, 1), "spring"),
        (date(2026, 4, 5), "spring"),  # Easter Sunday
        (date(2026, 4, 6), "summer"),  # Easter Monday
        (date(2026, 8, 31), "summer"),
    ],
)
def test_default_terms_follow_the_dfe_convention(day: date, term: str) -> None:
    assert term_of(day).name == term


def test_terms_cover_the_year_without_gaps() -> None:
    autumn, spring, summer = terms(2025)
    assert autumn.start == date(2025, 9, 1)
    assert (spring.start - autumn.end).days == 1
    assert (summer.start - spring.end).days == 1
    assert summer.end == date(2026, 8, 31)
    assert year_label(2025) == "2025 to 2026"


def test_term_dates_are_configurable() -> None:
    calendar = calendar_from("01-05", "04-20")
    assert calendar == TermCalendar(spring_starts=(1, 5), summer_starts=(4, 20))
    assert term_of(date(2026, 1, 4), calendar).name == "autumn"
    assert term_of(date(2026, 1, 5), calendar).name == "spring"
    assert term_of(date(2026, 4, 20), calendar).name == "summer"
    assert calendar_from("01-01", "Easter").summer_starts is None


@pytest.mark.parametrize(
    ("spring", "summer", "message"),
    [
        ("1-1", "easter", "MM-DD"),
        ("02-30", "easter", "not a date that exists every year"),
        ("02-29", "easter", "not a date that exists every year"),
        ("09-15", "easter", "between January and August"),
        ("04-01", "03-01", "must come after"),
        ("01-01", "", "MM-DD"),
    ],
)
def test_bad_term_settings_are_refused(spring: str, summer: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calendar_from(spring, summer)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter the academic year"),
        ("25", "Enter the academic year"),
        ("2025/26", "Enter the academic year"),
        ("\uff12\uff10\uff12\uff15", "Enter the academic year"),  # full-width: digits to Python
        ("1999", "Choose an academic year between 2000 to 2001 and 2026 to 2027"),
        ("2027", "Choose an academic year between"),
    ],
)
def test_bad_years_are_refused(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_year(raw, latest=2026)
    assert parse_year(" 2024 ", latest=2026) == 2024


def test_cases_land_in_the_right_term_and_year_either_side_of_each_boundary(
    db: Session, users: dict[Role, User], school: School
) -> None:
    head = users[Role.HEADTEACHER]
    # Ten cases on each side of each boundary of 2024 to 2025, so every count is published.
    boundaries = {
        date(2024, 8, 31): "before",  # the year before "last year" starts on 1 September 2023
        date(2024, 9, 1): "autumn",
        date(2024, 12, 31): "autumn",
        date(2025, 1, 1): "spring",
        date(2025, 4, 20): "spring",  # Easter Sunday 2025
        date(2025, 4, 21): "summer",
        date(2025, 8, 31): "summer",
        date(2025, 9, 1): "next",
    }
    for day in boundaries:
        for _ in range(10):
            factories.make_case(db, head, became_aware_on=day)
    db.commit()

    page = statistics_page(
        db,
        actor=users[Role.GOVERNOR],
        year=2024,
        today=date(2026, 11, 30),
        settings=StatsSettings(),
    )
    table = page.table("sources")
    shown = {col.key: page.text(table, "parent", col.key) for col in table.columns}
    assert shown == {"autumn": "20", "spring": "20", "summer": "20", "year": "60", "last": "10"}
    assert [c.label for c in table.columns][:3] == [
        "Autumn term 2024",
        "Spring term 2025",
        "Summer term 2025",
    ]


def test_terms_not_started_are_gaps_on_the_chart_not_zeros(
    db: Session, users: dict[Role, User]
) -> None:
    from incidents.stats.charts import chart_data

    page = statistics_page(
        db,
        actor=users[Role.GOVERNOR],
        year=2025,
        today=date(2025, 11, 30),
        settings=StatsSettings(),
    )
    assert page.future_terms == ("spring", "summer")
    assert chart_data(page, "terms").series[0][1] == [0, None, None]
    whole_year = statistics_page(
        db,
        actor=users[Role.GOVERNOR],
        year=2024,
        today=date(2025, 11, 30),
        settings=StatsSettings(),
    )
    assert whole_year.future_terms == ()
