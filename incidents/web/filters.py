"""Jinja filters that show dates the way people in England read them, in school local time,
and free text with its invisible characters shown."""

from __future__ import annotations

import functools
import unicodedata
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import Flask
from markupsafe import Markup, escape

from incidents.clock import SCHOOL_TZ
from incidents.sensitive import Sensitive
from incidents.validation import HIDDEN_CHARACTERS

# Line breaks and tabs are how free text is laid out; every other control character is shown.
_LAYOUT = frozenset("\n\r\t")
_TAG = Markup('<span class="govuk-tag govuk-tag--grey" title="{title}">[U+{code:04X}]</span>')
_TITLE = "An invisible character, shown here so that it cannot change how the text reads"


# One date format and one date-and-time format everywhere (issue 17, item 10), through Babel's
# CLDR data for English in the UK: "27 March 2026" and "27 March 2026 at 2:05pm".
# Parsed once: Babel parses a locale name on every call, a fifth of a date's cost (issue 21).
LOCALE = Locale.parse("en_GB")
DATE = "d MMMM y"
DATE_TIME = "d MMMM y 'at' h:mma"


@functools.lru_cache(maxsize=4096)
def long_date(value: date) -> str:
    # Kept: a caseload names the same few dozen dates hundreds of times (issue 21).
    return format_date(value, DATE, locale=LOCALE)


def london_date(value: datetime) -> str:
    return long_date(value.astimezone(SCHOOL_TZ).date())


def london_datetime(value: datetime) -> str:
    return format_datetime(value.astimezone(SCHOOL_TZ), DATE_TIME, locale=LOCALE)


def _hidden(char: str) -> bool:
    return char in HIDDEN_CHARACTERS or (unicodedata.category(char) == "Cc" and char not in _LAYOUT)


def visible(value: Sensitive | str | None) -> Markup:
    """Free text (a note, a narrative, a reason), escaped, with each invisible character shown
    as a marked tag such as [U+202E] instead of acting on the text. Names lose these characters
    when typed (`validation.plain_name`); free text keeps what was written, since it is a
    record, but a right-to-left override or a zero-width space must not silently make a note
    read differently, or hide a word from a search of the page. Zero-width joiners stay: some
    scripts need them to spell words."""
    if value is None:
        return Markup("")
    text = value.reveal() if isinstance(value, Sensitive) else str(value)
    if not any(_hidden(c) for c in text):
        return escape(text)
    parts = [_TAG.format(title=_TITLE, code=ord(c)) if _hidden(c) else escape(c) for c in text]
    return Markup("").join(parts)


def init_filters(app: Flask) -> None:
    app.add_template_filter(visible, "visible")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(london_date, "london_date")
    app.add_template_filter(london_datetime, "london_datetime")
