"""What the case page shows of the allegation steps, read in one place for the template."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from incidents import workflow
from incidents.casework.allegation import (
    clocks,
    concerns,
    informing,
    meetings,
    organisations,
    restrictions,
)
from incidents.models import (
    Case,
    CaseClock,
    EmployingOrganisation,
    InformingStep,
    Meeting,
    RestrictionEnded,
    User,
)
from incidents.models.base import utcnow
from incidents.permissions import Permission, has_permission


@dataclass(frozen=True)
class CaseParts:
    restriction_applies: bool
    restriction_ended: RestrictionEnded | None
    earlier: list[concerns.Earlier]
    meetings: list[Meeting]
    told: list[InformingStep]
    clocks: list[CaseClock]
    organisations: list[EmployingOrganisation]
    now_overdue: frozenset[object]
    # The page about one person is for those who decide cases.
    may_see_people: bool

    @property
    def restriction_in_force(self) -> bool:
        return self.restriction_applies and self.restriction_ended is None


def page_parts(session: Session, *, actor: User, case: Case) -> CaseParts:
    case_clocks = clocks.clocks_of(session, case)
    now = utcnow()
    return CaseParts(
        restriction_applies=workflow.reporting_restriction_applies(case),
        restriction_ended=restrictions.ended(session, case),
        earlier=concerns.earlier_concerns(session, actor=actor, case=case),
        meetings=meetings.meetings_of(session, case),
        told=informing.steps_of(session, case),
        clocks=case_clocks,
        organisations=organisations.organisations_of(session, case),
        now_overdue=frozenset(c.id for c in case_clocks if not c.is_met and c.due_at < now),
        may_see_people=has_permission(actor, Permission.CASE_DECIDE),
    )
