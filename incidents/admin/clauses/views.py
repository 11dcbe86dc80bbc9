"""Admin: the school's policy-clause catalogue (add, edit, retire, restore)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents.admin.clauses import commands as clause_service
from incidents.admin.clauses.forms import ClauseForm
from incidents.catalogue import category_label, default_catalogue
from incidents.errors import InvalidInput
from incidents.extensions import db_session
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.forms import ConfirmForm, apply_service_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _clause_form(**kwargs: object) -> ClauseForm:
    form = ClauseForm(**kwargs)
    form.category.choices = [
        SelectChoice(code, label) for code, label in default_catalogue().categories.items()
    ]
    return form


def _input(form: ClauseForm) -> clause_service.ClauseInput:
    return clause_service.ClauseInput(
        code=form.code.data or "",
        source=form.source.data or "",
        category=form.category.data or "",
        text=form.text.data or "",
    )


@bp.route("/clauses")
@requires(Permission.CLAUSE_MANAGE)
def clauses() -> str:
    items = clause_service.list_clauses(db_session(), current_user.school_id, include_retired=True)
    return render_template(
        "admin/clauses.html", clauses=items, category_label=category_label, confirm=ConfirmForm()
    )


@bp.route("/clauses/new", methods=["GET", "POST"])
@requires(Permission.CLAUSE_MANAGE)
def new_clause() -> str | Response:
    form = _clause_form()
    if form.validate_on_submit():
        db = db_session()
        try:
            clause_service.create_clause(db, actor=current_user, data=_input(form))
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            flash("Clause added")
            return redirect(url_for("admin.clauses"))
    return render_template("admin/clause_form.html", form=form, clause=None)


@bp.route("/clauses/<uuid:clause_id>", methods=["GET", "POST"])
@requires(Permission.CLAUSE_MANAGE)
def edit_clause(clause_id: uuid.UUID) -> str | Response:
    db = db_session()
    clause = clause_service.get_clause(db, actor=current_user, clause_id=clause_id)
    form = _clause_form(obj=clause) if request.method == "GET" else _clause_form()
    if form.validate_on_submit():
        try:
            clause_service.update_clause(
                db, actor=current_user, clause_id=clause_id, data=_input(form)
            )
        except InvalidInput as exc:
            db.rollback()
            apply_service_errors(form, exc)
        else:
            db.commit()
            flash("Clause updated")
            return redirect(url_for("admin.clauses"))
    return render_template("admin/clause_form.html", form=form, clause=clause)


@bp.route("/clauses/<uuid:clause_id>/retire", methods=["POST"])
@requires(Permission.CLAUSE_MANAGE)
def retire_clause(clause_id: uuid.UUID) -> Response:
    return _set_retired(clause_id, retired=True)


@bp.route("/clauses/<uuid:clause_id>/restore", methods=["POST"])
@requires(Permission.CLAUSE_MANAGE)
def restore_clause(clause_id: uuid.UUID) -> Response:
    return _set_retired(clause_id, retired=False)


def _set_retired(clause_id: uuid.UUID, *, retired: bool) -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("Your request could not be completed. Try again.")
        return redirect(url_for("admin.clauses"))
    db = db_session()
    clause = clause_service.set_retired(
        db, actor=current_user, clause_id=clause_id, retired=retired
    )
    db.commit()
    flash(f"Clause {clause.code} {'retired' if retired else 'restored'}")
    return redirect(url_for("admin.clauses", _anchor=f"clause-{clause.id}"))
