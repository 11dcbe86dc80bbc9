"""Forms for a case's outcome and its closure."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SelectChoice, SubmitField

from incidents.casework.outcome import commands as outcomes
from incidents.models import EmploymentOutcome
from incidents.web import fields
from incidents.web.fields import YES_NO, radio, text_area
from incidents.web.forms import DatePartsField


class OutcomeForm(FlaskForm):
    # Choices: set by the view from the case's track.
    outcome = radio("What is the outcome?", "Choose the outcome from the list")
    reasons = text_area(
        "Why?",
        limit=outcomes.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons",
        hint="Summarise the evidence the outcome rests on.",
    )
    submit = SubmitField("Save outcome", widget=GovSubmitInput())


class CloseCaseForm(FlaskForm):
    employment_outcome = radio(
        "Does the person still work or volunteer at the school?",
        "Say whether the person still works or volunteers here",
        [SelectChoice(e.value, e.label) for e in EmploymentOutcome],
    )
    mention_in_references = radio(
        "Will the case be mentioned in references for this person?",
        "Say whether the case will be mentioned in references",
        YES_NO,
    )
    pension_age_on = DatePartsField(
        "When does the person reach normal pension age? (allegations only)",
        required=False,
        called="The pension age date",
        description="For example, 27 3 2050. The record of an allegation is kept until then, "
        "or for 10 years, whichever is longer.",
    )
    confirmed = fields.confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())
