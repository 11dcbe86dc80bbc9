"""Who may do what: one Permission enum, one role -> permissions map, and record-level `can_*`
checks. Pure Python: no Flask, no database session. Anything not granted here is denied."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from incidents.models import Case, Role, User


class Permission(enum.StrEnum):
    CONCERN_REPORT = "concern:report"
    CASE_CREATE = "case:create"
    CASE_LIST = "case:list"
    CASE_READ = "case:read"
    NOTE_CREATE = "note:create"
    # Safeguarding steps: referrals, police holds, tasks, moving the case along.
    CASE_PROGRESS = "case:progress"
    # The case manager's decisions: triage, outcome, closure, revealing a sealed reporter.
    CASE_DECIDE = "case:decide"
    STATS_READ = "stats:read"
    CLAUSE_MANAGE = "clause:manage"
    # The audit trail's health (size, checkpoints, verification), never what entries concern.
    AUDIT_STATUS = "audit:status"
    # The subject access register (UK GDPR Art 15): the headteacher answers for the school.
    SAR_MANAGE = "sar:manage"
    # Accounts in the browser (issue 16): invite, change roles, deactivate, reset two-factor.
    USER_MANAGE = "user:manage"
    # The school's own people (staff list): add, edit, mark leavers, import (issue 16).
    PEOPLE_MANAGE = "people:manage"


# Case workers: the people KCSIE Part 4 lets handle an allegation.
_CASE_WORK = frozenset(
    {
        Permission.CASE_CREATE,
        Permission.CASE_LIST,
        Permission.CASE_READ,
        Permission.NOTE_CREATE,
        Permission.CONCERN_REPORT,
        Permission.CASE_PROGRESS,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STAFF: frozenset({Permission.CONCERN_REPORT}),
    Role.HEADTEACHER: _CASE_WORK
    | {Permission.STATS_READ, Permission.CASE_DECIDE, Permission.SAR_MANAGE},
    Role.DSL: _CASE_WORK,
    Role.DEPUTY_DSL: _CASE_WORK,
    # The chair works cases only where they are the case manager (checked per record below).
    Role.CHAIR_OF_GOVERNORS: _CASE_WORK | {Permission.STATS_READ, Permission.CASE_DECIDE},
    Role.GOVERNOR: frozenset({Permission.STATS_READ, Permission.CONCERN_REPORT}),
    # The trust or LA officer manages a case only when nobody in school can (KCSIE Part 4):
    # like the chair, only the cases they manage (checked per record below).
    Role.TRUST_OFFICER: frozenset(
        {
            Permission.STATS_READ,
            Permission.CASE_LIST,
            Permission.CASE_READ,
            Permission.NOTE_CREATE,
            Permission.CASE_PROGRESS,
            Permission.CASE_DECIDE,
        }
    ),
    # Admin runs the system and never sees case content.
    Role.ADMIN: frozenset(
        {
            Permission.CLAUSE_MANAGE,
            Permission.AUDIT_STATUS,
            Permission.USER_MANAGE,
            Permission.PEOPLE_MANAGE,
        }
    ),
}


def permissions_for(roles: Iterable[Role]) -> frozenset[Permission]:
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return granted


def has_permission(user: User, permission: Permission) -> bool:
    return user.is_active and permission in permissions_for(user.roles)


def is_subject(user: User, case: Case) -> bool:
    """True when one of the case's subjects is this user's Person."""
    return any(person.user_id == user.id for person in case.subjects)


def _works_all_cases(user: User) -> bool:
    return user.has_role(Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL)


def can_view_case(user: User, case: Case) -> bool:
    """Same school, a case-reading role, not a subject, and the chair only on their own cases.

    Callers turn a False for another school's case into a 404, so its existence is not revealed.
    """
    if case.school_id != user.school_id or not has_permission(user, Permission.CASE_READ):
        return False
    if is_subject(user, case):
        return False
    if _works_all_cases(user):
        return True
    return case.case_manager_id == user.id


def is_case_manager(user: User, case: Case) -> bool:
    """KCSIE Part 4's case manager: decisions on the case are theirs alone."""
    return (
        case.case_manager_id == user.id
        and can_view_case(user, case)
        and has_permission(user, Permission.CASE_DECIDE)
    )


def can_progress(user: User, case: Case) -> bool:
    return (
        can_view_case(user, case)
        and has_permission(user, Permission.CASE_PROGRESS)
        and not case.is_erased
    )


def can_add_note(user: User, case: Case) -> bool:
    # An erased case has no key to encrypt new notes under, and nothing to add to.
    return (
        can_view_case(user, case)
        and has_permission(user, Permission.NOTE_CREATE)
        and not case.is_erased
    )


# The roles that can see or change case content or the system itself (DESIGN.md "Who uses it")
# must sign in with a second factor; the sign-in gate sends them to set one up first.
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.HEADTEACHER,
        Role.CHAIR_OF_GOVERNORS,
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.TRUST_OFFICER,
        Role.ADMIN,
    }
)


def needs_second_factor(user: User) -> bool:
    return user.has_role(*SECOND_FACTOR_ROLES)


def needs_second_factor_enrolment(user: User) -> bool:
    return needs_second_factor(user) and not user.has_second_factor
