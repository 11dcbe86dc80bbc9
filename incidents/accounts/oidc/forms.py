"""The admin's identity-provider form. Shape and length here; meaning (an https issuer that
publishes its settings, real domain names, an administrator who can sign in before passwords
go off) in `settings.save`."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from incidents.accounts.elevation import MAX_REASON
from incidents.accounts.oidc.settings import MAX_SECRET
from incidents.accounts.passwords import MAX_PASSWORD_LENGTH
from incidents.models.sign_in import MAX_CLIENT_ID, MAX_DOMAINS, MAX_PROVIDER_NAME, MAX_URL


def _text(label: str, limit: int, empty: str, hint: str = "") -> StringField:
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        validators=[InputRequired(empty), Length(max=limit, message=f"{label} is too long")],
    )


class SignInSettingsForm(FlaskForm):
    provider_name = _text(
        "Name on the sign-in button",
        MAX_PROVIDER_NAME,
        "Enter the provider's name, like Microsoft or Google",
        hint="People see “Sign in with” and this name. For example, Microsoft or Google.",
    )
    issuer = _text(
        "Issuer",
        MAX_URL,
        "Enter the issuer address your provider gives you",
        hint="Microsoft: https://login.microsoftonline.com/your-tenant-id/v2.0. "
        "Google: https://accounts.google.com",
    )
    client_id = _text(
        "Client ID",
        MAX_CLIENT_ID,
        "Enter the client ID (Microsoft calls it the application ID)",
        hint="Microsoft calls this the application (client) ID.",
    )
    client_secret = PasswordField(
        "Client secret",
        widget=GovPasswordInput(),
        validators=[Optional(), Length(max=MAX_SECRET, message="The client secret is too long")],
    )
    allowed_domains = TextAreaField(
        "Email domains allowed",
        description="One on each line, like oakprimary.sch.uk. Only accounts with these email "
        "domains can sign in.",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter at least one email domain your staff sign in with"),
            Length(max=MAX_DOMAINS, message="The email domains are too long"),
        ],
    )
    trust_provider_mfa = BooleanField(
        "Trust the provider's multi-factor sign-in",
        description="People who used multi-factor sign-in at the provider are not asked for "
        "this service's security code.",
        widget=GovCheckboxInput(),
    )
    passwords_off = BooleanField(
        "Switch off signing in with a password",
        description="Everyone must sign in with the provider. An administrator must have "
        "signed in with it first.",
        widget=GovCheckboxInput(),
    )
    password = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_PASSWORD_LENGTH)],
    )
    reason = TextAreaField(
        "Why are you changing how the school signs in?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired("Enter why you are making this change"),
            Length(max=MAX_REASON, message=f"The reason must be {MAX_REASON} characters or fewer"),
        ],
    )
    submit = SubmitField("Save sign-in settings", widget=GovSubmitInput())
