"""Forms for the case-work pages: triage, referrals, outcome and closure, tasks and the police
result. They check shape and length; the services check meaning and their errors land on fields.
Lengths and messages match the services', so the user sees one wording either way."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from incidents.casework.tasks import commands as tasks
from incidents.web.fields import text_area
from incidents.web.forms import DatePartsField


class TaskForm(FlaskForm):
    title = text_area(
        "What needs to be done?",
        limit=tasks.MAX_TITLE,
        called="The task",
        empty="Enter the task",
    )
    assignee = RadioField(
        "Who will do it?",
        widget=GovRadioInput(),
        choices=[],  # the case's workers, set by the view
        validators=[InputRequired("Choose who will do it from the list")],
        invalid_choice_message="Choose who will do it from the list",
    )
    due_on = DatePartsField(
        "When is it due?",
        required=True,
        called="The date it is due",
        missing="Enter the date it is due",
        description="For example, 27 3 2026",
    )
    submit = SubmitField("Add task", widget=GovSubmitInput())
