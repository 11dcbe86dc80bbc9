"""Field builders every case-work form shares, so each question is worded, limited and
validated the same way wherever it is asked (the services use the same limits and wording)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def text_area(
    label: str, *, limit: int, called: str, empty: str = "", hint: str = ""
) -> TextAreaField:
    """A free-text box; `empty` makes it required with that message."""
    presence = DataRequired(empty) if empty else Optional()
    return TextAreaField(
        label,
        description=hint,
        widget=GovCharacterCount(),
        validators=[
            presence,
            Length(max=limit, message=f"{called} must be {limit:,} characters or fewer"),
        ],
    )


def text_input(
    label: str, *, limit: int, called: str, empty: str = "", hint: str = ""
) -> StringField:
    """A one-line box (a name, a reference, a code). With `empty`, it must be answered: spaces
    alone pass here, and the command strips them and says what is wrong in the same words.
    Without, it is optional and checked for length only."""
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        validators=[
            InputRequired(empty) if empty else Optional(),
            Length(max=limit, message=f"{called} must be {limit:,} characters or fewer"),
        ],
    )


def radio(label: str, message: str, choices: list[SelectChoice] | None = None) -> RadioField:
    """A required choice; anything not offered gets the same message as no answer."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=choices or [],
        validators=[InputRequired(message)],
        invalid_choice_message=message,
    )


def confirmed() -> StringField:
    """Set by a check-your-answers page: the user has seen the summary and means to go ahead."""
    return StringField(validators=[Optional()])
