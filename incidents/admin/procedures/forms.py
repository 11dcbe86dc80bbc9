"""The school's procedures form. Its limits are the commands'."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectChoice, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from incidents.admin.procedures.commands import MAX_LADO_DAYS, MAX_YEARS
from incidents.web.fields import radio

WHOLE = "Enter a whole number"


def _years(label: str, hint: str) -> IntegerField:
    return IntegerField(
        label,
        description=hint,
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(
                1,
                MAX_YEARS,
                f"Enter a whole number of years from 1 to {MAX_YEARS}, or leave it blank",
            ),
        ],
    )


class ProceduresForm(FlaskForm):
    tell_before_monitoring = radio(
        "Is a person told before their internet use is monitored?",
        "Say whether the person is told before their internet use is monitored",
        [
            SelectChoice(
                "yes",
                "Yes: the school tells the person that monitoring will take "
                "place, and why (as seed policy 000 says)",
            ),
            SelectChoice(
                "no", "No: the school monitors without telling them first (as seed policy 002 says)"
            ),
        ],
    )
    lado_working_days = IntegerField(
        "Refer to the LADO within how many working days?",
        description="Your local safeguarding partnership sets this; one working day is usual.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the LADO referral period"),
            NumberRange(
                1,
                MAX_LADO_DAYS,
                f"Enter the LADO referral period as a whole number "
                f"of working days, 1 to {MAX_LADO_DAYS}",
            ),
        ],
    )
    data_breach_years = _years(
        "Keep personal data breach records for how many years after closure?",
        "Leave blank for the default, 6 years.",
    )
    policy_breach_years = _years(
        "Keep policy breach records for how many years after closure?",
        "Leave blank for the default, 6 years.",
    )
    submit = SubmitField("Save the procedures", widget=GovSubmitInput())
