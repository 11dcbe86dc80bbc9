"""Random trusts for the release tests and benchmark: cases with their school, track, source,
term and policy areas, and each school's outcomes, referrals and days to close, counted into
`Figures` for each scope (the trust and every school) as the publishing job counts them."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from incidents.clock import local_today
from incidents.governance import releases
from incidents.governance.queries import StatsSettings
from incidents.models import CaseKind, CaseOutcome, DisclosureSource
from incidents.stats.figures import UNASSESSED, Figures, add_cases
from incidents.stats.joint import TRUST
from incidents.stats.layout import TERMS
from incidents.stats.terms import academic_year_of, term_of, terms

YEAR = 2025
KINDS = [k.value for k in CaseKind] + [UNASSESSED]
SOURCES = [s.value for s in DisclosureSource][:5]
CATEGORIES = ["images", "confidentiality", "contact_with_pupils"]
OUTCOMES = [o.value for o in CaseOutcome][:4]
TIMINGS = ["within", "late", "no_limit"]


@dataclass
class Trust:
    schools: list[tuple[uuid.UUID, str]]
    # (school index, track, source, term, policy areas)
    cases: list[tuple[int, str, str, str, frozenset[str]]]
    outcomes: list[tuple[int, str]] = field(default_factory=list)
    referrals: list[tuple[int, str]] = field(default_factory=list)
    closing: list[tuple[int, int]] = field(default_factory=list)

    def figures(self, upto: str = "summer", schools: list[int] | None = None) -> Figures:
        """The figures of some schools (default all) with the terms up to `upto`."""
        chosen = range(len(self.schools)) if schools is None else schools
        figures = Figures(year=YEAR, schools=[self.schools[i] for i in chosen])
        allowed = TERMS[: TERMS.index(upto) + 1]
        for school, kind, source, term, cats in self.cases:
            if school in chosen and term in allowed:
                add_cases(figures, self.schools[school][0], kind, source, term, 1)
                for cat in cats:
                    figures.categories[(cat, term)] += 1
        for school, name in self.outcomes:
            if school in chosen:
                figures.outcomes[(name, "year")] += 1
        for school, name in self.referrals:
            if school in chosen:
                figures.referrals[(name, "year")] += 1
        for school, days in self.closing:
            if school in chosen:
                figures.days_to_close.setdefault("year", Counter())[days] += 1
        return figures

    def scopes(self, upto: str = "summer") -> dict[str, Figures]:
        found = {str(sid): self.figures(upto, [i]) for i, (sid, _n) in enumerate(self.schools)}
        if len(self.schools) > 1:
            found[TRUST] = self.figures(upto)
        return found


def random_trust(rng: random.Random, *, schools: int, cases: int) -> Trust:
    sized = [rng.choice((1, 2, 4)) for _ in range(schools)]  # small and larger schools
    weights = [s / sum(sized) for s in sized]
    pick = lambda: rng.choices(range(schools), weights)[0]  # noqa: E731
    return Trust(
        schools=[(uuid.UUID(int=i + 1), f"School {i + 1}") for i in range(schools)],
        cases=[
            (
                pick(),
                rng.choice(KINDS),
                rng.choice(SOURCES),
                rng.choice(TERMS),
                frozenset(rng.sample(CATEGORIES, rng.randint(0, 2))),
            )
            for _ in range(cases)
        ],
        outcomes=[(pick(), rng.choice(OUTCOMES)) for _ in range(cases // 3)],
        referrals=[(pick(), rng.choice(TIMINGS)) for _ in range(cases // 3)],
        closing=[(pick(), rng.randint(1, 90)) for _ in range(cases // 3)],
    )


def publish_to_date(db: Session, *, revise: bool = False) -> None:
    """Publish this academic year's releases up to the current term, as the jobs runner does
    once the term has ended: governors and trust officers see stored releases only (issue
    18), so a test that shows them figures publishes them first. Any term already published
    is left as it is, or with `revise`, revised (a school added since)."""
    today = local_today()
    year = academic_year_of(today)
    after = datetime.combine(term_of(today).end + timedelta(days=1), time(12), tzinfo=UTC)
    for term in terms(year):
        if term.start > today:
            continue
        exists = releases.latest(db, year, term.name) is not None
        if exists and not revise:
            continue
        releases.publish_release(
            db,
            actor=None,
            year=year,
            period=term.name,
            now=after,
            settings=StatsSettings(),
            revise=exists,
        )
    db.commit()
