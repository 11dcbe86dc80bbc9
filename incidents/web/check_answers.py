"""Check-your-answers before an irreversible step (GOV.UK pattern): the summary page re-posts
what was entered as hidden fields, with "confirmed"; "Change your answers" re-posts it without,
back to the filled-in form. Every page with an irreversible step uses it through
`pipeline.Summary`."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import FileField

# Never carried between the two pages: the token is the page's own, the buttons are not data.
_NOT_CARRIED = frozenset({"csrf_token", "submit", "confirmed"})


def hidden_fields(form: FlaskForm) -> list[tuple[str, str]]:
    """(name, value) for every value the user sent, as it was sent (a date's three parts)."""
    carried = []
    for name, field in form._fields.items():
        if name in _NOT_CARRIED or isinstance(field, FileField):
            # A file cannot travel in a hidden field (its str() would put its name in the page):
            # a page whose command takes files asks for them on the summary page itself.
            continue
        carried += [(name, str(value)) for value in (field.raw_data or [])]
    return carried


def confirmed(form: FlaskForm) -> bool:
    """The user pressed the final button on the summary page."""
    field = form._fields.get("confirmed")
    return field is not None and field.data == "yes" and not changing()


def changing() -> bool:
    return request.method == "POST" and request.form.get("change") == "yes"
