"""Forms for the allegation steps. They check shape and length; the commands check meaning and
their errors land on the fields, in the same wording."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectChoice, SelectField, SubmitField
from wtforms.validators import Optional

from incidents.casework.allegation import informing, meetings, organisations, restrictions
from incidents.models import ClockKind, EngagedBy, InformKind, MeetingKind, RestrictionEnd
from incidents.web.fields import YES_NO, date_field, radio, text_area, text_input


class RestrictionEndForm(FlaskForm):
    reason = radio(
        "Why did the reporting restriction end?",
        "Choose why the reporting restriction ended",
        [SelectChoice(r.value, r.label) for r in RestrictionEnd],
    )
    ended_on = date_field(
        "When did it end?", called="The date it ended", missing="Enter the date it ended"
    )
    note = text_area(
        "Details",
        limit=restrictions.MAX_NOTE,
        called="The details",
        empty="Enter the details: the charge and date, the court's order, or the teacher's "
        "written waiver",
    )
    submit = SubmitField("Record that it ended", widget=GovSubmitInput())


def _owner() -> SelectField:
    return SelectField(
        "Owner", widget=GovSelect(), choices=[], validate_choice=False, validators=[Optional()]
    )


class MeetingForm(FlaskForm):
    kind = radio(
        "What kind of meeting was it?",
        "Choose what kind of meeting it was",
        [SelectChoice(k.value, k.label) for k in MeetingKind],
    )
    held_on = date_field(
        "When was it held?",
        called="The date of the meeting",
        missing="Enter the date of the meeting",
    )
    attendees = text_area(
        "Who attended, and for which organisation?",
        limit=meetings.MAX_TEXT,
        called="Who attended",
        empty="Enter who attended, and which organisation each represented",
        hint="For example: the headteacher (school), the LADO, DC Smith (police), a social "
        "worker (children's social care).",
    )
    decisions = text_area(
        "What was decided?",
        limit=meetings.MAX_TEXT,
        called="The decisions",
        empty="Enter what was decided",
    )
    who_tells = text_area(
        "Who tells whom what?",
        limit=meetings.MAX_TEXT,
        called="Who tells whom what",
        empty="Enter who will tell whom what (the person, the parents, the employer), or "
        "that nobody is to be told yet",
    )
    action_1 = text_input("Action 1", limit=meetings.MAX_ACTION, called="The action")
    owner_1 = _owner()
    due_1 = date_field("Action 1 is due", called="The date the action is due")
    action_2 = text_input("Action 2", limit=meetings.MAX_ACTION, called="The action")
    owner_2 = _owner()
    due_2 = date_field("Action 2 is due", called="The date the action is due")
    action_3 = text_input("Action 3", limit=meetings.MAX_ACTION, called="The action")
    owner_3 = _owner()
    due_3 = date_field("Action 3 is due", called="The date the action is due")
    submit = SubmitField("Record the meeting", widget=GovSubmitInput())


class InformForm(FlaskForm):
    # Choices: set by the view (telling the person is the case manager's decision).
    kind = radio("Who was told?", "Choose who was told")
    told_on = date_field(
        "When were they told?",
        called="The date they were told",
        missing="Enter the date they were told",
    )
    told_by = text_input(
        "Who told them?",
        limit=informing.MAX_NAME,
        called="Who told them",
        empty="Enter who told them",
    )
    what_said = text_area(
        "What were they told?",
        limit=informing.MAX_TEXT,
        called="What they were told",
        empty="Enter what they were told",
    )
    agreed_with_lado = radio(
        "Was what they were told, and when, agreed with the LADO first?",
        "Choose yes if it was agreed with the LADO",
        YES_NO,
    )
    agreed_with_police = radio(
        "Was it agreed with the police (and children's social care) first?",
        "Choose yes if it was agreed with the police",
        [*YES_NO, SelectChoice("na", "The police are not involved")],
    )
    contact = text_input(
        "The person's named contact at the school",
        limit=informing.MAX_NAME,
        called="The named contact",
        hint="Only when telling the person the allegation is about.",
    )
    support = text_area(
        "Support offered to the person",
        limit=informing.MAX_TEXT,
        called="The support offered",
        hint="Only when telling the person the allegation is about: for example, occupational "
        "health, the employee assistance programme, their union.",
    )
    submit = SubmitField("Record it", widget=GovSubmitInput())


INFORM_CHOICES = {k: SelectChoice(k.value, k.label) for k in InformKind}


class ClockForm(FlaskForm):
    kind = radio(
        "Which timescale starts?",
        "Choose which timescale starts",
        [SelectChoice(k.value, k.label) for k in ClockKind],
    )
    started_on = date_field(
        "It runs from",
        called="The date the timescale starts from",
        missing="Enter the date the timescale starts from",
        hint="The date of the allegation, of receiving the investigation report, or of the "
        "decision that a hearing is needed. For example, 27 3 2026",
    )
    submit = SubmitField("Start the timescale", widget=GovSubmitInput())


class OrganisationForm(FlaskForm):
    kind = radio(
        "Who employs or engages the person?",
        "Choose who employs or engages the person",
        [SelectChoice(k.value, k.label) for k in EngagedBy],
    )
    name = text_input(
        "Name of the agency or organisation",
        limit=organisations.MAX_NAME,
        called="The organisation's name",
        empty="Enter the name of the agency or organisation",
    )
    contact = text_area(
        "Who to contact there, and how",
        limit=organisations.MAX_CONTACT,
        called="The contact",
        empty="Enter who to contact there, and how",
    )
    submit = SubmitField("Record the organisation", widget=GovSubmitInput())


class StoppedForm(FlaskForm):
    stopped_on = date_field(
        "When did they stop using the person?",
        called="The date",
        missing="Enter the date they stopped",
    )
    submit = SubmitField("Record it", widget=GovSubmitInput())
