"""The triage form: the four harm-threshold limbs and the track."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from incidents.casework.triage import commands as triage
from incidents.models import (
    CaseKind,
    ThresholdAnswer,
)
from incidents.web.fields import text_area

LIMB_QUESTIONS = dict(triage.LIMBS)


def _limb(name: str) -> RadioField:
    return RadioField(
        LIMB_QUESTIONS[name],
        widget=GovRadioInput(),
        choices=[SelectChoice(a.value, a.label) for a in ThresholdAnswer],
        validators=[InputRequired("Answer yes, no or not known")],
        invalid_choice_message="Answer yes, no or not known",
    )


class TriageForm(FlaskForm):
    harmed_child = _limb("harmed_child")
    criminal_offence = _limb("criminal_offence")
    risk_of_harm = _limb("risk_of_harm")
    unsuitable = _limb("unsuitable")
    kind = RadioField(
        "Which track does the case follow?",
        widget=GovRadioInput(),
        choices=[SelectChoice(k.value, k.label) for k in CaseKind],
        validators=[InputRequired("Choose the track")],
        invalid_choice_message="Choose the track",
    )
    reasons = text_area(
        "Why have you decided this?",
        limit=triage.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons for your decision",
        hint="Say what you know, what you do not know yet and who you spoke to.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())
