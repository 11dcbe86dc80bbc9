"""Forms for a referral and each step of its lifecycle."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from incidents.casework.referrals import commands as referrals
from incidents.models import Agency, Investigation, ReferralMethod
from incidents.web.fields import YES_NO, date_field, radio, text_area, text_input
from incidents.web.forms import DatePartsField


def _reference() -> StringField:
    return StringField(
        "Their reference (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(
                max=referrals.MAX_REFERENCE,
                message=f"Their reference must be {referrals.MAX_REFERENCE:,} characters or fewer",
            ),
        ],
    )


def _reasons(label: str, hint: str, empty: str = "") -> TextAreaField:
    return text_area(
        label, limit=referrals.MAX_REASONS, called="The reasons", empty=empty, hint=hint
    )


def _time(label: str, hint: str) -> StringField:
    return text_input(label, limit=8, called="The time", hint=hint)


def _officer() -> StringField:
    return text_input(
        "Who at the LADO gave the decision?",
        limit=referrals.MAX_OFFICER,
        called="The LADO officer's name",
        hint="Their full name, as they gave it.",
    )


def _spoke_on() -> DatePartsField:
    return date_field("On what date?", called="The date the LADO said so")


# Only on an allegation's LADO referral (the view removes them elsewhere): issue 13, items 1-2.
LADO_FIELDS = ("officer", "spoke_on", "spoke_time", "threshold_met", "investigation")


class AddReferralForm(FlaskForm):
    agency = radio(
        "Who are you referring to?",
        "Choose who you are referring to",
        [SelectChoice(a.value, a.label) for a in Agency],
    )
    submit = SubmitField("Add referral", widget=GovSubmitInput())


class ReferralMadeForm(FlaskForm):
    method = radio(
        "How was the referral made?",
        "Choose how the referral was made",
        [SelectChoice(m.value, m.label) for m in ReferralMethod],
    )
    made_on = DatePartsField(
        "When was it made?",
        required=True,
        called="The date it was made",
        missing="Enter the date the referral was made",
        description="For example, 27 3 2026",
    )
    made_time = _time(
        "At what time? (needed for the ICO)",
        "For example, 14:30. The ICO's 72 hours are counted to the minute.",
    )
    their_reference = _reference()
    reasons = _reasons(
        "If it was made after its deadline, why?", "Only needed if the referral was late."
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReferralAcknowledgedForm(FlaskForm):
    their_reference = _reference()
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReferralAdviceForm(FlaskForm):
    officer = _officer()
    spoke_on = _spoke_on()
    spoke_time = _time("At what time?", "For example, 14:30.")
    threshold_met = radio(
        "Does the LADO say the harm threshold is met?",
        "Say whether the LADO says the harm threshold is met",
        YES_NO,
    )
    investigation = radio(
        "If it is met, who did the LADO agree investigates?",
        "Choose who the LADO agreed investigates",
        [SelectChoice(i.value, i.label) for i in Investigation],
    )
    advice = text_area(
        "What advice did they give?",
        limit=referrals.MAX_ADVICE,
        called="The advice",
        empty="Enter the advice they gave",
    )
    their_reference = _reference()
    submit = SubmitField("Save", widget=GovSubmitInput())


class ReferralClosedForm(FlaskForm):
    reasons = _reasons("Anything to add (optional)", "For example, why it closed without advice.")
    submit = SubmitField("Close referral", widget=GovSubmitInput())


class NotReferringForm(FlaskForm):
    officer = _officer()
    spoke_on = _spoke_on()
    spoke_time = _time("At what time?", "For example, 14:30.")
    their_reference = _reference()
    reasons = _reasons(
        "Why is it not being referred?",
        "Include any advice you took, and from whom.",
        empty="Enter why it is not being referred",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())
