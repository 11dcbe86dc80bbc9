"""The triage form: the four harm-threshold limbs and the track."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField

from incidents.casework.triage import commands as triage
from incidents.models import CaseKind, ThresholdAnswer
from incidents.web.fields import radio, text_area

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
    reasons = text_area(
        "Why have you decided this?",
        limit=triage.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons for your decision",
        hint="Say what you know, what you do not know yet and who you spoke to.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())
