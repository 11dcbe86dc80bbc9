"""Forms for signing in, the second factor and re-entering a password before elevated access.
Their limits are the commands' (`users`, `passwords`, `two_factor`, `elevation`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from incidents.accounts.elevation import MAX_REASON
from incidents.accounts.passwords import MAX_PASSWORD_LENGTH
from incidents.accounts.two_factor import CODE_ERROR, ENROL_CODE_ERROR, MAX_CODE, MAX_ENROL_CODE
from incidents.accounts.users import MAX_EMAIL


def _line(
    label: str, *, limit: int, empty: str, too_long: str | None = None, hint: str = ""
) -> StringField:
    """A required one-line box. A security code too long is just a wrong code, in the same
    words (`too_long`)."""
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        validators=[InputRequired(empty), Length(max=limit, message=too_long)],
    )


def _password(label: str) -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_PASSWORD_LENGTH)],
    )


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = _line(
        "Security code",
        limit=MAX_CODE,
        too_long=CODE_ERROR,
        empty="Enter your security code",
        hint="Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolForm(FlaskForm):
    code = _line(
        "Enter the 6-digit code your app shows",
        limit=MAX_ENROL_CODE,
        too_long=ENROL_CODE_ERROR,
        empty=ENROL_CODE_ERROR,
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class ReauthenticateForm(FlaskForm):
    password = _password("Your password")
    reason = TextAreaField(
        "Why do you need access?",
        description="This is kept, with your name and the time, in the record of who saw what.",
        widget=GovCharacterCount(),
        validators=[
            InputRequired("Enter why you need access"),
            Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SignInForm(FlaskForm):
    email = _line("Email address", limit=MAX_EMAIL, empty="Enter your email address")
    password = _password("Password")
    submit = SubmitField("Sign in", widget=GovSubmitInput())
