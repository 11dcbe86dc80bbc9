"""Releases (issue 18): everything published for a period protected as one system, against an
adversary written apart from the protection code (tests/stats_milp.py) that holds every page
of every release and works out each hidden cell's exact range with integer programming. The
larger run is bench/stats_release_bench.py. Then the stored releases through the service,
the web pages, the command line and the settings."""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import time_machine
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from incidents import create_app
from incidents.cli import cli
from incidents.config import ConfigError, Settings
from incidents.governance import releases
from incidents.governance.queries import StatsSettings
from incidents.models import AuditEntry, Role, StatsRelease, User
from incidents.stats import charts
from incidents.stats.figures import Figures, add_cases
from incidents.stats.joint import TRUST, build_joint, held_after, replaced
from incidents.stats.layout import TERMS
from incidents.stats.measures import check_bases
from incidents.stats.published import PublishedPage, publish
from incidents.stats.tables import build_page
from incidents.stats.terms import TermCalendar
from tests import factories
from tests.stats_milp import Adversary, Release
from tests.stats_release_cases import Trust, random_trust

CAL = TermCalendar()
COMMON = {"calendar": CAL, "threshold": 5, "minimum_base": 10}


def _tag(name: str, period: str) -> Callable[[str], str]:
    shared = TERMS[: TERMS.index(period) + 1]
    return lambda col: f"r1:{col}" if col in shared else f"{name}:{col}"


def _no_last(var: tuple[str, ...]) -> bool:
    return var[3] == "last"  # copies of last year's release: protected by that release


def _year_of_releases(trust: Trust) -> list[Release]:
    autumn = build_joint(trust.scopes("autumn"), period="autumn", **COMMON)  # type: ignore[arg-type]
    spring = build_joint(
        trust.scopes("spring"),
        period="spring",
        before=held_after(autumn.system, "autumn"),
        **COMMON,  # type: ignore[arg-type]
    )
    summer = build_joint(
        trust.scopes("summer"),
        period="summer",
        before=held_after(spring.system, "spring"),
        **COMMON,  # type: ignore[arg-type]
    )
    trust.cases.append((0, "allegation", "parent", "autumn", frozenset()))  # recorded late
    revision = build_joint(
        trust.scopes("summer"),
        period="summer",
        revising=replaced(summer.system),
        **COMMON,  # type: ignore[arg-type]
    )
    return [
        Release(autumn.pages, _tag("autumn", "autumn")),
        Release(spring.pages, _tag("spring", "spring")),
        Release(summer.pages, _tag("summer", "summer")),
        Release(revision.pages, lambda col: f"rev2:{col}"),
    ]


# The fast version for every run (about 10 s); bench/stats_release_bench.py runs 30 or more.
@pytest.mark.parametrize(("seed", "schools", "cases"), [(3, 2, 10), (7, 1, 8), (6, 3, 9)])
def test_no_hidden_cell_is_pinned_across_every_page_release_and_revision(
    seed: int, schools: int, cases: int
) -> None:
    trust = random_trust(random.Random(seed), schools=schools, cases=cases)
    held = _year_of_releases(trust)
    report = Adversary(held, threshold=5).check(skip=_no_last)
    assert report.checked > 0
    assert report.disclosed == []
    # Group disclosure through zeros, across the year's releases and the revision: a late case
    # is never shown as the only one in a column of zeros carried over.
    assert report.groups == []
    # The term columns a release published are shown the same in every later one.
    for earlier, later in itertools.pairwise(held[:3]):
        for scope, page in earlier.pages.items():
            for table in page.tables:
                for row, col in table.cells:
                    if col in TERMS and earlier.tag(col) == later.tag(col):
                        other = later.pages[scope]
                        assert page.text(table, row, col) == other.text(
                            other.table(table.key), row, col
                        )


def test_the_adversary_pins_cells_when_each_page_is_protected_alone() -> None:
    """Not toothless: protected page by page (before issue 18), trust minus school gives a
    school's hidden count away."""
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    by_scope: dict[str, Figures] = {}
    for scope, chosen in ((TRUST, [a, b]), (str(a), [a]), (str(b), [b])):
        figures = Figures(year=2025, schools=[(s, f"School {s.int}") for s in chosen])
        if a in chosen:
            add_cases(figures, a, "policy_breach", "parent", "autumn", 7)
            add_cases(figures, a, "policy_breach", "staff", "autumn", 9)
        if b in chosen:
            add_cases(figures, b, "policy_breach", "parent", "autumn", 2)
            add_cases(figures, b, "policy_breach", "staff", "autumn", 12)
        by_scope[scope] = figures
    alone = {s: build_page(f, calendar=CAL, threshold=5) for s, f in by_scope.items()}
    report = Adversary([Release(alone, lambda col: col)], threshold=5).check(skip=_no_last)
    assert any(f.cell[0] == str(b) and f.cell[2] == "parent" for f in report.disclosed)
    joint = build_joint(by_scope, period="summer", **COMMON)  # type: ignore[arg-type]
    together = Adversary([Release(joint.pages, lambda col: col)], threshold=5)
    assert together.check(skip=_no_last).disclosed == []


def test_a_lone_hidden_outcome_beside_zeros_does_not_tell_everyones_outcome() -> None:
    school = uuid.UUID(int=1)
    figures = Figures(year=2025, schools=[(school, "School 1")])
    add_cases(figures, school, "allegation", "parent", "autumn", 9)
    figures.outcomes[("substantiated", "year")] = 3
    page = build_joint({str(school): figures}, period="summer", **COMMON).pages[str(school)]  # type: ignore[arg-type]
    outcomes = page.table("outcomes")
    shown = {row.key: page.text(outcomes, row.key, "year") for row in outcomes.rows}
    assert shown["substantiated"] == "c"
    # The other outcomes may not all be shown as 0 beside it.
    assert any(v == "x" for k, v in shown.items() if k not in ("substantiated", "total"))
    report = Adversary([Release({str(school): page}, lambda col: col)], threshold=5)
    assert report.check(skip=_no_last).groups == []


def test_settings_that_contradict_each_other_are_refused_plainly() -> None:
    with pytest.raises(ValueError, match=r"STATS_MINIMUM_BASE \(10\) must not be below"):
        check_bases(12, 10)
    check_bases(5, 10)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"STATS_SUPPRESSION_THRESHOLD": "12", "STATS_MINIMUM_BASE": "10"}, "must not be below"),
        ({"STATS_MINIMUM_BASE": "ten"}, "from 1 to 100"),
        ({"STATS_MINIMUM_BASE": "0"}, "from 1 to 100"),
    ],
)
def test_bad_minimum_base_stops_the_app_with_one_line(
    settings: Settings,
    session_factory: sessionmaker[Session],
    overrides: dict[str, str],
    message: str,
) -> None:
    with pytest.raises((ConfigError, ValueError), match=message):
        create_app(
            overrides={"TESTING": True, **overrides},
            settings=settings,
            session_factory=session_factory,
        )


def test_hidden_values_are_drawn_hatched_and_one_term_reads_on_its_own() -> None:
    school = uuid.UUID(int=1)
    figures = Figures(year=2025, schools=[(school, "School 1")])
    add_cases(figures, school, "policy_breach", "parent", "autumn", 30)
    add_cases(figures, school, "low_level_concern", "staff", "autumn", 2)
    page = build_joint({str(school): figures}, period="autumn", **COMMON).pages[str(school)]  # type: ignore[arg-type]
    shown = publish(page, period="autumn", minimum_base=10)
    tracks = charts.chart_data(shown, "tracks")
    assert charts.HIDDEN in tracks.series[0][1]  # not None: never a missing bar
    svg = charts.render_svg(tracks).decode()
    assert 'fill="url(#hatch)"' in svg and ">c</text>" in svg and "<script" not in svg
    terms = charts.chart_data(shown, "terms")
    assert terms.series[0][1][1:] == [None, None]  # spring and summer have not started
    svg = charts.render_svg(terms).decode()
    assert "<circle" in svg  # the one term is a labelled point, not an empty line


def test_a_stored_page_round_trips() -> None:
    school = uuid.UUID(int=1)
    figures = Figures(year=2025, schools=[(school, "School 1")])
    add_cases(figures, school, "policy_breach", "parent", "autumn", 30)
    page = build_joint({str(school): figures}, period="summer", **COMMON).pages[str(school)]  # type: ignore[arg-type]
    shown = publish(page, period="summer", minimum_base=10)
    again = PublishedPage.from_json(shown.to_json())
    assert again == shown
    assert again.text(again.table("tracks"), "policy_breach", "autumn") == "30"


# --- stored releases through the service, the pages and the command line ---------------------

SETTINGS = StatsSettings()
AUTUMN_DAY = date(2025, 10, 6)


def _london(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_release_is_stored_once_and_a_late_case_waits_for_a_revision(
    db: Session, users: dict[Role, User]
) -> None:
    head = users[Role.HEADTEACHER]
    with time_machine.travel(_london(date(2025, 11, 3)), tick=False):
        for _ in range(8):
            factories.make_case(db, head, became_aware_on=AUTUMN_DAY)
        db.commit()
    now = _london(date(2026, 1, 12))
    with time_machine.travel(now, tick=False):
        made = releases.publish_due(db, actor=None, today=now.date(), now=now, settings=SETTINGS)
        db.commit()
        assert [(r.academic_year, r.period, r.revision) for r in made] == [(2025, "autumn", 1)]
        first = releases.page_of(db, made[0], str(head.school_id))
        assert first is not None
        assert first.text(first.table("sources"), "parent", "autumn") == "8"
        # Nothing more is due, and publishing the same term again is refused.
        assert (
            releases.publish_due(db, actor=None, today=now.date(), now=now, settings=SETTINGS) == []
        )
        with pytest.raises(releases.ReleaseError, match="already published"):
            releases.publish_release(
                db, actor=None, year=2025, period="autumn", now=now, settings=SETTINGS
            )
        with pytest.raises(releases.ReleaseError, match="has not ended"):
            releases.publish_release(
                db, actor=None, year=2025, period="spring", now=now, settings=SETTINGS
            )
    later = _london(date(2026, 1, 20))
    with time_machine.travel(later, tick=False):
        factories.make_case(db, head, became_aware_on=AUTUMN_DAY)  # recorded late
        db.commit()
        stored = releases.page_of(db, made[0], str(head.school_id))
        assert stored == first  # never recomputed
        revision = releases.publish_release(
            db, actor=None, year=2025, period="autumn", now=later, settings=SETTINGS, revise=True
        )
        db.commit()
        assert revision.revision == 2
        revised_page = releases.page_of(db, revision, str(head.school_id))
        assert revised_page is not None
        # 9 beside the release's 8 would say the one late case came from a parent: the
        # revision is protected with the release it replaces, so the 9 is hidden.
        assert revised_page.text(revised_page.table("sources"), "parent", "autumn") == "c"
        assert first.text(first.table("sources"), "parent", "autumn") == "8"
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "stats.publish")).all()
    assert len(entries) == 2


def test_governors_see_the_stored_release_and_its_rules(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    with time_machine.travel(_london(date(2025, 11, 3)), tick=False):
        for _ in range(7):
            factories.make_case(db, head, became_aware_on=AUTUMN_DAY)
        db.commit()
    now = _london(date(2026, 1, 12))
    with time_machine.travel(now, tick=False):
        releases.publish_due(db, actor=None, today=now.date(), now=now, settings=SETTINGS)
        db.commit()
        client = login_as(Role.GOVERNOR)
        html = client.get("/statistics/?year=2025").get_data(as_text=True)
        assert "Autumn term, 2025 to 2026" in html
        assert "Rules applied: counts from 1 to 5 are shown as c" in html
        assert "Your school&#39;s current term so far" not in html  # governors: releases only
        assert client.get("/statistics/?view=live").status_code == 200
        bad = client.get("/statistics/?release=2025-winter")
        assert "Choose a release from the list" in bad.get_data(as_text=True)
        head_html = login_as(Role.HEADTEACHER).get("/statistics/?view=live").get_data(as_text=True)
        assert "This term so far, for your school only" in head_html


def test_the_publish_command_refuses_half_given_options(app: Flask) -> None:
    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), obj=ScriptInfo(create_app=lambda: app))
        return result.output

    assert "Give both --year and --term" in run("stats", "publish", "--year", "2025")
    assert "Invalid value for '--term'" in run(
        "stats", "publish", "--year", "2025", "--term", "winter"
    )
    assert "--revise needs" in run("stats", "publish", "--revise")
    assert "Invalid value for '--year'" in run(
        "stats", "publish", "--year", "99", "--term", "autumn"
    )
    with time_machine.travel(_london(date(2025, 10, 1)), tick=False):
        assert "has not ended yet" in run("stats", "publish", "--year", "2025", "--term", "autumn")


def test_no_release_says_so(login_as: Callable[[Role], FlaskClient], db: Session) -> None:
    assert db.scalar(select(StatsRelease.id)) is None
    html = login_as(Role.GOVERNOR).get("/statistics/").get_data(as_text=True)
    assert "No figures have been published for" in html
    assert login_as(Role.GOVERNOR).get("/statistics/chart/tracks.svg").status_code == 404
