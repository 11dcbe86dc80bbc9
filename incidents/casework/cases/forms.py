"""Forms for recording a case and its chronology."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from incidents.models import ADULT_KINDS, DisclosureSource
from incidents.web.forms import DatePartsField, UuidChoicesField


def _adult_kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, kind.label) for kind in ADULT_KINDS]


class CaseForm(FlaskForm):
    """The fields a staff report and a recorded disclosure share."""

    subjects = UuidChoicesField(
        "Who is it about?",
        description="Select everyone it is about. If someone is not listed, add them below.",
        choices=[],
        validators=[Optional()],
    )
    new_subject_name = StringField(
        "Name of someone not listed (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=120, message="Name must be 120 characters or fewer")],
    )
    new_subject_kind = RadioField(
        "Their role (if you entered a name)",
        widget=GovRadioInput(),
        choices=_adult_kind_choices(),
        validators=[Optional()],
        validate_choice=True,
        invalid_choice_message="Choose the role of the person you named",
    )
    narrative = TextAreaField(
        "What happened?",
        description="Write down what you saw, heard or were told, in the words used. "
        "Do not investigate or question anyone.",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Enter what happened"),
            Length(max=10_000, message="What happened must be 10,000 characters or fewer"),
        ],
    )
    occurred_on = DatePartsField(
        "When did it happen? (optional)",
        required=False,
        called="The date it happened",
        description="For example, 27 3 2026. Leave blank if you do not know.",
    )
    became_aware_on = DatePartsField(
        "When did you become aware of it?",
        required=True,
        called="The date you became aware",
        missing="Enter the date you became aware",
        description="For example, 27 3 2026",
    )
    clauses = UuidChoicesField(
        "Which parts of the policy does it concern? (optional)",
        choices=[],
        validators=[Optional()],
    )
    submit = SubmitField("Send", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        # Rules across fields live here: Optional() ends an empty field's own validators, so a
        # `validate_<field>` method would never see the empty field it is about.
        valid: bool = super().validate(extra_validators)
        named = bool((self.new_subject_name.data or "").strip())
        if named and not self.new_subject_kind.data and not self.new_subject_kind.errors:
            self.new_subject_kind.errors.append("Choose the role of the person you named")
            valid = False
        if not named and not self.subjects.data and not self.subjects.errors:
            self.subjects.errors.append("Choose who it is about, or enter their name")
            valid = False
        return valid


class RecordForm(CaseForm):
    source = RadioField(
        "Who told you?",
        widget=GovRadioInput(),
        choices=[SelectChoice(s.value, s.label) for s in DisclosureSource],
        validators=[InputRequired("Choose who told you")],
        invalid_choice_message="Choose who told you",
    )
    reporter = StringField(
        "Their name and how to contact them (optional)",
        description="A member of staff's identity will be kept sealed. Leave blank if anonymous.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(
                max=200, message="Their name and contact details must be 200 characters or fewer"
            ),
        ],
    )
    child_words = TextAreaField(
        "If a child told you: the child's own words",
        description="Write exactly what the child said, word for word, including any spelling "
        "or slang. Do not ask them questions.",
        widget=GovCharacterCount(),
        validators=[
            Optional(strip_whitespace=False),
            Length(max=10_000, message="The child's own words must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Record", widget=GovSubmitInput())


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Add to the chronology",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Enter the note"),
            Length(max=10_000, message="The note must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add note", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    body = TextAreaField(
        "Corrected entry",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Enter the corrected entry"),
            Length(max=10_000, message="The corrected entry must be 10,000 characters or fewer"),
        ],
    )
    reason = TextAreaField(
        "Why is it being corrected?",
        widget=GovCharacterCount(),
        validators=[
            DataRequired("Enter why the entry is being corrected"),
            Length(max=1_000, message="The reason must be 1,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Save correction", widget=GovSubmitInput())
