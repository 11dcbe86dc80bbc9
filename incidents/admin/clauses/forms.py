"""The policy-clause form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length


class ClauseForm(FlaskForm):
    code = StringField(
        "Code",
        description="Up to 20 capital letters, digits and hyphens, for example LOCAL-12",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a code"),
            Length(max=20, message="Code must be 20 characters or fewer"),
        ],
    )
    source = StringField(
        "Where it comes from",
        description="The policy and section, for example Staff code of conduct 4.2",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter where the clause comes from"),
            Length(max=120, message="Source must be 120 characters or fewer"),
        ],
    )
    category = RadioField(
        "Category",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired("Choose a category")],
        invalid_choice_message="Choose a category",
    )
    text = TextAreaField(
        "Clause",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Enter the clause"),
            Length(max=1000, message="Clause must be 1,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save clause", widget=GovSubmitInput())
