"""Governors' statistics pages: the figures, their charts (SVG images), and the CSV and PDF
exports. Views only: the counts come from the statistics service, protected as one page."""

from __future__ import annotations

import re
import time
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from incidents.accounts.elevation_views import grant_until, require_elevation
from incidents.clock import local_today
from incidents.extensions import db_session
from incidents.governance import queries as stats_service
from incidents.governance import releases
from incidents.governance.queries import StatsSettings
from incidents.governance.settings import read_settings
from incidents.models import Elevation, ElevationPurpose, Role, StatsRelease
from incidents.models.base import utcnow
from incidents.permissions import Permission, has_permission
from incidents.stats import charts, export
from incidents.stats.joint import TRUST
from incidents.stats.published import PublishedPage
from incidents.stats.terms import academic_year_of, parse_year, year_label
from incidents.web.access import requires

bp = Blueprint("stats", __name__, url_prefix="/statistics")
_SETTINGS = "incidents.stats"
_CACHE = "incidents.stats.pages"
YEARS_OFFERED = 10


def _configure(state: BlueprintSetupState) -> None:
    """Read the statistics settings once, at start-up, so a bad value stops the app there, in
    one line naming the setting (governance/settings.py)."""
    state.app.extensions[_SETTINGS] = read_settings(state.app)


bp.record_once(_configure)


def _settings() -> StatsSettings:
    settings: StatsSettings = current_app.extensions[_SETTINGS]
    return settings


def _year() -> tuple[int, str | None]:
    """The academic year asked for (default: the current one), and an error if it was bad."""
    latest = academic_year_of(local_today())
    raw = request.args.get("year")
    if raw is None or raw == "":
        return latest, None
    try:
        return parse_year(raw, latest=latest), None
    except ValueError as exc:
        return latest, str(exc)


_RELEASE = re.compile(r"([0-9]{4})-(autumn|spring|summer)")


def _scope() -> str:
    """The page a reader sees: the trust's for a trust officer (when there are several
    schools), their own school's for everyone else."""
    officer = stats_service.school_ids_for(current_user) is None
    if officer and releases.page_count(db_session()) > 1:
        return TRUST
    return str(current_user.school_id)


def _live_allowed() -> bool:
    return has_permission(current_user, Permission.CASE_DECIDE) and not current_user.has_role(
        Role.TRUST_OFFICER
    )


def _selection(year: int) -> tuple[StatsRelease | None, str | None]:
    """The release asked for (`release=2025-autumn`), or the year's latest; and an error."""
    raw = request.args.get("release")
    db = db_session()
    if raw:
        match = _RELEASE.fullmatch(raw)
        if match is None:
            return None, "Choose a release from the list"
        return releases.latest(db, int(match[1]), match[2]), None
    for period in ("summer", "spring", "autumn"):
        found = releases.latest(db, year, period)
        if found is not None:
            return found, None
    return None, None


def _page_for(year: int) -> tuple[PublishedPage | None, StatsRelease | None, str | None]:
    """A stored release's page (never recomputed), or for a head who asks, their school's
    current term so far (worked out at most once a minute, protected against the releases)."""
    if request.args.get("view") == "live" and _live_allowed():
        key = ("live", current_user.school_id, local_today())
        cache: dict[object, tuple[float, PublishedPage]] = current_app.extensions.setdefault(
            _CACHE, {}
        )
        now = time.monotonic()
        hit = cache.get(key)
        if hit is not None and now - hit[0] < _settings().cache_seconds:
            return hit[1], None, None
        page = releases.live_page(
            db_session(),
            school_id=current_user.school_id,
            today=local_today(),
            now=utcnow(),
            settings=_settings(),
        )
        cache[key] = (now, page)
        return page, None, None
    release, error = _selection(year)
    if release is None:
        return None, None, error
    return releases.page_of(db_session(), release, _scope()), release, error


def _bad_year(message: str) -> tuple[str, int]:
    body = f"{message}. Go back to the statistics page and choose a year from the list."
    return render_template("error.html", title="The academic year is not valid", body=body), 400


@bp.route("/")
@requires(Permission.STATS_READ)
def index() -> str:
    year, error = _year()
    page, release, choice_error = _page_for(year)
    latest = academic_year_of(local_today())
    years = [(y, year_label(y)) for y in range(latest, latest - YEARS_OFFERED, -1)]
    shown = releases.releases(db_session())
    errors = [{"text": e, "href": "#year"} for e in (error, choice_error) if e]
    return render_template(
        "stats/index.html",
        page=page,
        release=release,
        release_label=releases.label,
        published=[(f"{r.academic_year}-{r.period}", releases.label(r)) for r in shown],
        live_allowed=_live_allowed(),
        export_until=grant_until(ElevationPurpose.EXPORT, current_user.school_id),
        charts=[charts.chart_data(page, name) for name in charts.CHART_NAMES] if page else [],
        errors=errors,
        years=years,
        year=year,
        year_label=year_label,
        selection={k: v for k in ("release", "view") if (v := request.args.get(k))},
    )


@bp.route("/chart/<name>.svg")
@requires(Permission.STATS_READ)
def chart(name: str) -> Response | tuple[str, int]:
    if name not in charts.CHART_NAMES:
        abort(404)
    year, error = _year()
    if error:
        return _bad_year(error)
    page = _page_for(year)[0]
    if page is None:
        abort(404)
    svg = charts.render_svg(charts.chart_data(page, name))
    return Response(svg, mimetype="image/svg+xml")


def _export_grant(year: int) -> Elevation | BaseResponse:
    """A download asks for the password again and a reason (issue 19, item 12), though the
    figures are the page's own, anonymised: a file leaves the service's sign-in, time-out and
    access checks for good (emailed, printed, left on a laptop), so the one who takes it says
    why, once, and the reason is kept with the export's audit entry. The grant is for the
    user's statistics (their school's, or the trust's: one record, the user's school), both
    files and every year, for a few minutes. Afterwards the user comes back to the figures
    page, not to the file: a download would leave them on the password form."""
    return require_elevation(
        ElevationPurpose.EXPORT, current_user.school_id, back=url_for("stats.index", year=year)
    )


def _export(body: bytes | str, mimetype: str, kind: str, year: int, grant: Elevation) -> Response:
    """The file, once the export is recorded: who took which year's figures, in what form."""
    db = db_session()
    stats_service.record_export(db, actor=current_user, kind=kind, year=year, grant=grant)
    db.commit()
    response = Response(body, mimetype=mimetype)
    filename = f"statistics-{year}-to-{year + 1}.{kind}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/statistics.csv")
@requires(Permission.STATS_READ)
def export_csv() -> BaseResponse | tuple[str, int]:
    year, error = _year()
    if error:
        return _bad_year(error)
    grant = _export_grant(year)
    if isinstance(grant, BaseResponse):
        return grant
    page = _page_for(year)[0]
    if page is None:
        abort(404)
    # A byte-order mark so Excel reads the file as UTF-8 (school names, en dashes).
    return _export("\ufeff" + export.to_csv(page), "text/csv", "csv", year, grant)


@bp.route("/report.pdf")
@requires(Permission.STATS_READ)
def report_pdf() -> BaseResponse | tuple[str, int]:
    year, error = _year()
    if error:
        return _bad_year(error)
    grant = _export_grant(year)
    if isinstance(grant, BaseResponse):
        return grant
    page = _page_for(year)[0]
    if page is None:
        abort(404)
    html = render_template(
        "stats/report.html",
        page=page,
        charts=[charts.chart_data(page, name) for name in charts.CHART_NAMES],
        year_label=year_label,
        origin=export.PDF_ORIGIN,
        generated=local_today(),
    )
    fetcher = export.report_fetcher(
        Path(current_app.static_folder or ""),
        lambda name: charts.render_svg(charts.chart_data(page, name)),
    )
    return _export(export.to_pdf(html, fetcher), "application/pdf", "pdf", year, grant)
