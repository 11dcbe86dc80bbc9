"""Filling the case forms' lists from the school's people and clauses, and reading them back."""

from __future__ import annotations

from wtforms import SelectChoice

from incidents.admin.clauses import commands as clause_service
from incidents.casework.cases import people as people_service
from incidents.casework.cases.commands import CaseInput, NewSubject
from incidents.casework.cases.forms import CaseForm, RecordForm
from incidents.catalogue import category_label
from incidents.extensions import db_session
from incidents.models import DisclosureSource, PersonKind, User


def fill_case_choices(form: CaseForm, user: User) -> None:
    db = db_session()
    form.subjects.choices = [
        SelectChoice(str(p.id), f"{p.name.reveal()} ({p.kind.label.lower()})")
        for p in people_service.list_adults(db, user.school_id)
    ]
    form.clauses.choices = [
        SelectChoice(str(c.id), f"{c.text} ({c.source}; {category_label(c.category).lower()})")
        for c in clause_service.list_clauses(db, user.school_id)
    ]


def case_input(form: CaseForm) -> CaseInput:
    """The service input for a validated report or record form."""
    name = (form.new_subject_name.data or "").strip()
    new_subject = (
        NewSubject(name=name, kind=PersonKind(form.new_subject_kind.data)) if name else None
    )
    source: DisclosureSource | None = None
    reporter = ""
    child_words = ""
    if isinstance(form, RecordForm):
        source = DisclosureSource(form.source.data)
        reporter = form.reporter.data or ""
        child_words = form.child_words.data or ""
    return CaseInput(
        narrative=form.narrative.data or "",
        became_aware_on=form.became_aware_on.data,
        occurred_on=form.occurred_on.data,
        subject_ids=form.subjects.ids(),
        new_subject=new_subject,
        clause_ids=form.clauses.ids(),
        source=source,
        reporter=reporter,
        child_words=child_words,
    )
