"""The triage form: the four harm-threshold limbs and the track."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField

from incidents.casework.triage import commands as triage
from incidents.models import CaseKind, ThresholdAnswer
from incidents.web.fields import YES_NO, date_field, radio, text_area, text_input

LIMB_QUESTIONS = dict(triage.LIMBS)
ANSWERS = [SelectChoice(a.value, a.label) for a in ThresholdAnswer]


def _limb(name: str) -> RadioField:
    return radio(LIMB_QUESTIONS[name], "Answer yes, no or not known", ANSWERS)


class TriageForm(FlaskForm):
    harmed_child = _limb("harmed_child")
    criminal_offence = _limb("criminal_offence")
    risk_of_harm = _limb("risk_of_harm")
    unsuitable = _limb("unsuitable")
    kind = radio(
        "Which track does the case follow?",
        "Choose the track",
        [SelectChoice(k.value, k.label) for k in CaseKind],
    )
    # Issue 13, items 5 and 8: a breach record on any track, its ICO clock from this moment.
    personal_data_exposed = radio(
        "Was personal data exposed (a personal data breach)?",
        "Say whether personal data was exposed",
        YES_NO,
    )
    breach_aware_on = date_field(
        "If so, on what date did the school become aware of the breach? (optional)",
        called="The date the school became aware of the breach",
        hint="Leave it blank if it is the day the school became aware of the case.",
    )
    breach_aware_time = text_input(
        "At what time? (optional)",
        limit=8,
        called="The time",
        hint="For example, 14:30. The ICO's 72 hours run from this moment; "
        "left blank, they run from the start of that day.",
    )
    reasons = text_area(
        "Why have you decided this?",
        limit=triage.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons for your decision",
        hint="Say what you know, what you do not know yet and who you spoke to.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())
