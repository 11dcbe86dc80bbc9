"""The school's letters, for the administrator: each kind's wording (shipped default until
saved), with its placeholders listed, a preview against sample data before saving, and the
letterhead address. No case is reachable from here (the preview never reads one)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.casework.letters import commands as service
from incidents.casework.letters import language
from incidents.casework.letters import queries as letters
from incidents.casework.letters.forms import LetterheadForm, TemplateForm
from incidents.extensions import db_session
from incidents.models import LetterKind
from incidents.web.access import requires
from incidents.web.pipeline import back_to, form_page

bp = Blueprint(
    "letter_templates", __name__, url_prefix="/admin/letters", template_folder="templates"
)


@bp.route("")
@requires(service.EDIT_PERMISSION)
def index() -> str:
    db = db_session()
    return render_template(
        "letters/admin_index.html",
        kinds=list(LetterKind),
        customised=letters.customised(db, current_user.school_id),
        head=letters.letterhead(db, current_user.school_id),
    )


def _kind(name: str) -> LetterKind:
    try:
        return LetterKind(name)
    except ValueError:
        abort(404)


def _sample(kind: LetterKind, body: str) -> letters.LetterText:
    head = letters.letterhead(db_session(), current_user.school_id)
    values = {
        **letters.SAMPLE,
        "school_name": head.school_name,
        "school_address": head.school_address,
        "letter_date": "4 March 2026",
    }
    return letters.LetterText(
        school_name=head.school_name,
        school_address=head.school_address,
        recipient_name=letters.SAMPLE["recipient_name"],
        recipient_address=letters.SAMPLE["recipient_address"],
        date=values["letter_date"],
        reference=letters.SAMPLE["reference"],
        body=language.render(kind, body, values),
    )


@bp.route("/<kind>", methods=["GET", "POST"])
@requires(service.EDIT_PERMISSION)
def edit(kind: str) -> str | tuple[str, int] | Response:
    letter_kind = _kind(kind)
    back_to(url_for("letter_templates.index"))
    db = db_session()
    form = TemplateForm()
    if request.method == "GET":
        form.body.data = letters.wording(db, current_user.school_id, letter_kind)

    def show(preview: letters.LetterText | None = None) -> str:
        return render_template(
            "letters/admin_edit.html",
            form=form,
            kind=letter_kind,
            placeholders=[(n, language.PLACEHOLDERS[n]) for n in language.allowed(letter_kind)],
            preview=preview,
        )

    if form.preview.data and form.validate_on_submit():
        # Preview: checked like a save (the same message, naming the placeholder), not saved.
        body = (form.body.data or "").replace("\r\n", "\n")
        problem = language.problem(letter_kind, body)
        if problem is not None:
            form.body.errors = [problem]
            return show(), 400
        return show(_sample(letter_kind, body))
    return form_page(
        form,
        command=lambda: service.save_template(
            db, actor=current_user, kind=letter_kind, body=form.body.data or ""
        ),
        done_message=f"The wording of the {letter_kind.label.lower()} is saved",
        show=show,
    )


@bp.route("/letterhead", methods=["GET", "POST"])
@requires(service.EDIT_PERMISSION)
def letterhead() -> str | Response:
    back_to(url_for("letter_templates.index"))
    db = db_session()
    form = LetterheadForm()
    if request.method == "GET":
        form.address.data = letters.letterhead(db, current_user.school_id).school_address
    return form_page(
        form,
        command=lambda: service.save_letterhead(
            db, actor=current_user, address=form.address.data or ""
        ),
        done_message="The address on the school's letters is saved",
        show=lambda: render_template("letters/admin_letterhead.html", form=form),
    )
