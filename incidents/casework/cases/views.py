"""Case workers: record a disclosure or breach, the case list, the case page and its chronology."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.casework import page as case_step
from incidents.casework.cases import commands as case_service
from incidents.casework.cases import notes as note_service
from incidents.casework.cases import queries as case_list
from incidents.casework.cases import steps as casework
from incidents.casework.cases import with_files
from incidents.casework.cases.choices import fill_case_choices
from incidents.casework.cases.forms import CorrectionForm, NoteForm, RecordForm
from incidents.catalogue import category_label
from incidents.errors import NotFound
from incidents.extensions import db_session
from incidents.models import Case, CaseKind, CaseState
from incidents.permissions import Permission, can_add_note, can_progress
from incidents.web.access import requires, takes_files
from incidents.web.forms import ConfirmForm
from incidents.web.pipeline import form_page

bp = Blueprint("cases", __name__, url_prefix="/cases")
CHRONOLOGY = "chronology"


@bp.route("/")
@requires(Permission.CASE_LIST)
def index() -> str:
    filters = case_list.read_filters(request.args)
    result = case_list.list_cases(
        db_session(),
        actor=current_user,
        state=filters.state,
        kind=filters.kind,
        unassessed=filters.unassessed,
        surname=filters.surname,
        page=filters.page,
        per_page=int(current_app.config["PAGE_SIZE"]),
    )
    return render_template(
        "cases/index.html",
        result=result,
        errors=[{"text": msg, "href": f"#{name}"} for name, msg in filters.problems.items()],
        states=list(CaseState),
        kinds=list(CaseKind),
        selected_state=filters.state.value if filters.state else "",
        selected_kind=case_list.UNASSESSED
        if filters.unassessed
        else (filters.kind.value if filters.kind else ""),
        surname=filters.surname,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
@takes_files
def new() -> str | Response:
    form = RecordForm()
    fill_case_choices(form, current_user)
    return form_page(
        form,
        command=lambda: with_files.record(form),
        done_message=lambda case: f"Case {case.reference} recorded",
        show=lambda: render_template("cases/new.html", form=form, **with_files.page_text()),
        then=lambda case: url_for("cases.show", case_id=case.id),
    )


@bp.route("/<uuid:case_id>")
@requires(Permission.CASE_READ)
def show(case_id: uuid.UUID) -> str:
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    grant = case_step.closed_case_grant(case)  # a closed case asks for the password again
    case_service.open_case(db, actor=current_user, case=case, grant=grant)
    db.commit()  # the audit entry for opening the case
    return _case_page(case, NoteForm(formdata=None))


def _case_page(case: Case, note_form: NoteForm) -> str:
    page = case_list.case_page(db_session(), actor=current_user, case=case)
    return render_template(
        "cases/show.html",
        case=case,
        note_form=note_form,
        can_add_note=can_add_note(current_user, case),
        actions=workflow.available(case, current_user),
        blocked={
            a: workflow.blocked_reason(case, a) for a in ("investigate", "record_outcome", "close")
        },
        simple_steps=casework.SIMPLE_STEPS,
        can_progress=can_progress(current_user, case),
        confirm_form=ConfirmForm(formdata=None),
        authors=page.people,
        corrected=page.corrected,
        manager=page.manager,
        manager_basis=page.manager_basis,
        category_label=category_label,
        history=page.history,
    )


@bp.route("/<uuid:case_id>/notes", methods=["POST"])
@requires(Permission.NOTE_CREATE)
def add_note(case_id: uuid.UUID) -> tuple[str, int] | Response:
    case = case_step.load(case_id, anchor=CHRONOLOGY)
    case_step.closed_case_grant(case)
    form = NoteForm()
    answer = form_page(
        form,
        command=lambda: note_service.add_note(
            db_session(), actor=current_user, case=case, body=form.body.data or ""
        ),
        done_message="Note added to the chronology",
        show=lambda: _case_page(case, form),
    )
    # The form is on the case page: showing it again means its answers were not saved.
    return (answer, 400) if isinstance(answer, str) else answer


@bp.route("/<uuid:case_id>/notes/<uuid:note_id>/correct", methods=["GET", "POST"])
@requires(Permission.NOTE_CREATE)
def correct_note(case_id: uuid.UUID, note_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, anchor=CHRONOLOGY)
    case_step.closed_case_grant(case)
    original = next((n for n in case.notes if n.id == note_id), None)
    if original is None:
        raise NotFound("Note not found")
    form = CorrectionForm()
    if request.method == "GET":
        form.body.data = original.body.reveal()
    return form_page(
        form,
        command=lambda: note_service.add_note(
            db_session(),
            actor=current_user,
            case=case,
            body=form.body.data or "",
            corrects_id=note_id,
            reason=form.reason.data or "",
        ),
        done_message="Correction added to the chronology",
        show=lambda: render_template("cases/correct.html", case=case, original=original, form=form),
    )
