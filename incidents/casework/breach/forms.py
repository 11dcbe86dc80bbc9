"""Forms for the personal data breach record (UK GDPR Art 33(5)): its facts, the decision on
reporting to the ICO, and whether the people affected were told (Art 34)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectChoice, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from incidents.casework.breach import commands as breaches
from incidents.models import DataSubjects
from incidents.web.fields import YES_NO, date_field, radio, text_area


class SubjectsField(SelectMultipleField):
    widget = GovCheckboxesInput()

    def pre_validate(self, form: Any) -> None:
        offered = {str(c.value) for c in self.choices or []}
        if any(value not in offered for value in self.data or []):
            raise ValidationError("Choose whose data it was from the list")


class WholeNumberField(IntegerField):
    """A count typed in a text box; anything but a whole number gets one plain message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata([str(v).strip().replace(",", "") for v in valuelist])
        except ValueError:
            raise ValueError("Enter how many people were affected, as a whole number") from None


class BreachFactsForm(FlaskForm):
    what_happened = text_area(
        "What happened?",
        limit=breaches.MAX_TEXT,
        called="What happened",
        empty="Enter what happened",
        hint="How the data was lost, sent or seen, and how the school found out.",
    )
    data_involved = text_area(
        "What personal data was involved?",
        limit=breaches.MAX_TEXT,
        called="The data involved",
        empty="Enter what personal data was involved",
        hint="For example, names and dates of birth, or health information.",
    )
    people_affected = WholeNumberField(
        "How many people were affected?",
        description="An estimate if you do not know exactly.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter how many people were affected, as a whole number"),
            NumberRange(
                min=1,
                max=breaches.MAX_PEOPLE,
                message=f"The number of people must be between 1 and {breaches.MAX_PEOPLE:,}",
            ),
        ],
    )
    subjects = SubjectsField(
        "Whose data was it?",
        choices=[SelectChoice(s.value, s.label) for s in DataSubjects],
        validators=[InputRequired("Choose whose data it was")],
    )
    likely_effects = text_area(
        "What are the likely effects on the people?",
        limit=breaches.MAX_TEXT,
        called="The likely effects",
        empty="Enter the likely effects on the people",
    )
    remedial_action = text_area(
        "What has been done about it?",
        limit=breaches.MAX_TEXT,
        called="The action taken",
        empty="Enter the action taken to deal with it",
        hint="Including what was done to limit the harm and stop it happening again.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class IcoDecisionForm(FlaskForm):
    report = radio(
        "Is the breach being reported to the ICO?",
        "Say whether the breach is being reported to the ICO",
        YES_NO,
    )
    reasons = text_area(
        "Why?",
        limit=breaches.MAX_TEXT,
        called="The reasons",
        empty="Enter the reasons for the decision",
        hint="Not reporting: why the breach is unlikely to result in a risk to people.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class PeopleToldForm(FlaskForm):
    told = radio(
        "Were the people affected told?", "Say whether the people affected were told", YES_NO
    )
    told_on = date_field("If yes, when were they told?", called="The date they were told")
    reasons = text_area(
        "If not, why not?",
        limit=breaches.MAX_TEXT,
        called="The reasons",
        hint="For example, the risk to them is not high, or the data was encrypted.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
