"""The school's calendar: England's local date, which decides references and "not in the future"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SCHOOL_TZ = ZoneInfo("Europe/London")


def local_today(now: datetime | None = None) -> date:
    moment = now if now is not None else datetime.now(SCHOOL_TZ)
    return moment.astimezone(SCHOOL_TZ).date()
