"""Transition tables for every stateful noun but the case (whose table is `workflow.py`): a
referral, a disciplinary process, a subject-access request, a suspension decision and a task.
Services check an action here before doing it, pages read `actions` to offer only what is
possible now, and a stored state is assigned only by `Lifecycle.advance`. Pure Python.

A suspension decision and a task keep no state column: their state is read from what was
recorded (the date it ended, when it was done), so `advance` checks the move and the service
records the facts that make the new state true."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from incidents.errors import TransitionNotAllowedError
from incidents.models import (
    Agency,
    DisciplinaryKind,
    DisciplinaryStage,
    ReferralStatus,
    RequestState,
)
from incidents.models.suspension import SuspensionState
from incidents.models.task import TaskState

S = TypeVar("S", bound=enum.Enum)


@dataclass(frozen=True)
class Move(Generic[S]):
    action: str
    label: str
    from_states: frozenset[S]
    # None: the action is recorded without moving the state (a hearing date, an extension).
    to_state: S | None
    # Beyond the state: None when the move may go ahead, or the plain-English reason it may not.
    guard: Callable[[Any], str | None] | None = None


class Lifecycle(Generic[S]):
    """One noun's table. `refusal(state, move)` words why `move` is impossible from `state`."""

    def __init__(
        self,
        noun: str,
        moves: Iterable[Move[S]],
        *,
        read: Callable[[Any], S],
        attribute: str | None = None,
        refusal: Callable[[S, Move[S]], str] | None = None,
    ) -> None:
        self.noun = noun
        self.moves: dict[str, Move[S]] = {m.action: m for m in moves}
        self._read = read
        self.attribute = attribute
        self._refusal = refusal

    def move(self, action: str) -> Move[S]:
        try:
            return self.moves[action]
        except KeyError:
            raise TransitionNotAllowedError(
                f"Unknown action for a {self.noun}: {action!r}"
            ) from None

    def state_of(self, record: Any) -> S:
        return self._read(record)

    def actions(self, state: S) -> list[Move[S]]:
        """What may be done from `state`, in the table's order."""
        return [m for m in self.moves.values() if state in m.from_states]

    def allows(self, record: Any, action: str) -> bool:
        move = self.move(action)
        if self.state_of(record) not in move.from_states:
            return False
        return move.guard is None or move.guard(record) is None

    def offered(self, record: Any) -> list[Move[S]]:
        """What a page may offer for `record` now: its state and the guards allow it."""
        return [m for m in self.moves.values() if self.allows(record, m.action)]

    def check(self, record: Any, action: str) -> Move[S]:
        """The move, or Refused with the plain-English reason it is not possible now."""
        move = self.move(action)
        state = self.state_of(record)
        if state not in move.from_states:
            if self._refusal is not None:
                raise TransitionNotAllowedError(self._refusal(state, move))
            label = getattr(state, "label", state.value)
            raise TransitionNotAllowedError(
                f"That cannot be done to a {self.noun} that is {str(label).lower()}"
            )
        reason = move.guard(record) if move.guard is not None else None
        if reason:
            raise TransitionNotAllowedError(reason)
        return move

    def advance(self, record: Any, action: str) -> Move[S]:
        """Check the move and, for a stored state, assign the new one: the only place it is."""
        move = self.check(record, action)
        if self.attribute is not None and move.to_state is not None:
            setattr(record, self.attribute, move.to_state)
        return move

    def action_to(self, state: S, target: S) -> str | None:
        """The action that moves `state` to `target`, if there is one (pages that ask "what
        happened" as a status)."""
        for move in self.actions(state):
            if move.to_state is target:
                return move.action
        return None


# --- Referrals: draft -> made -> acknowledged -> advice received -> closed; or not made ---------

R = ReferralStatus


def _lado_answered(referral: Any) -> str | None:
    """Issue 13, item 2: a LADO referral on an allegation closes only once the LADO's decision
    and advice are recorded, so the school can show what it was told to do."""
    if (
        referral.agency is Agency.LADO
        and referral.case.lado_required
        and referral.threshold_met is None
    ):
        return "Record the LADO's decision and advice before closing the referral"
    return None


REFERRAL: Lifecycle[ReferralStatus] = Lifecycle(
    "referral",
    [
        Move("made", "Record that it was made", frozenset({R.DRAFT, R.NOT_MADE}), R.MADE),
        Move("acknowledged", "Record an acknowledgement", frozenset({R.MADE}), R.ACKNOWLEDGED),
        # Advice can be recorded again: the LADO's view changes after the police decide.
        Move(
            "advice",
            "Record their advice",
            frozenset({R.MADE, R.ACKNOWLEDGED, R.ADVICE_RECEIVED}),
            R.ADVICE_RECEIVED,
        ),
        Move(
            "closed",
            "Close it",
            frozenset({R.MADE, R.ACKNOWLEDGED, R.ADVICE_RECEIVED}),
            R.CLOSED,
            _lado_answered,
        ),
        # A decision not to refer, with reasons; it can be reversed by making the referral.
        Move("not-made", "Record a decision not to refer", frozenset({R.DRAFT}), R.NOT_MADE),
    ],
    read=lambda referral: referral.status,
    attribute="status",
    refusal=lambda state, _move: (
        f"That cannot be recorded for a referral that is {state.label.lower()}"
    ),
)


# --- Disciplinary process: under way -> hearing arranged -> concluded; or ended early ---------

D = DisciplinaryStage
_RUNNING = frozenset({D.INVESTIGATION, D.HEARING})


def _staff(process: Any) -> str | None:
    if process.kind is not DisciplinaryKind.STAFF:
        return "Hearings and outcomes are for staff only"
    return None


def _not_staff(process: Any) -> str | None:
    if process.kind is DisciplinaryKind.STAFF:
        return "A member of staff's process ends with an outcome, not a sanction"
    return None


DISCIPLINARY: Lifecycle[DisciplinaryStage] = Lifecycle(
    "disciplinary process",
    [
        Move("hearing", "Record the hearing date", _RUNNING, D.HEARING, _staff),
        Move("outcome", "Record the outcome", _RUNNING, D.CONCLUDED, _staff),
        # Parents, governors and volunteers: sanctions and measures, then concluded.
        Move(
            "measure",
            "Record a sanction or measure",
            frozenset({D.INVESTIGATION}),
            None,
            _not_staff,
        ),
        Move(
            "conclude",
            "Conclude the sanctions and measures",
            frozenset({D.INVESTIGATION}),
            D.CONCLUDED,
            _not_staff,
        ),
        Move("end", "End the process without an outcome", _RUNNING, D.DISCONTINUED),
    ],
    read=lambda process: process.stage,
    attribute="stage",
    refusal=lambda _state, _move: "This disciplinary process has already ended",
)


# --- Subject-access request: open -> answered, withdrawn or refused ------------------------------

Q = RequestState
SUBJECT_ACCESS: Lifecycle[RequestState] = Lifecycle(
    "subject access request",
    [
        Move("extend", "Extend the deadline", frozenset({Q.OPEN}), None),
        Move("respond", "Record the reply", frozenset({Q.OPEN}), Q.RESPONDED),
        Move("withdrawn", "Record that it was withdrawn", frozenset({Q.OPEN}), Q.WITHDRAWN),
        Move("refused", "Record that it was refused", frozenset({Q.OPEN}), Q.REFUSED),
    ],
    read=lambda request: request.state,
    attribute="state",
    refusal=lambda state, _move: f"This request is {state.label.lower()}: it cannot be changed",
)


# --- Suspension decision: not suspended; or suspended (confirmed in writing or not) -> ended ---

U = SuspensionState


def _suspension_refusal(state: SuspensionState, move: Move[SuspensionState]) -> str:
    if state is U.NOT_SUSPENDED:
        return "This decision was not to suspend"
    if move.action == "confirm":
        return "This suspension has already been confirmed in writing"
    return "This suspension has already ended"


SUSPENSION: Lifecycle[SuspensionState] = Lifecycle(
    "suspension",
    [
        # A late confirmation is still recorded, with its reason, after the suspension ended.
        Move(
            "confirm",
            "Record the written confirmation",
            frozenset({U.UNCONFIRMED, U.ENDED_UNCONFIRMED}),
            None,
        ),
        Move("lift", "Record that it ended", frozenset({U.UNCONFIRMED, U.IN_FORCE}), None),
    ],
    read=lambda decision: decision.state,
    refusal=_suspension_refusal,
)


# --- Task: to do -> done ----------------------------------------------------------------------

T = TaskState
TASK: Lifecycle[TaskState] = Lifecycle(
    "task",
    [Move("done", "Mark as done", frozenset({T.TO_DO}), T.DONE)],
    read=lambda task: task.state,
    refusal=lambda _state, _move: "This task is already done",
)
