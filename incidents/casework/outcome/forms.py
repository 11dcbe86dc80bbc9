"""Forms for a case's outcome and its closure."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SelectChoice, SubmitField

from incidents.casework.outcome import commands as outcomes
from incidents.models import EmploymentOutcome
from incidents.web import fields
from incidents.web.fields import YES_NO, date_field, radio, text_area, text_input
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
    # An allegation's outcome is agreed with the LADO (issue 13, item 2); the view removes
    # these on the other tracks.
    lado_officer = text_input(
        "Who at the LADO agreed the outcome?",
        limit=outcomes.MAX_OFFICER,
        called="The LADO officer's name",
        empty="Enter the name of the LADO officer who agreed the outcome",
    )
    lado_agreed_on = date_field(
        "When did they agree it?",
        called="The date the LADO agreed",
        missing="Enter the date the LADO agreed the outcome",
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
    # Issue 13, item 4: the DBS duty (SVGA 2006 s.35) and the TRA referral, on any track.
    removed_from_regulated_activity = radio(
        "Was the person removed from work with children because they harmed a child or posed "
        "a risk of harm?",
        "Say whether the person was removed from work with children because of harm or a risk "
        "of harm",
        YES_NO,
    )
    teacher_serious_misconduct = radio(
        "Is the person a teacher (supply teachers included) who was dismissed, or would have "
        "been, for serious misconduct?",
        "Say whether a teacher was dismissed, or would have been, for serious misconduct",
        YES_NO,
    )
    # Item 7: malicious or false allegations only (the view removes it otherwise).
    personnel_file_kept = radio(
        "Has the person asked for the allegation to stay on their personnel file?",
        "Say whether the person asked for the allegation to stay on their personnel file",
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
