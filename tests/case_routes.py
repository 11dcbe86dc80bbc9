"""Cases brought, through the services, to where the disciplinary link, a suspension decision or
the breach record applies: about a given kind of person, on a given track, with an outcome."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incidents.casework.cases import steps as casework
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.outcome import commands as outcomes
from incidents.casework.referrals import commands as referrals
from incidents.casework.triage import commands as triage
from incidents.clock import local_today
from incidents.models import (
    Agency,
    AuditEntry,
    Case,
    CaseKind,
    CaseOutcome,
    DisciplinaryMeasure,
    DisclosureSource,
    Investigation,
    Measure,
    PersonKind,
    ReferralMethod,
    ReferralStatus,
    ThresholdAnswer,
    User,
)

Y, N = ThresholdAnswer.YES, ThresholdAnswer.NO
TODAY = local_today()
# When the measures of the parent_measure cases started: a month ago.
STARTED = TODAY - timedelta(days=30)


def case_about(
    db: Session,
    head: User,
    kind: PersonKind = PersonKind.STAFF,
    *,
    source: DisclosureSource = DisclosureSource.MONITORING,
    clause_ids: tuple[object, ...] = (),
    became_aware_on: date | None = None,
) -> Case:
    return record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative="What was seen, in the words used.",
            became_aware_on=became_aware_on or TODAY - timedelta(days=1),
            new_subject=NewSubject(name="Sam Person", kind=kind),
            not_listed=True,
            source=source,
            clause_ids=clause_ids,  # type: ignore[arg-type]
        ),
    )


def assess(db: Session, head: User, case: Case, kind: CaseKind) -> None:
    limbs = (Y, N, N, N) if kind is CaseKind.ALLEGATION else (N, N, N, N)
    triage.triage(
        db,
        actor=head,
        case=case,
        data=triage.TriageInput(*limbs, kind=kind, reasons="Reasons for the track."),
    )


def lado_says(
    case: Case, investigation: Investigation | None = Investigation.SCHOOL
) -> dict[str, object]:
    """The LADO's side of an advice step (issue 13, items 1 and 2): who, when, their threshold
    decision (met unless `investigation` is None) and who they agreed investigates."""
    return {
        "officer": "A LADO officer",
        "spoke_on": case.became_aware_on,
        "spoke_time": "00:00",
        "threshold_met": investigation is not None,
        "investigation": investigation,
    }


def move(
    db: Session,
    actor: User,
    case: Case,
    agency: Agency,
    *statuses: ReferralStatus,
    investigation: Investigation | None = Investigation.SCHOOL,
) -> None:
    """Take `agency`'s referral through `statuses`; the LADO's advice agrees `investigation`."""
    referral = next(r for r in case.referrals if r.agency is agency)
    for status in statuses:
        lado = referrals.asks_lado(referral, status)
        referrals.update_referral(
            db,
            actor=actor,
            case=case,
            referral_id=referral.id,
            data=referrals.ReferralUpdate(
                status=status,
                method=ReferralMethod.PHONE,
                made_on=TODAY,
                their_reference="REF-1",
                advice="Advice given." if status is ReferralStatus.ADVICE_RECEIVED else "",
                reasons="Why." if status is ReferralStatus.NOT_MADE else "",
                # The ICO's 72 hours are judged to the minute (issue 13, item 8).
                made_time="00:00" if agency is Agency.ICO else "",
                **(lado_says(case, investigation) if lado else {}),  # type: ignore[arg-type]
            ),
        )


def through_lado(
    db: Session, head: User, case: Case, investigation: Investigation = Investigation.SCHOOL
) -> None:
    """Referred to the LADO, whose advice agrees `investigation`, and the referral closed."""
    move(
        db,
        head,
        case,
        Agency.LADO,
        ReferralStatus.MADE,
        ReferralStatus.ADVICE_RECEIVED,
        ReferralStatus.CLOSED,
        investigation=investigation,
    )


def lado_agreed(case: Case) -> dict[str, object]:
    """An allegation's outcome is agreed with the LADO: who, and when (issue 13, item 2)."""
    return {"lado_officer": "A LADO officer", "lado_agreed_on": case.became_aware_on}


def upheld(db: Session, head: User, kind: PersonKind, track: CaseKind) -> Case:
    """A case about a `kind` person on `track`, with a substantiated or upheld outcome."""
    case = case_about(db, head, kind)
    assess(db, head, case, track)
    if track is CaseKind.ALLEGATION:
        through_lado(db, head, case)
        casework.take_step(db, actor=head, case=case, action="investigate")
    outcome = CaseOutcome.SUBSTANTIATED if track is CaseKind.ALLEGATION else CaseOutcome.UPHELD
    outcomes.record_outcome(
        db, actor=head, case=case, outcome=outcome, reasons="Evidence.", **lado_agreed(case)
    )
    db.commit()
    return case


def entries(db: Session, **where: object) -> int:
    query = select(func.count()).select_from(AuditEntry)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return db.scalar(query) or 0


# The blueprints whose pages need a case brought here first (see ready_for).
BLUEPRINTS = frozenset({"disciplinary", "measure_reviews", "suspension", "breaches"})


def ready_for(db: Session, head: User, endpoint: str) -> dict[str, object]:
    """URL values for a disciplinary, measure review, suspension or breach page, with a case at
    a stage where the page is offered (for the sweeps over every page: headers, access)."""
    from incidents.casework.breach import commands as breaches
    from incidents.casework.suspension import commands as suspension
    from incidents.models import Alternative, DataSubjects

    name = endpoint.split(".", 1)[1]
    if endpoint.startswith("measure_reviews."):
        measure = parent_measure(db, head, review_in=30)
        return {"case_id": measure.process.case_id, "measure_id": measure.id}
    if endpoint.startswith("disciplinary."):
        parent = name in ("new_measure", "conclude")
        kind = PersonKind.PARENT_CARER if parent else PersonKind.STAFF
        case = upheld(db, head, kind, CaseKind.POLICY_BREACH)
        if name == "start":
            return {"case_id": case.id}
        process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
        db.commit()
        return {"case_id": case.id, "process_id": process.id}
    if endpoint.startswith("suspension."):
        case = case_about(db, head, PersonKind.STAFF)
        assess(db, head, case, CaseKind.ALLEGATION)
        through_lado(db, head, case)
        values: dict[str, object] = {"case_id": case.id}
        if name in ("confirmation_sent", "lift"):
            decision = suspension.decide_suspension(
                db,
                actor=head,
                case=case,
                data=suspension.SuspensionInput(
                    None, {Alternative.SUPERVISION: "None free."}, True, "Risk.", TODAY
                ),
            )
            values["decision_id"] = decision.id
        db.commit()
        return values
    case = case_about(db, head, PersonKind.STAFF)
    assess(db, head, case, CaseKind.DATA_BREACH)
    if name != "facts":
        facts = breaches.BreachFacts("a", "b", 2, frozenset({DataSubjects.STAFF}), "c", "d")
        breaches.record_facts(db, actor=head, case=case, data=facts)
    db.commit()
    return {"case_id": case.id}


def parent_measure(db: Session, head: User, *, review_in: int | None = 0) -> DisciplinaryMeasure:
    """A parent's photography withdrawn, started a month ago, concluded, its review due."""
    case = upheld(db, head, PersonKind.PARENT_CARER, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(db, actor=head, case=case, person_id=None)
    measure = disciplinary.add_measure(
        db,
        actor=head,
        case=case,
        process_id=process.id,
        data=disciplinary.MeasureInput(
            Measure.PHOTOGRAPHY_WITHDRAWN,
            STARTED,
            review_on=None if review_in is None else TODAY + timedelta(days=review_in),
        ),
    )
    disciplinary.conclude_measures(db, actor=head, case=case, process_id=process.id)
    db.commit()
    return measure
