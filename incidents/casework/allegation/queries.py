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
from incidents.casework.tasks.queries import case_workers
from incidents.models import (
    Case,
    CaseClock,
    DisclosureSource,
    EmployingOrganisation,
    InformingStep,
    Meeting,
    RestrictionEnded,
    User,
)
from incidents.models.base import utcnow
from incidents.models.case_parts import Part, may_have
from incidents.models.school_settings import settings_of
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
    # A case from the school's monitoring: its own rule on telling the person first (None:
    # not a monitoring case; 'unset': the school has not said).
    monitoring_rule: str | None

    @property
    def restriction_in_force(self) -> bool:
        return self.restriction_applies and self.restriction_ended is None


def page_parts(session: Session, *, actor: User, case: Case) -> CaseParts:
    # A part the case's own query found empty is not asked for again (issue 21).
    case_clocks = clocks.clocks_of(session, case) if may_have(case, Part.CLOCKS) else []
    now = utcnow()
    return CaseParts(
        restriction_applies=workflow.reporting_restriction_applies(case),
        restriction_ended=(
            restrictions.ended(session, case) if may_have(case, Part.RESTRICTION_ENDED) else None
        ),
        earlier=(
            concerns.earlier_concerns(session, actor=actor, case=case)
            if may_have(case, Part.OTHER_CASES)
            else []
        ),
        meetings=meetings.meetings_of(session, case) if may_have(case, Part.MEETINGS) else [],
        told=informing.steps_of(session, case) if may_have(case, Part.INFORMING) else [],
        clocks=case_clocks,
        organisations=(
            organisations.organisations_of(session, case)
            if may_have(case, Part.ORGANISATIONS)
            else []
        ),
        now_overdue=frozenset(c.id for c in case_clocks if not c.is_met and c.due_at < now),
        may_see_people=has_permission(actor, Permission.CASE_DECIDE),
        monitoring_rule=_monitoring_rule(case),
    )


def _monitoring_rule(case: Case) -> str | None:
    if case.source is not DisclosureSource.MONITORING:
        return None
    own = settings_of(case, case.school_id)
    told = own.tell_before_monitoring if own is not None else None
    if told is None:
        return (
            "The school has not said whether a person is told before their internet use is "
            "monitored: check its policy (an administrator sets this under the school's "
            "procedures)."
        )
    if told:
        return (
            "The school's policy: the person is told that monitoring will take place, and why, "
            "before it does."
        )
    return "The school's policy: internet use is monitored without telling the person first."


def offered(case: Case, actor: User, action: str) -> bool:
    """The workflow offers `action` on this case to this user now."""
    return any(step.action == action for step in workflow.available(case, actor))


def owners(session: Session, case: Case) -> list[User]:
    """Who may own a meeting's action: the case's workers."""
    return case_workers(session, case)
