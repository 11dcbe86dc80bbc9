"""Filling the case forms' lists from the school's people and clauses, and reading them back."""

from __future__ import annotations

import uuid

from wtforms import SelectChoice

from incidents.admin.clauses import commands as clause_service
from incidents.casework.cases import people as people_service
from incidents.casework.cases.commands import CaseInput, NewSubject
from incidents.casework.cases.forms import CaseForm, RecordForm
from incidents.catalogue import category_label, default_catalogue
from incidents.extensions import db_session
from incidents.models import ADULT_KINDS, DisclosureSource, Person, PersonKind, User
from incidents.web.filters import long_date

NOT_LISTED = "none"


def _label(person: Person) -> str:
    return f"{person.name.reveal()} ({person.kind.label.lower()})"


def _record_people(form: RecordForm, user: User) -> list[Person]:
    """Who the record form offers (issue 21): not every adult the school knows, each one
    decrypted, but those already ticked and those the surname search found, so the page reads
    the same few rows however many people there are. The search is POSTed with the form."""
    db = db_session()
    offered = {
        p.id: p for p in people_service.chosen(db, user.school_id, form.subjects.raw_data or [])
    }
    typed = (form.subject_search.data or "").strip()
    if typed and form.find.data:
        for p in people_service.matches(db, user.school_id, typed, kinds=ADULT_KINDS):
            offered.setdefault(p.id, p)
    return sorted(offered.values(), key=lambda p: p.name.reveal().casefold())


def fill_case_choices(form: CaseForm, user: User, *, report: bool = False) -> None:
    """`report`: a member of staff's report, which lists only the school's own staff,
    governors and volunteers (issue 13, item 11); a case worker's record offers the adults
    it has ticked or searched for."""
    db = db_session()
    if isinstance(form, RecordForm):
        people = _record_people(form, user)
    else:
        people = people_service.list_school_people(db, user.school_id)
    form.subjects.choices = [SelectChoice(str(p.id), _label(p)) for p in people]
    # A typed-in name that may be someone listed: the reporter says whether it is (item 3).
    typed = (form.new_subject_name.data or "").strip()
    candidates = people_service.matches(db, user.school_id, typed) if typed else []
    form.new_subject_match.choices = (
        [SelectChoice(str(p.id), f"Yes: {_label(p)}") for p in candidates]
        + [SelectChoice(NOT_LISTED, "No, it is someone else")]
        if candidates
        else []
    )
    # The clauses in force: those of the policies the school adopted (admin.choose_policies)
    # and its own; grouped by category, in the catalogue's order, for the picker.
    clauses = clause_service.list_clauses(db, user.school_id)
    form.clauses.choices = [SelectChoice(str(c.id), f"{c.text} ({c.source})") for c in clauses]
    order = {code: n for n, code in enumerate(default_catalogue().categories)}
    by_category: dict[str, list[tuple[str, str, str]]] = {}
    for c in sorted(clauses, key=lambda c: (order.get(c.category, len(order)), c.code)):
        by_category.setdefault(c.category, []).append((str(c.id), c.text, c.source))
    form.clause_groups = tuple(
        (category_label(code), tuple(items)) for code, items in by_category.items()
    )


def case_input(form: CaseForm) -> CaseInput:
    """The service input for a validated report or record form."""
    name = (form.new_subject_name.data or "").strip()
    new_subject = (
        NewSubject(name=name, kind=PersonKind(form.new_subject_kind.data)) if name else None
    )
    source: DisclosureSource | None = None
    reporter = ""
    child_words = ""
    circumstances: dict[str, str] = {}
    if isinstance(form, RecordForm):
        source = DisclosureSource(form.source.data)
        reporter = form.reporter.data or ""
        child_words = form.child_words.data or ""
        circumstances = {
            "disclosed_time": form.disclosed_time.data or "",
            "place": form.place.data or "",
            "present": form.present.data or "",
            "received_by": form.received_by.data or "",
        }
    match = form.new_subject_match.data or ""
    same_as = None
    if match and match != NOT_LISTED:
        same_as = uuid.UUID(match)  # the field offered only these ids and "none"
    return CaseInput(
        same_as=same_as,
        not_listed=match == NOT_LISTED,
        narrative=form.narrative.data or "",
        became_aware_on=form.became_aware_on.data,
        occurred_on=form.occurred_on.data,
        subject_ids=form.subjects.ids(),
        new_subject=new_subject,
        clause_ids=form.clauses.ids(),
        source=source,
        reporter=reporter,
        child_words=child_words,
        **circumstances,
    )


def _chosen(field: object) -> list[str]:
    """The labels of the choices the user picked in a multi-choice field."""
    picked = {str(v) for v in (getattr(field, "data", None) or [])}
    return [str(c.label) for c in getattr(field, "choices", []) if str(c.value) in picked]


def record_answers(form: RecordForm) -> list[tuple[str, str]]:
    """Check your answers before a disclosure is recorded: what will be kept, as typed."""
    about = _chosen(form.subjects)
    name = (form.new_subject_name.data or "").strip()
    if name:
        kind = PersonKind(form.new_subject_kind.data).label.lower()
        about.append(f"{name} ({kind})")
    source = DisclosureSource(form.source.data)
    rows = [
        ("Who told you", source.label),
        ("Their name and how to contact them", (form.reporter.data or "").strip() or "Not given"),
    ]
    if source is DisclosureSource.CHILD:
        rows.append(("The child's own words", form.child_words.data or ""))
    aware = form.became_aware_on.data
    rows += [
        ("Who it is about", "; ".join(about)),
        ("What happened", form.narrative.data or ""),
        (
            "When it happened",
            long_date(form.occurred_on.data) if form.occurred_on.data else "Not known",
        ),
        ("When you became aware of it", long_date(aware) if aware else ""),
        ("What time you were told", (form.disclosed_time.data or "").strip() or "Not given"),
        ("Where you were told", (form.place.data or "").strip() or "Not given"),
        ("Who else was there", (form.present.data or "").strip() or "Not given"),
        (
            "Who it was made to",
            (form.received_by.data or "").strip() or "You, the person recording it",
        ),
        ("Policy clauses", "; ".join(_chosen(form.clauses)) or "None"),
    ]
    return rows
