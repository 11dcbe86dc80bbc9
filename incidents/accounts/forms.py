"""Forms for the second factor and for re-entering a password before elevated access."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    PasswordField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from incidents.accounts.elevation import MAX_REASON
from incidents.accounts.passwords import MAX_PASSWORD_LENGTH


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        "Security code",
        description="Enter the 6-digit code from your authenticator app, "
        "or one of your recovery codes.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your security code"),
            Length(max=40, message="Enter a correct security code"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolForm(FlaskForm):
    code = StringField(
        "Enter the 6-digit code your app shows",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the 6-digit code from your authenticator app"),
            Length(max=12, message="Enter the 6-digit code from your authenticator app"),
        ],
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class ReauthenticateForm(FlaskForm):
    password = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_PASSWORD_LENGTH)],
    )
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
