"""Forms for the subject access register. They check shape and length; the service checks
meaning (dates against today and the request, the deadline for an extension)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from incidents.models import Exemption, Requester, RequestState
from incidents.registers.subject_access import commands as subject_access
from incidents.web.forms import DatePartsField

_NOTE = subject_access.MAX_NOTE


def _note(label: str, *, called: str, required: str = "", hint: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        widget=GovCharacterCount(),
        validators=[
            DataRequired(required) if required else Optional(),
            Length(max=_NOTE, message=f"{called} must be {_NOTE:,} characters or fewer"),
        ],
    )


class NewRequestForm(FlaskForm):
    requester = StringField(
        "Who made the request?",
        description="Their name, and whose information they asked for if it is not their own.",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter who made the request"),
            Length(
                max=subject_access.MAX_REQUESTER,
                message=f"Who made the request must be {subject_access.MAX_REQUESTER} "
                "characters or fewer",
            ),
        ],
    )
    requester_kind = RadioField(
        "Who are they?",
        widget=GovRadioInput(),
        choices=[SelectChoice(r.value, r.label) for r in Requester],
        validators=[InputRequired("Choose who made the request")],
        invalid_choice_message="Choose who made the request",
    )
    received_on = DatePartsField(
        "When was the request received?",
        description="The month to reply starts on this day. For example, 27 3 2026",
        required=True,
        called="The date it was received",
        missing="Enter the date the request was received",
    )
    submit = SubmitField("Log the request", widget=GovSubmitInput())


class ExtendForm(FlaskForm):
    reason = _note(
        "Why does the request need longer?",
        called="The reason",
        required="Enter why the request needs longer",
        hint="Only a complex request, or many requests from one person, may take two more months. "
        "Tell the requester within the first month.",
    )
    submit = SubmitField("Extend by two months", widget=GovSubmitInput())


class RespondForm(FlaskForm):
    responded_on = DatePartsField(
        "When was the reply sent?",
        description="For example, 27 3 2026",
        required=True,
        called="The date the reply was sent",
        missing="Enter the date the reply was sent",
    )
    exemptions = SelectMultipleField(
        "Was anything withheld or redacted?",
        description="Select every exemption you relied on. Leave all unticked if nothing was.",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(e.value, e.label) for e in Exemption],
        validators=[Optional()],
        invalid_choice_message="Choose exemptions from the list (%(value)s is not one)",
    )
    note = _note(
        "What was withheld or redacted, and why? (needed if you ticked an exemption)",
        called="The note",
    )
    submit = SubmitField("Record the reply", widget=GovSubmitInput())


class CloseForm(FlaskForm):
    state = RadioField(
        "Why is the request closing without a reply?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(RequestState.WITHDRAWN.value, "The requester withdrew it"),
            SelectChoice(
                RequestState.REFUSED.value, "Refused as manifestly unfounded or excessive"
            ),
        ],
        validators=[InputRequired("Choose whether the request was withdrawn or refused")],
        invalid_choice_message="Choose whether the request was withdrawn or refused",
    )
    reason = _note(
        "Give the details",
        called="The reason",
        required="Enter the reason",
        hint="If you refused it, say why and that you told the requester of their right to "
        "complain to the ICO.",
    )
    submit = SubmitField("Close the request", widget=GovSubmitInput())
