"""Governors' statistics: which schools a reader's figures cover, the protected page for them,
and the audit entry for an export. Nothing here reads a personal field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from incidents import audit
from incidents.db import roomy_sorts
from incidents.errors import Forbidden
from incidents.models import Elevation, ElevationPurpose, Role, User
from incidents.permissions import Permission, has_permission
from incidents.stats.disclosure import DEFAULT_THRESHOLD
from incidents.stats.figures import collect
from incidents.stats.measures import MINIMUM_BASE
from incidents.stats.tables import Page, build_page
from incidents.stats.terms import TermCalendar


@dataclass(frozen=True)
class StatsSettings:
    calendar: TermCalendar = field(default_factory=TermCalendar)
    threshold: int = DEFAULT_THRESHOLD
    # No percentage or median from fewer cases; never below the threshold (check_bases).
    minimum_base: int = MINIMUM_BASE
    # How long the web layer may reuse a computed page (the figures' freshness).
    cache_seconds: int = 60


def school_ids_for(actor: User) -> list[uuid.UUID] | None:
    """A trust or local-authority officer sees every school this instance serves (None);
    everyone else with the statistics permission sees only their own school."""
    if not has_permission(actor, Permission.STATS_READ):
        raise Forbidden("statistics")
    if actor.has_role(Role.TRUST_OFFICER):
        return None
    return [actor.school_id]


def statistics_page(
    session: Session, *, actor: User, year: int, today: date, settings: StatsSettings
) -> Page:
    roomy_sorts(session)
    figures = collect(
        session,
        school_ids=school_ids_for(actor),
        year=year,
        calendar=settings.calendar,
        today=today,
    )
    return build_page(figures, calendar=settings.calendar, threshold=settings.threshold)


def record_export(session: Session, *, actor: User, kind: str, year: int, grant: Elevation) -> None:
    """Every export is recorded, figures too: who took which year's figures, in what form,
    under which grant (the password re-entered, and the reason, kept with the grant)."""
    if not has_permission(actor, Permission.STATS_READ):
        raise Forbidden("statistics")
    if (
        grant.user_id != actor.id
        or grant.purpose is not ElevationPurpose.EXPORT
        or grant.record_id != actor.school_id
    ):
        raise Forbidden("Re-enter your password and give a reason first")
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.STATS_EXPORT,
        actor=actor,
        object_type="elevation",
        object_id=grant.id,
        detail={"format": kind, "academic_year": year},
    )
