"""Statistics releases (issue 18): publishing the figures for a closed term once, for the
trust and every school together, and reading them back. Governors and trust officers see only
releases; a release is never recomputed. A case recorded after a term's release is left out of
that term (the next release's note counts it) until a numbered revision, protected jointly
with the release it replaces, takes it in.

Each release holds readers' knowledge fixed: to protect the next one, the releases before it
are worked out again from the cases recorded by their cut-offs (`joint.reconstruct`), which
must reproduce every published count; if a case was reassessed since, publishing stops and
asks for a revision first (`Drift`)."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import DomainError
from incidents.governance.queries import StatsSettings
from incidents.models import Case, School, StatsRelease, StatsReleasePage, User
from incidents.stats.disclosure import CellId
from incidents.stats.figures import Figures, collect
from incidents.stats.joint import (
    TRUST,
    Drift,
    System,
    build_joint,
    held_after,
    merge_terms,
    reconstruct,
    replaced,
    shared_terms,
)
from incidents.stats.layout import TERMS
from incidents.stats.published import PublishedPage, publish
from incidents.stats.terms import TERM_LABELS, academic_year_of, terms, year_label


class ReleaseError(DomainError):
    """A release that cannot be made as asked: said plainly, nothing written."""


def latest(session: Session, year: int, period: str) -> StatsRelease | None:
    return session.scalars(
        select(StatsRelease)
        .where(StatsRelease.academic_year == year, StatsRelease.period == period)
        .order_by(StatsRelease.revision.desc())
        .limit(1)
    ).first()


def releases(session: Session) -> list[StatsRelease]:
    """The latest revision of every release, newest first."""
    rows = session.scalars(
        select(StatsRelease).order_by(
            StatsRelease.academic_year.desc(), StatsRelease.period, StatsRelease.revision.desc()
        )
    ).all()
    seen: set[tuple[int, str]] = set()
    found = []
    for r in sorted(rows, key=lambda r: (-r.academic_year, -TERMS.index(r.period), -r.revision)):
        if (r.academic_year, r.period) not in seen:
            seen.add((r.academic_year, r.period))
            found.append(r)
    return found


def page_count(session: Session) -> int:
    """How many schools the instance serves (a trust's page exists only for several)."""
    return session.scalar(select(func.count()).select_from(School)) or 0


def page_of(session: Session, release: StatsRelease, scope: str) -> PublishedPage | None:
    raw = session.scalar(
        select(StatsReleasePage.content).where(
            StatsReleasePage.release_id == release.id, StatsReleasePage.scope == scope
        )
    )
    return None if raw is None else PublishedPage.from_json(raw)


def label(release: StatsRelease) -> str:
    what = (
        f"Whole year {year_label(release.academic_year)}"
        if release.period == "summer"
        else f"{TERM_LABELS[release.period]}, {year_label(release.academic_year)}"
    )
    return what if release.revision == 1 else f"{what} (revision {release.revision})"


# --- publishing ---------------------------------------------------------------------------------


def due(session: Session, *, today: date, settings: StatsSettings) -> list[tuple[int, str]]:
    """Every ended term with no release yet, oldest first, from the year of the first case."""
    first = session.scalar(select(func.min(Case.became_aware_on)))
    if first is None:
        return []
    found = []
    for year in range(academic_year_of(first), academic_year_of(today) + 1):
        for term in terms(year, settings.calendar):
            if term.end < today and latest(session, year, term.name) is None:
                found.append((year, term.name))
    return found


def publish_due(
    session: Session, *, actor: User | None, today: date, now: datetime, settings: StatsSettings
) -> list[StatsRelease]:
    return [
        publish_release(session, actor=actor, year=y, period=p, now=now, settings=settings)
        for y, p in due(session, today=today, settings=settings)
    ]


def publish_release(
    session: Session,
    *,
    actor: User | None,
    year: int,
    period: str,
    now: datetime,
    settings: StatsSettings,
    revise: bool = False,
) -> StatsRelease:
    """Publish a term's release (or, `revise`, a new revision of it), audited in every
    school's log. The caller commits."""
    if period not in TERMS:
        raise ReleaseError("Choose a term: autumn, spring or summer")
    term = terms(year, settings.calendar)[TERMS.index(period)]
    if term.end >= now.date():
        raise ReleaseError(f"The {period} term of {year_label(year)} has not ended yet")
    current = latest(session, year, period)
    if revise and current is None:
        raise ReleaseError("There is no release of that term to revise")
    if not revise and current is not None:
        raise ReleaseError("That term's figures are already published: make a revision")
    earlier = None
    if period != TERMS[0] and not revise:
        earlier = latest(session, year, TERMS[TERMS.index(period) - 1])
        if earlier is None:
            raise ReleaseError("Publish the earlier terms of the year first")
    basis = {t: now.isoformat() for t in shared_terms(period)}
    before = None
    revising = None
    if earlier is not None:
        basis.update(json.loads(earlier.basis))
        try:
            before = held_after(_system_of(session, earlier, settings), earlier.period)
        except Drift as exc:
            raise ReleaseError(
                f"The figures already published for {label(earlier)} have changed since "
                f"({exc}): publish a revision of that release first"
            ) from None
    if current is not None:
        revising = replaced(_system_of(session, current, settings))
    schools = _schools(session)
    figures = _figures_at(session, schools, year, basis, settings, term.end)
    late = _late(session, year, basis, settings) if earlier is not None else 0
    last_year = latest(session, year - 1, "summer")
    previous = {} if last_year is None else _texts(session, last_year)
    joint = build_joint(
        figures,
        calendar=settings.calendar,
        threshold=settings.threshold,
        minimum_base=settings.minimum_base,
        period=period,
        before=before,
        revising=revising,
        last_year=lambda scope, cell: previous.get(scope, {}).get("|".join(cell)),
    )
    release = StatsRelease(
        academic_year=year,
        period=period,
        revision=1 if current is None else current.revision + 1,
        published_at=now,
        cutoff=now,
        basis=json.dumps(basis, sort_keys=True),
        rules=json.dumps({"threshold": settings.threshold, "minimum_base": settings.minimum_base}),
        note=_note(late, settings.threshold),
    )
    session.add(release)
    session.flush()
    for scope, page in joint.pages.items():
        shown = publish(
            page,
            period=period,
            minimum_base=settings.minimum_base,
            revision=release.revision,
            note=release.note,
        )
        session.add(
            StatsReleasePage(
                release_id=release.id,
                scope=scope,
                school_id=None if scope == TRUST else uuid.UUID(scope),
                content=shown.to_json(),
            )
        )
    for school_id, _name in schools:
        audit.record(
            session,
            school_id=school_id,
            action=audit.Action.STATS_PUBLISH,
            actor=actor,
            object_type="stats_release",
            object_id=release.id,
            detail={"academic_year": year, "period": period, "revision": release.revision},
        )
    return release


def _note(late: int, threshold: int) -> str:
    if late == 0:
        return ""
    count = "c" if late <= threshold else str(late)
    return (
        f"Cases recorded after an earlier term's release, for that term: {count}. They are not "
        "in these figures; a revision of that term's release will count them."
    )


def _schools(session: Session) -> list[tuple[uuid.UUID, str]]:
    return [
        (r.id, r.name)
        for r in session.execute(select(School.id, School.name).order_by(School.name))
    ]


def _figures_at(
    session: Session,
    schools: list[tuple[uuid.UUID, str]],
    year: int,
    basis: dict[str, str],
    settings: StatsSettings,
    today: date,
) -> dict[str, Figures]:
    """Each scope's figures, every term counted as at the cut-off the basis gives it."""
    scopes: dict[str, list[uuid.UUID] | None] = {str(s): [s] for s, _n in schools}
    if len(schools) > 1:
        scopes[TRUST] = None
    found = {}
    cutoffs = sorted(set(basis.values()))
    for scope, ids in scopes.items():
        by_cutoff = {
            cut: collect(
                session,
                school_ids=ids,
                year=year,
                calendar=settings.calendar,
                today=today,
                recorded_by=datetime.fromisoformat(cut),
            )
            for cut in cutoffs
        }
        figures = by_cutoff[cutoffs[-1]]
        for cut in cutoffs[:-1]:
            merge_terms(figures, by_cutoff[cut], [t for t, c in basis.items() if c == cut])
        figures.previous = None
        found[scope] = figures
    return found


def _late(session: Session, year: int, basis: dict[str, str], settings: StatsSettings) -> int:
    """Cases recorded after the release that counted their term: left for a revision."""
    total = 0
    for term in terms(year, settings.calendar):
        cut = basis.get(term.name)
        if cut is None or cut == max(basis.values()):
            continue
        total += (
            session.scalar(
                select(func.count()).where(
                    Case.became_aware_on.between(term.start, term.end),
                    Case.recorded_at > datetime.fromisoformat(cut),
                )
            )
            or 0
        )
    return total


def _texts(session: Session, release: StatsRelease) -> dict[str, dict[str, str]]:
    rows = session.execute(
        select(StatsReleasePage.scope, StatsReleasePage.content).where(
            StatsReleasePage.release_id == release.id
        )
    )
    return {scope: PublishedPage.from_json(raw).cells for scope, raw in rows}


def _system_of(
    session: Session,
    release: StatsRelease,
    settings: StatsSettings,
    only: uuid.UUID | None = None,
) -> System:
    """What readers of `release` (and of those before it) know, worked out again; `only`:
    one school's pages alone (the head's live view is protected against those)."""
    basis: dict[str, str] = json.loads(release.basis)
    before = None
    revising = None
    if release.revision > 1:
        older = session.scalar(
            select(StatsRelease).where(
                StatsRelease.academic_year == release.academic_year,
                StatsRelease.period == release.period,
                StatsRelease.revision == release.revision - 1,
            )
        )
        if older is not None:
            revising = replaced(_system_of(session, older, settings, only))
    elif release.period != TERMS[0]:
        earlier = session.scalars(
            select(StatsRelease)
            .where(
                StatsRelease.academic_year == release.academic_year,
                StatsRelease.period == TERMS[TERMS.index(release.period) - 1],
                StatsRelease.published_at <= release.published_at,
            )
            .order_by(StatsRelease.revision.desc())
            .limit(1)
        ).first()
        if earlier is not None:
            before = held_after(_system_of(session, earlier, settings, only), earlier.period)
    term = terms(release.academic_year, settings.calendar)[TERMS.index(release.period)]
    schools = [s for s in _schools(session) if only is None or s[0] == only]
    figures = _figures_at(session, schools, release.academic_year, basis, settings, term.end)
    texts = _texts(session, release)

    def shown(scope: str, cell: CellId) -> str | None:
        return texts.get(scope, {}).get("|".join(cell))

    return reconstruct(
        figures,
        calendar=settings.calendar,
        period=release.period,
        shown=shown,
        before=before,
        revising=revising,
    )


def live_page(
    session: Session, *, school_id: uuid.UUID, today: date, now: datetime, settings: StatsSettings
) -> PublishedPage:
    """The head's view of their own school's current term so far: the terms already
    released shown exactly as released, the current one protected together with them (so a
    reader of both learns nothing from the difference), never stored."""
    year = academic_year_of(today)
    current = next(t for t in terms(year, settings.calendar) if t.start <= today <= t.end)
    earlier = None
    for term in reversed(TERMS[: TERMS.index(current.name)]):
        earlier = latest(session, year, term)
        if earlier is not None:
            break
    basis = {t: now.isoformat() for t in shared_terms(current.name)}
    before = None
    if earlier is not None:
        basis.update(json.loads(earlier.basis))
        try:
            before = held_after(
                _system_of(session, earlier, settings, only=school_id), earlier.period
            )
        except Drift:
            before = None  # a revision is due; meanwhile the live view stands alone
            basis = {t: now.isoformat() for t in shared_terms(current.name)}
    schools = [s for s in _schools(session) if s[0] == school_id]
    figures = _figures_at(session, schools, year, basis, settings, today)
    last_year = latest(session, year - 1, "summer")
    previous = {} if last_year is None else _texts(session, last_year)
    scope = str(school_id)
    joint = build_joint(
        figures,
        calendar=settings.calendar,
        threshold=settings.threshold,
        minimum_base=settings.minimum_base,
        period=current.name,
        before=before,
        last_year=lambda s, cell: previous.get(s, {}).get("|".join(cell)),
    )
    return publish(joint.pages[scope], period="live", minimum_base=settings.minimum_base)
