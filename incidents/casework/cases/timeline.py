"""One timeline for the case page and the case file (issue 17, item 2): the chronology's notes and
the case history's entries, newest first, read together or filtered; a run of "Opened the case"
entries is folded into one line ("opened 14 times by 3 people"). Built from what the page has
already loaded: nothing more is read or logged."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from incidents.audit.actions import label
from incidents.casework.cases.history import History, HistoryItem
from incidents.models import Note

OPENED = label("case.view")
# Already on the timeline as the notes themselves, with their authors.
_NOTE_ACTIONS = frozenset({label("note.add"), label("note.correct")})


class Show(enum.StrEnum):
    """What the timeline shows; the query string carries only these words."""

    ALL = "all"
    CHRONOLOGY = "chronology"
    HISTORY = "history"

    @classmethod
    def read(cls, raw: str | None) -> Show:
        try:
            return cls(raw or cls.ALL)
        except ValueError:
            return cls.ALL


@dataclass
class Entry:
    at: datetime
    note: Note | None = None  # a chronology entry
    activity: HistoryItem | None = None  # a case history entry
    # A folded run of openings: how many, by whom (newest first), and since when.
    openings: int = 0
    openers: list[HistoryItem] = field(default_factory=list)
    since: datetime | None = None

    @property
    def people(self) -> int:
        return len({(o.who, o.roles) for o in self.openers})


def _fold(entries: Iterable[Entry]) -> list[Entry]:
    """The merged timeline, newest first, with each run of openings folded into one entry."""
    folded: list[Entry] = []
    for entry in entries:
        item = entry.activity
        last = folded[-1] if folded else None
        if item is None or item.what != OPENED:
            folded.append(entry)
        elif last is not None and last.openings:
            last.openings += 1
            last.since = item.at
            if all((o.who, o.roles) != (item.who, item.roles) for o in last.openers):
                last.openers.append(item)
        else:
            folded.append(Entry(at=item.at, openings=1, openers=[item], since=item.at))
    return folded


def timeline(notes: list[Note], history: History | None, show: Show = Show.ALL) -> list[Entry]:
    """Notes and (for the case manager) history, newest first."""
    entries: list[Entry] = []
    if history is None or show is not Show.HISTORY:  # no history to show: the notes are all
        entries += [Entry(at=n.created_at, note=n) for n in notes]
    if history is not None and show is not Show.CHRONOLOGY:
        items = history.items
        if show is Show.ALL:
            items = [i for i in items if i.what not in _NOTE_ACTIONS]
        entries += [Entry(at=i.at, activity=i) for i in items]
    # Stable: a note and the log entry its writing made share an instant; the note goes first.
    return _fold(sorted(entries, key=lambda e: (e.at, e.note is not None), reverse=True))
