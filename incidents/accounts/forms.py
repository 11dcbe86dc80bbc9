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
from wtforms.validators import InputRequired, Length, Optional

from incidents.accounts.elevation import MAX_REASON
from incidents.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from incidents.accounts.two_factor import CODE_ERROR, ENROL_CODE_ERROR, MAX_CODE, MAX_ENROL_CODE
from incidents.accounts.users import MAX_EMAIL


def show_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Put a command's field errors (from a `try_` command, which changed nothing) on the form;
    a name the form does not have goes on its first field."""
    for name, message in errors.items():
        field = form._fields.get(name) or next(iter(form._fields.values()))
        field.errors = [*list(field.errors or []), message]


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


def _new_password(label: str, hint: str = "") -> PasswordField:
    return PasswordField(
        label,
        description=hint,
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter a new password"),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer",
            ),
        ],
    )


NEW_PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters. Three or four random words are easy to "
    "remember and hard to guess."
)


def _confirm() -> PasswordField:
    return PasswordField(
        "Enter the new password again",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            Length(max=MAX_PASSWORD_LENGTH, message="The passwords do not match"),
        ],
    )


class AcceptInvitationForm(FlaskForm):
    password = _new_password("Choose a password", NEW_PASSWORD_HINT)
    confirm = _confirm()
    # Required by the command only where the role needs a second factor.
    code = StringField(
        "Enter the 6-digit code your app shows",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=MAX_ENROL_CODE, message=ENROL_CODE_ERROR)],
    )
    submit = SubmitField("Set password and sign in", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = _line("Email address", limit=MAX_EMAIL, empty="Enter your email address")
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = _new_password("New password", NEW_PASSWORD_HINT)
    confirm = _confirm()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Your current password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter your current password"),
            Length(max=MAX_PASSWORD_LENGTH, message="Enter your correct current password"),
        ],
    )
    password = _new_password("New password", NEW_PASSWORD_HINT)
    confirm = _confirm()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class PasswordCheckForm(FlaskForm):
    """Re-enter the password before a step that shows secrets (new recovery codes)."""

    password = _password("Your password")
    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())
