"""The case state machine: one table of actions, the states they move from and to, and the
permission each needs. No other code assigns `Case.state`; the case page reads this table to
offer only the actions available now. Pure Python: no Flask, no session."""

from __future__ import annotations

from dataclasses import dataclass

from incidents.models import Case, CaseState, User
from incidents.permissions import Permission, has_permission


class TransitionNotAllowedError(Exception):
    """The action is not available from the case's current state, or not to this user."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    # None means the action opens a new case.
    from_states: frozenset[CaseState] | None
    to_state: CaseState
    # None: only the system itself (the retention job, an operator's CLI command) may take it.
    permission: Permission | None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        action="report",
        label="Report a concern",
        from_states=None,
        to_state=CaseState.REPORTED,
        permission=Permission.CONCERN_REPORT,
    ),
    Transition(
        action="record",
        label="Record a disclosure or breach",
        from_states=None,
        to_state=CaseState.RECORDED,
        permission=Permission.CASE_CREATE,
    ),
    Transition(
        action="erase",
        label="Erase (crypto-shred) the case",
        from_states=frozenset(CaseState) - {CaseState.ERASED},
        to_state=CaseState.ERASED,
        permission=None,
    ),
)

_BY_ACTION = {t.action: t for t in TRANSITIONS}


def transition(action: str) -> Transition:
    try:
        return _BY_ACTION[action]
    except KeyError:
        raise TransitionNotAllowedError(f"unknown action {action!r}") from None


def _allowed(step: Transition, actor: User | None) -> bool:
    if step.permission is None:
        return actor is None
    return actor is not None and has_permission(actor, step.permission)


def open_with(case: Case, action: str, actor: User) -> None:
    """Give a new case its first state through an opening action."""
    step = transition(action)
    if step.from_states is not None:
        raise TransitionNotAllowedError(f"{action!r} does not open a case")
    if not _allowed(step, actor):
        raise TransitionNotAllowedError(f"{action!r} is not allowed for this user")
    case.state = step.to_state


def advance(case: Case, action: str, actor: User | None) -> None:
    """Move a case along one transition; `actor` None is the system (retention, CLI)."""
    step = transition(action)
    if step.from_states is None or case.state not in step.from_states:
        raise TransitionNotAllowedError(
            f"{step.label} is not possible while the case is {case.state.label.lower()}"
        )
    if not _allowed(step, actor):
        raise TransitionNotAllowedError(f"{action!r} is not allowed for this user")
    case.state = step.to_state


def available(case: Case, actor: User) -> list[Transition]:
    """Actions this user may take on this case now (what the case page offers)."""
    return [
        t
        for t in TRANSITIONS
        if t.from_states is not None
        and case.state in t.from_states
        and t.permission is not None
        and has_permission(actor, t.permission)
    ]
