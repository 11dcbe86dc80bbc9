"""The subject access register pages: the list, logging a request, one request, and its steps
(extend, reply, close). Thin: load, validate, one service call, commit, redirect."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.extensions import db_session
from incidents.models import Exemption, Requester, RequestState, SubjectAccessRequest
from incidents.permissions import Permission
from incidents.registers.subject_access import commands as subject_access
from incidents.registers.subject_access.forms import (
    CloseForm,
    ExtendForm,
    NewRequestForm,
    RespondForm,
)
from incidents.web.access import requires
from incidents.web.forms import apply_service_errors

bp = Blueprint("sar", __name__, url_prefix="/subject-access-requests")


@bp.route("/")
@requires(Permission.SAR_MANAGE)
def index() -> str:
    requests = subject_access.register(db_session(), actor=current_user)
    return render_template("subject_access/index.html", requests=requests, today=local_today())


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def new() -> str | Response:
    form = NewRequestForm()
    if form.validate_on_submit():
        db = db_session()
        data = subject_access.NewRequest(
            requester=form.requester.data or "",
            requester_kind=Requester(form.requester_kind.data),
            received_on=form.received_on.data,
        )
        try:
            request = subject_access.log_request(db, actor=current_user, data=data)
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            flash(f"Request {request.reference} logged")
            return redirect(url_for("sar.show", request_id=request.id))
    return render_template("subject_access/new.html", form=form)


@bp.route("/<uuid:request_id>")
@requires(Permission.SAR_MANAGE)
def show(request_id: uuid.UUID) -> str:
    db = db_session()
    request = subject_access.get_request(db, actor=current_user, request_id=request_id)
    db.commit()  # the audit entry for opening it
    return render_template("subject_access/show.html", request=request, today=local_today())


def _step(
    request_id: uuid.UUID,
    form: FlaskForm,
    title: str,
    apply: Callable[[SubjectAccessRequest], object],
    done: str,
) -> str | Response:
    """One step on an open request: the form, the service call, and back to the request."""
    db = db_session()
    request = subject_access.get_request(
        db, actor=current_user, request_id=request_id, audited=False
    )
    if not request.is_open:
        flash(f"This request is {request.state.label.lower()}: it cannot be changed")
        return redirect(url_for("sar.show", request_id=request_id))
    if form.validate_on_submit():
        try:
            apply(request)
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            flash(done)
            return redirect(url_for("sar.show", request_id=request_id))
    return render_template("subject_access/step.html", request=request, form=form, title=title)


@bp.route("/<uuid:request_id>/extend", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def extend(request_id: uuid.UUID) -> str | Response:
    form = ExtendForm()
    return _step(
        request_id,
        form,
        "Extend the deadline",
        lambda r: subject_access.extend(
            db_session(), actor=current_user, request=r, reason=form.reason.data or ""
        ),
        "Deadline extended by two months",
    )


@bp.route("/<uuid:request_id>/reply", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def respond(request_id: uuid.UUID) -> str | Response:
    form = RespondForm()
    return _step(
        request_id,
        form,
        "Record the reply",
        lambda r: subject_access.respond(
            db_session(),
            actor=current_user,
            request=r,
            responded_on=form.responded_on.data,
            exemptions=[Exemption(v) for v in form.exemptions.data or []],
            note=form.note.data or "",
        ),
        "Reply recorded",
    )


@bp.route("/<uuid:request_id>/close", methods=["GET", "POST"])
@requires(Permission.SAR_MANAGE)
def close(request_id: uuid.UUID) -> str | Response:
    form = CloseForm()
    return _step(
        request_id,
        form,
        "Close without a reply",
        lambda r: subject_access.close(
            db_session(),
            actor=current_user,
            request=r,
            state=RequestState(form.state.data),
            reason=form.reason.data or "",
        ),
        "Request closed",
    )
