"""The form for a task added by hand. It checks shape and length; the service checks meaning
and its errors land on fields, in the same wording."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from incidents.casework.tasks import commands as tasks
from incidents.web.fields import radio, text_area
from incidents.web.forms import DatePartsField


class TaskForm(FlaskForm):
    title = text_area(
        "What needs to be done?",
        limit=tasks.MAX_TITLE,
        called="The task",
        empty="Enter the task",
    )
    # Choices: the case's workers, set by the view.
    assignee = radio("Who will do it?", "Choose who will do it from the list")
    due_on = DatePartsField(
        "When is it due?",
        required=True,
        called="The date it is due",
        missing="Enter the date it is due",
        description="For example, 27 3 2026",
    )
    submit = SubmitField("Add task", widget=GovSubmitInput())
