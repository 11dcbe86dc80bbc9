"""WTForms classes rendered with the GOV.UK macros. Forms check shape and length; the services
check meaning (dates against today, ids against the school) and their errors land on fields."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from incidents.errors import InvalidInput
from incidents.models import ADULT_KINDS, DisclosureSource
from incidents.services.passwords import MAX_PASSWORD_LENGTH


class DatePartsField(Field):
    """A GOV.UK date input (day, month, year). Partial or impossible dates get the error message
    the Design System recommends, instead of being silently dropped."""

    widget = GovDateInput()
    data: date | None

    def __init__(
        self, label: str, *, required: bool, called: str, missing: str = "", **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.required = required
        # How error messages name the date: a question label reads badly in "... must include".
        self.called = called
        self.missing = missing or f"Enter {called[0].lower()}{called[1:]}"

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        parts = [str(v).strip() for v in valuelist[:3]] + [""] * (3 - len(valuelist[:3]))
        self.raw_data = parts
        if not any(parts):
            return
        names = ("a day", "a month", "a year")
        missing = [names[i] for i, part in enumerate(parts) if not part]
        if missing:
            raise ValueError(f"{self.called} must include {' and '.join(missing)}")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(f"{self.called} must be a real date, like 27 3 2026")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{self.called} must be a real date, like 27 3 2026") from None

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise ValidationError(self.missing)


class UuidChoicesField(SelectMultipleField):
    """Checkboxes whose values are opaque ids; anything not offered is refused."""

    widget = GovCheckboxesInput()

    def ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(uuid.UUID(value) for value in (self.data or []))

    def pre_validate(self, form: Any) -> None:
        offered = {str(c.value) for c in self.choices or []}
        for value in self.data or []:
            if value not in offered:
                raise ValidationError("Choose from the list")


def apply_service_errors(form: FlaskForm, exc: InvalidInput) -> None:
    """Put a service's field errors on the form; unknown field names go on the first field."""
    for name, message in exc.errors.items():
        field = form._fields.get(name) or next(iter(form._fields.values()))
        field.errors = [*list(field.errors or []), message]


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_PASSWORD_LENGTH)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


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


class ConfirmForm(FlaskForm):
    """A bare form for one-button actions, so they still carry a CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
