"""Letters from the case page (the case manager and the DSLs): choose the kind, write it (the
case's data filled in, a paragraph of your own), check the preview, record it as sent, then
download it as a tagged PDF marked OFFICIAL-SENSITIVE, drawn again each time from the sealed
letter as sent."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.validators import InputRequired, Optional

from incidents.casework import page as case_step
from incidents.casework.letters import commands as service
from incidents.casework.letters import pdf
from incidents.casework.letters import queries as letters
from incidents.casework.letters.forms import ChooseForm, WriteForm, kind_choices
from incidents.clock import local_today
from incidents.errors import Forbidden, NotFound
from incidents.extensions import db_session
from incidents.models import Case, LetterKind, LetterMethod, Person, SentLetter
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.fields import offer_people
from incidents.web.filters import long_date
from incidents.web.pipeline import Summary, form_page, refuse

bp = Blueprint(
    "letters",
    __name__,
    url_prefix="/cases/<uuid:case_id>/letters",
    template_folder="templates",
)
ANCHOR = "letters"


@bp.app_template_global()
def letters_section(case: Case) -> dict[str, object]:
    """What the case page's letters section shows (letters/_case_section.html): nothing at all
    for someone who may not write them."""
    if not letters.may_write(current_user, case):
        return {"shown": False}
    return {"shown": True, "sent": letters.sent_letters(db_session(), case)}


@bp.app_template_global()
def may_write_letters(case: Case) -> bool:
    """Whether the case page offers letters to this user (no query: read from the case)."""
    return letters.may_write(current_user, case)


def _load(case_id: uuid.UUID) -> Case:
    """The case, for someone who may write its letters (a closed case after the password)."""
    case = case_step.load(case_id, anchor=ANCHOR)
    case_step.closed_case_grant(case)
    if not letters.may_write(current_user, case):
        raise Forbidden("Only the case manager or a designated safeguarding lead can write letters")
    return case


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def choose(case_id: uuid.UUID) -> str | tuple[str, int] | Response:
    case = _load(case_id)
    offered = [k for k in LetterKind if letters.why_not(case, k) is None]
    form = ChooseForm()
    form.kind.choices = kind_choices(offered)
    if form.validate_on_submit():
        return redirect(url_for("letters.write", case_id=case.id, kind=form.kind.data))
    not_offered = [(k, letters.why_not(case, k)) for k in LetterKind if k not in offered]
    page = render_template(
        "letters/choose.html", case=case, form=form, offered=offered, not_offered=not_offered
    )
    # Shown again after a POST: nothing was chosen, which is an answer to put right.
    return (page, 400) if request.method == "POST" else page


def _kind(name: str) -> LetterKind:
    try:
        return LetterKind(name)
    except ValueError:
        abort(404)


@bp.route("/new/<kind>", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
def write(case_id: uuid.UUID, kind: str) -> str | Response:
    case = _load(case_id)
    letter_kind = _kind(kind)
    reason = letters.why_not(case, letter_kind)
    if reason is not None:
        refuse(f"{letter_kind.label}: {reason.lower()}")
    form = WriteForm()
    db = db_session()
    people = _offer_subjects(form, case, letter_kind)
    if request.method == "GET":
        only = next(iter(people.values())) if len(people) == 1 else None
        to = letters.addressee(case, letter_kind, only)
        manager = letters.case_manager(db, case)
        form.recipient_name.data = to.name
        form.recipient_address.data = to.address
        form.contact_name.data = manager.display_name if manager else current_user.display_name
        form.sent_on.data = local_today()

    def data() -> service.LetterInput:
        return service.LetterInput(
            kind=letter_kind,
            recipient_name=form.recipient_name.data or "",
            recipient_address=form.recipient_address.data or "",
            contact_name=form.contact_name.data or "",
            extra_paragraph=form.extra_paragraph.data or "",
            method=LetterMethod(form.method.data) if form.method.data else None,
            sent_on=form.sent_on.data,
            subject_id=_chosen(form, people),
        )

    def check() -> Summary:
        answers = data()
        text = service.compose(db, actor=current_user, case=case, data=answers)
        assert answers.method is not None and answers.sent_on is not None  # noqa: S101
        return Summary(
            "Check the letter before it is recorded as sent",
            [
                ("Letter", letter_kind.label),
                ("To", text.recipient_name),
                ("Sent", f"{answers.method.label}, {long_date(answers.sent_on)}"),
            ],
            warning=_others_warning(case, people, text)
            + "Once recorded, the letter is kept with the case as it is shown here, "
            "and cannot be changed. You can then download it as a PDF.",
            button="Record the letter as sent",
            context={"case": case, "preview_template": "letters/_letter.html", "letter": text},
        )

    return form_page(
        form,
        check=check,
        command=lambda: service.send_letter(db, actor=current_user, case=case, data=data()),
        done_message="Letter recorded as sent",
        show=lambda: render_template(
            "letters/write.html", case=case, form=form, kind=letter_kind, people=people
        ),
        then=lambda letter: url_for("letters.show", case_id=case.id, letter_id=letter.id),
    )


def _offer_subjects(form: WriteForm, case: Case, kind: LetterKind) -> dict[str, Person]:
    """For a letter to one of the people the case is about, offer them (one is chosen already,
    and not asked); the recipient's name may then be left empty, meaning that person's name.
    Any other letter asks no such question."""
    if kind not in letters.TO_A_SUBJECT or not case.subjects:
        del form.subject
        return {}
    people = offer_people(form.subject, letters.subjects(case))
    field = form.recipient_name
    # A new list: the field's validators are shared by every instance of the form.
    field.flags.required = False  # nor marked required on the page
    field.validators = [
        Optional(),
        *(v for v in field.validators if not isinstance(v, InputRequired)),
    ]
    field.description = (
        "Their name, as it should appear after 'Dear'. Leave empty to use the name of the "
        "person the letter is to."
    )
    return people


def _chosen(form: WriteForm, people: dict[str, Person]) -> uuid.UUID | None:
    """The chosen person's id: only ever one of those offered (the form refused any other)."""
    person = people.get(form.subject.data or "") if people else None
    return person.id if person is not None else None


def _others_warning(case: Case, people: dict[str, Person], text: letters.LetterText) -> str:
    """The case's own text (the outcome's reasons) may name another person the case is about:
    the writer cannot change it here, so the check page says so before anything is recorded."""
    subject = people.get(text.subject_id or "")
    if subject is None:
        return ""
    named = letters.others_named(case, subject, text.body)
    if not named:
        return ""
    return (
        f"This letter to {subject.name.reveal()} names {' and '.join(named)}, who this case "
        "is also about, in the text taken from the case (the outcome's reasons): a letter to "
        "one person must not name the others. "
    )


def _letter(case: Case, letter_id: uuid.UUID) -> SentLetter:
    found = letters.get_letter(db_session(), case, letter_id)
    if found is None:
        raise NotFound("Letter not found")
    return found


@bp.route("/<uuid:letter_id>")
@requires(Permission.CASE_PROGRESS)
def show(case_id: uuid.UUID, letter_id: uuid.UUID) -> str:
    case = _load(case_id)
    letter = _letter(case, letter_id)
    return render_template(
        "letters/show.html",
        case=case,
        sent=letter,
        letter=letters.LetterText.loads(letter.content.reveal()),
    )


@bp.route("/<uuid:letter_id>/letter.pdf")
@requires(Permission.CASE_PROGRESS)
def download(case_id: uuid.UUID, letter_id: uuid.UUID) -> Response:
    case = _load(case_id)
    letter = _letter(case, letter_id)
    db = db_session()
    service.record_download(db, actor=current_user, case=case, letter=letter)
    html = render_template(
        "letters/letter_pdf.html",
        case=case,
        sent=letter,
        letter=letters.LetterText.loads(letter.content.reveal()),
        marking=pdf.MARKING,
    )
    body = pdf.to_pdf(html, Path(current_app.static_folder or ""))
    db.commit()  # the download is recorded once the file is made
    response = Response(body, mimetype="application/pdf")
    filename = f"letter-{case.reference}-{letter.kind.value}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
