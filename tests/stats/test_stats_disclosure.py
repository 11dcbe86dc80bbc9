"""Disclosure control: the suppression rules on hand-made tables, and, for random case sets,
an attacker who tries to work out every hidden count from everything the page, its charts and
its CSV publish (tests/stats_attacker.py)."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.models import CaseKind
from incidents.stats import charts, disclosure, export
from incidents.stats.disclosure import (
    Line,
    Status,
    protect,
    witness,
)
from incidents.stats.figures import Figures, add_cases
from incidents.stats.layout import CASES, PERIODS, TERMS, TOTAL
from incidents.stats.measures import median_of, share
from incidents.stats.tables import Page, build_page
from incidents.stats.terms import TermCalendar
from tests.stats_attacker import Attacker
from tests.stats_cases import histories

CAL = TermCalendar()


def _cell(name: str) -> tuple[str, str, str]:
    return ("t", name, "n")


def _line(total: str, *members: str) -> Line:
    return Line(totals=(_cell(total),), members=tuple(_cell(m) for m in members))


# --- the rules on small, hand-made tables ------------------------------------------------------


def test_counts_of_one_to_five_are_c_and_zeros_are_shown() -> None:
    values = {_cell(str(v)): v for v in range(8)}
    result = protect(values, [])
    assert [result.shown(_cell(str(v))) for v in range(8)] == ["0", *"ccccc", "6", "7"]


def test_threshold_is_configurable() -> None:
    values = {_cell("a"): 3, _cell("b"): 9}
    assert protect(values, [], threshold=2).shown(_cell("a")) == "3"
    assert protect(values, [], threshold=9).shown(_cell("b")) == "c"
    with pytest.raises(ValueError, match="at least 1"):
        protect(values, [], threshold=0)


def test_a_lone_small_count_in_a_line_takes_a_partner() -> None:
    values = {_cell("a"): 2, _cell("b"): 9, _cell("c"): 14, _cell("total"): 25}
    result = protect(values, [_line("total", "a", "b", "c")])
    # The total less 9 and 14 would give 2 away: the next smallest count is hidden with it.
    assert [result.shown(_cell(k)) for k in "abc"] == ["c", "c", "14"]
    assert result.shown(_cell("total")) == "25"


def test_two_ones_that_add_up_to_a_known_two_are_not_enough() -> None:
    # a + b = 2 with both at least 1 means both are 1: a third cell must be hidden.
    values = {_cell("a"): 1, _cell("b"): 1, _cell("c"): 10, _cell("total"): 12}
    result = protect(values, [_line("total", "a", "b", "c")])
    assert result.shown(_cell("c")) == "c"
    assert Attacker(result).disclosed() == []


def test_a_line_of_zeros_reveals_nothing_to_protect() -> None:
    values = {_cell("a"): 0, _cell("b"): 0, _cell("total"): 0}
    result = protect(values, [_line("total", "a", "b")])
    assert result.hidden() == []


def test_withheld_cells_are_never_shown_and_are_protected() -> None:
    values = {_cell("a"): 7, _cell("b"): 20, _cell("total"): 27}
    result = protect(values, [_line("total", "a", "b")], withheld=[_cell("a")])
    assert result.shown(_cell("a")) == "x"
    assert result.status[_cell("b")] is not Status.PUBLISHED  # else 27 - 20 gives a away
    assert witness(result, _cell("a")) is not None


def test_a_total_shared_by_two_tables_is_protected_in_both() -> None:
    # Two breakdowns of the same 12 cases: hiding in one must not be undone by the other.
    values = {
        ("k", "a", "n"): 3,
        ("k", "b", "n"): 9,
        ("s", "a", "n"): 6,
        ("s", "b", "n"): 6,
        ("T", "total", "n"): 12,
    }
    lines = [
        Line(totals=(("T", "total", "n"),), members=(("k", "a", "n"), ("k", "b", "n"))),
        Line(totals=(("T", "total", "n"),), members=(("s", "a", "n"), ("s", "b", "n"))),
    ]
    result = protect(values, lines)
    assert Attacker(result).disclosed() == []
    assert result.shown(("k", "a", "n")) == "c"


def test_percentages_and_medians_need_ten_cases() -> None:
    assert share(8, 9, counts_published=True) == "c"
    assert share(9, 10, counts_published=True) == "90%"
    assert share(9, 20, counts_published=False) == "c"
    assert median_of({3: 9}) == "c"
    assert median_of({3: 5, 7: 5}) == "5"
    assert median_of({1: 4, 2: 1, 9: 6}) == "9"


# --- random case sets: the page, its charts and its CSV against the attacker --------------------

# The page's figures as `collect` gives them: the year before by term too (its own page,
# whose "year" column the "last year" column copies).
figure_sets = histories().map(lambda history: history.figures())


def _not_a_breakdown(page: Page) -> list[tuple[tuple[str, str, str], tuple[str, str, str]]]:
    """What a reader knows about the policy-area table: no cell exceeds its column's total."""
    return [
        (cell, (CASES, TOTAL, col))
        for (_row, col), cell in page.table("categories").cells.items()
        if col in PERIODS
    ]


def _assert_rules(page: Page, figures: Figures) -> None:
    threshold = page.threshold
    for table in page.tables:
        for row in table.rows:
            for col in table.columns:
                text = page.text(table, row.key, col.key)
                if (row.key, col.key) in table.derived:
                    continue  # percentages and medians: test_percentages_and_medians_need_ten
                if text.isdigit():
                    assert not 1 <= int(text) <= threshold, (table.key, row.key, col.key)
                    cell = table.cells[(row.key, col.key)]
                    assert int(text) == page.protection.values[cell]
        alleging = {
            school for (school, when), n in figures.allegations.items() if when in TERMS and n
        }
        if (page.school_level or len(alleging) < 2) and table.key == "tracks":
            for term in TERMS:
                assert page.text(table, CaseKind.ALLEGATION.value, term) == "x"


def _assert_exports_match(page: Page) -> None:
    rows = list(csv.reader(io.StringIO(export.to_csv(page))))
    published = {(r[1], r[2], r[3]): r[4] for r in rows[1:]}
    for table in page.tables:
        for row in table.rows:
            for col in table.columns:
                key = (table.title, export.safe_cell(row.label), col.label)
                assert published[key] == page.text(table, row.key, col.key)
    for name in charts.CHART_NAMES:
        data = charts.chart_data(page, name)
        for _label, values in data.series:
            for value in values:
                # A chart plots a published count, a hatched `c` or nothing (a term not
                # started): never a hidden true value.
                assert value is None or value == charts.HIDDEN or not 1 <= value <= page.threshold


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(figure_sets, st.sampled_from([3, 5]))
def test_no_hidden_count_can_be_worked_out_from_the_page(figures: Figures, threshold: int) -> None:
    page = build_page(figures, calendar=CAL, threshold=threshold)
    _assert_rules(page, figures)
    _assert_exports_match(page)
    attacker = Attacker(page.protection, at_most=_not_a_breakdown(page))
    assert attacker.disclosed() == []
    assert page.protection.unavoidable == set()


def test_the_attacker_catches_primary_suppression_alone() -> None:
    """The attacker is not toothless: without secondary suppression it finds the small count."""
    school = uuid.UUID(int=1)
    figures = Figures(year=2025, schools=[(school, "School 1")])
    add_cases(figures, school, "policy_breach", "parent", "autumn", 2)
    add_cases(figures, school, "policy_breach", "staff", "autumn", 30)
    page = build_page(figures, calendar=CAL, threshold=5)
    protection = page.protection
    for cell, status in protection.status.items():
        if status is Status.SUPPRESSED and protection.values[cell] > 5:
            protection.status[cell] = Status.PUBLISHED
    assert ("sources", "parent", "autumn") in Attacker(protection).disclosed()


# --- the fail-safe: a cell nothing more could protect ------------------------------------------


def test_a_cell_nothing_could_protect_takes_its_whole_group_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if no nearby cell could be hidden: the 2 is left "unavoidable", and without the
    # fail-safe 25 - 9 - 14 gives it away.
    monkeypatch.setattr(disclosure, "_candidates", lambda *_args: [])
    values = {_cell("a"): 2, _cell("b"): 9, _cell("c"): 14, _cell("total"): 25}
    values |= {_cell("d"): 7, _cell("e"): 8, _cell("f"): 15, _cell("z"): 0}
    lines = [_line("total", "a", "b", "c", "z"), _line("f", "d", "e", "z")]
    result = protect(values, lines)
    assert result.unavoidable == {_cell("a")}
    assert result.blanked == {_cell(k) for k in ("b", "c", "total")}
    assert [result.shown(_cell(k)) for k in ("a", "b", "c", "total")] == ["c"] * 4
    # The other line shares only a zero with it: it is still published.
    assert [result.shown(_cell(k)) for k in ("d", "e", "f", "z")] == ["7", "8", "15", "0"]
    assert Attacker(result).disclosed() == []


def test_a_page_with_an_unprotectable_cell_publishes_nothing_derivable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(disclosure, "_candidates", lambda *_args: [])
    school = uuid.UUID(int=1)
    figures = Figures(year=2025, schools=[(school, "School 1")])
    add_cases(figures, school, "policy_breach", "parent", "autumn", 2)
    add_cases(figures, school, "policy_breach", "staff", "autumn", 30)
    add_cases(figures, school, "data_breach", "staff", "spring", 12)
    page = build_page(figures, calendar=CAL, threshold=5)
    assert page.protection.unavoidable
    assert page.text(page.table("sources"), "parent", "autumn") == "c"
    assert page.text(page.table("sources"), "staff", "autumn") == "c"
    assert Attacker(page.protection, at_most=_not_a_breakdown(page)).disclosed() == []
    _assert_exports_match(page)
