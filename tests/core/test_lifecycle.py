"""The transition tables of the stateful nouns other than the case: every (state, action) pair
of each is either the move written out here or refused with a reason a person can act on, and a
stored state changes only by `advance`."""

from __future__ import annotations

import enum
from types import SimpleNamespace
from typing import Any

import pytest

from incidents import lifecycle
from incidents.errors import Refused, TransitionNotAllowedError
from incidents.models import (
    Agency,
    DisciplinaryKind,
    DisciplinaryStage,
    ReferralStatus,
    RequestState,
)
from incidents.models.suspension import SuspensionState
from incidents.models.task import TaskState

R, D, Q, U, T = ReferralStatus, DisciplinaryStage, RequestState, SuspensionState, TaskState

# (lifecycle, state enum, {state: {action: new state or None}}) written out by hand from the
# statutory route, so a change to a table is a change to this test too.
EXPECTED: list[tuple[lifecycle.Lifecycle[Any], type[enum.Enum], dict[Any, dict[str, Any]]]] = [
    (
        lifecycle.REFERRAL,
        ReferralStatus,
        {
            R.DRAFT: {"made": R.MADE, "not-made": R.NOT_MADE},
            R.NOT_MADE: {"made": R.MADE},
            R.MADE: {
                "acknowledged": R.ACKNOWLEDGED,
                "advice": R.ADVICE_RECEIVED,
                "closed": R.CLOSED,
            },
            R.ACKNOWLEDGED: {"advice": R.ADVICE_RECEIVED, "closed": R.CLOSED},
            # The LADO's advice can change (after the police decide): recorded again.
            R.ADVICE_RECEIVED: {"advice": R.ADVICE_RECEIVED, "closed": R.CLOSED},
            R.CLOSED: {},
        },
    ),
    (
        lifecycle.SUBJECT_ACCESS,
        RequestState,
        {
            Q.OPEN: {
                "extend": None,
                "respond": Q.RESPONDED,
                "withdrawn": Q.WITHDRAWN,
                "refused": Q.REFUSED,
            },
            Q.RESPONDED: {},
            Q.WITHDRAWN: {},
            Q.REFUSED: {},
        },
    ),
    (
        lifecycle.SUSPENSION,
        SuspensionState,
        {
            U.NOT_SUSPENDED: {},
            U.UNCONFIRMED: {"confirm": None, "lift": None},
            U.IN_FORCE: {"lift": None},
            U.ENDED_UNCONFIRMED: {"confirm": None},
            U.ENDED: {},
        },
    ),
    (
        lifecycle.TASK,
        TaskState,
        {T.TO_DO: {"done": T.DONE}, T.DONE: {}},
    ),
]

# A disciplinary process: which moves depend on who it is about as well as its stage.
DISCIPLINARY_EXPECTED = {
    DisciplinaryKind.STAFF: {
        D.INVESTIGATION: {"hearing": D.HEARING, "outcome": D.CONCLUDED, "end": D.DISCONTINUED},
        D.HEARING: {"hearing": D.HEARING, "outcome": D.CONCLUDED, "end": D.DISCONTINUED},
        D.CONCLUDED: {},
        D.DISCONTINUED: {},
    },
    DisciplinaryKind.PARENT_CARER: {
        D.INVESTIGATION: {"measure": None, "conclude": D.CONCLUDED, "end": D.DISCONTINUED},
        D.HEARING: {"end": D.DISCONTINUED},
        D.CONCLUDED: {},
        D.DISCONTINUED: {},
    },
}


def _record(life: lifecycle.Lifecycle[Any], state: enum.Enum, **extra: Any) -> SimpleNamespace:
    name = life.attribute or "state"
    if life is lifecycle.REFERRAL:
        extra.setdefault("agency", Agency.POLICE)
    return SimpleNamespace(**{name: state}, **extra)


CASES = [
    (life, state, action, table[state])
    for life, states, table in EXPECTED
    for state in states
    for action in life.moves
]


@pytest.mark.parametrize(
    ("life", "state", "action", "allowed"),
    CASES,
    ids=[f"{life.noun}-{state.value}-{action}" for life, state, action, _ in CASES],
)
def test_every_state_and_action(
    life: lifecycle.Lifecycle[Any], state: enum.Enum, action: str, allowed: dict[str, Any]
) -> None:
    record = _record(life, state)
    if action in allowed:
        move = life.advance(record, action)
        expected = allowed[action]
        assert move.to_state is expected
        if life.attribute is not None:
            assert getattr(record, life.attribute) is (expected or state)
        assert life.allows(_record(life, state), action)
    else:
        with pytest.raises(TransitionNotAllowedError) as refused:
            life.advance(record, action)
        assert str(refused.value)[0].isupper() and "{" not in str(refused.value)
        assert getattr(record, life.attribute or "state") is state  # nothing moved
        assert not life.allows(record, action)


DISCIPLINARY_CASES = [
    (kind, stage, action, table[stage])
    for kind, table in DISCIPLINARY_EXPECTED.items()
    for stage in DisciplinaryStage
    for action in lifecycle.DISCIPLINARY.moves
]


@pytest.mark.parametrize(
    ("kind", "stage", "action", "allowed"),
    DISCIPLINARY_CASES,
    ids=[f"{k.value}-{s.value}-{a}" for k, s, a, _ in DISCIPLINARY_CASES],
)
def test_every_disciplinary_stage_and_action(
    kind: DisciplinaryKind, stage: DisciplinaryStage, action: str, allowed: dict[str, Any]
) -> None:
    process = SimpleNamespace(stage=stage, kind=kind)
    if action in allowed:
        lifecycle.DISCIPLINARY.advance(process, action)
        assert process.stage is (allowed[action] or stage)
    else:
        with pytest.raises(TransitionNotAllowedError):
            lifecycle.DISCIPLINARY.advance(process, action)
        assert process.stage is stage


def test_refusals_say_why_in_plain_words() -> None:
    finished = SimpleNamespace(stage=D.CONCLUDED, kind=DisciplinaryKind.STAFF)
    with pytest.raises(Refused, match="already ended"):
        lifecycle.DISCIPLINARY.check(finished, "end")
    parent = SimpleNamespace(stage=D.INVESTIGATION, kind=DisciplinaryKind.PARENT_CARER)
    with pytest.raises(Refused, match="for staff only"):
        lifecycle.DISCIPLINARY.check(parent, "hearing")
    with pytest.raises(Refused, match="referral that is closed"):
        lifecycle.REFERRAL.check(SimpleNamespace(status=R.CLOSED), "advice")
    with pytest.raises(Refused, match="not to suspend"):
        lifecycle.SUSPENSION.check(SimpleNamespace(state=U.NOT_SUSPENDED), "lift")
    with pytest.raises(Refused, match="already done"):
        lifecycle.TASK.check(SimpleNamespace(state=T.DONE), "done")
    with pytest.raises(Refused, match="Unknown action"):
        lifecycle.TASK.check(SimpleNamespace(state=T.TO_DO), "reopen")


def test_offered_lists_only_what_is_possible_now() -> None:
    referral = SimpleNamespace(status=R.MADE, agency=Agency.POLICE)
    assert [m.action for m in lifecycle.REFERRAL.offered(referral)] == [
        "acknowledged",
        "advice",
        "closed",
    ]
    assert lifecycle.REFERRAL.action_to(R.DRAFT, R.NOT_MADE) == "not-made"
    assert lifecycle.REFERRAL.action_to(R.CLOSED, R.MADE) is None


def test_an_allegations_lado_referral_closes_only_with_the_lados_decision() -> None:
    """Issue 13, item 2: the school can show what the LADO decided and advised."""
    case = SimpleNamespace(lado_required=True)
    lado = SimpleNamespace(status=R.MADE, agency=Agency.LADO, case=case, threshold_met=None)
    with pytest.raises(Refused, match="LADO's decision and advice"):
        lifecycle.REFERRAL.check(lado, "closed")
    lado.threshold_met = True
    assert lifecycle.REFERRAL.allows(lado, "closed")
    below = SimpleNamespace(lado_required=False)
    consulted = SimpleNamespace(status=R.MADE, agency=Agency.LADO, case=below, threshold_met=None)
    assert lifecycle.REFERRAL.allows(consulted, "closed")
