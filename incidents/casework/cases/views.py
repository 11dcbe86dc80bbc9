"""Case workers: record a disclosure or breach, the case list, the case page and its chronology."""

from __future__ import annotations

import uuid
from typing import TypeVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.casework.cases import commands as case_service
from incidents.casework.cases import history
from incidents.casework.cases import notes as note_service
from incidents.casework.cases import queries as case_list
from incidents.casework.cases import steps as casework
from incidents.casework.cases.choices import case_input, fill_case_choices
from incidents.casework.cases.forms import CorrectionForm, NoteForm, RecordForm
from incidents.catalogue import category_label
from incidents.errors import InvalidInput, NotFound
from incidents.extensions import db_session
from incidents.models import CaseKind, CaseState, User
from incidents.permissions import Permission, can_add_note, can_progress
from incidents.web.access import requires
from incidents.web.forms import ConfirmForm, apply_service_errors

bp = Blueprint("cases", __name__, url_prefix="/cases")

UNASSESSED = "unassessed"


@bp.route("/")
@requires(Permission.CASE_LIST)
def index() -> str:
    errors: list[dict[str, str]] = []
    state = _enum_arg(CaseState, "state", "Choose a state from the list", errors)
    kind_raw = request.args.get("kind", "")
    unassessed = kind_raw == UNASSESSED
    kind = (
        None if unassessed else _enum_arg(CaseKind, "kind", "Choose a kind from the list", errors)
    )
    page_raw = request.args.get("page", "1")
    page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) < 100_000 else 1
    if page_raw != str(page):
        errors.append({"text": "Page must be a whole number", "href": "#results"})
    surname = request.args.get("surname", "").strip()
    try:
        result = case_list.list_cases(
            db_session(),
            actor=current_user,
            state=state,
            kind=kind,
            unassessed=unassessed,
            surname=surname,
            page=page,
            per_page=int(current_app.config["PAGE_SIZE"]),
        )
    except InvalidInput as exc:
        errors += [{"text": msg, "href": f"#{name}"} for name, msg in exc.errors.items()]
        result = case_list.list_cases(
            db_session(), actor=current_user, page=1, per_page=int(current_app.config["PAGE_SIZE"])
        )
        surname = ""
    return render_template(
        "cases/index.html",
        result=result,
        errors=errors,
        states=list(CaseState),
        kinds=list(CaseKind),
        selected_state=state.value if state else "",
        selected_kind=UNASSESSED if unassessed else (kind.value if kind else ""),
        surname=surname,
    )


E = TypeVar("E", CaseState, CaseKind)


def _enum_arg(enum_cls: type[E], name: str, message: str, errors: list[dict[str, str]]) -> E | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        errors.append({"text": message, "href": f"#{name}"})
        return None


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new() -> str | Response:
    form = RecordForm()
    fill_case_choices(form, current_user)
    if form.validate_on_submit():
        db = db_session()
        try:
            case = case_service.record_disclosure(db, actor=current_user, data=case_input(form))
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            flash(f"Case {case.reference} recorded")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/new.html", form=form)


@bp.route("/<uuid:case_id>")
@requires(Permission.CASE_READ)
def show(case_id: uuid.UUID) -> str:
    db = db_session()
    case_service.get_case(db, actor=current_user, case_id=case_id)
    db.commit()  # the audit entry for opening the case
    return _render_case(case_id, NoteForm(formdata=None))


def _render_case(case_id: uuid.UUID, note_form: NoteForm) -> str:
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    authors = {u.id: u for u in db.query(User).filter(User.school_id == case.school_id)}
    corrected = {n.corrects_id for n in case.notes if n.corrects_id}
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
        authors=authors,
        corrected=corrected,
        manager=authors.get(case.case_manager_id) if case.case_manager_id else None,
        category_label=category_label,
        # Read from the log, not logged again: this page's CASE_VIEW already records the visit.
        history=history.case_history(db, actor=current_user, case=case),
    )


@bp.route("/<uuid:case_id>/notes", methods=["POST"])
@requires(Permission.NOTE_CREATE)
def add_note(case_id: uuid.UUID) -> tuple[str, int] | Response:
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            note_service.add_note(db, actor=current_user, case=case, body=form.body.data or "")
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            flash("Note added to the chronology")
            return redirect(url_for("cases.show", case_id=case_id, _anchor="chronology"))
    return _render_case(case_id, form), 400


@bp.route("/<uuid:case_id>/notes/<uuid:note_id>/correct", methods=["GET", "POST"])
@requires(Permission.NOTE_CREATE)
def correct_note(case_id: uuid.UUID, note_id: uuid.UUID) -> str | Response:
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    original = next((n for n in case.notes if n.id == note_id), None)
    if original is None:
        raise NotFound("Note not found")
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            note_service.add_note(
                db,
                actor=current_user,
                case=case,
                body=form.body.data or "",
                corrects_id=note_id,
                reason=form.reason.data or "",
            )
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            flash("Correction added to the chronology")
            return redirect(url_for("cases.show", case_id=case_id, _anchor="chronology"))
    elif request.method == "GET":
        form.body.data = original.body.reveal()
    return render_template("cases/correct.html", case=case, original=original, form=form)
