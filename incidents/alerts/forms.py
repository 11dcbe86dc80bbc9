"""The notification preferences form: one required choice."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SelectChoice, SubmitField

from incidents.alerts.commands import CHOOSE
from incidents.models import Delivery
from incidents.web.fields import radio


class PreferencesForm(FlaskForm):
    delivery = radio(
        "How do you want to be emailed about new cases and tasks?",
        CHOOSE,
        [SelectChoice(d.value, d.label) for d in Delivery],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
