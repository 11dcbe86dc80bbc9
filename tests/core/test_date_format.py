"""One date format and one date-and-time format everywhere (issue 17, item 10), with Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime

from incidents.web.filters import london_date, london_datetime, long_date


def test_dates_and_times_read_the_same_everywhere() -> None:
    # Midnight and midday, in winter (GMT) and in summer (BST): school local time, 12-hour.
    assert london_datetime(datetime(2026, 1, 5, 0, 5, tzinfo=UTC)) == "5 January 2026 at 12:05am"
    assert london_datetime(datetime(2026, 7, 1, 11, 0, tzinfo=UTC)) == "1 July 2026 at 12:00pm"
    assert london_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == "28 March 2026"
    assert london_date(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == "30 March 2026"  # BST
    assert long_date(date(2026, 3, 7)) == "7 March 2026"
