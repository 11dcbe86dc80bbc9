"""The people forms: one person's details, a leaving date, the staff list file, and the
confirmation that carries the previewed file back."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length

from incidents.admin.people.commands import MAX_EMAIL, MAX_NAME, MAX_ROLE, OWN_KINDS
from incidents.web.forms import DatePartsField


class PersonForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's name"),
            Length(max=MAX_NAME, message=f"Name must be {MAX_NAME} characters or fewer"),
        ],
    )
    kind = RadioField(
        "They are",
        choices=[SelectChoice(k.value, k.label) for k in OWN_KINDS],
        widget=GovRadioInput(),
        validators=[InputRequired("Choose staff, governor or volunteer")],
        validate_choice=False,  # the command refuses anything else, in plain words
    )
    email = StringField(
        "Work email address (optional)",
        widget=GovTextInput(),
        validators=[
            Length(max=MAX_EMAIL, message=f"Email address must be {MAX_EMAIL} characters or fewer")
        ],
    )
    job_title = StringField(
        "Role (optional)",
        description="For example, Year 4 teacher or Site manager.",
        widget=GovTextInput(),
        validators=[Length(max=MAX_ROLE, message=f"Role must be {MAX_ROLE} characters or fewer")],
    )
    started_on = DatePartsField("Start date (optional)", required=False, called="The start date")
    submit = SubmitField("Save", widget=GovSubmitInput())


class LeftForm(FlaskForm):
    left_on = DatePartsField("When did they leave?", required=True, called="The leaving date")
    submit = SubmitField("Record that they left", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    file = FileField(
        "Upload the staff list",
        description="A CSV file with columns name, role, email and start date.",
        widget=GovFileInput(),
        validators=[FileRequired("Choose a CSV file")],
    )
    submit = SubmitField("Preview the changes", widget=GovSubmitInput())


class ConfirmImportForm(FlaskForm):
    csv_text = HiddenField(validators=[InputRequired("Upload the file again")])
    digest = HiddenField(validators=[InputRequired("Upload the file again")])
    submit = SubmitField("Save these changes", widget=GovSubmitInput())


class MergeForm(FlaskForm):
    duplicate = SelectField(
        "Which person is the duplicate?",
        description="They are removed. Every case that names them will name this person instead.",
        widget=GovSelect(),
        validators=[InputRequired("Choose the duplicate")],
        validate_choice=False,  # checked against the school's people, in plain words
    )
    confirmed = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())
