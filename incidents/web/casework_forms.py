"""Forms for the case-work pages: triage, referrals, outcome and closure, tasks and the police
result. They check shape and length; the services check meaning and their errors land on fields.
Lengths and messages match the services', so the user sees one wording either way."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from incidents.models import (
    Agency,
    CaseKind,
    EmploymentOutcome,
    ReferralMethod,
    ThresholdAnswer,
)
from incidents.services import outcomes, police, referrals, tasks, triage
from incidents.web.fields import YES_NO, text_area
from incidents.web.forms import DatePartsField

LIMB_QUESTIONS = dict(triage.LIMBS)


def _limb(name: str) -> RadioField:
    return RadioField(
        LIMB_QUESTIONS[name],
        widget=GovRadioInput(),
        choices=[SelectChoice(a.value, a.label) for a in ThresholdAnswer],
        validators=[InputRequired("Answer yes, no or not known")],
        invalid_choice_message="Answer yes, no or not known",
    )


def _reference() -> StringField:
    limit = referrals.MAX_REFERENCE
    return StringField(
        "Their reference (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=limit, message=f"Their reference must be {limit:,} characters or fewer"),
        ],
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


class AddReferralForm(FlaskForm):
    agency = RadioField(
        "Who are you referring to?",
        widget=GovRadioInput(),
        choices=[SelectChoice(a.value, a.label) for a in Agency],
        validators=[InputRequired("Choose who you are referring to")],
        invalid_choice_message="Choose who you are referring to",
    )
    submit = SubmitField("Add referral", widget=GovSubmitInput())


class ReferralMadeForm(FlaskForm):
    method = RadioField(
        "How was the referral made?",
        widget=GovRadioInput(),
        choices=[SelectChoice(m.value, m.label) for m in ReferralMethod],
        validators=[InputRequired("Choose how the referral was made")],
        invalid_choice_message="Choose how the referral was made",
    )
    made_on = DatePartsField(
        "When was it made?",
        required=True,
        called="The date it was made",
        missing="Enter the date the referral was made",
        description="For example, 27 3 2026",
    )
    their_reference = _reference()
    reasons = text_area(
        "If it was made after its deadline, why?",
        limit=referrals.MAX_REASONS,
        called="The reasons",
        hint="Only needed if the referral was late.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReferralAcknowledgedForm(FlaskForm):
    their_reference = _reference()
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReferralAdviceForm(FlaskForm):
    advice = text_area(
        "What advice did they give?",
        limit=referrals.MAX_ADVICE,
        called="The advice",
        empty="Enter the advice they gave",
    )
    their_reference = _reference()
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReferralClosedForm(FlaskForm):
    reasons = text_area(
        "Anything to add (optional)",
        limit=referrals.MAX_REASONS,
        called="The reasons",
        hint="For example, why it closed without advice.",
    )
    submit = SubmitField("Close referral", widget=GovSubmitInput())


class NotReferringForm(FlaskForm):
    reasons = text_area(
        "Why is it not being referred?",
        limit=referrals.MAX_REASONS,
        called="The reasons",
        empty="Enter why it is not being referred",
        hint="Include any advice you took, and from whom.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())


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


class TaskForm(FlaskForm):
    title = text_area(
        "What needs to be done?",
        limit=tasks.MAX_TITLE,
        called="The task",
        empty="Enter the task",
    )
    assignee = RadioField(
        "Who will do it?",
        widget=GovRadioInput(),
        choices=[],  # the case's workers, set by the view
        validators=[InputRequired("Choose who will do it from the list")],
        invalid_choice_message="Choose who will do it from the list",
    )
    due_on = DatePartsField(
        "When is it due?",
        required=True,
        called="The date it is due",
        missing="Enter the date it is due",
        description="For example, 27 3 2026",
    )
    submit = SubmitField("Add task", widget=GovSubmitInput())


class PoliceResultForm(FlaskForm):
    result = text_area(
        "What did the police decide or find?",
        limit=police.MAX_RESULT,
        called="The result",
        empty="Enter what the police decided or found",
        hint="For example, no further action, charged, or released under investigation.",
    )
    submit = SubmitField("Save result", widget=GovSubmitInput())
