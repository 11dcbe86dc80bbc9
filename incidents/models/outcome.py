"""The vocabularies of a case's end: triage answers, outcomes, and what happened to the person's
employment (which decides the DBS duty). Enums only, so statistics can count them in clear."""

from __future__ import annotations

import enum


class ThresholdAnswer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "unknown": "Not known yet"}[self.value]


class CaseOutcome(enum.StrEnum):
    # KCSIE Part 4: exactly these five for allegations.
    SUBSTANTIATED = "substantiated"
    MALICIOUS = "malicious"
    FALSE = "false"
    UNSUBSTANTIATED = "unsubstantiated"
    UNFOUNDED = "unfounded"
    # Low-level concerns, policy breaches and data breaches.
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self][0]

    @property
    def hint(self) -> str:
        return OUTCOME_LABELS[self][1]


OUTCOME_LABELS = {
    CaseOutcome.SUBSTANTIATED: ("Substantiated", "There is sufficient evidence to prove it."),
    CaseOutcome.MALICIOUS: (
        "Malicious",
        "There is sufficient evidence to disprove it, and it was a deliberate act to deceive or "
        "cause harm.",
    ),
    CaseOutcome.FALSE: ("False", "There is sufficient evidence to disprove it."),
    CaseOutcome.UNSUBSTANTIATED: (
        "Unsubstantiated",
        "There is insufficient evidence either to prove or disprove it. This does not imply "
        "guilt or innocence.",
    ),
    CaseOutcome.UNFOUNDED: ("Unfounded", "There is no evidence or proper basis for it."),
    CaseOutcome.UPHELD: ("Upheld", "The concern or breach is found to have happened."),
    CaseOutcome.NOT_UPHELD: ("Not upheld", "The concern or breach is not found to have happened."),
}

ALLEGATION_OUTCOMES = (
    CaseOutcome.SUBSTANTIATED,
    CaseOutcome.MALICIOUS,
    CaseOutcome.FALSE,
    CaseOutcome.UNSUBSTANTIATED,
    CaseOutcome.UNFOUNDED,
)
OTHER_OUTCOMES = (CaseOutcome.UPHELD, CaseOutcome.NOT_UPHELD)


class EmploymentOutcome(enum.StrEnum):
    """Where the person stands at closure; dismissed, resigned or left after a substantiated
    allegation makes a DBS referral a legal duty."""

    CONTINUES = "continues"
    DISMISSED = "dismissed"
    RESIGNED = "resigned"
    LEFT = "left"
    NOT_EMPLOYED = "not_employed"

    @property
    def label(self) -> str:
        return {
            "continues": "They still work or volunteer at the school",
            "dismissed": "They were dismissed",
            "resigned": "They resigned",
            "left": "They stopped working or volunteering here for another reason",
            "not_employed": "They do not work or volunteer here (for example, a parent)",
        }[self.value]


DBS_DUTY_EMPLOYMENT = frozenset(
    {EmploymentOutcome.DISMISSED, EmploymentOutcome.RESIGNED, EmploymentOutcome.LEFT}
)
