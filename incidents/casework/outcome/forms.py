"""Forms for a case's outcome and its closure."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, Optional

from incidents.casework.outcome import commands as outcomes
from incidents.models import (
    EmploymentOutcome,
)
from incidents.web.fields import YES_NO, text_area
from incidents.web.forms import DatePartsField


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        "What is the outcome?",
        widget=GovRadioInput(),
        choices=[],  # set by the view from the case's track
        validators=[InputRequired("Choose the outcome from the list")],
        invalid_choice_message="Choose the outcome from the list",
    )
    reasons = text_area(
        "Why?",
        limit=outcomes.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons",
        hint="Summarise the evidence the outcome rests on.",
    )
    submit = SubmitField("Save outcome", widget=GovSubmitInput())


class CloseCaseForm(FlaskForm):
    employment_outcome = RadioField(
        "Does the person still work or volunteer at the school?",
        widget=GovRadioInput(),
        choices=[SelectChoice(e.value, e.label) for e in EmploymentOutcome],
        validators=[InputRequired("Say whether the person still works or volunteers here")],
        invalid_choice_message="Say whether the person still works or volunteers here",
    )
    mention_in_references = RadioField(
        "Will the case be mentioned in references for this person?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Say whether the case will be mentioned in references")],
        invalid_choice_message="Say whether the case will be mentioned in references",
    )
    pension_age_on = DatePartsField(
        "When does the person reach normal pension age? (allegations only)",
        required=False,
        called="The pension age date",
        description="For example, 27 3 2050. The record of an allegation is kept until then, "
        "or for 10 years, whichever is longer.",
    )
    # Set by the check-your-answers page: the user has seen the summary and means to close.
    confirmed = StringField(validators=[Optional()])
    submit = SubmitField("Continue", widget=GovSubmitInput())
