"""The statistics pages for governors and trust officers: what they show, what they never show
(names, references, free text, counts of 1 to 5), the exports, bad input, isolation from case
data, and figures computed without decrypting anything."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pypdf
import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from incidents import create_app
from incidents.casework.cases import notes as note_service
from incidents.casework.cases.commands import NewSubject
from incidents.casework.erasure import commands as erasure
from incidents.clock import SCHOOL_TZ, local_today
from incidents.config import ConfigError, Settings
from incidents.crypto import envelope
from incidents.crypto.keyring import Keyring
from incidents.governance.queries import StatsSettings, statistics_page
from incidents.models import (
    AuditEntry,
    Case,
    DisclosureSource,
    Elevation,
    PersonKind,
    Role,
    School,
    User,
)
from incidents.stats.export import PDF_ORIGIN, report_fetcher, safe_cell
from incidents.stats.terms import academic_year_of, term_of, year_start
from tests import factories
from tests.conftest import confirm_it_is_you
from tests.stats_release_cases import publish_to_date

THIS_YEAR = academic_year_of(local_today())
MARKER = "Zqxmarker"
SMALL = re.compile(r"^[1-5]$")


def _aware(days_ago: int) -> date:
    """A date this academic year (autumn, by default, while the suite runs in autumn)."""
    day = local_today() - timedelta(days=days_ago)
    return max(day, year_start(THIS_YEAR))


def _cases(
    db: Session, head: User, n: int, *, source: DisclosureSource, marker: str = ""
) -> list[Case]:
    made = []
    for i in range(n):
        case = factories.make_case(
            db,
            head,
            source=source,
            became_aware_on=_aware(i % 3),
            narrative=f"{marker} narrative {i}: said something on Facebook.",
            new_subject=NewSubject(name=f"{marker}{i} Subjectname", kind=PersonKind.STAFF),
        )
        made.append(case)
    db.commit()
    return made


_publish = publish_to_date


Downloader = Callable[[Role], FlaskClient]


@pytest.fixture
def downloader(login_as: Callable[[Role], FlaskClient], users: dict[Role, User]) -> Downloader:
    """A client signed in as `role` that has confirmed it is them, as a download asks first."""

    def sign_in_and_confirm(role: Role) -> FlaskClient:
        client = login_as(role)
        confirm_it_is_you(client, "export", users[role].school_id)
        return client

    return sign_in_and_confirm


def _governor_sees(
    downloader: Downloader, role: Role = Role.GOVERNOR
) -> tuple[str, str, str, list[str]]:
    client = downloader(role)
    page = client.get("/statistics/")
    assert page.status_code == 200
    csv_response = client.get(f"/statistics/statistics.csv?year={THIS_YEAR}")
    assert csv_response.status_code == 200
    assert csv_response.mimetype == "text/csv"
    pdf_response = client.get(f"/statistics/report.pdf?year={THIS_YEAR}")
    assert pdf_response.status_code == 200
    assert pdf_response.data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf_response.data))
    # A tagged PDF (PDF/UA-1): a structure tree screen readers can follow, and a language.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).startswith("en")
    pdf_text = "\n".join(p.extract_text() for p in reader.pages)
    charts = [
        client.get(f"/statistics/chart/{n}.svg").get_data(as_text=True) for n in ("tracks", "terms")
    ]
    return page.get_data(as_text=True), csv_response.get_data(as_text=True), pdf_text, charts


def long_day(day: date) -> str:
    """A date as the report prints it: 4 December 2026."""
    return f"{day.day} {day:%B %Y}"


def _html_figures(html: str) -> list[str]:
    return re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', html)


@pytest.fixture
def on_the_fourth() -> Iterator[None]:
    """The 4th of this month at noon in London: the report's own date is then a small number,
    which the check for small counts must tell apart (it once failed on the 1st to the 5th)."""
    today = local_today()
    with time_machine.travel(datetime(today.year, today.month, 4, 12, tzinfo=SCHOOL_TZ)):
        yield


def test_governor_sees_no_name_reference_free_text_or_small_count(
    on_the_fourth: None,
    db: Session,
    users: dict[Role, User],
    downloader: Downloader,
) -> None:
    head = users[Role.HEADTEACHER]
    cases = _cases(db, head, 8, source=DisclosureSource.PARENT, marker=MARKER)
    cases += _cases(db, head, 2, source=DisclosureSource.ANONYMOUS, marker=MARKER)
    note_service.add_note(db, actor=head, case=cases[0], body=f"{MARKER} chronology note")
    db.commit()
    _publish(db)

    html, csv_text, pdf_text, charts = _governor_sees(downloader)

    for published in (html, csv_text, pdf_text, *charts):
        assert MARKER not in published
        assert "Subjectname" not in published
        for case in cases:
            assert case.reference not in published
    assert "/cases/" not in html  # not a single link towards case data
    figures = _html_figures(html)
    assert "10" in figures  # the ten cases are counted (all cases this year)
    assert "c" in figures  # the two anonymous ones are not shown
    assert not [f for f in figures if SMALL.match(f)]
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert rows[0] == ["Academic year", "Table", "Row", "Column", "Value"]
    assert not [r for r in rows[1:] if SMALL.match(r[4])]
    # In the PDF the only small whole numbers are page numbers, the rule that explains c and the
    # day of the month the report was produced (the 1st to the 5th of every month).
    produced = f"produced on {long_day(local_today())}"
    assert produced in " ".join(pdf_text.split())
    words = re.sub(r"Page \d+ of \d+|from 1 to 5", "", " ".join(pdf_text.split()))
    words = words.replace(produced, "").split()
    assert not [w for w in words if SMALL.match(w)], pdf_text
    assert "What the symbols mean" in html and "What the symbols mean" in pdf_text
    # The charts are in the PDF (drawn from the fetched SVG, so their titles are text).
    assert "Cases by track, this year and last year" in pdf_text
    assert "All cases by term this year" in pdf_text


def test_the_page_explains_its_symbols_and_has_charts_with_tables(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    _publish(db)
    html = login_as(Role.GOVERNOR).get("/statistics/").get_data(as_text=True)
    assert "Hidden to protect people&#39;s privacy" in html or "Hidden to protect people's" in html
    assert "Allegations against adults are never split by term for a single school" in html
    assert html.count('class="app-stats-chart"') == 2
    assert re.search(
        r'<img class="app-stats-chart" src="/statistics/chart/tracks.svg\?year=\d+" alt="[^"]+',
        html,
    )
    assert 'id="table-tracks"' in html  # the chart's table, on the same page


def test_charts_are_svg_images_without_script(
    db: Session, login_as: Callable[[Role], FlaskClient]
) -> None:
    _publish(db)
    client = login_as(Role.GOVERNOR)
    for name in ("tracks", "terms"):
        response = client.get(f"/statistics/chart/{name}.svg")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert "<svg" in svg and "<script" not in svg
        # Nothing fetched from elsewhere: no links, imports or remote URLs.
        assert not re.search(r"href=|@import|url\(\s*['\"]?https?:", svg)
    assert client.get("/statistics/chart/names.svg").status_code == 404


def test_statistics_never_decrypt(
    db: Session,
    users: dict[Role, User],
    downloader: Downloader,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cases(db, users[Role.HEADTEACHER], 7, source=DisclosureSource.STAFF, marker=MARKER)
    _publish(db)
    governor = downloader(Role.GOVERNOR)
    officer = downloader(Role.TRUST_OFFICER)  # signs in with a (sealed) second factor first

    def refuse(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("statistics tried to decrypt a personal field")

    monkeypatch.setattr(envelope, "open_field", refuse)
    monkeypatch.setattr(Keyring, "open", refuse)
    for client in (governor, officer):
        assert ">7<" in client.get("/statistics/").get_data(as_text=True)
        assert client.get("/statistics/statistics.csv").status_code == 200
        assert client.get("/statistics/report.pdf").status_code == 200
        assert client.get("/statistics/chart/tracks.svg").status_code == 200


def _count(db: Session, user: User, table: str, row: str, col: str) -> str:
    page = statistics_page(
        db, actor=user, year=THIS_YEAR, today=local_today(), settings=StatsSettings()
    )
    return page.text(page.table(table), row, col)


def test_a_crypto_shredded_case_still_counts(
    db: Session, users: dict[Role, User], keyring: Keyring
) -> None:
    cases = _cases(db, users[Role.HEADTEACHER], 7, source=DisclosureSource.PARENT)
    governor = users[Role.GOVERNOR]
    assert _count(db, governor, "sources", "parent", "year") == "7"

    erasure.shred_case(
        db,
        actor=None,
        case=cases[0],
        rule="Test: end of retention",
        keyring=keyring,
        override_reason="Test: early",
    )
    db.commit()

    assert cases[0].is_erased
    assert _count(db, governor, "sources", "parent", "year") == "7"


def test_a_governor_sees_only_their_school_and_a_trust_officer_sees_all(
    db: Session, users: dict[Role, User], school: School, login_as: Callable[[Role], FlaskClient]
) -> None:
    _cases(db, users[Role.HEADTEACHER], 7, source=DisclosureSource.PARENT)
    other = factories.make_school(db, name="Second Academy")
    other_head = factories.make_user(db, other, Role.HEADTEACHER)
    _cases(db, other_head, 9, source=DisclosureSource.PARENT)

    assert _count(db, users[Role.GOVERNOR], "sources", "parent", "year") == "7"
    assert _count(db, users[Role.TRUST_OFFICER], "sources", "parent", "year") == "16"
    _publish(db)
    html = login_as(Role.TRUST_OFFICER).get("/statistics/").get_data(as_text=True)
    assert "Cases by school" in html and "Second Academy" in html
    governor_html = login_as(Role.GOVERNOR).get("/statistics/").get_data(as_text=True)
    assert "Second Academy" not in governor_html and "Cases by school" not in governor_html


def test_allegations_are_never_split_by_term_for_one_school(
    db: Session, users: dict[Role, User]
) -> None:
    governor = users[Role.GOVERNOR]
    for term in ("autumn", "spring", "summer"):
        assert _count(db, governor, "tracks", "allegation", term) == "x"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "Enter the academic year as the year it started"),
        ("year=1999", "Choose an academic year between"),
        (f"year={THIS_YEAR + 1}", "Choose an academic year between"),
        ("year=%3Cscript%3E", "Enter the academic year as the year it started"),
    ],
)
def test_a_bad_year_gets_a_clear_message(
    login_as: Callable[[Role], FlaskClient], query: str, message: str
) -> None:
    client = login_as(Role.GOVERNOR)
    page = client.get(f"/statistics/?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "<script>" not in html
    for path in ("statistics.csv", "report.pdf", "chart/tracks.svg"):
        response = client.get(f"/statistics/{path}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_an_earlier_year_can_be_chosen(login_as: Callable[[Role], FlaskClient]) -> None:
    html = login_as(Role.GOVERNOR).get(f"/statistics/?year={THIS_YEAR - 3}").get_data(as_text=True)
    assert f"Statistics for {THIS_YEAR - 3} to {THIS_YEAR - 2}" in html


def test_every_export_is_audited(
    db: Session, users: dict[Role, User], downloader: Downloader
) -> None:
    _publish(db)
    client = downloader(Role.GOVERNOR)
    client.get("/statistics/statistics.csv")
    client.get("/statistics/report.pdf")
    client.get("/statistics/")  # viewing the page is not an export
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.actor_id == users[Role.GOVERNOR].id)
    ).all()
    assert actions.count("stats.export") == 2


@pytest.mark.parametrize("path", ["statistics.csv", "report.pdf"])
def test_a_download_asks_for_the_password_again_and_keeps_the_reason(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient], path: str
) -> None:
    _publish(db)
    governor = users[Role.GOVERNOR]
    client = login_as(Role.GOVERNOR)
    assert "asked for your password again" in client.get("/statistics/").get_data(as_text=True)

    asked = client.get(f"/statistics/{path}?year={THIS_YEAR}")

    # No file and no export yet: the password page, which comes back to the figures page.
    assert asked.status_code == 302
    target = urlsplit(asked.location)
    assert target.path == "/reauthenticate/export"
    query = parse_qs(target.query)
    assert query["record"] == [str(governor.school_id)]
    assert query["next"] == [f"/statistics/?year={THIS_YEAR}"]
    exports = select(AuditEntry).where(AuditEntry.action == "stats.export")
    assert db.scalars(exports).all() == []

    confirm_it_is_you(client, "export", governor.school_id, reason="Full governing body")
    assert "You have confirmed it is you" in client.get("/statistics/").get_data(as_text=True)
    response = client.get(f"/statistics/{path}?year={THIS_YEAR}")

    assert response.status_code == 200
    entry = db.scalars(exports).one()
    grant = db.get(Elevation, entry.object_id)
    assert grant is not None and grant.user_id == governor.id
    assert grant.reason.reveal() == "Full governing body"
    # Another user's session asks again: a grant is one person's, in one sign-in.
    assert login_as(Role.TRUST_OFFICER).get(f"/statistics/{path}").status_code == 302


def test_csv_cells_cannot_become_formulas(
    db: Session, users: dict[Role, User], downloader: Downloader
) -> None:
    factories.make_school(db, name='=HYPERLINK("http://evil.example")')
    db.commit()
    _publish(db)
    body = downloader(Role.TRUST_OFFICER).get("/statistics/statistics.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    names = {r[2] for r in rows if r[1] == "Cases by school"}
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert not [cell for r in rows for cell in r if cell[:1] in ("=", "+", "-", "@")]
    for raw in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(raw) == "'" + raw
    assert safe_cell("Cases by track") == "Cases by track"


def test_roles_without_the_permission_are_refused(login_as: Callable[[Role], FlaskClient]) -> None:
    for role in (Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.ADMIN):
        assert login_as(role).get("/statistics/").status_code == 403


def test_governors_and_trust_officers_cannot_open_cases(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = _cases(db, users[Role.HEADTEACHER], 1, source=DisclosureSource.PARENT)[0]
    client = login_as(Role.GOVERNOR)
    assert client.get("/cases/").status_code == 403
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 403
    assert case.reference not in response.get_data(as_text=True)
    # The trust officer works only the cases nobody in school can manage (issue 13, item 3):
    # this one is the headteacher's, so it is neither listed nor opened.
    officer = login_as(Role.TRUST_OFFICER)
    listed = officer.get("/cases/")
    assert listed.status_code == 200
    assert case.reference not in listed.get_data(as_text=True)
    response = officer.get(f"/cases/{case.id}")
    assert response.status_code == 404
    assert case.reference not in response.get_data(as_text=True)


def test_home_page_links_to_the_statistics(login_as: Callable[[Role], FlaskClient]) -> None:
    for role in (Role.GOVERNOR, Role.TRUST_OFFICER, Role.HEADTEACHER):
        assert 'href="/statistics/"' in login_as(role).get("/").get_data(as_text=True)
    assert 'href="/statistics/"' not in login_as(Role.STAFF).get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("STATS_SUPPRESSION_THRESHOLD", "0", "from 1 to 20"),
        ("STATS_SUPPRESSION_THRESHOLD", "five", "from 1 to 20"),
        ("STATS_SPRING_TERM_STARTS", "13-01", "not a date that exists"),
        ("STATS_SUMMER_TERM_STARTS", "April", "MM-DD"),
        ("STATS_SUMMER_TERM_STARTS", "10-01", "between January and August"),
        ("STATS_CACHE_SECONDS", "-1", "from 0 to 3600"),
        ("STATS_SUPPRESSION_THRESHOLD", "\u00b2", "from 1 to 20"),
        ("STATS_CACHE_SECONDS", "86400", "from 0 to 3600"),
    ],
)
def test_bad_statistics_settings_stop_the_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    setting: str,
    value: str,
    message: str,
) -> None:
    # A ConfigError: the command and the server say it in one line, without a traceback.
    with pytest.raises(ConfigError, match=message):
        create_app(
            overrides={"TESTING": True, setting: value},
            settings=settings,
            session_factory=session_factory,
        )


def test_the_page_and_its_charts_show_the_stored_release_never_recomputed(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    """A release is computed once: a case recorded afterwards changes neither the page nor
    its charts (it waits for the next release's note or a revision), so two looks at the
    page tell a reader nothing about it."""
    _cases(db, users[Role.HEADTEACHER], 7, source=DisclosureSource.PARENT)
    _publish(db)
    client = login_as(Role.GOVERNOR)

    def looks() -> tuple[list[str], bytes]:
        html = client.get("/statistics/").get_data(as_text=True)
        return _html_figures(html), client.get("/statistics/chart/terms.svg").get_data()

    before = looks()
    assert "7" in before[0]
    _cases(db, users[Role.HEADTEACHER], 1, source=DisclosureSource.PARENT)
    assert looks() == before


def test_the_pdf_fetcher_serves_only_the_reports_own_resources(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "app.css").write_text("body { color: black }")
    (tmp_path / "secret.txt").write_text("not for the report")
    fetcher = report_fetcher(static, lambda name: b"<svg>" + name.encode() + b"</svg>")

    chart = fetcher.fetch(f"{PDF_ORIGIN}chart/tracks.svg")
    assert chart.headers["Content-Type"] == "image/svg+xml"
    assert fetcher.fetch(f"{PDF_ORIGIN}static/app.css").headers["Content-Type"] == "text/css"
    for url in (
        "https://example.com/tracker.png",
        "file:///etc/passwd",
        f"{PDF_ORIGIN}static/../secret.txt",
        f"{PDF_ORIGIN}static/%2e%2e/secret.txt",
        f"{PDF_ORIGIN}chart/other.svg",
        f"{PDF_ORIGIN}anything",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_allegations_split_by_term_only_across_two_schools_or_more(
    db: Session, users: dict[Role, User], keyring: Keyring
) -> None:
    from incidents.casework.triage import commands as triage
    from incidents.models import CaseKind, ThresholdAnswer

    other = factories.make_school(db, name="Second Academy")
    other_head = factories.make_user(db, other, Role.HEADTEACHER)
    db.commit()
    officer = users[Role.TRUST_OFFICER]
    yes, no = ThresholdAnswer.YES, ThresholdAnswer.NO

    def allegations(head: User, n: int) -> None:
        for case in _cases(db, head, n, source=DisclosureSource.ANONYMOUS):
            data = triage.TriageInput(yes, no, no, no, CaseKind.ALLEGATION, "Reasons.")
            triage.triage(db, actor=head, case=case, data=data)
        db.commit()

    allegations(other_head, 8)  # one school's allegations only: the trust cannot split them
    term = term_of(local_today()).name
    assert _count(db, officer, "tracks", "allegation", term) == "x"
    allegations(users[Role.HEADTEACHER], 7)  # now two schools: the trust's figures may
    assert _count(db, officer, "tracks", "allegation", "year") == "15"
    assert _count(db, users[Role.GOVERNOR], "tracks", "allegation", term) == "x"
