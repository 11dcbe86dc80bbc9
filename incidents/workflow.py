"""The case state machine: one table of actions, the states they move from and to, the
permission each needs and the guards that must pass. No other code assigns `Case.state`; the case
page reads this table to offer only the actions available now. Pure Python: no Flask, no session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from incidents import closure

# Re-exported: callers say workflow.TransitionNotAllowedError where the case's machine refuses.
from incidents.errors import TransitionNotAllowedError as TransitionNotAllowedError
from incidents.models import (
    Agency,
    Case,
    CaseKind,
    CaseOutcome,
    CaseState,
    DisclosureSource,
    Investigation,
    PersonKind,
    Referral,
    ReferralStatus,
    ThresholdAnswer,
    User,
)
from incidents.models.disciplinary import KIND_FOR_PERSON
from incidents.models.suspension import SUSPENDABLE_KINDS
from incidents.permissions import Permission, has_permission, is_case_manager

# A guard returns None when the action may go ahead, or the plain-English reason it may not.
Guard = Callable[[Case], str | None]

S = CaseState
_OPEN = frozenset(
    {
        S.RECORDED,
        S.ASSESSED,
        S.REFERRED,
        S.AWAITING_POLICE,
        S.INVESTIGATING,
        S.OUTCOME_RECORDED,
        S.DISCIPLINARY,
    }
)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    # None means the action opens a new case.
    from_states: frozenset[CaseState] | None
    # None: the action is taken on the case without moving it (a referral, a task, a reveal).
    to_state: CaseState | None
    # None: only the system itself (the retention job, an operator's CLI command) may take it.
    permission: Permission | None
    # KCSIE Part 4: decisions belong to the case manager, not to every case worker.
    manager_only: bool = False
    guard: Guard | None = None


def _no_police_hold(case: Case) -> str | None:
    if case.open_police_hold is not None:
        return (
            "The school's own investigation must wait while the police investigate. "
            "Record that the police investigation has finished, and its result, first"
        )
    return None


def _no_legal_hold(case: Case) -> str | None:
    if case.open_legal_holds:
        return (
            f"Case {case.reference} is under a legal hold "
            f"({case.open_legal_holds[0].kind.label.lower()}): it cannot be erased until "
            "the hold is lifted"
        )
    return None


def _has_legal_hold(case: Case) -> str | None:
    return None if case.open_legal_holds else "There is no legal hold on this case to lift"


def _lado_decided(case: Case) -> str | None:
    """An allegation goes to the LADO before the school investigates or decides anything. The
    school cannot decide alone not to refer (issue 13, item 1): a LADO referral "not made"
    counts only where the LADO itself said the threshold is not met."""
    if not case.lado_required:
        return None
    lado = [r for r in case.referrals if r.agency is Agency.LADO]
    if case.kind is CaseKind.ALLEGATION and any(r.threshold_met is False for r in lado):
        return (
            "The LADO said this does not meet the harm threshold: change the track before going on"
        )
    referred = any(
        r.status is not ReferralStatus.DRAFT
        and (r.status is not ReferralStatus.NOT_MADE or r.threshold_met is False)
        for r in lado
    )
    if not referred:
        return "Refer the allegation to the LADO first"
    return None


def lado_advice(case: Case) -> Referral | None:
    """The LADO's latest recorded agreement on who investigates, if any."""
    advised = [r for r in case.referrals if r.agency is Agency.LADO and r.investigation is not None]
    return max(advised, key=lambda r: r.spoke_at or r.updated_at) if advised else None


def _lado_agreed(case: Case, *agreed: Investigation) -> bool:
    advice = lado_advice(case)
    return advice is not None and advice.investigation in agreed


def _police_decided(case: Case) -> str | None:
    """Issue 13, item 2: where harm-test part (b) is yes or not known, a police referral in
    draft (or made and awaiting their answer) holds the school back until their decision is
    recorded: their advice, the referral closed, or a recorded decision not to refer."""
    triage = case.latest_triage
    if triage is None or triage.criminal_offence is ThresholdAnswer.NO:
        return None
    decided = {ReferralStatus.ADVICE_RECEIVED, ReferralStatus.CLOSED, ReferralStatus.NOT_MADE}
    if not any(r.agency is Agency.POLICE and r.status in decided for r in case.referrals):
        return (
            "A criminal offence may have been committed: record the police's decision (their "
            "advice, or that the referral closed) before the school investigates or decides"
        )
    return None


def _school_may_investigate(case: Case) -> str | None:
    if case.lado_required and not _lado_agreed(case, Investigation.SCHOOL):
        return (
            "Record the LADO's advice first: the school investigates only once the LADO has "
            "agreed that it may, and how"
        )
    return None


def _outcome_follows(case: Case) -> str | None:
    """On the allegation track the outcome follows the school's investigation, or the LADO's
    agreement that none is needed."""
    if case.kind is not CaseKind.ALLEGATION or case.state is CaseState.INVESTIGATING:
        return None
    if _lado_agreed(case, Investigation.NONE):
        return None
    return (
        "The outcome of an allegation follows the school's investigation, or the LADO's "
        "agreement that none is needed: record that first"
    )


def _ready_to_investigate(case: Case) -> str | None:
    return (
        _no_police_hold(case)
        or _lado_decided(case)
        or _police_decided(case)
        or _school_may_investigate(case)
    )


def _ready_to_decide(case: Case) -> str | None:
    return (
        _no_police_hold(case)
        or _lado_decided(case)
        or _police_decided(case)
        or _outcome_follows(case)
    )


def _police_hold_open(case: Case) -> str | None:
    return None if case.open_police_hold is not None else "There is no police investigation open"


def _disciplinary_follows(case: Case) -> str | None:
    if case.outcome not in (CaseOutcome.SUBSTANTIATED, CaseOutcome.UPHELD):
        return "A disciplinary process follows only a substantiated or upheld outcome"
    return None


def _has_disciplinary_subject(case: Case) -> str | None:
    if not any(p.kind in KIND_FOR_PERSON for p in case.subjects):
        return "A disciplinary process or sanction applies only to an adult the case is about"
    return None


def _can_start_disciplinary(case: Case) -> str | None:
    return _disciplinary_follows(case) or _has_disciplinary_subject(case)


def _another_disciplinary_subject(case: Case) -> str | None:
    """A case about several adults: each gets their own process, one after another."""
    started = {p.person_id for p in case.disciplinary_processes}
    if not any(p.kind in KIND_FOR_PERSON and p.id not in started for p in case.subjects):
        return "Everyone this case is about already has a disciplinary process or sanction"
    return None


def _disciplinary_open(case: Case) -> str | None:
    if not any(not p.is_finished for p in case.disciplinary_processes):
        return "There is no disciplinary process under way"
    return None


def _measure_in_force(case: Case) -> str | None:
    if not any(m.is_in_force for p in case.disciplinary_processes for m in p.measures):
        return "There is no sanction or measure in force to review"
    return None


def _suspension_applies(case: Case) -> str | None:
    """KCSIE Part 4: suspension is considered for an allegation about someone the school
    employs or appoints; never for a parent, a pupil or a low-level concern."""
    if case.kind is not CaseKind.ALLEGATION:
        return "Suspension is considered only for an allegation (harm threshold met)"
    if not any(p.kind in SUSPENDABLE_KINDS for p in case.subjects):
        return "Suspension applies only to staff, volunteers and governors"
    return None


def _suspension_unconfirmed(case: Case) -> str | None:
    if not any(d.awaits_confirmation for d in case.suspension_decisions):
        return "There is no suspension waiting to be confirmed in writing"
    return None


def _suspension_in_force(case: Case) -> str | None:
    if not any(d.is_in_force for d in case.suspension_decisions):
        return "There is no suspension in force to end"
    return None


def _data_breach_track(case: Case) -> str | None:
    if not case.carries_breach:
        return "The breach record is only for a case where personal data was exposed"
    return None


def _breach_facts_recorded(case: Case) -> str | None:
    refusal = _data_breach_track(case)
    if refusal:
        return refusal
    if case.breach_record is None or not case.breach_record.facts_recorded:
        return "Record the facts of the breach first"
    return None


def _closure_checklist(case: Case) -> str | None:
    problems = closure.problems(case)
    return "; ".join(problems) if problems else None


def _sealed_reporter(case: Case) -> str | None:
    if not case.reporter_is_sealed or case.reporter_identity_ct is None:
        return "There is no sealed reporter identity on this case"
    return None


_ASSESSED_ON = frozenset({S.ASSESSED, S.REFERRED, S.AWAITING_POLICE, S.INVESTIGATING})
# Suspension may be needed at any point of an allegation, up to and during the disciplinary.
_SUSPENSION_ON = _ASSESSED_ON | {S.OUTCOME_RECORDED, S.DISCIPLINARY}
# The breach record is kept up to closure: facts often firm up after the outcome.
_BREACH_ON = _ASSESSED_ON | {S.OUTCOME_RECORDED}

TRANSITIONS: tuple[Transition, ...] = (
    Transition("report", "Report a concern", None, S.REPORTED, Permission.CONCERN_REPORT),
    Transition("record", "Record a disclosure or breach", None, S.RECORDED, Permission.CASE_CREATE),
    Transition(
        "accept",
        "Accept the report as a case",
        frozenset({S.REPORTED}),
        S.RECORDED,
        Permission.CASE_DECIDE,
        manager_only=True,
    ),
    Transition(
        "triage",
        "Assess the harm threshold and choose the track",
        frozenset({S.RECORDED}),
        S.ASSESSED,
        Permission.CASE_DECIDE,
        manager_only=True,
    ),
    Transition(
        "change_track",
        "Change the track",
        _ASSESSED_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
    ),
    Transition(
        "manage_referrals",
        "Add a referral or a decision not to refer",
        _OPEN,
        None,
        Permission.CASE_PROGRESS,
    ),
    # Taken by the referral service when the first referral is made on an assessed case.
    Transition("refer", "Refer", frozenset({S.ASSESSED}), S.REFERRED, Permission.CASE_PROGRESS),
    Transition(
        "await_police",
        "Record that the police are investigating",
        frozenset({S.ASSESSED, S.REFERRED}),
        S.AWAITING_POLICE,
        Permission.CASE_PROGRESS,
    ),
    Transition(
        "police_finished",
        "Record that the police investigation has finished",
        frozenset({S.AWAITING_POLICE}),
        S.REFERRED,
        Permission.CASE_PROGRESS,
        guard=_police_hold_open,
    ),
    # The child-protection route places a hold when the case opens, before any triage.
    Transition(
        "police_result",
        "Record that the police investigation has finished",
        frozenset({S.RECORDED, S.ASSESSED, S.REFERRED}),
        None,
        Permission.CASE_PROGRESS,
        guard=_police_hold_open,
    ),
    Transition(
        "investigate",
        "Start the school's own investigation",
        frozenset({S.ASSESSED, S.REFERRED}),
        S.INVESTIGATING,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_ready_to_investigate,
    ),
    Transition(
        "record_outcome",
        "Record the outcome",
        frozenset({S.ASSESSED, S.REFERRED, S.INVESTIGATING}),
        S.OUTCOME_RECORDED,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_ready_to_decide,
    ),
    Transition(
        "start_disciplinary",
        "Start the disciplinary process or sanctions",
        frozenset({S.OUTCOME_RECORDED}),
        S.DISCIPLINARY,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_can_start_disciplinary,
    ),
    Transition(
        "start_another_disciplinary",
        "Start a process or sanctions for someone else the case is about",
        frozenset({S.DISCIPLINARY}),
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_another_disciplinary_subject,
    ),
    # A hearing, an outcome, a sanction, the end: recorded on the process, the case stays put.
    Transition(
        "manage_disciplinary",
        "Record the next step of the disciplinary process",
        frozenset({S.DISCIPLINARY}),
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_disciplinary_open,
    ),
    # A parent's ban or a volunteer's restriction is reviewed on its date, whether or not the
    # process has concluded. Only while the case is open: a closed case is frozen (no action here
    # starts from "closed"), and closing needs every task done, so a measure's open review task
    # holds the case open until the review is recorded (or the task is marked done by hand).
    Transition(
        "review_measure",
        "Record a review of a sanction or measure",
        frozenset({S.DISCIPLINARY}),
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_measure_in_force,
    ),
    Transition(
        "consider_suspension",
        "Record a decision on suspension",
        _SUSPENSION_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_suspension_applies,
    ),
    Transition(
        "confirm_suspension",
        "Record that the suspension was confirmed in writing",
        _SUSPENSION_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_suspension_unconfirmed,
    ),
    Transition(
        "lift_suspension",
        "Record that the suspension ended",
        _SUSPENSION_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_suspension_in_force,
    ),
    Transition(
        "record_breach",
        "Record the facts of the data breach",
        _BREACH_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_data_breach_track,
    ),
    Transition(
        "decide_ico",
        "Record the decision on reporting to the ICO",
        _BREACH_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_breach_facts_recorded,
    ),
    Transition(
        "record_people_told",
        "Record whether the people affected were told",
        _BREACH_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_breach_facts_recorded,
    ),
    Transition(
        "close",
        "Close the case",
        frozenset({S.OUTCOME_RECORDED, S.DISCIPLINARY}),
        S.CLOSED,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_closure_checklist,
    ),
    Transition("add_task", "Add a task", _OPEN | {S.REPORTED}, None, Permission.CASE_PROGRESS),
    Transition(
        "reveal_reporter",
        "See who reported it",
        _OPEN | {S.REPORTED, S.CLOSED},
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_sealed_reporter,
    ),
    Transition(
        "erase",
        "Erase (crypto-shred) the case",
        frozenset(CaseState) - {CaseState.ERASED},
        CaseState.ERASED,
        None,
        guard=_no_legal_hold,
    ),
    # KCSIE Part 4: the head or the chair may give the case to another case manager (never a
    # subject: the command checks who), with a reason. Not manager_only: the head may take a
    # case back from a chair, and a chair may act when the head cannot.
    Transition(
        "change_case_manager",
        "Change the case manager",
        _OPEN | {S.REPORTED},
        None,
        Permission.CASE_DECIDE,
    ),
    # An inquiry, litigation or the police need the case kept: no erasure while a hold is open.
    Transition(
        "place_legal_hold",
        "Place a legal hold (the case must be kept)",
        frozenset(CaseState) - {CaseState.ERASED},
        None,
        Permission.CASE_DECIDE,
    ),
    Transition(
        "lift_legal_hold",
        "Lift a legal hold",
        frozenset(CaseState) - {CaseState.ERASED},
        None,
        Permission.CASE_DECIDE,
        guard=_has_legal_hold,
    ),
)

# Issue 13, what is missing: the KCSIE Part 4 steps recorded beside an allegation. None moves
# the case; each is offered while the case is open (the commands check the rest).
_ROUTE_ON = _ASSESSED_ON | {S.OUTCOME_RECORDED, S.DISCIPLINARY}
TRANSITIONS += (
    Transition(
        "end_reporting_restriction",
        "Record that the reporting restriction ended",
        _OPEN,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=lambda case: (
            None
            if reporting_restriction_applies(case)
            else "No reporting restriction applies to this case"
        ),
    ),
    Transition("record_meeting", "Record a meeting", _ROUTE_ON, None, Permission.CASE_PROGRESS),
    Transition(
        "inform_accused",
        "Record telling the person the allegation is about",
        _ROUTE_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_lado_decided,
    ),
    Transition(
        "inform_parents",
        "Record telling the child's parents",
        _ROUTE_ON,
        None,
        Permission.CASE_PROGRESS,
    ),
    Transition(
        "start_clock",
        "Start a KCSIE timescale",
        _ROUTE_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=lambda case: (
            None if case.kind is CaseKind.ALLEGATION else "The KCSIE timescales are for allegations"
        ),
    ),
    Transition(
        "record_organisation",
        "Record the agency or organisation that employs the person",
        _OPEN,
        None,
        Permission.CASE_PROGRESS,
    ),
    Transition(
        "organisation_stopped",
        "Record that the agency or organisation stopped using the person",
        _ROUTE_ON,
        None,
        Permission.CASE_DECIDE,
        manager_only=True,
        guard=_lado_decided,
    ),
)


def reporting_restriction_applies(case: Case) -> bool:
    """Education Act 2002 s.141F: a pupil's allegation that a teacher committed an offence
    against them may not be published in a way that identifies the teacher until charged. Read
    as: a child's disclosure on the allegation track about a member of staff (the case manager
    records "not a teacher" where that is so)."""
    return (
        case.source is DisclosureSource.CHILD
        and case.kind is CaseKind.ALLEGATION
        and any(p.kind is PersonKind.STAFF for p in case.subjects)
    )


_BY_ACTION = {t.action: t for t in TRANSITIONS}


def transition(action: str) -> Transition:
    try:
        return _BY_ACTION[action]
    except KeyError:
        raise TransitionNotAllowedError(f"unknown action {action!r}") from None


def _allowed(step: Transition, case: Case | None, actor: User | None) -> bool:
    if step.permission is None:
        return actor is None
    if actor is None or not has_permission(actor, step.permission):
        return False
    return not step.manager_only or case is None or is_case_manager(actor, case)


def open_with(case: Case, action: str, actor: User) -> None:
    """Give a new case its first state through an opening action."""
    step = transition(action)
    if step.from_states is not None or step.to_state is None:
        raise TransitionNotAllowedError(f"{action!r} does not open a case")
    if not _allowed(step, None, actor):
        raise TransitionNotAllowedError(f"{action!r} is not allowed for this user")
    case.state = step.to_state


def check(case: Case, action: str, actor: User | None, *, with_guard: bool = True) -> Transition:
    """Refuse, with a message fit to show the user, unless `actor` may take `action` now.
    `with_guard=False` checks state and role only, before the caller fills in what the guard
    inspects (closing: the checklist's answers)."""
    step = transition(action)
    if step.from_states is None or case.state not in step.from_states:
        raise TransitionNotAllowedError(
            f"{step.label} is not possible while the case is {case.state.label.lower()}"
        )
    if not _allowed(step, case, actor):
        who = (
            "the system"
            if step.permission is None
            else "the case manager"
            if step.manager_only
            else "a case worker"
        )
        raise TransitionNotAllowedError(f"{step.label} can only be done by {who}")
    refusal = step.guard(case) if step.guard is not None and with_guard else None
    if refusal:
        raise TransitionNotAllowedError(refusal)
    return step


def advance(case: Case, action: str, actor: User | None) -> None:
    """Take one action on a case; `actor` None is the system (retention, CLI)."""
    step = check(case, action, actor)
    if step.to_state is not None:
        case.state = step.to_state


def available(case: Case, actor: User) -> list[Transition]:
    """Actions this user may take on this case now (what the case page offers). A failing
    guard hides the action, except for those whose page explains what is still missing."""
    offered = []
    for step in TRANSITIONS:
        if step.from_states is None or step.permission is None or step.action == "refer":
            continue
        if case.state not in step.from_states or not _allowed(step, case, actor):
            continue
        if step.guard is not None and step.action not in _EXPLAINED and step.guard(case):
            continue
        offered.append(step)
    return offered


# Offered even when their guard fails: the page they lead to says what is still missing.
_EXPLAINED = frozenset({"close", "investigate", "record_outcome"})


def blocked_reason(case: Case, action: str) -> str | None:
    step = transition(action)
    return step.guard(case) if step.guard is not None else None
