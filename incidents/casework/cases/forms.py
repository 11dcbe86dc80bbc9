"""Forms for recording a case and its chronology. They check shape and length with the
commands' limits and wording; the commands check meaning, and their errors land on the same
fields."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import Optional

from incidents.casework.cases import commands as cases
from incidents.casework.cases import managers, notes, people
from incidents.casework.evidence.forms import description_field, files_field
from incidents.models import ADULT_KINDS, DisclosureSource
from incidents.web.fields import confirmed, radio, text_area, text_input
from incidents.web.forms import DatePartsField, UuidChoicesField

# The clause picker's groups (issue 17, item 3): (category label, [(clause id, text, source)]),
# filled with the choices by choices.fill_case_choices.
ClauseGroups = tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]


class CaseForm(FlaskForm):
    """The fields a staff report and a recorded disclosure share."""

    clause_groups: ClauseGroups = ()

    subjects = UuidChoicesField(
        "Who is it about?",
        description="Select everyone it is about. If someone is not listed, add them below.",
        choices=[],
        validators=[Optional()],
    )
    new_subject_name = text_input(
        "Name of someone not listed (optional)", limit=people.MAX_NAME, called="Name"
    )
    new_subject_kind = RadioField(
        "Their role (if you entered a name)",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in ADULT_KINDS],
        validators=[Optional()],
        validate_choice=True,
        invalid_choice_message="Choose the role of the person you named",
    )
    # Offered only when a typed-in name may be someone listed (choices.fill_case_choices).
    new_subject_match = RadioField(
        "Is this the same person?",
        widget=GovRadioInput(),
        choices=[],
        validators=[Optional()],
        validate_choice=True,
        invalid_choice_message="Choose from the list whether it is the same person",
    )
    narrative = text_area(
        "What happened?",
        limit=cases.MAX_NARRATIVE,
        called=cases.NARRATIVE,
        empty="Enter what happened",
        hint="Write down what you saw, heard or were told, in the words used. "
        "Do not investigate or question anyone.",
    )
    occurred_on = DatePartsField(
        "When did it happen? (optional)",
        required=False,
        called="The date it happened",
        description="For example, 27 3 2026. Leave blank if you do not know.",
    )
    became_aware_on = DatePartsField(
        "When did you become aware of it?",
        required=True,
        called="The date you became aware",
        missing="Enter the date you became aware",
        description="For example, 27 3 2026",
    )
    clauses = UuidChoicesField(
        "Which parts of the policy does it concern? (optional)",
        choices=[],
        validators=[Optional()],
    )
    # Evidence sent with the report or disclosure (issue 14; checked by the evidence commands).
    evidence_files = files_field()
    evidence_description = description_field()
    submit = SubmitField("Send", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        # Rules across fields live here: Optional() ends an empty field's own validators, so a
        # `validate_<field>` method would never see the empty field it is about.
        valid: bool = super().validate(extra_validators)
        named = bool((self.new_subject_name.data or "").strip())
        if named and not self.new_subject_kind.data and not self.new_subject_kind.errors:
            self.new_subject_kind.errors.append("Choose the role of the person you named")
            valid = False
        if not named and not self.subjects.data and not self.subjects.errors:
            self.subjects.errors.append("Choose who it is about, or enter their name")
            valid = False
        return valid


class RecordForm(CaseForm):
    # Checked before it is saved: a recorded disclosure can never be edited (issue 17, item 3).
    confirmed = confirmed()
    # Who it is about is found by surname (issue 21): POSTed with the form, so no name is in a
    # URL, and only the people found are read. "Search" shows the form again, answers kept.
    subject_search = text_input(
        "Search for someone the school already knows, by surname",
        limit=people.MAX_NAME,
        called="The surname",
    )
    find = SubmitField("Search", widget=GovSubmitInput())
    source = radio(
        "Who told you?",
        "Choose who told you",
        [SelectChoice(s.value, s.label) for s in DisclosureSource],
    )
    reporter = text_input(
        "Their name and how to contact them (optional)",
        limit=cases.MAX_REPORTER,
        called=cases.REPORTER,
        hint="A member of staff's identity will be kept sealed. Leave blank if anonymous.",
    )
    child_words = text_area(
        "If a child told you: the child's own words",
        limit=cases.MAX_NARRATIVE,
        called=cases.CHILD_WORDS,
        hint="Write exactly what the child said, word for word, including any spelling "
        "or slang. Do not ask them questions.",
    )
    # The circumstances of the disclosure (issue 17, item 3): KCSIE expects a record of when
    # and where it was made and who was there. The time is read (and refused) by the command.
    disclosed_time = StringField(
        "What time were you told? (optional)",
        description="On the day you became aware. For example, 14:30 or 2:30pm",
        widget=GovTextInput(),
        validators=[Optional()],
    )
    place = text_input(
        "Where were you told? (optional)",
        limit=cases.MAX_PLACE,
        called=cases.PLACE,
        hint="For example, the Year 4 classroom, or by phone",
    )
    present = text_area(
        "Who else was there? (optional)",
        limit=cases.MAX_PRESENT,
        called=cases.PRESENT,
        hint="Their names and roles. Leave blank if nobody else was there.",
    )
    received_by = text_input(
        "Who was the disclosure made to? (optional)",
        limit=cases.MAX_RECEIVED_BY,
        called=cases.RECEIVED_BY,
        hint="Their name and role, if it was not made to you",
    )
    submit = SubmitField("Record", widget=GovSubmitInput())


class NoteForm(FlaskForm):
    body = text_area(
        "Add to the chronology",
        limit=notes.MAX_NOTE,
        called="The note",
        empty="Enter the note",
    )
    submit = SubmitField("Add note", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    body = text_area(
        "Corrected entry",
        limit=notes.MAX_NOTE,
        called="The corrected entry",
        empty="Enter the corrected entry",
    )
    reason = text_area(
        "Why is it being corrected?",
        limit=notes.MAX_REASON,
        called="The reason",
        empty="Enter why the entry is being corrected",
    )
    submit = SubmitField("Save correction", widget=GovSubmitInput())


class CaseManagerForm(FlaskForm):
    manager = radio("Who should manage the case?", "Choose the new case manager from the list")
    reason = text_area(
        "Why is the case manager changing?",
        limit=managers.MAX_REASON,
        called="The reason",
        empty="Enter why the case manager is changing",
    )
    submit = SubmitField("Change the case manager", widget=GovSubmitInput())
