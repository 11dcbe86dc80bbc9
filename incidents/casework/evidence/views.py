"""Evidence pages on a case: add files, view an image's preview, download a file, replace one
with a reason, delete one before erasure (the case manager). Files are answered as downloads
with a sandboxing policy; only a preview the server drew again is ever shown inline."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

from flask import Blueprint, current_app, render_template, stream_with_context
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from incidents.casework import page as case_step
from incidents.casework.evidence import commands as service
from incidents.casework.evidence import preview as previews
from incidents.casework.evidence import queries, sniff
from incidents.casework.evidence.forms import DeleteForm, EvidenceForm, SupersedeForm
from incidents.errors import NotFound
from incidents.extensions import db_session
from incidents.models import Case, EvidenceFile, EvidenceSource
from incidents.permissions import Permission, can_progress
from incidents.web.access import requires, takes_files
from incidents.web.pipeline import form_page
from incidents.web.security import csp_nonce

bp = Blueprint("evidence", __name__)
ANCHOR = "evidence"


def file_policy() -> str:
    """A file's own answer runs nothing, loads nothing and cannot be framed: `sandbox` first
    (web/security.py keeps a policy that starts with it). The nonce changes nothing in a
    sandbox without scripts; every answer carries one (tests/web/test_headers.py)."""
    return f"sandbox; default-src 'none'; script-src 'nonce-{csp_nonce()}'; frame-ancestors 'none'"


def limits() -> service.Limits:
    return service.Limits(
        per_file=int(current_app.config["EVIDENCE_MAX_FILE_BYTES"]),
        per_case=int(current_app.config["EVIDENCE_MAX_CASE_BYTES"]),
    )


def limits_text() -> str:
    per_file = int(current_app.config["EVIDENCE_MAX_FILE_BYTES"]) // (1024 * 1024)
    per_case = int(current_app.config["EVIDENCE_MAX_CASE_BYTES"]) // (1024 * 1024)
    return f"Each file must be smaller than {per_file} MB; a case can keep {per_case} MB of files."


def uploads(form: EvidenceForm) -> list[service.Upload]:
    """The form's files as the commands take them, each with the answers given once."""
    source = EvidenceSource(form.source.data) if form.source.data else None
    return [
        service.Upload(
            name=storage.filename or "",
            stream=storage.stream,
            description=form.description.data or "",
            source=source,
            shows_date=form.shows_date.data,
        )
        for storage in form.file.chosen()
    ]


@bp.app_template_global()
def evidence_section(case: Case) -> dict[str, object]:
    """What the case page's evidence section shows (templates/evidence/_case_section.html)."""
    rows = queries.evidence_rows(db_session(), actor=current_user, case=case)
    return {
        "rows": rows,
        "can_add": can_progress(current_user, case),
        "can_delete": queries.may_delete(current_user, case),
        "limits": limits_text(),
    }


def _page(template: str, case: Case, form: object, **context: object) -> str:
    return render_template(
        template,
        case=case,
        form=form,
        limits=limits_text(),
        accepted=sniff.ACCEPTED_SUMMARY,
        **context,
    )


@bp.route("/cases/<uuid:case_id>/evidence/add", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
@takes_files
def add(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, anchor=ANCHOR)
    form = EvidenceForm()
    return form_page(
        form,
        command=lambda: service.add_evidence(
            db_session(), actor=current_user, case=case, uploads=uploads(form), limits=limits()
        ),
        done_message=lambda added: "File added" if len(added) == 1 else f"{len(added)} files added",
        show=lambda: _page("evidence/add.html", case, form, title="Add evidence"),
    )


def _file(case_id: uuid.UUID, file_id: uuid.UUID) -> tuple[Case, EvidenceFile]:
    case = case_step.load(case_id, anchor=ANCHOR)
    return case, service.get_file(db_session(), case, file_id)


@bp.route("/cases/<uuid:case_id>/evidence/<uuid:file_id>/replace", methods=["GET", "POST"])
@requires(Permission.CASE_PROGRESS)
@takes_files
def replace(case_id: uuid.UUID, file_id: uuid.UUID) -> str | Response:
    case, older = _file(case_id, file_id)
    form = SupersedeForm()
    return form_page(
        form,
        command=lambda: service.add_evidence(
            db_session(),
            actor=current_user,
            case=case,
            uploads=uploads(form),
            limits=limits(),
            supersedes=older,
            reason=form.reason.data or "",
        ),
        done_message="Replacement file added; the earlier file is kept",
        show=lambda: _page(
            "evidence/replace.html",
            case,
            form,
            title="Replace a file of evidence",
            older=older,
        ),
    )


@bp.route("/cases/<uuid:case_id>/evidence/<uuid:file_id>/delete", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def delete(case_id: uuid.UUID, file_id: uuid.UUID) -> str | Response:
    case, item = _file(case_id, file_id)
    form = DeleteForm()
    return form_page(
        form,
        command=lambda: service.delete_evidence(
            db_session(),
            actor=current_user,
            case=case,
            evidence=item,
            reason=form.reason.data or "",
        ),
        done_message="File deleted; a line with its hash stays on the case",
        show=lambda: _page("evidence/delete.html", case, form, title="Delete a file", item=item),
    )


@bp.route("/cases/<uuid:case_id>/evidence/<uuid:file_id>")
@requires(Permission.CASE_READ)
def show(case_id: uuid.UUID, file_id: uuid.UUID) -> str:
    """The preview page: the file's details, and for an image the server's redrawn copy."""
    case, item = _file(case_id, file_id)
    case_step.closed_case_grant(case)
    rows = queries.evidence_rows(db_session(), actor=current_user, case=case, only=item.id)
    row = rows[0] if rows and not rows[0].file.is_deleted else None
    if row is None:
        raise NotFound("File not found")
    return render_template("evidence/show.html", case=case, row=row)


@bp.route("/cases/<uuid:case_id>/evidence/<uuid:file_id>/preview.png")
@requires(Permission.CASE_READ)
def image(case_id: uuid.UUID, file_id: uuid.UUID) -> Response:
    case, item = _file(case_id, file_id)
    case_step.closed_case_grant(case)
    if not item.media_type.startswith("image/"):
        raise NotFound("File not found")
    db = db_session()
    chunks = service.open_file(db, actor=current_user, case=case, evidence=item, preview=True)
    drawn = previews.render(chunks)
    db.commit()  # the entry for viewing it
    response = Response(drawn, mimetype="image/png")
    response.headers["Content-Security-Policy"] = file_policy()
    response.headers["Content-Disposition"] = "inline"
    return response


def _disposition(name: str) -> str:
    # RFC 6266: an ASCII fallback, and the real name encoded (RFC 5987) for browsers.
    fallback = "".join(c for c in name if c.isascii() and c.isprintable() and c not in '"\\%')
    return f"attachment; filename=\"{fallback or 'evidence'}\"; filename*=UTF-8''{quote(name)}"


def _released(db: Session, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Each chunk read in its own short transaction, ended before the client is sent it: a
    slow download must not hold a database transaction (on SQLite, the write lock) open."""
    for block in chunks:
        db.commit()
        yield block
    db.commit()


@bp.route("/cases/<uuid:case_id>/evidence/<uuid:file_id>/download")
@requires(Permission.CASE_READ)
def download(case_id: uuid.UUID, file_id: uuid.UUID) -> Response:
    case, item = _file(case_id, file_id)
    case_step.closed_case_grant(case)
    db = db_session()
    chunks: Iterator[bytes] = service.open_file(
        db, actor=current_user, case=case, evidence=item, preview=False
    )
    name = item.name.reveal() if item.name is not None else "evidence"
    db.commit()  # the entry for downloading it, before a byte leaves
    response = Response(stream_with_context(_released(db, chunks)), mimetype=item.media_type)
    response.headers["Content-Length"] = str(item.size)
    response.headers["Content-Disposition"] = _disposition(name)
    response.headers["Content-Security-Policy"] = file_policy()
    return response
