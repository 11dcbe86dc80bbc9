"""Forms for evidence: add files (with what they show and where they came from), replace one
with a reason, delete one with a reason. The file checks themselves are the commands': a form
only carries the files through."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from werkzeug.datastructures import FileStorage
from wtforms import MultipleFileField, SelectChoice, SubmitField, TextAreaField

from incidents.casework.evidence import commands as evidence
from incidents.models import EvidenceSource
from incidents.web.fields import date_field, radio, text_area

SOURCES = [SelectChoice(s.value, s.label) for s in EvidenceSource]


class FilesField(MultipleFileField):
    widget = GovFileInput(multiple=True)

    def chosen(self) -> list[FileStorage]:
        """The files actually chosen: a browser sends an empty part when none is."""
        # A text value posted under the file's name is not a file: it is dropped, and the
        # command then says to select a file.
        return [f for f in self.data or [] if isinstance(f, FileStorage) and f.filename]


class EvidenceForm(FlaskForm):
    file = FilesField("Upload a file")
    description = text_area(
        "What does it show?",
        limit=evidence.MAX_DESCRIPTION,
        called="Description",
        hint="For example, a screenshot of the post on 3 March, as the parent showed it.",
    )
    source = radio("Where did it come from?", "Select where the file came from", SOURCES)
    shows_date = date_field("What date does it show? (optional)", called="The date it shows")
    submit = SubmitField("Add evidence", widget=GovSubmitInput())


class SupersedeForm(EvidenceForm):
    reason = text_area(
        "Why does this file replace the earlier one?",
        limit=evidence.MAX_REASON,
        called="Reason",
        empty="Enter why this file replaces the earlier one",
    )
    submit = SubmitField("Add the replacement", widget=GovSubmitInput())


class DeleteForm(FlaskForm):
    reason = text_area(
        "Why is the file being deleted?",
        limit=evidence.MAX_REASON,
        called="Reason",
        empty="Enter why the file is being deleted",
    )
    submit = SubmitField("Delete the file", widget=GovSubmitInput(), render_kw={})


# The staff report and the disclosure form take files too (`attach`): these are their fields.
def files_field() -> FilesField:
    return FilesField(
        "Attach files (optional)",
        description="For example, a screenshot of the post or message. You can choose more "
        "than one file.",
    )


def description_field() -> TextAreaField:
    return text_area(
        "What do the files show? (optional)",
        limit=evidence.MAX_DESCRIPTION,
        called="Description",
    )
