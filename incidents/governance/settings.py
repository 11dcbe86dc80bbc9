"""The governors' statistics settings (STATS_*), read once at start-up. A bad value is a
ConfigError: the command and the server say it in one line naming the setting, with no
traceback to bury it (like every other setting, config.py)."""

from __future__ import annotations

import os
import re

from flask.sansio.app import App

from incidents.config import ConfigError
from incidents.governance.queries import StatsSettings
from incidents.stats.disclosure import DEFAULT_THRESHOLD
from incidents.stats.measures import MINIMUM_BASE, check_bases
from incidents.stats.terms import calendar_from

_WHOLE = re.compile(r"[0-9]{1,5}")  # ASCII only: isdigit() also accepts "²"


def read_settings(app: App) -> StatsSettings:
    try:
        return _read(app)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _read(app: App) -> StatsSettings:
    def setting(name: str, default: str) -> str:
        return str(app.config.get(name) or os.environ.get(name) or default)

    threshold_raw = setting("STATS_SUPPRESSION_THRESHOLD", str(DEFAULT_THRESHOLD))
    if not _WHOLE.fullmatch(threshold_raw) or not 1 <= int(threshold_raw) <= 20:
        raise ValueError(
            "STATS_SUPPRESSION_THRESHOLD must be a whole number from 1 to 20 "
            f"(got {threshold_raw!r})"
        )
    calendar = calendar_from(
        setting("STATS_SPRING_TERM_STARTS", "01-01"), setting("STATS_SUMMER_TERM_STARTS", "easter")
    )
    cache_raw = setting("STATS_CACHE_SECONDS", "60")
    if not _WHOLE.fullmatch(cache_raw) or int(cache_raw) > 3600:
        raise ValueError(
            f"STATS_CACHE_SECONDS must be a whole number from 0 to 3600 (got {cache_raw!r})"
        )
    # The base for percentages and medians is never below the count threshold (issue 18,
    # item 4): "Cases closed c" beside "Median 30.5" would show what the c hides.
    base_raw = setting("STATS_MINIMUM_BASE", str(max(MINIMUM_BASE, int(threshold_raw))))
    if not _WHOLE.fullmatch(base_raw) or not 1 <= int(base_raw) <= 100:
        raise ValueError(
            f"STATS_MINIMUM_BASE must be a whole number from 1 to 100 (got {base_raw!r})"
        )
    check_bases(int(threshold_raw), int(base_raw))
    return StatsSettings(
        calendar=calendar,
        threshold=int(threshold_raw),
        minimum_base=int(base_raw),
        cache_seconds=int(cache_raw),
    )
