"""The letters' placeholder language: plain text with `{{ name }}` placeholders and nothing else
(no tags, filters, attributes or expressions), each letter kind with a fixed allow-list of
names. Checked when a template is saved, so a letter can never fail, or reach data it was not
meant to, when it is written. Rendered by jinja2's SandboxedEnvironment with StrictUndefined:
the check already refuses anything but names, the sandbox is the second lock."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from incidents.models import LetterKind

MAX_TEMPLATE = 10_000

# Every placeholder there is, and what it is filled with (shown beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "school_name": "The school's name",
    "school_address": "The school's postal address (set on the letters page)",
    "letter_date": "The date the letter is sent",
    "reference": "The case reference",
    "recipient_name": "Who the letter is to",
    "recipient_address": "Their address (or email address)",
    "signed_by": "Who signs the letter: the person writing it",
    "contact_name": "The named contact for questions (KCSIE: a suspension letter names one)",
    "extra_paragraph": "A paragraph typed for this letter only (may be empty)",
    "subject_name": "The person the letter is to and about (the LADO summary: everyone the "
    "case is about)",
    "suspended_on": "The date of the decision to suspend",
    "suspension_reasons": "The reasons recorded for the suspension",
    "outcome": "The outcome of the allegation or concern",
    "outcome_reasons": "The reasons recorded for the outcome",
    "outcome_date": "When the outcome was recorded",
    "sanction": "The sanction or measure",
    "sanction_starts": "When the sanction starts",
    "review_date": "When the sanction will be reviewed",
    "case_kind": "The track of the case (for example, allegation)",
    "became_aware_on": "When the school became aware",
    "occurred_on": "When it happened, if known",
    "narrative": "What was disclosed, as recorded",
    "clauses": "The policy clauses cited",
    "lado_reference": "The LADO's reference, if recorded",
}

_COMMON = (
    "school_name",
    "school_address",
    "letter_date",
    "reference",
    "recipient_name",
    "recipient_address",
    "signed_by",
    "contact_name",
    "extra_paragraph",
)
# Least data for each letter: a parent who raised a concern is told the process, never what
# was said or about whom; only the LADO summary carries the narrative.
ALLOWED: dict[LetterKind, frozenset[str]] = {
    LetterKind.PARENT: frozenset(_COMMON),
    LetterKind.SUSPENSION: frozenset(
        (*_COMMON, "subject_name", "suspended_on", "suspension_reasons")
    ),
    LetterKind.OUTCOME: frozenset(
        (*_COMMON, "subject_name", "outcome", "outcome_reasons", "outcome_date")
    ),
    LetterKind.SANCTION: frozenset(
        (*_COMMON, "subject_name", "sanction", "sanction_starts", "review_date")
    ),
    LetterKind.LADO_SUMMARY: frozenset(
        (
            *_COMMON,
            "subject_name",
            "case_kind",
            "became_aware_on",
            "occurred_on",
            "narrative",
            "clauses",
            "lado_reference",
            "outcome",
        )
    ),
}

ONLY_PLACEHOLDERS = (
    "Use only placeholders like {{ recipient_name }}: no {% %} tags, filters or other code"
)

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def allowed(kind: LetterKind) -> list[str]:
    """The placeholders this kind of letter may use, in the order they are listed."""
    return [name for name in PLACEHOLDERS if name in ALLOWED[kind]]


def problem(kind: LetterKind, body: str) -> str | None:
    """Why this wording cannot be saved for this kind of letter, naming the placeholder; or
    None. Only text and bare names pass: anything else is refused, not just unknown names."""
    if not body.strip():
        return "Enter the wording of the letter"
    if len(body) > MAX_TEMPLATE:
        return f"The wording must be {MAX_TEMPLATE:,} characters or fewer"
    try:
        tree = _ENV.parse(body)
    except TemplateSyntaxError as exc:
        return (
            f"The wording has a broken placeholder on line {exc.lineno}: write it as {{{{ name }}}}"
        )
    names: list[str] = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            return ONLY_PLACEHOLDERS
        for part in node.nodes:
            if isinstance(part, nodes.TemplateData):
                continue
            if not isinstance(part, nodes.Name):
                return ONLY_PLACEHOLDERS
            names.append(part.name)
    for name in names:
        if name not in PLACEHOLDERS:
            return f"{{{{ {name} }}}} is not a placeholder: use one of those listed"
        if name not in ALLOWED[kind]:
            return f"{{{{ {name} }}}} cannot be used in a {kind.label.lower()}"
    return None


def render(kind: LetterKind, body: str, values: Mapping[str, str]) -> str:
    """The letter's text. Only this kind's values are passed in, so even a template saved
    before an allow-list was narrowed cannot reach more (StrictUndefined raises instead)."""
    given = {name: values.get(name, "") for name in ALLOWED[kind]}
    return _ENV.from_string(body).render(given)
