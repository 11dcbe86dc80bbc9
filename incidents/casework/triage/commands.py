"""Triage: the KCSIE harm-threshold test (four limbs, each yes / no / not known) and the
reasons decide the case's track; a later change of track is a new decision with its reasons.
The workflow's follow-ups (the LADO clock, police and ICO prompts) are opened here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from incidents import audit, deadlines, workflow
from incidents.casework.guard import record as audit_step
from incidents.casework.guard import visible
from incidents.casework.referrals import system as referral_system
from incidents.models import (
    Agency,
    Case,
    CaseKind,
    PersonKind,
    ReferralStatus,
    ThresholdAnswer,
    TriageDecision,
    User,
)
from incidents.sensitive import Sensitive
from incidents.validation import Errors

MAX_REASONS = 5_000

# KCSIE Part 4 section 1: (field, the question as the form asks it)
LIMBS = (
    ("harmed_child", "Has the adult harmed a child, or may they have harmed a child?"),
    (
        "criminal_offence",
        "Has the adult possibly committed a criminal offence against or related to a child?",
    ),
    (
        "risk_of_harm",
        "Has the adult behaved towards a child in a way that indicates they may pose a risk of "
        "harm to children?",
    ),
    (
        "unsuitable",
        "Has the adult behaved, or may they have behaved, in a way that indicates they may not "
        "be suitable to work with children (including outside work)?",
    ),
)


@dataclass(frozen=True)
class TriageInput:
    harmed_child: ThresholdAnswer | None
    criminal_offence: ThresholdAnswer | None
    risk_of_harm: ThresholdAnswer | None
    unsuitable: ThresholdAnswer | None
    kind: CaseKind | None
    reasons: str
    # Issue 13, item 5: "was personal data exposed?", asked on every track; None: not answered.
    personal_data_exposed: bool | None = False
    # Item 8: when the school became aware of the breach (the ICO's 72 hours run from it).
    # Not given: the first moment of the day the school became aware of the case.
    breach_aware_on: date | None = None
    breach_aware_time: str = ""


# KCSIE Part 4 covers people who work in or for the school (staff, supply staff, volunteers,
# contractors, governors). A parent or member of the public who may have harmed a child is a
# matter for children's social care and the police (issue 13, item 10).
OUTSIDE_PART_4 = frozenset({PersonKind.PARENT_CARER, PersonKind.OTHER, PersonKind.PUPIL})
NOT_PART_4 = (
    "The allegation route (KCSIE Part 4) is for people who work in or for the school. For a "
    "parent or member of the public who may have harmed a child, refer to children's social "
    "care and the police: choose another track, and both referrals are opened for you"
)
CONSULT_LADO = (
    "Every part of the harm test is 'not known': if in doubt, consult the LADO. Record their "
    "advice as a LADO referral first, or choose the allegation track"
)


def outside_part_4(case: Case) -> bool:
    """Every subject is someone who neither works in nor for the school."""
    return bool(case.subjects) and all(p.kind in OUTSIDE_PART_4 for p in case.subjects)


def _lado_consulted(case: Case) -> bool:
    return any(
        r.agency is Agency.LADO
        and r.status in (ReferralStatus.ADVICE_RECEIVED, ReferralStatus.CLOSED)
        for r in case.referrals
    )


def _validate(data: TriageInput, *, case: Case, previous: CaseKind | None) -> _Checked:
    errors = Errors()
    answers = [getattr(data, name) for name, _ in LIMBS]
    outside = outside_part_4(case)
    for (name, _question), answer in zip(LIMBS, answers, strict=True):
        if answer is None:
            errors[name] = "Answer yes, no or not known"
    if data.kind is None:
        errors["kind"] = "Choose the track"
    elif outside and data.kind is CaseKind.ALLEGATION:
        errors["kind"] = NOT_PART_4
    elif (
        all(a is ThresholdAnswer.UNKNOWN for a in answers)
        and data.kind is not CaseKind.ALLEGATION
        and not outside
        and not _lado_consulted(case)
    ):
        errors["kind"] = CONSULT_LADO
    elif ThresholdAnswer.YES in answers and data.kind is not CaseKind.ALLEGATION and not outside:
        errors["kind"] = "The harm threshold is met, so the track must be allegation"
    elif all(a is ThresholdAnswer.NO for a in answers) and data.kind is CaseKind.ALLEGATION:
        errors["kind"] = (
            "An allegation meets the harm threshold: answer yes or not known where a part "
            "applies, or choose another track"
        )
    elif previous is not None and data.kind is previous:
        errors["kind"] = "The case is already on this track: choose a different one"
    reasons = errors.text(
        "reasons",
        data.reasons,
        label="The reasons",
        limit=MAX_REASONS,
        empty="Enter the reasons for your decision",
    )
    exposed = data.personal_data_exposed
    if exposed is None:
        errors["personal_data_exposed"] = "Say whether personal data was exposed"
    aware_at = None
    if exposed or data.kind is CaseKind.DATA_BREACH:
        aware_on = data.breach_aware_on or case.became_aware_on
        errors.day(
            "breach_aware_on",
            aware_on,
            called="The date the school became aware of the breach",
            missing="",
            since=case.became_aware_on,
            too_early="The breach cannot be known before the case itself",
        )
        aware_at = errors.moment(
            "breach_aware_time",
            aware_on,
            data.breach_aware_time,
            called="The time the school became aware of the breach",
        )
        if aware_at is None and "breach_aware_time" not in errors:
            # No time given: its day's first moment, so the clock is never later than the truth.
            aware_at = deadlines.start_of_day(aware_on)
    errors.raise_any()
    return _Checked(reasons, bool(exposed) or data.kind is CaseKind.DATA_BREACH, aware_at)


@dataclass(frozen=True)
class _Checked:
    reasons: str
    exposed: bool
    aware_at: datetime | None


def _decide(
    session: Session, *, actor: User, case: Case, data: TriageInput, action: str
) -> TriageDecision:
    visible(actor, case)
    workflow.check(case, action, actor)
    previous = case.kind if action == "change_track" else None
    checked = _validate(data, case=case, previous=previous)
    assert data.kind is not None  # noqa: S101 - narrowing: checked in _validate
    decision = TriageDecision(
        case=case,
        decided_by_id=actor.id,
        harmed_child=data.harmed_child,
        criminal_offence=data.criminal_offence,
        risk_of_harm=data.risk_of_harm,
        unsuitable=data.unsuitable,
        kind=data.kind,
        previous_kind=case.kind,
        reasons=Sensitive(checked.reasons),
    )
    session.add(decision)
    case.kind = data.kind
    case.personal_data_exposed = checked.exposed
    if checked.exposed and case.breach_aware_at is None:
        case.breach_aware_at = checked.aware_at
    workflow.advance(case, action, actor)
    session.flush()
    audit_step(
        session,
        case,
        actor,
        audit.Action.CASE_TRIAGE if action == "triage" else audit.Action.CASE_CHANGE_TRACK,
        object_type="triage_decision",
        object_id=decision.id,
        # Onto the allegation track is "an allegation recorded": checkpointed at once.
        checkpoint=True if decision.kind is CaseKind.ALLEGATION else None,
    )
    _open_follow_ups(session, case, decision)
    return decision


def _open_follow_ups(session: Session, case: Case, decision: TriageDecision) -> None:
    """DOMAIN.md section 2 and 3: the referrals the track calls for, as prompts with clocks."""
    if decision.kind is CaseKind.ALLEGATION:
        referral_system.create_prompt(
            session, case, Agency.LADO, due_at=referral_system.due_for(case, Agency.LADO)
        )
    outside = outside_part_4(case) and any(
        a is not ThresholdAnswer.NO
        for a in (decision.harmed_child, decision.criminal_offence, decision.risk_of_harm)
    )
    if outside:
        # Someone outside the school may have harmed a child: the child-protection route.
        referral_system.create_prompt(session, case, Agency.CHILDRENS_SOCIAL_CARE)
    if outside or decision.criminal_offence is not ThresholdAnswer.NO:
        # Part (b) yes or not known: the police decide (the workflow waits for them).
        referral_system.create_prompt(session, case, Agency.POLICE)
    if case.personal_data_exposed and not any(r.agency is Agency.ICO for r in case.referrals):
        referral_system.create_prompt(
            session, case, Agency.ICO, due_at=referral_system.due_for(case, Agency.ICO)
        )


def triage(session: Session, *, actor: User, case: Case, data: TriageInput) -> TriageDecision:
    return _decide(session, actor=actor, case=case, data=data, action="triage")


def change_track(session: Session, *, actor: User, case: Case, data: TriageInput) -> TriageDecision:
    """Escalation (or de-escalation) after new information, with its reasons."""
    return _decide(session, actor=actor, case=case, data=data, action="change_track")
