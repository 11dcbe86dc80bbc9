"""The admin's account forms. Shape and length here; meaning (a unique email, the last
headteacher, the re-authentication) in the commands."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from incidents.accounts.elevation import MAX_REASON
from incidents.accounts.passwords import MAX_PASSWORD_LENGTH
from incidents.accounts.users import MAX_EMAIL, MAX_NAME
from incidents.models import Role

ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]
CASE_ACCESS_HINT = (
    "Only if you give a role that opens cases (headteacher, chair of governors, safeguarding "
    "lead, deputy or trust officer): the school's headteacher and safeguarding lead are told."
)


class RolesField(SelectMultipleField):
    """Role checkboxes: anything not offered is refused in plain words (never echoed)."""

    def pre_validate(self, form: object) -> None:
        offered = {choice.value for choice in ROLE_CHOICES}
        if any(value not in offered for value in self.data or []):
            raise ValidationError("Choose roles from the list")


def _roles() -> RolesField:
    return RolesField(
        "Roles",
        choices=ROLE_CHOICES,
        widget=GovCheckboxesInput(),
        validators=[InputRequired("Choose at least one role")],
    )


class _ReauthenticateFields(FlaskForm):
    password = PasswordField(
        "Your password",
        description=CASE_ACCESS_HINT,
        widget=GovPasswordInput(),
        validators=[Optional(), Length(max=MAX_PASSWORD_LENGTH)],
    )
    reason = TextAreaField(
        "Why does this person need access to cases?",
        widget=GovCharacterCount(),
        validators=[
            Optional(),
            Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer"),
        ],
    )


class InviteForm(_ReauthenticateFields):
    display_name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's name"),
            Length(max=MAX_NAME, message=f"Name must be {MAX_NAME} characters or fewer"),
        ],
    )
    email = StringField(
        "Email address",
        description="Their school email address. The invitation is sent here.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter an email address"),
            Length(max=MAX_EMAIL, message=f"Email address must be {MAX_EMAIL} characters or fewer"),
        ],
    )
    roles = _roles()
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class RolesForm(_ReauthenticateFields):
    roles = _roles()
    submit = SubmitField("Save roles", widget=GovSubmitInput())
