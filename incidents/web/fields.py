"""Field builders every case-work form shares, so each question is worded, limited and
validated the same way wherever it is asked (the services use the same limits and wording)."""

from __future__ import annotations

from collections.abc import Iterable

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from incidents.models import Person
from incidents.web.forms import DatePartsField

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
FOR_EXAMPLE = "For example, 27 3 2026"


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


def date_field(
    label: str, *, called: str, missing: str = "", hint: str = FOR_EXAMPLE
) -> DatePartsField:
    """A GOV.UK date (day, month, year); `missing` makes it required with that message."""
    return DatePartsField(
        label, required=bool(missing), called=called, missing=missing, description=hint
    )


def offer_people(field: RadioField, people: Iterable[Person]) -> dict[str, Person]:
    """Fill a "who is it about?" radio with `people` (by id); one possible answer is not a
    question, so it is chosen already and the page names the person instead."""
    offered = {str(p.id): p for p in people}
    field.choices = [
        SelectChoice(pid, f"{p.name.reveal()} ({p.kind.label.lower()})")
        for pid, p in offered.items()
    ]
    if len(offered) == 1:
        field.validators = [Optional()]
        field.data = field.data or next(iter(offered))
    return offered
