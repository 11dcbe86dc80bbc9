"""The letter forms: choosing the kind, writing one from a case, the editor and the
letterhead. Their limits and wording are the commands'."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SelectChoice, SubmitField

from incidents.casework.letters import commands, language
from incidents.models import LetterKind, LetterMethod
from incidents.web.fields import confirmed, date_field, radio, text_area, text_input

CHOOSE_KIND = "Choose which letter to write"
CHOOSE_METHOD = "Choose how the letter is sent"


class ChooseForm(FlaskForm):
    kind = radio("Which letter?", CHOOSE_KIND)
    submit = SubmitField("Continue", widget=GovSubmitInput())


class WriteForm(FlaskForm):
    # Asked only of a letter to one of several people the case is about (the view fills it in,
    # or takes it away); the letter then names that person alone.
    subject = radio("Which person is the letter to?", commands.CHOOSE_SUBJECT)
    recipient_name = text_input(
        "Who is the letter to?",
        limit=commands.MAX_NAME,
        called="Who the letter is to",
        empty="Enter who the letter is to",
        hint="Their name, as it should appear after 'Dear'.",
    )
    recipient_address = text_area(
        "Their address",
        limit=commands.MAX_ADDRESS,
        called="The address",
        hint="Their postal address, or email address. Leave empty if it is given by hand.",
    )
    contact_name = text_input(
        "Who should they contact with questions?",
        limit=commands.MAX_NAME,
        called="The named contact",
        empty="Enter the name of the contact for questions",
    )
    extra_paragraph = text_area(
        "An extra paragraph for this letter (optional)",
        limit=commands.MAX_EXTRA,
        called="The extra paragraph",
        hint="It is added before the closing lines.",
    )
    method = radio(
        "How is it sent?",
        CHOOSE_METHOD,
        [SelectChoice(m.value, m.label) for m in LetterMethod],
    )
    sent_on = date_field(
        "When is it sent?",
        called="The date it is sent",
        missing="Enter the date the letter is sent",
    )
    confirmed = confirmed()
    submit = SubmitField("Preview the letter", widget=GovSubmitInput())


class TemplateForm(FlaskForm):
    body = text_area(
        "The wording",
        limit=language.MAX_TEMPLATE,
        called="The wording",
        empty="Enter the wording of the letter",
        hint="Plain text. Leave a blank line between paragraphs. Use only the placeholders "
        "listed, written like {{ recipient_name }}.",
    )
    preview = SubmitField("Preview", widget=GovSubmitInput())
    submit = SubmitField("Save the wording", widget=GovSubmitInput())


class LetterheadForm(FlaskForm):
    address = text_area(
        "The school's postal address",
        limit=commands.MAX_ADDRESS,
        called="The address",
        empty="Enter the school's postal address",
        hint="Printed under the school's name at the top of every letter.",
    )
    submit = SubmitField("Save the address", widget=GovSubmitInput())


def kind_choices(offered: list[LetterKind]) -> list[SelectChoice]:
    return [SelectChoice(k.value, k.label) for k in offered]
