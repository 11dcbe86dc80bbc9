"""The closure checklist a case must pass before it closes (KCSIE Part 4, DOMAIN.md section 2),
and the retention rule that follows from its track and outcome. Pure Python: reads a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incidents.models import (
    DBS_DUTY_EMPLOYMENT,
    Agency,
    Case,
    CaseKind,
    CaseOutcome,
    EmploymentOutcome,
    PersonKind,
    ReferralStatus,
)
from incidents.models.referral import MADE_STATUSES

# Local practice, not national rule: make these per-school settings when a school asks.
POLICY_BREACH_YEARS = 6
DATA_BREACH_YEARS = 6
ALLEGATION_MINIMUM_YEARS = 10


@dataclass(frozen=True)
class Check:
    label: str
    done: bool
    # What to do when it is not done; shown in the refusal and on the checklist page.
    todo: str
    # Answered on the closing page itself, rather than done beforehand elsewhere.
    answered_on_close: bool = False


def _dbs_required(case: Case) -> bool:
    """SVGA 2006 s.35 (issue 13, item 4): on any track, whenever the person is removed from
    regulated activity (dismissed, would have been had they not left, moved out of work with
    children) because they harmed a child or posed a risk of harm. A substantiated allegation
    after which the person was dismissed or left is taken to be such a removal."""
    return bool(case.removed_from_regulated_activity) or (
        case.kind is CaseKind.ALLEGATION
        and case.outcome is CaseOutcome.SUBSTANTIATED
        and case.employment_outcome in DBS_DUTY_EMPLOYMENT
    )


def _tra_applies(case: Case) -> bool:
    """Any teacher (supply included) dismissed, or who would have been, for serious misconduct,
    on any track; and, as before, any allegation about a member of staff. A referral row (made,
    or not made with reasons) shows it was considered."""
    return bool(case.teacher_serious_misconduct) or (
        case.kind is CaseKind.ALLEGATION and any(p.kind is PersonKind.STAFF for p in case.subjects)
    )


def off_personnel_file(case: Case) -> bool:
    """KCSIE Part 4: a malicious or false allegation is removed from the personnel file, unless
    the person asks for it to be kept (issue 13, item 7)."""
    return case.kind is CaseKind.ALLEGATION and case.outcome in (
        CaseOutcome.MALICIOUS,
        CaseOutcome.FALSE,
    )


def checklist(case: Case) -> list[Check]:
    referrals = case.referrals
    checks = [
        Check("The outcome is recorded", case.outcome is not None, "Record the outcome"),
        Check(
            "Every referral is closed, or the decision not to refer is recorded",
            all(not r.is_open for r in referrals),
            "Close every referral, or record why it was not made",
        ),
        Check(
            "The police investigation has finished and its result is recorded",
            case.open_police_hold is None,
            "Record that the police investigation has finished, and its result",
        ),
        Check(
            "Every task is done",
            all(t.is_done for t in case.tasks),
            "Mark every task as done",
        ),
        Check(
            "Whether the person still works here is recorded",
            case.employment_outcome is not None,
            "Say whether the person still works or volunteers at the school",
            answered_on_close=True,
        ),
        Check(
            "Whether the case is mentioned in references is decided",
            case.mention_in_references is not None,
            "Decide whether the case will be mentioned in references",
            answered_on_close=True,
        ),
        Check(
            "Whether the person was removed from work with children is recorded",
            case.removed_from_regulated_activity is not None,
            "Say whether the person was removed from regulated activity because of harm or a "
            "risk of harm",
            answered_on_close=True,
        ),
        Check(
            "Whether a teacher was dismissed for serious misconduct is recorded",
            case.teacher_serious_misconduct is not None,
            "Say whether a teacher was dismissed, or would have been, for serious misconduct",
            answered_on_close=True,
        ),
        Check(
            "The retention date is worked out",
            case.retention_rule is not None,
            "Work out how long the record is kept",
            answered_on_close=True,
        ),
    ]
    if case.disciplinary_processes:
        checks.append(
            Check(
                "Every disciplinary process or sanction is concluded, or why it ended is recorded",
                all(p.is_finished for p in case.disciplinary_processes),
                "Conclude the disciplinary process, or record why it ended without an outcome",
            )
        )
        implied = employment_implied(case)
        if implied is not None:
            checks.append(
                Check(
                    "Whether the person still works here matches the disciplinary outcome",
                    case.employment_outcome is implied,
                    f"The disciplinary outcome means: {implied.label.lower()}. Choose that answer",
                    answered_on_close=True,
                )
            )
    if any(d.suspended for d in case.suspension_decisions):
        # KCSIE Part 4: suspension is a neutral, temporary act while the allegation is dealt
        # with; at the conclusion the person returns to work (and the case manager plans how) or
        # their employment ends. A closed case nobody works any more must not leave someone
        # suspended with no record of whether and when that ended, so even a dismissal or
        # resignation is recorded here as the end of the suspension, with its date.
        checks.append(
            Check(
                "Every suspension has ended: the person returned to work, left or was dismissed",
                not any(d.is_in_force for d in case.suspension_decisions),
                "Record that the suspension ended: when the person returned to work, left or "
                "was dismissed",
            )
        )
    if off_personnel_file(case):
        checks.append(
            Check(
                "Whether the person asked to keep it on their personnel file is recorded",
                case.personnel_file_kept is not None,
                "Say whether the person asked for the allegation to stay on their personnel file",
                answered_on_close=True,
            )
        )
    if case.carries_breach:
        breach = case.breach_record
        checks.append(
            Check(
                "The breach record is complete (UK GDPR Art 33(5))",
                breach is not None and breach.is_complete,
                "Complete the breach record: its facts, the decision on reporting to the ICO "
                "and whether the people affected were told",
            )
        )
    if _dbs_required(case):
        checks.append(
            Check(
                "A referral to the DBS is made (a legal duty: the person was removed from "
                "regulated activity because of harm or a risk of harm)",
                any(r.agency is Agency.DBS and r.status in MADE_STATUSES for r in referrals),
                "Refer the person to the DBS: it is a legal duty",
            )
        )
    if _tra_applies(case):
        checks.append(
            Check(
                "A referral to the Teaching Regulation Agency is considered (for a teacher, "
                "supply teachers included)",
                any(
                    r.agency is Agency.TRA and r.status is not ReferralStatus.DRAFT
                    for r in referrals
                ),
                "Consider a referral to the Teaching Regulation Agency and record the decision",
            )
        )
    return checks


def employment_implied(case: Case) -> EmploymentOutcome | None:
    """Where a concluded process leaves the person (a dismissal: dismissed), so the closing
    page can suggest the answer and the DBS duty follows from it."""
    return next(
        (p.employment_implied for p in case.disciplinary_processes if p.employment_implied),
        None,
    )


def problems(case: Case) -> list[str]:
    return [c.todo for c in checklist(case) if not c.done]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    until: date | None
    rule: str


class RetentionUnknownError(ValueError):
    """The rule needs a date the user has not given (the person's normal pension age)."""


def retention_for(
    case: Case,
    *,
    closed_on: date,
    pension_age_on: date | None,
    data_breach_years: int | None = None,
    policy_breach_years: int | None = None,
) -> Retention:
    """How long the case record is kept (DOMAIN.md section 2). A school's own period for
    breach records (issue 13, per-school settings) replaces the default where it is set."""
    if case.kind is CaseKind.ALLEGATION:
        if pension_age_on is None:
            raise RetentionUnknownError("Enter the date the person reaches normal pension age")
        ten_years = _add_years(case.became_aware_on, ALLEGATION_MINIMUM_YEARS)
        rule = (
            "Allegation: until normal pension age or 10 years from the allegation, "
            "whichever is longer"
        )
        if off_personnel_file(case):
            # Issue 13, item 7: what leaves is the personnel file's copy (recorded apart, in
            # personnel_file_kept); the school's safeguarding record of the allegation stays.
            # Its period is the allegation rule: a local policy may set a shorter one.
            rule = (
                "Malicious or false allegation: off the personnel file unless the person asks; "
                "the safeguarding record is kept until normal pension age or 10 years, "
                "whichever is longer"
            )
        return Retention(max(pension_age_on, ten_years), rule)
    if case.kind is CaseKind.LOW_LEVEL_CONCERN:
        return Retention(None, "Low-level concern: kept at least until the person leaves")
    if case.kind is CaseKind.DATA_BREACH:
        years = data_breach_years or DATA_BREACH_YEARS
        return Retention(
            _add_years(closed_on, years),
            f"Personal data breach: {years} years after closure"
            + (" (the school's own period)" if data_breach_years else ""),
        )
    years = policy_breach_years or POLICY_BREACH_YEARS
    return Retention(
        _add_years(closed_on, years),
        f"Policy breach: {years} years after closure"
        + (" (the school's own period)" if policy_breach_years else ""),
    )
