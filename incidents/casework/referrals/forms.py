"""Forms for a referral and each step of its lifecycle."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from incidents.casework.referrals import commands as referrals
from incidents.models import (
    Agency,
    ReferralMethod,
)
from incidents.web.fields import text_area
from incidents.web.forms import DatePartsField


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
