"""Random case sets for the disclosure tests, over three academic years, shaped as
`figures.collect` shapes them: a year's figures by term, the year before as "last", and the
year before's own figures (term by term) as `previous`."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from hypothesis import strategies as st

from incidents.models import CaseKind, CaseOutcome, DisclosureSource
from incidents.stats.figures import AGE_BANDS, UNASSESSED, Figures, add_cases
from incidents.stats.layout import TERMS

YEAR = 2025
KINDS = [k.value for k in CaseKind] + [UNASSESSED]
SOURCES = [s.value for s in DisclosureSource]
CATEGORIES = ["images", "confidentiality", "contact_with_pupils"]
OUTCOMES = [o.value for o in CaseOutcome][:4]
TIMINGS = ["within", "late", "no_limit"]

# (school, track, source, years back, term, policy areas)
case_strategy = st.tuples(
    st.integers(0, 2),
    st.sampled_from(KINDS),
    st.sampled_from(SOURCES[:4]),  # a few sources, so cells are not all ones
    st.integers(0, 2),
    st.sampled_from(TERMS),
    st.sets(st.sampled_from(CATEGORIES), max_size=2),
)


@dataclass
class History:
    """Everything that happened, by how many years before YEAR."""

    schools: list[tuple[uuid.UUID, str]]
    cases: list[tuple[int, str, str, int, str, frozenset[str]]]
    outcomes: list[tuple[str, int]]
    referrals: list[tuple[str, int]]
    days_to_close: list[tuple[int, int]]
    open_by_age: Counter[str]

    def figures(self, back: int = 0, *, with_previous: bool = True) -> Figures:
        """The figures for YEAR - back, as `collect` gives them."""
        figures = Figures(year=YEAR - back, schools=self.schools)
        for school, kind, source, when, term, cats in self.cases:
            period = term if when == back else "last" if when == back + 1 else None
            if period is None:
                continue
            add_cases(figures, self.schools[school % len(self.schools)][0], kind, source, period, 1)
            for cat in cats:
                figures.categories[(cat, period)] += 1
        for name, when in self.outcomes:
            if when - back in (0, 1):
                figures.outcomes[(name, ("year", "last")[when - back])] += 1
        for name, when in self.referrals:
            if when - back in (0, 1):
                figures.referrals[(name, ("year", "last")[when - back])] += 1
        for days, when in self.days_to_close:
            if when - back in (0, 1):
                slot = ("year", "last")[when - back]
                figures.days_to_close.setdefault(slot, Counter())[days] += 1
        figures.open_by_age = self.open_by_age
        if with_previous:
            figures.previous = self.figures(back + 1, with_previous=False)
        return figures


@st.composite
def histories(draw: st.DrawFn, max_cases: int = 45) -> History:
    n_schools = draw(st.integers(1, 3))
    years = st.integers(0, 2)
    return History(
        schools=[(uuid.UUID(int=i + 1), f"School {i + 1}") for i in range(n_schools)],
        cases=[
            (school, kind, source, when, term, frozenset(cats))
            for school, kind, source, when, term, cats in draw(
                st.lists(case_strategy, max_size=max_cases)
            )
        ],
        outcomes=draw(st.lists(st.tuples(st.sampled_from(OUTCOMES), years), max_size=30)),
        referrals=draw(st.lists(st.tuples(st.sampled_from(TIMINGS), years), max_size=30)),
        days_to_close=draw(st.lists(st.tuples(st.integers(0, 90), years), max_size=30)),
        open_by_age=Counter(
            draw(st.lists(st.sampled_from([b[0] for b in AGE_BANDS]), max_size=12))
        ),
    )
