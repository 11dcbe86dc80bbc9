"""Steps the workflow takes by itself as the consequence of another command (a draft referral with
its statutory clock). The calling command has checked permission and workflow; nothing here
checks either, so no view imports this module."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from incidents import audit, deadlines
from incidents.casework.guard import record
from incidents.models import Agency, Case, Referral, User
from incidents.models import ReferralStatus as Status
from incidents.models.school_settings import settings_of


def create_prompt(
    session: Session,
    case: Case,
    agency: Agency,
    *,
    due_at: datetime | None = None,
    actor: User | None = None,
) -> Referral:
    """A draft referral: one the workflow creates (the LADO clock, the child-protection
    prompt; `actor` None), or one a user adds. Only one open referral per agency: an existing
    one is returned instead."""
    existing = next((r for r in case.referrals if r.agency is agency and r.is_open), None)
    if existing is not None:
        return existing
    referral = Referral(case=case, agency=agency, status=Status.DRAFT, due_at=due_at)
    session.add(referral)
    session.flush()
    record(
        session,
        case,
        actor,
        audit.Action.REFERRAL_CREATE,
        object_type="referral",
        object_id=referral.id,
        checkpoint=high_stakes(referral),
    )
    return referral


def high_stakes(referral: Referral) -> bool | None:
    """Every step of a referral to the LADO is checkpointed at once (the issue's "LADO
    referral"): later, the school must be able to prove when it knew and when it referred."""
    return True if referral.agency is Agency.LADO else None


def due_for(case: Case, agency: Agency) -> datetime | None:
    """The statutory clock for a new referral to `agency`, where DOMAIN.md section 5 has one."""
    if agency is Agency.LADO:
        # The local safeguarding partnership sets the LADO period: the school's setting.
        own = settings_of(case, case.school_id)
        days = own.lado_working_days if own is not None else deadlines.DEFAULT.lado_working_days
        return deadlines.lado_due(case.became_aware_on, deadlines.Calendar(lado_working_days=days))
    if agency is Agency.ICO:
        # From the recorded instant the school became aware of the breach (issue 13, item 8);
        # where only the day is known, from its first moment, so the clock is never late.
        aware = case.breach_aware_at or deadlines.start_of_day(case.became_aware_on)
        return deadlines.ico_due(aware)
    return None
