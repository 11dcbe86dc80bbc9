"""Admin: the school's policy-clause catalogue (add, edit, retire, restore), through the page
pipeline: every step goes back to the list."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents.admin.clauses import adoption
from incidents.admin.clauses import commands as clause_service
from incidents.admin.clauses.forms import ClauseForm, PoliciesForm
from incidents.catalogue import category_label, default_catalogue
from incidents.extensions import db_session
from incidents.models import PolicyClause
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.forms import ConfirmForm
from incidents.web.pipeline import back_to, button, form_page

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/clauses")
@requires(Permission.CLAUSE_MANAGE)
def clauses() -> str:
    items = clause_service.list_clauses(db_session(), current_user.school_id, include_retired=True)
    return render_template(
        "admin/clauses.html", clauses=items, category_label=category_label, confirm=ConfirmForm()
    )


def _clause_page(clause: PolicyClause | None, done_message: str) -> str | Response:
    """Add a clause (`clause` None) or edit one, then back to the list."""
    back_to(url_for("admin.clauses"))
    form = (
        ClauseForm(obj=clause) if clause is not None and request.method == "GET" else ClauseForm()
    )
    form.category.choices = [
        SelectChoice(code, label) for code, label in default_catalogue().categories.items()
    ]

    def command() -> PolicyClause:
        data = clause_service.ClauseInput(
            code=form.code.data or "",
            source=form.source.data or "",
            category=form.category.data or "",
            text=form.text.data or "",
        )
        if clause is None:
            return clause_service.create_clause(db_session(), actor=current_user, data=data)
        return clause_service.update_clause(
            db_session(), actor=current_user, clause_id=clause.id, data=data
        )

    return form_page(
        form,
        command=command,
        done_message=done_message,
        show=lambda: render_template("admin/clause_form.html", form=form, clause=clause),
    )


@bp.route("/clauses/new", methods=["GET", "POST"])
@requires(Permission.CLAUSE_MANAGE)
def new_clause() -> str | Response:
    return _clause_page(None, "Clause added")


@bp.route("/clauses/<uuid:clause_id>", methods=["GET", "POST"])
@requires(Permission.CLAUSE_MANAGE)
def edit_clause(clause_id: uuid.UUID) -> str | Response:
    clause = clause_service.get_clause(db_session(), actor=current_user, clause_id=clause_id)
    return _clause_page(clause, "Clause updated")


@bp.route("/clauses/<uuid:clause_id>/retire", methods=["POST"])
@requires(Permission.CLAUSE_MANAGE)
def retire_clause(clause_id: uuid.UUID) -> Response:
    return _set_retired(clause_id, retired=True)


@bp.route("/clauses/<uuid:clause_id>/restore", methods=["POST"])
@requires(Permission.CLAUSE_MANAGE)
def restore_clause(clause_id: uuid.UUID) -> Response:
    return _set_retired(clause_id, retired=False)


def _set_retired(clause_id: uuid.UUID, *, retired: bool) -> Response:
    clause = clause_service.get_clause(db_session(), actor=current_user, clause_id=clause_id)
    back_to(url_for("admin.clauses", _anchor=f"clause-{clause.id}"))
    return button(
        lambda: clause_service.set_retired(
            db_session(), actor=current_user, clause_id=clause_id, retired=retired
        ),
        f"Clause {clause.code} {'retired' if retired else 'restored'}",
    )


@bp.route("/clauses/policies", methods=["GET", "POST"])
@requires(Permission.CLAUSE_MANAGE)
def choose_policies() -> str | Response:
    """Which seed policies make the school's catalogue, with the clauses each brings."""
    back_to(url_for("admin.clauses"))
    db = db_session()
    policies = adoption.seed_policies()
    form = PoliciesForm()
    form.policies.choices = [SelectChoice(p.id, p.title) for p in policies]
    if request.method == "GET":
        form.policies.data = sorted(adoption.adopted(db, current_user.school_id))
    return form_page(
        form,
        command=lambda: adoption.adopt_policies(
            db, actor=current_user, policies=form.policies.data or []
        ),
        done_message="The school's policies are saved",
        show=lambda: render_template(
            "admin/policies.html", form=form, policies=policies, category_label=category_label
        ),
    )
