"""The shipped wording of each letter, used until the school saves its own. Plain English; each
uses only its kind's placeholders (a test checks them against `language.ALLOWED`)."""

# ruff: noqa: E501 - a paragraph of a letter is one line: a line break in it would be printed

from __future__ import annotations

from incidents.models import LetterKind

_SIGN_OFF = """If you have any questions, contact {{ contact_name }} at {{ school_name }}, quoting our reference {{ reference }}.

{{ extra_paragraph }}

Yours sincerely,

{{ signed_by }}
{{ school_name }}
"""

DEFAULTS: dict[LetterKind, str] = {
    LetterKind.PARENT: """Dear {{ recipient_name }},

Thank you for telling us about your concern. We take every concern about an adult who works with children seriously. This letter explains what we will do.

We have written down what you told us. Where the law or our safeguarding policy says we must, we will tell the local authority designated officer (LADO), and the police or children's social care. They may contact you.

We will not investigate, or ask anyone about it, until they have told us what should happen, so that nothing gets in the way of their work. We will then deal with the concern under our policies.

If the concern is about your child, we will keep you informed, and tell you the outcome when it is decided. We tell you these things in confidence: please do not share them, or post about this concern on social media.

"""
    + _SIGN_OFF,
    LetterKind.SUSPENSION: """Dear {{ subject_name }},

This letter confirms in writing the decision, made on {{ suspended_on }}, to suspend you while an allegation is looked into. Suspension is a neutral act: it is not a disciplinary sanction, and it does not mean that the allegation is true.

The reasons for the decision are:

{{ suspension_reasons }}

We considered the alternatives to suspension before making this decision. The suspension will be kept under review.

Your named contact while you are suspended is {{ contact_name }}. They will keep you informed and can tell you about the support available to you. Please do not contact pupils, parents or colleagues about the allegation.

"""
    + _SIGN_OFF,
    LetterKind.OUTCOME: """Dear {{ subject_name }},

We are writing to tell you the outcome of the allegation made about you.

The outcome is: {{ outcome }} (recorded on {{ outcome_date }}).

The reasons are:

{{ outcome_reasons }}

"""
    + _SIGN_OFF,
    LetterKind.SANCTION: """Dear {{ recipient_name }},

We are writing about the conduct described to you, in breach of our policy. We have decided to apply the following sanction: {{ sanction }}, from {{ sanction_starts }}.

We will review this decision on {{ review_date }}.

You may make representations about this decision before the review: write to {{ contact_name }} at {{ school_name }}, quoting our reference {{ reference }}, and say what you would like us to take into account. We will consider what you send us at the review.

"""
    + _SIGN_OFF,
    LetterKind.LADO_SUMMARY: """To {{ recipient_name }}, local authority designated officer

Referral summary: case {{ reference }} at {{ school_name }}
LADO reference: {{ lado_reference }}

About: {{ subject_name }}
Track: {{ case_kind }}
The school became aware on: {{ became_aware_on }}
When it happened: {{ occurred_on }}
Policy clauses cited: {{ clauses }}
Outcome so far: {{ outcome }}

What was disclosed:

{{ narrative }}

{{ extra_paragraph }}

Sent by {{ signed_by }}, {{ school_name }}. Contact: {{ contact_name }}.
""",
}
