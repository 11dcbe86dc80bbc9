"""A new case with the files sent on its form (issue 14): the staff report and the recorded
disclosure open the case, then hand the files to the evidence package, in one transaction."""

from __future__ import annotations

from flask_login import current_user

from incidents.casework.cases.choices import case_input
from incidents.casework.cases.commands import record_disclosure, report_concern
from incidents.casework.cases.forms import CaseForm, RecordForm
from incidents.casework.evidence import attach
from incidents.extensions import db_session
from incidents.models import Case

page_text = attach.page_text


def report(form: CaseForm) -> Case:
    case = report_concern(db_session(), actor=current_user, data=case_input(form))
    # A refused file sends no report: the pipeline rolls the whole step back.
    attach.attach(
        case, form.evidence_files.chosen(), form.evidence_description.data or "", report=True
    )
    return case


def record(form: RecordForm) -> Case:
    case = record_disclosure(db_session(), actor=current_user, data=case_input(form))
    attach.attach(
        case, form.evidence_files.chosen(), form.evidence_description.data or "", report=False
    )
    return case
