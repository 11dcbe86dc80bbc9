"""The form for the result of a police investigation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSubmitInput,
)
from wtforms import SubmitField

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
    submit = SubmitField("Save result", widget=GovSubmitInput())
