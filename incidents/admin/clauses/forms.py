"""The policy-clause form, and the choice of seed policies. Its limits are the commands'
(`admin/clauses/commands.py`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from incidents.admin.clauses.commands import MAX_CODE, MAX_SOURCE, MAX_TEXT
from incidents.web.fields import radio, text_area, text_input


class ClauseForm(FlaskForm):
    code = text_input(
        "Code",
        limit=MAX_CODE,
        called="Code",
        empty="Enter a code",
        hint=f"Up to {MAX_CODE} capital letters, digits and hyphens, for example LOCAL-12",
    )
    source = text_input(
        "Where it comes from",
        limit=MAX_SOURCE,
        called="Source",
        empty="Enter where the clause comes from",
        hint="The policy and section, for example Staff code of conduct 4.2",
    )
    # The choices are the catalogue's categories, set by the view.
    category = radio("Category", "Choose a category")
    text = text_area("Clause", limit=MAX_TEXT, called="Clause", empty="Enter the clause")
    submit = SubmitField("Save clause", widget=GovSubmitInput())


class PoliciesForm(FlaskForm):
    """Which seed policies make the school's catalogue; none is a valid answer."""

    policies = SelectMultipleField(
        "Which policies does the school adopt?",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Save the school's policies", widget=GovSubmitInput())
