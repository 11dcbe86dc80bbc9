"""Jinja filters that show dates the way people in England read them, in school local time."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from incidents.clock import SCHOOL_TZ


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def london_date(value: datetime) -> str:
    return long_date(value.astimezone(SCHOOL_TZ).date())


def london_datetime(value: datetime) -> str:
    local = value.astimezone(SCHOOL_TZ)
    hour = local.hour % 12 or 12
    return f"{long_date(local.date())} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def init_filters(app: Flask) -> None:
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(london_date, "london_date")
    app.add_template_filter(london_datetime, "london_datetime")
