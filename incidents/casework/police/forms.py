"""The form for the result of a police investigation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField

from incidents.casework.police import commands as police
from incidents.web.fields import text_area


class PoliceResultForm(FlaskForm):
    result = text_area(
        "What did the police decide or find?",
        limit=police.MAX_RESULT,
        called="The result",
        empty="Enter what the police decided or found",
        hint="For example, no further action, charged, or released under investigation.",
    )
    # Offered only on a case under a reporting restriction (Education Act 2002 s.141F).
    teacher_charged = BooleanField(
        "The teacher has been charged with an offence (this ends the reporting restriction)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save result", widget=GovSubmitInput())
