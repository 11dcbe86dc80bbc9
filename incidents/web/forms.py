"""WTForms classes rendered with the GOV.UK macros. Forms check shape and length; the services
check meaning (dates against today, ids against the school) and their errors land on fields."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovSubmitInput,
)
from wtforms import (
    Field,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import ValidationError

from incidents.errors import InvalidInput


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


class ConfirmForm(FlaskForm):
    """A bare form for one-button actions, so they still carry a CSRF token."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
