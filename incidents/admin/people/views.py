"""Admin: the people pages. The staff import is two steps: upload and see what would change,
then confirm; the confirmation carries the same file back, and is refused if what it would do
is no longer what was shown."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents.admin.people import commands, merge, staff_csv
from incidents.admin.people.forms import (
    ConfirmImportForm,
    ImportForm,
    LeftForm,
    MergeForm,
    PersonForm,
)
from incidents.errors import Refused
from incidents.extensions import db_session, limiter
from incidents.models import Person
from incidents.permissions import Permission
from incidents.web.access import requires, takes_files
from incidents.web.pipeline import back_to, done, form_page

bp = Blueprint("people", __name__, url_prefix="/admin/people")


def _person(person_id: uuid.UUID) -> Person:
    back_to(url_for("people.index"))
    return commands.person_in_school(db_session(), current_user, person_id)


def _details(form: PersonForm) -> commands.Details:
    return commands.Details(
        name=form.name.data or "",
        kind=form.kind.data or "",
        email=form.email.data or "",
        job_title=form.job_title.data or "",
        started_on=form.started_on.data,
    )


@bp.route("")
@requires(Permission.PEOPLE_MANAGE)
def index() -> str:
    return render_template(
        "admin/people/index.html", people=commands.list_people(db_session(), current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.PEOPLE_MANAGE)
def new() -> str | Response:
    back_to(url_for("people.index"))
    form = PersonForm()
    return form_page(
        form,
        command=lambda: commands.add_person(
            db_session(), actor=current_user, details=_details(form)
        ),
        done_message="Person added",
        show=lambda: render_template("admin/people/form.html", form=form, person=None),
    )


@bp.route("/<uuid:person_id>/edit", methods=["GET", "POST"])
@requires(Permission.PEOPLE_MANAGE)
def edit(person_id: uuid.UUID) -> str | Response:
    person = _person(person_id)
    form = PersonForm()
    if request.method == "GET":
        form.name.data = person.name.reveal()
        form.kind.data = person.kind.value
        form.email.data = person.email.reveal() if person.email else ""
        form.job_title.data = person.job_title.reveal() if person.job_title else ""
        form.started_on.data = person.started_on
    return form_page(
        form,
        command=lambda: commands.edit_person(
            db_session(), actor=current_user, person=person, details=_details(form)
        ),
        done_message="Details saved",
        show=lambda: render_template("admin/people/form.html", form=form, person=person),
    )


@bp.route("/<uuid:person_id>/left", methods=["GET", "POST"])
@requires(Permission.PEOPLE_MANAGE)
def left(person_id: uuid.UUID) -> str | Response:
    person = _person(person_id)
    form = LeftForm()
    return form_page(
        form,
        command=lambda: commands.mark_left(
            db_session(),
            actor=current_user,
            person=person,
            left_on=form.left_on.data,  # type: ignore[arg-type]  # required by the form
        ),
        done_message="Recorded that they left. Their name stays on every case",
        show=lambda: render_template("admin/people/left.html", form=form, person=person),
    )


@bp.route("/import", methods=["GET", "POST"])
@requires(Permission.PEOPLE_MANAGE)
@takes_files
@limiter.limit("20 per hour", methods=["POST"])
def upload() -> str:
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            parsed = staff_csv.parse(data)
        except staff_csv.FileProblem as exc:
            form.file.errors = [str(exc)]
        else:
            return _preview_page(data.decode("utf-8-sig"), parsed)
    return render_template("admin/people/import.html", form=form)


def _preview_page(text: str, parsed: staff_csv.Parsed, changed_since: bool = False) -> str:
    preview = commands.preview_import(db_session(), actor=current_user, parsed=parsed)
    confirm = ConfirmImportForm(formdata=None, csv_text=text, digest=preview.digest())
    return render_template(
        "admin/people/preview.html",
        preview=preview,
        form=confirm,
        changed_since=commands.CHANGED_SINCE if changed_since else None,
    )


@bp.route("/import/confirm", methods=["POST"])
@requires(Permission.PEOPLE_MANAGE)
@limiter.limit("20 per hour", methods=["POST"])
def confirm() -> str | Response:
    back_to(url_for("people.upload"))
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        raise Refused("Upload the file again")
    try:
        parsed = staff_csv.parse((form.csv_text.data or "").encode())
    except staff_csv.FileProblem as exc:
        raise Refused(str(exc)) from None
    db = db_session()
    saved = commands.try_confirm_import(
        db, actor=current_user, parsed=parsed, digest=form.digest.data or ""
    )
    if saved is None:
        # Changed meanwhile (nothing saved): the new preview, with the reason above it.
        return _preview_page(form.csv_text.data or "", parsed, changed_since=True)
    db.commit()
    back_to(url_for("people.index"))
    return done(f"Staff list imported: {len(saved.added)} added, {len(saved.changed)} changed")


@bp.route("/<uuid:person_id>/merge", methods=["GET", "POST"])
@requires(Permission.PEOPLE_MANAGE)
def merge_duplicate(person_id: uuid.UUID) -> str | Response:
    """Choose the duplicate, then confirm on a summary (GOV.UK check answers): nothing is
    merged until the second page's button."""
    keep = _person(person_id)
    db = db_session()
    others = [p for p in commands.list_people(db, current_user) if p.id != keep.id]
    form = MergeForm()
    form.duplicate.choices = [SelectChoice("", "Choose a person")] + [
        SelectChoice(str(p.id), f"{p.name.reveal()} ({p.kind.label})") for p in others
    ]

    def show() -> str:
        return render_template("admin/people/merge.html", form=form, keep=keep, duplicate=None)

    if not form.validate_on_submit():
        return show()
    duplicate = next((p for p in others if str(p.id) == form.duplicate.data), None)
    if duplicate is None:
        form.duplicate.errors = ["Choose the duplicate"]
        return show()
    if form.confirmed.data != "yes":
        return render_template("admin/people/merge.html", form=form, keep=keep, duplicate=duplicate)
    return form_page(
        form,
        command=lambda: merge.merge(db, actor=current_user, keep=keep, duplicate=duplicate),
        done_message="Merged. Every case that named the duplicate now names this person",
        show=show,
    )
