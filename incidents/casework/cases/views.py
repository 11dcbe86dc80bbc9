"""Case workers: record a disclosure or breach, the case list, the case page and its chronology."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents import workflow
from incidents.accounts.elevation_views import grant_until, require_elevation
from incidents.casework import page as case_step
from incidents.casework.cases import bundle, casefile, search, with_files
from incidents.casework.cases import commands as case_service
from incidents.casework.cases import notes as note_service
from incidents.casework.cases import queries as case_list
from incidents.casework.cases import steps as casework
from incidents.casework.cases.choices import case_input, fill_case_choices, record_answers
from incidents.casework.cases.forms import CorrectionForm, NoteForm, RecordForm
from incidents.casework.cases.timeline import Show, timeline
from incidents.catalogue import category_label
from incidents.clock import local_today
from incidents.errors import NotFound
from incidents.extensions import db_session
from incidents.models import Case, CaseKind, CaseState, ElevationPurpose
from incidents.models.base import utcnow
from incidents.models.case_parts import skip_empty_collections, with_presence
from incidents.permissions import Permission, can_add_note, can_progress, is_case_manager
from incidents.validation import plain_name
from incidents.web.access import requires, takes_files
from incidents.web.filters import london_datetime
from incidents.web.forms import ConfirmForm
from incidents.web.pipeline import Summary, form_page

bp = Blueprint("cases", __name__, url_prefix="/cases")
CHRONOLOGY = "chronology"


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.CASE_LIST)
def index() -> str | tuple[str, int] | Response:
    """The case list. A surname search is POSTed and comes back as an encrypted, short-lived
    token in the links (`search.py`): no name is ever in a URL."""
    secret = str(current_app.config["SECRET_KEY"])
    if request.method == "POST":
        typed = plain_name(request.form.get("surname", ""))
        kept = {k: request.form.get(k, "") for k in ("state", "kind") if request.form.get(k)}
        problem = case_list.surname_problem(typed) if typed else None
        if problem is None:
            values: dict[str, Any] = {**kept}
            if typed:
                values["search"] = search.seal(secret, current_user.id, typed)
            return redirect(url_for("cases.index", **values))
        filters = case_list.read_filters(kept, surname=typed)
        return _case_list(filters, token=None), 400
    token = request.args.get("search", "")
    surname = search.open_token(secret, current_user.id, token) if token else ""
    filters = case_list.read_filters(request.args, surname=surname or "")
    if surname is None:
        filters.problems["surname"] = search.EXPIRED
    return _case_list(filters, token=token if surname else None)


def _case_list(filters: case_list.Filters, token: str | None) -> str:
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
        search_token=token,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
@takes_files
def new() -> str | Response:
    form = RecordForm()
    fill_case_choices(form, current_user)

    def show() -> str:
        return render_template("cases/new.html", form=form, **with_files.page_text())

    if request.method == "GET":
        form.became_aware_on.data = local_today()  # most often told today: change it if not
    elif form.find.data:
        # The surname search: the form again with who it found, nothing checked or saved yet.
        form.subject_search.validate(form)
        return show()
    return form_page(
        form,
        command=lambda: with_files.record(form),
        done_message=lambda case: f"Case {case.reference} recorded",
        show=show,
        check=lambda: _check_record(form),
        then=lambda case: url_for("cases.show", case_id=case.id),
    )


def _check_record(form: RecordForm) -> Summary:
    """The check-your-answers page, once the service would accept the answers: its refusals
    land on the form first, so the page never promises what cannot be saved."""
    case_service.check_disclosure(db_session(), actor=current_user, data=case_input(form))
    return Summary(
        title="Check your answers before recording the disclosure",
        rows=record_answers(form),
        warning="Once recorded, the disclosure cannot be changed: a mistake is put right "
        "by a correction in the chronology.",
        button="Record the disclosure",
        # Files are chosen here, on the last page: a file cannot be carried between pages.
        context={"case": None, "attach_files": True, **with_files.page_text()},
    )


@bp.route("/<uuid:case_id>")
@requires(Permission.CASE_READ)
def show(case_id: uuid.UUID) -> str:
    db = db_session()
    case = case_service.get_case(
        db,
        actor=current_user,
        case_id=case_id,
        audited=False,
        # With which of its parts hold rows: the page asks only for those (issue 21).
        loading=(*case_list.CASE_PAGE_LOADING, with_presence(current_user.id)),
    )
    skip_empty_collections(case)
    grant = case_step.closed_case_grant(case)  # a closed case asks for the password again
    case_service.open_case(db, actor=current_user, case=case, grant=grant)
    db.commit()  # the audit entry for opening the case
    return _case_page(case, NoteForm(formdata=None))


def _case_page(case: Case, note_form: NoteForm) -> str:
    page = case_list.case_page(db_session(), actor=current_user, case=case)
    show = Show.read(request.args.get("show"))
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
        summary=page.summary,
        show=show,
        timeline=timeline(case.notes, page.history, show),
        printing=False,
        read_only=case.state is CaseState.CLOSED,
        case_file_until=grant_until(ElevationPurpose.EXPORT, case.id),
        is_manager=is_case_manager(current_user, case),
    )


@bp.route("/<uuid:case_id>/case-file.pdf")
@requires(Permission.CASE_READ)
def case_file(case_id: uuid.UUID) -> Response:
    """The case file as a PDF, after the password again and a reason; each print is recorded.
    The password form comes back to the case page, which then offers the file for a few
    minutes (a download would leave the user looking at the password form)."""
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    back = url_for("cases.show", case_id=case.id, _anchor="case-file")
    grant = require_elevation(ElevationPurpose.EXPORT, case.id, back=back)
    if isinstance(grant, Response):
        return grant
    page = case_list.case_page(db, actor=current_user, case=case)
    # A sealed reporter is printed only by the case manager who has just revealed them.
    revealed = (
        case.reporter_identity
        if case.reporter_is_sealed
        and any(a.action == "reveal_reporter" for a in workflow.available(case, current_user))
        and grant_until(ElevationPurpose.REVEAL_REPORTER, case.id) is not None
        else None
    )
    casefile.record_print(
        db, actor=current_user, case=case, grant=grant, revealed=revealed is not None
    )
    html = render_template(
        "cases/case_file.html",
        case=case,
        summary=page.summary,
        authors=page.people,
        corrected=page.corrected,
        manager=page.manager,
        history=page.history,
        show=Show.ALL,
        timeline=timeline(case.notes, page.history, Show.ALL),
        printing=True,
        can_add_note=False,
        actions=[],
        marking=casefile.MARKING,
        printed_by=current_user.display_name,
        printed_at=london_datetime(utcnow()),
        revealed_reporter=revealed,
    )
    body = casefile.to_pdf(html, Path(current_app.static_folder or ""))
    db.commit()  # the print is recorded once the file is made
    response = Response(body, mimetype="application/pdf")
    filename = f"case-file-{case.reference}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


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


@bp.route("/<uuid:case_id>/disciplinary/<uuid:process_id>/hearing-bundle.zip")
@requires(Permission.CASE_DECIDE)
def hearing_bundle(case_id: uuid.UUID, process_id: uuid.UUID) -> Response:
    """The case manager's download of `incidents audit prove --disciplinary`: the proofs and
    a readable PDF, after the password again and a reason; the export is an audit entry."""
    db = db_session()
    case = case_service.get_case(db, actor=current_user, case_id=case_id, audited=False)
    back = url_for("cases.show", case_id=case.id, _anchor="disciplinary")
    grant = require_elevation(ElevationPurpose.EXPORT, case.id, back=back)
    if isinstance(grant, Response):
        return grant
    data, entries = bundle.hearing_bundle(
        db,
        actor=current_user,
        case=case,
        process_id=process_id,
        grant=grant,
        folder=current_app.extensions["incidents.settings"].checkpoint_dir
        or Path(current_app.instance_path) / "checkpoints",
    )
    html = render_template(
        "cases/hearing_bundle.html",
        case=case,
        process_id=process_id,
        entries=entries,
        marking=casefile.MARKING,
        printed_by=current_user.display_name,
        printed_at=london_datetime(utcnow()),
    )
    pdf = casefile.to_pdf(html, Path(current_app.static_folder or ""))
    db.commit()  # the export's entry, and its checkpoint
    response = Response(bundle.to_zip(case, process_id, data, pdf), mimetype="application/zip")
    filename = f"hearing-bundle-{case.reference}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
