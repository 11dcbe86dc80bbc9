"""Forms for the disciplinary link, suspension decisions and the breach record. They check shape
and length with the services' wording; the services check meaning (dates, choices allowed for
this person) and their errors land on the same fields."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from incidents.models import Alternative, DataSubjects, StaffOutcome
from incidents.services import breaches, disciplinary, suspension
from incidents.web.casework_forms import YES_NO, _text
from incidents.web.forms import DatePartsField


def _radio(label: str, message: str, choices: list[SelectChoice] | None = None) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=choices or [],
        validators=[InputRequired(message)],
        invalid_choice_message=message,
    )


def _hr_reference() -> StringField:
    limit = disciplinary.MAX_HR_REFERENCE
    return StringField(
        "HR reference (optional, staff only)",
        description="The reference your HR provider or local authority uses for this case.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=limit, message=f"The HR reference must be {limit:,} characters or fewer"),
        ],
    )


# Set by a check-your-answers page: the user has seen the summary and means to go ahead.
def _confirmed() -> StringField:
    return StringField(validators=[Optional()])


class StartDisciplinaryForm(FlaskForm):
    person = _radio("Who is the process about?", "Choose who the process is about from the list")
    hr_reference = _hr_reference()
    confirmed = _confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class HearingForm(FlaskForm):
    hearing_on = DatePartsField(
        "When is the hearing?",
        required=True,
        called="The hearing date",
        missing="Enter the date of the hearing",
        description="For example, 27 3 2026. You can change it if the hearing moves.",
    )
    submit = SubmitField("Save hearing date", widget=GovSubmitInput())


class StaffOutcomeForm(FlaskForm):
    outcome = _radio(
        "What was decided?",
        "Choose the outcome from the list",
        [SelectChoice(o.value, o.label) for o in StaffOutcome],
    )
    decided_on = DatePartsField(
        "When was it decided?",
        required=True,
        called="The decision date",
        missing="Enter the date of the decision",
        description="For example, 27 3 2026",
    )
    reasons = _text(
        "Why?",
        limit=disciplinary.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons",
        hint="Summarise the findings the decision rests on.",
    )
    hr_reference = _hr_reference()
    confirmed = _confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class MeasureForm(FlaskForm):
    measure = _radio(
        "What is the sanction or measure?", "Choose the sanction or measure from the list"
    )
    starts_on = DatePartsField(
        "When does it start?",
        required=True,
        called="The start date",
        missing="Enter the date it starts",
        description="For example, 27 3 2026",
    )
    review_on = DatePartsField(
        "When will it be reviewed? (optional)",
        required=False,
        called="The review date",
        description="For example, 27 6 2026",
    )
    ends_on = DatePartsField(
        "When does it end? (optional)",
        required=False,
        called="The end date",
        description="Leave empty if it has no fixed end.",
    )
    details = _text(
        "Describe it (needed for something else)",
        limit=disciplinary.MAX_DETAILS,
        called="The description",
        hint="For example, which events or parts of the site it covers.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class DiscontinueForm(FlaskForm):
    reasons = _text(
        "Why is the process ending without an outcome?",
        limit=disciplinary.MAX_REASONS,
        called="The reasons",
        empty="Enter why the process is ending without an outcome",
        hint="For example, the person resigned before the hearing.",
    )
    confirmed = _confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())


def _why(alternative: Alternative) -> TextAreaField:
    return _text(
        alternative.label,
        limit=suspension.MAX_REJECTED,
        called="Why it was rejected",
        hint="Leave empty if it was not considered.",
    )


class SuspensionForm(FlaskForm):
    person = _radio("Who is the decision about?", "Choose who the decision is about from the list")
    why_redeployment = _why(Alternative.REDEPLOYMENT)
    why_supervision = _why(Alternative.SUPERVISION)
    why_move_child = _why(Alternative.MOVE_CHILD)
    why_other_location = _why(Alternative.OTHER_LOCATION)
    why_working_from_home = _why(Alternative.WORKING_FROM_HOME)
    why_other = _why(Alternative.OTHER)
    suspended = _radio("Is the person suspended?", "Say whether the person is suspended", YES_NO)
    reasons = _text(
        "Why?",
        limit=suspension.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons for the decision",
    )
    decided_on = DatePartsField(
        "When was it decided?",
        required=True,
        called="The decision date",
        missing="Enter the date of the decision",
        description="For example, 27 3 2026",
    )
    confirmed = _confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def considered(self) -> dict[Alternative, str]:
        """The alternatives given a reason: the ones considered."""
        found = {a: (self[f"why_{a.value}"].data or "") for a in Alternative}
        return {a: why for a, why in found.items() if why.strip()}


class ConfirmationSentForm(FlaskForm):
    sent_on = DatePartsField(
        "When was the written confirmation sent?",
        required=True,
        called="The date it was sent",
        missing="Enter the date the confirmation was sent",
        description="For example, 27 3 2026",
    )
    # Its hint names the due date (set by the view); the service asks for it only when late.
    late_reason = _text(
        "If it was sent late, why?",
        limit=suspension.MAX_LATE_REASON,
        called="Why it was late",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class LiftSuspensionForm(FlaskForm):
    lifted_on = DatePartsField(
        "When did the suspension end?",
        required=True,
        called="The date it ended",
        missing="Enter the date the suspension ended",
        description="The day the person returned to work, or left. For example, 27 3 2026",
    )
    reasons = _text(
        "Why did it end?",
        limit=suspension.MAX_REASONS,
        called="The reasons",
        empty="Enter why the suspension ended",
        hint="For example, the allegation was unfounded and they returned to work, or they "
        "resigned or were dismissed.",
    )
    confirmed = _confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())


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
    what_happened = _text(
        "What happened?",
        limit=breaches.MAX_TEXT,
        called="What happened",
        empty="Enter what happened",
        hint="How the data was lost, sent or seen, and how the school found out.",
    )
    data_involved = _text(
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
    likely_effects = _text(
        "What are the likely effects on the people?",
        limit=breaches.MAX_TEXT,
        called="The likely effects",
        empty="Enter the likely effects on the people",
    )
    remedial_action = _text(
        "What has been done about it?",
        limit=breaches.MAX_TEXT,
        called="The action taken",
        empty="Enter the action taken to deal with it",
        hint="Including what was done to limit the harm and stop it happening again.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class IcoDecisionForm(FlaskForm):
    report = _radio(
        "Is the breach being reported to the ICO?",
        "Say whether the breach is being reported to the ICO",
        YES_NO,
    )
    reasons = _text(
        "Why?",
        limit=breaches.MAX_TEXT,
        called="The reasons",
        empty="Enter the reasons for the decision",
        hint="Not reporting: why the breach is unlikely to result in a risk to people.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class PeopleToldForm(FlaskForm):
    told = _radio(
        "Were the people affected told?", "Say whether the people affected were told", YES_NO
    )
    told_on = DatePartsField(
        "If yes, when were they told?",
        required=False,
        called="The date they were told",
        description="For example, 27 3 2026",
    )
    reasons = _text(
        "If not, why not?",
        limit=breaches.MAX_TEXT,
        called="The reasons",
        hint="For example, the risk to them is not high, or the data was encrypted.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
