"""Demo history: a year and a term of earlier cases, taken through the services to their
outcome and closure, so the demo governor's statistics show some figures and some `c`."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.casework.cases import steps as casework
from incidents.casework.cases.commands import CaseInput, record_disclosure
from incidents.casework.outcome import commands as outcomes
from incidents.casework.referrals import commands as referrals
from incidents.casework.tasks import commands as tasks
from incidents.casework.triage import commands as triage
from incidents.clock import local_today
from incidents.models import (
    Agency,
    Case,
    CaseKind,
    CaseOutcome,
    DisclosureSource,
    EmploymentOutcome,
    Person,
    PolicyClause,
    ReferralMethod,
    ReferralStatus,
    ThresholdAnswer,
    User,
)
from incidents.stats.figures import london_midnight
from incidents.stats.terms import academic_year_of, year_start

N, Y = ThresholdAnswer.NO, ThresholdAnswer.YES
# (track, how many last year, how many so far this year): low-level concerns are the
# commonest, as KCSIE expects; a handful of allegations, which stay small (and hidden).
MIX = (
    (CaseKind.LOW_LEVEL_CONCERN, 22, 9),
    (CaseKind.POLICY_BREACH, 14, 7),
    (CaseKind.ALLEGATION, 3, 2),
)
SOURCES = (
    DisclosureSource.PARENT,
    DisclosureSource.SELF_REPORT,
    DisclosureSource.MONITORING,
    DisclosureSource.ANONYMOUS,
    DisclosureSource.PARENT,
    DisclosureSource.EXTERNAL_AGENCY,
)
NARRATIVES = {
    CaseKind.LOW_LEVEL_CONCERN: "A member of staff messaged a parent about a pupil from a "
    "personal phone late in the evening.",
    CaseKind.POLICY_BREACH: "A photograph of pupils was posted on a personal account.",
    CaseKind.ALLEGATION: "A parent said an adult contacted their child privately online.",
}


def history_cases(share: float = 1.0) -> int:
    """How many earlier cases `build_history` makes for a school of this relative size."""
    return sum(round(last * share) + round(now * share) for _kind, last, now in MIX)


def build_history(
    session: Session, *, head: User, people: list[Person], seed: int = 2026, share: float = 1.0
) -> int:
    """Earlier cases for a demo school (`share` of the main school's numbers); returns how
    many. Each is recorded on the day the school became aware of it, not on the demo's day."""
    # Seeded for the same demo every time: invented data, not security.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    clauses = sorted(
        session.scalars(
            select(PolicyClause.id).where(
                PolicyClause.school_id == head.school_id, PolicyClause.retired_at.is_(None)
            )
        )
    )
    today = local_today()
    this_year = academic_year_of(today)
    made = 0
    for kind, last_year, so_far in MIX:
        for year, whole in ((this_year - 1, last_year), (this_year, so_far)):
            count = round(whole * share)
            span = (min(today, year_start(year + 1) - timedelta(days=1)) - year_start(year)).days
            for _ in range(count):
                aware = year_start(year) + timedelta(days=rng.randint(0, max(span - 1, 0)))
                cited = (rng.choice(clauses),) if clauses else ()
                case = _record(session, head, rng.choice(people), kind, rng, aware, cited)
                _progress(session, head, case, kind, rng, today)
                made += 1
    return made


def _record(
    session: Session,
    head: User,
    person: Person,
    kind: CaseKind,
    rng: random.Random,
    aware: date,
    clause_ids: tuple[uuid.UUID, ...],
) -> Case:
    source = rng.choice(SOURCES)
    data = CaseInput(
        narrative=NARRATIVES[kind],
        became_aware_on=aware,
        occurred_on=aware - timedelta(days=rng.randint(0, 3)),
        subject_ids=(person.id,),
        clause_ids=clause_ids,
        source=source,
        reporter="Demo reporter" if source is DisclosureSource.PARENT else "",
    )
    case = record_disclosure(session, actor=head, data=data)
    # The service stamps "now"; a case from last year was recorded last year, in school hours.
    # Demo data only: real cases keep the moment they were recorded.
    case.recorded_at = london_midnight(aware) + timedelta(hours=rng.randint(8, 16))
    answers = (Y, N, N, N) if kind is CaseKind.ALLEGATION else (N, N, N, N)
    triage.triage(
        session,
        actor=head,
        case=case,
        data=triage.TriageInput(*answers, kind=kind, reasons="Demo: decided on the facts."),
    )
    return case


def _progress(
    session: Session, head: User, case: Case, kind: CaseKind, rng: random.Random, today: date
) -> None:
    aware = case.became_aware_on
    if kind is CaseKind.ALLEGATION:
        # The LADO was told: usually within the working day, once a little late.
        lado = next(r for r in case.referrals if r.agency is Agency.LADO)
        made_on = min(today, aware + timedelta(days=rng.choice((0, 0, 0, 3))))
        late = lado.due_at is not None and made_on > lado.due_at.date()
        referrals.update_referral(
            session,
            actor=head,
            case=case,
            referral_id=lado.id,
            data=referrals.ReferralUpdate(
                status=ReferralStatus.MADE,
                method=ReferralMethod.PHONE,
                made_on=made_on,
                their_reference="LADO-DEMO",
                reasons="Demo: the LADO could not be reached at first." if late else "",
            ),
        )
        return  # allegations stay open: the police and the LADO decide their pace
    age = (today - aware).days
    if age < 21:
        return  # too recent to be closed
    if kind is CaseKind.POLICY_BREACH:
        casework.take_step(session, actor=head, case=case, action="investigate")
    outcome = rng.choice((CaseOutcome.UPHELD, CaseOutcome.UPHELD, CaseOutcome.NOT_UPHELD))
    outcomes.record_outcome(session, actor=head, case=case, outcome=outcome, reasons="Demo.")
    for task in case.tasks:  # the follow-ups the track and the outcome asked for
        if not task.is_done:
            tasks.complete_task(session, actor=head, case=case, task_id=task.id)
    outcomes.close_case(
        session,
        actor=head,
        case=case,
        data=outcomes.ClosureInput(
            employment_outcome=EmploymentOutcome.CONTINUES, mention_in_references=False
        ),
    )
    # The services stamp "now"; history needs the days it really took. Demo data only.
    took = timedelta(days=rng.randint(7, min(age, 90)))
    case.outcome_at = case.closed_at = london_midnight(aware + took)


HISTORY_CASES = history_cases()
