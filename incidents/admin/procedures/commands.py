"""Reading and changing a school's own procedures: whether a person is told before their
internet use is monitored, the local LADO referral period, the retention periods for breach
records. Only an administrator changes them; each change is an audit entry with old and new."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import Forbidden, InvalidInput
from incidents.models import SchoolSettings, User
from incidents.permissions import Permission, has_permission

MAX_LADO_DAYS = 5
MAX_YEARS = 50


@dataclass(frozen=True)
class ProceduresInput:
    tell_before_monitoring: bool | None
    lado_working_days: int | None
    data_breach_years: int | None
    policy_breach_years: int | None


def settings_for(session: Session, school_id: object) -> SchoolSettings:
    """The school's settings; an unsaved row with the defaults when it has none."""
    found = session.get(SchoolSettings, school_id)
    return found or SchoolSettings(school_id=school_id, lado_working_days=1)


def save_procedures(session: Session, *, actor: User, data: ProceduresInput) -> SchoolSettings:
    if not has_permission(actor, Permission.CLAUSE_MANAGE):
        raise Forbidden("Only an administrator can change the school's procedures")
    errors: dict[str, str] = {}
    if data.tell_before_monitoring is None:
        errors["tell_before_monitoring"] = (
            "Say whether the person is told before their internet use is monitored"
        )
    if data.lado_working_days is None or not 1 <= data.lado_working_days <= MAX_LADO_DAYS:
        errors["lado_working_days"] = (
            f"Enter the LADO referral period as a whole number of working days, 1 to "
            f"{MAX_LADO_DAYS}"
        )
    for name in ("data_breach_years", "policy_breach_years"):
        years = getattr(data, name)
        if years is not None and not 1 <= years <= MAX_YEARS:
            errors[name] = f"Enter a whole number of years from 1 to {MAX_YEARS}, or leave it blank"
    if errors:
        raise InvalidInput(errors)
    row = session.get(SchoolSettings, actor.school_id)
    before = _values(row)
    if row is None:
        row = SchoolSettings(school_id=actor.school_id)
        session.add(row)
    row.tell_before_monitoring = data.tell_before_monitoring
    assert data.lado_working_days is not None  # noqa: S101 - checked above
    row.lado_working_days = data.lado_working_days
    row.data_breach_years = data.data_breach_years
    row.policy_breach_years = data.policy_breach_years
    session.flush()
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.SCHOOL_PROCEDURES_CHANGE,
        actor=actor,
        object_type="school",
        object_id=actor.school_id,
        detail={"before": before, "after": _values(row)},
    )
    return row


def _values(row: SchoolSettings | None) -> dict[str, object]:
    if row is None:
        return {}
    return {
        "tell_before_monitoring": row.tell_before_monitoring,
        "lado_working_days": row.lado_working_days,
        "data_breach_years": row.data_breach_years,
        "policy_breach_years": row.policy_breach_years,
    }
