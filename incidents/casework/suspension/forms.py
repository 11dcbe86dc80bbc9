"""Forms for suspension: the decision with the alternatives considered, the written
confirmation (with why, when late) and the end of a suspension. Shape and length here; the
service checks the dates against the decision."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField, TextAreaField

from incidents.casework.suspension import commands as suspension
from incidents.models import Alternative
from incidents.web.fields import YES_NO, confirmed, date_field, radio, text_area


def _why(alternative: Alternative) -> TextAreaField:
    return text_area(
        alternative.label,
        limit=suspension.MAX_REJECTED,
        called="Why it was rejected",
        hint="Leave empty if it was not considered.",
    )


class SuspensionForm(FlaskForm):
    person = radio("Who is the decision about?", "Choose who the decision is about from the list")
    why_redeployment = _why(Alternative.REDEPLOYMENT)
    why_supervision = _why(Alternative.SUPERVISION)
    why_move_child = _why(Alternative.MOVE_CHILD)
    why_other_location = _why(Alternative.OTHER_LOCATION)
    why_working_from_home = _why(Alternative.WORKING_FROM_HOME)
    why_other = _why(Alternative.OTHER)
    suspended = radio("Is the person suspended?", "Say whether the person is suspended", YES_NO)
    reasons = text_area(
        "Why?",
        limit=suspension.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons for the decision",
    )
    decided_on = date_field(
        "When was it decided?",
        called="The decision date",
        missing="Enter the date of the decision",
    )
    confirmed = confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def considered(self) -> dict[Alternative, str]:
        """The alternatives given a reason: the ones considered."""
        found = {a: (self[f"why_{a.value}"].data or "") for a in Alternative}
        return {a: why for a, why in found.items() if why.strip()}

    def validate(self, extra_validators: Any = None) -> bool:
        """A suspension with no alternative considered is wrong on its face: said on the first
        alternative, in the service's words (KCSIE Part 4: suspension is not the default)."""
        valid: bool = super().validate(extra_validators)
        if self.suspended.data == "yes" and not self.considered():
            self.why_redeployment.errors = [
                *self.why_redeployment.errors,
                suspension.NOT_THE_DEFAULT,
            ]
            return False
        return valid


class ConfirmationSentForm(FlaskForm):
    sent_on = date_field(
        "When was the written confirmation sent?",
        called="The date it was sent",
        missing="Enter the date the confirmation was sent",
    )
    # Its hint names the due date (set by the view); the service asks for it only when late.
    late_reason = text_area(
        "If it was sent late, why?",
        limit=suspension.MAX_LATE_REASON,
        called="Why it was late",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class LiftSuspensionForm(FlaskForm):
    lifted_on = date_field(
        "When did the suspension end?",
        called="The date it ended",
        missing="Enter the date the suspension ended",
        hint="The day the person returned to work, or left. For example, 27 3 2026",
    )
    reasons = text_area(
        "Why did it end?",
        limit=suspension.MAX_REASONS,
        called="The reasons",
        empty="Enter why the suspension ended",
        hint="For example, the allegation was unfounded and they returned to work, or they "
        "resigned or were dismissed.",
    )
    confirmed = confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())
