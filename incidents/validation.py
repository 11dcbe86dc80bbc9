"""Input rules the case-work services share: free text that must be given and fit, optional
text, and dates that cannot be in the future. Each raises or collects field -> message."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time

from incidents.clock import SCHOOL_TZ, local_today
from incidents.errors import InvalidInput

# Invisible characters that change how a name reads without showing themselves: the bidirectional
# controls (a right-to-left override can make "Smith" display as something else in a list) and
# zero-width spaces or a byte-order mark pasted from a document. Zero-width joiners stay: some
# scripts need them to spell a name.
HIDDEN_CHARACTERS = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_HIDDEN_IN_NAMES = HIDDEN_CHARACTERS


def plain_name(value: str) -> str:
    """A person's name as typed, without the invisible characters above or control characters,
    and without spaces at either end."""
    kept = (c for c in value if c not in _HIDDEN_IN_NAMES and unicodedata.category(c) != "Cc")
    return "".join(kept).strip()


_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})\s*(am|pm)?$")


class Errors(dict[str, str]):
    """Field errors collected across a whole form, so the user sees them all at once."""

    def text(self, field: str, value: str, *, label: str, limit: int, empty: str = "") -> str:
        """`value` stripped; an error when it is too long, or empty and `empty` names it."""
        value = value.strip()
        if not value and empty:
            self.setdefault(field, empty)
        elif len(value) > limit:
            self.setdefault(field, f"{label} must be {limit:,} characters or fewer")
        return value

    def past_date(self, field: str, value: date | None, *, called: str, today: date) -> None:
        if value is not None and value > today:
            self.setdefault(field, f"{called} must be today or in the past")

    def day(
        self,
        field: str,
        value: date | None,
        *,
        called: str,
        missing: str,
        since: date | None = None,
        too_early: str = "",
    ) -> None:
        """A date that must be given, today or in the past (London), and not before `since`
        (`too_early` says why)."""
        if value is None:
            self[field] = missing
            return
        self.past_date(field, value, called=called, today=local_today())
        if since is not None and value < since:
            self.setdefault(field, too_early)

    def moment(
        self, field: str, day: date | None, value: str, *, called: str, missing: str = ""
    ) -> datetime | None:
        """A time of day typed as 14:30 (or 2:30pm) on `day`, in England, as an aware UTC
        instant; None when not given (an error if `missing` names it) or not readable. A
        moment still to come is refused: these record what has happened."""
        value = value.strip().lower()
        if not value:
            if missing:
                self.setdefault(field, missing)
            return None
        found = _TIME.match(value)
        hour, minute = (int(found.group(1)), int(found.group(2))) if found else (99, 99)
        if found and found.group(3):
            # "13:00pm" is not a time: out of range stays out of range (it read as 3pm).
            hour = hour % 12 + (12 if found.group(3) == "pm" else 0) if 1 <= hour <= 12 else 99
        if hour > 23 or minute > 59:
            self.setdefault(field, f"{called} must be a real time, like 14:30")
            return None
        if day is None:
            return None
        at = datetime.combine(day, time(hour, minute), tzinfo=SCHOOL_TZ).astimezone(UTC)
        if at > datetime.now(UTC):
            self.setdefault(field, f"{called} must be in the past")
        return at

    def raise_any(self) -> None:
        if self:
            raise InvalidInput(dict(self))
