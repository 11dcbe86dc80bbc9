"""Forms for the subject access register. They check shape and length; the service checks
meaning (dates against today and the request, the deadline for an extension)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectChoice, SelectMultipleField, SubmitField
from wtforms.validators import Optional

from incidents.models import Exemption, Requester, RequestState
from incidents.registers.subject_access.commands import MAX_NOTE, MAX_REQUESTER
from incidents.web.fields import radio, text_area, text_input
from incidents.web.forms import DatePartsField


class NewRequestForm(FlaskForm):
    requester = text_input(
        "Who made the request?",
        limit=MAX_REQUESTER,
        called="Who made the request",
        empty="Enter who made the request",
        hint="Their name, and whose information they asked for if it is not their own.",
    )
    requester_kind = radio(
        "Who are they?",
        "Choose who made the request",
        [SelectChoice(r.value, r.label) for r in Requester],
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
    reason = text_area(
        "Why does the request need longer?",
        limit=MAX_NOTE,
        called="The reason",
        empty="Enter why the request needs longer",
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
    note = text_area(
        "What was withheld or redacted, and why? (needed if you ticked an exemption)",
        limit=MAX_NOTE,
        called="The note",
    )
    submit = SubmitField("Record the reply", widget=GovSubmitInput())


class CloseForm(FlaskForm):
    state = radio(
        "Why is the request closing without a reply?",
        "Choose whether the request was withdrawn or refused",
        [
            SelectChoice(RequestState.WITHDRAWN.value, "The requester withdrew it"),
            SelectChoice(
                RequestState.REFUSED.value, "Refused as manifestly unfounded or excessive"
            ),
        ],
    )
    reason = text_area(
        "Give the details",
        limit=MAX_NOTE,
        called="The reason",
        empty="Enter the reason",
        hint="If you refused it, say why and that you told the requester of their right to "
        "complain to the ICO.",
    )
    submit = SubmitField("Close the request", widget=GovSubmitInput())
