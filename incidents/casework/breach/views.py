"""The breach record's pages on a data-breach case (facts, the ICO decision, people told), and
the school's breach register (UK GDPR Art 33(5)): the DPO's list of every breach, reported or
not, with no personal data in it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from incidents.casework import page as case_step
from incidents.casework.breach import commands as service
from incidents.casework.breach.forms import BreachFactsForm, IcoDecisionForm, PeopleToldForm
from incidents.extensions import db_session
from incidents.models import BreachRecord, Case, DataSubjects
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.pipeline import form_page

bp = Blueprint("breaches", __name__)
ANCHOR = "breach"


def _page(
    case: Case,
    form: FlaskForm,
    command: Callable[[], BreachRecord],
    done_message: str,
    template: str,
    title: str,
) -> str | Response:
    return form_page(
        form,
        command=command,
        done_message=done_message,
        show=lambda: render_template(template, case=case, form=form, title=title),
    )


@bp.route("/cases/<uuid:case_id>/breach/facts", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def facts(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "record_breach", anchor=ANCHOR)
    record = case.breach_record
    form = BreachFactsForm()
    if request.method == "GET" and record is not None and record.facts_recorded:
        # Facts firm up over time: the page opens with what is recorded, to bring up to date.
        for name in ("what_happened", "data_involved", "likely_effects", "remedial_action"):
            value = getattr(record, name)
            form[name].data = value.reveal() if value is not None else ""
        form.people_affected.data = record.people_affected
        form.subjects.data = [s.value for s in record.subjects]
    return _page(
        case,
        form,
        lambda: service.record_facts(
            db_session(),
            actor=current_user,
            case=case,
            data=service.BreachFacts(
                what_happened=form.what_happened.data or "",
                data_involved=form.data_involved.data or "",
                people_affected=form.people_affected.data,
                subjects=frozenset(DataSubjects(v) for v in form.subjects.data or []),
                likely_effects=form.likely_effects.data or "",
                remedial_action=form.remedial_action.data or "",
            ),
        ),
        "Breach facts saved",
        "breach/facts.html",
        "Record the facts of the data breach",
    )


@bp.route("/cases/<uuid:case_id>/breach/ico", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def ico(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "decide_ico", anchor=ANCHOR)
    form = IcoDecisionForm()
    return _page(
        case,
        form,
        lambda: service.decide_ico(
            db_session(),
            actor=current_user,
            case=case,
            report=form.report.data == "yes",
            reasons=form.reasons.data or "",
        ),
        "Decision on reporting to the ICO saved",
        "breach/ico.html",
        "Decide whether to report the breach to the ICO",
    )


@bp.route("/cases/<uuid:case_id>/breach/people-told", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def people_told(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "record_people_told", anchor=ANCHOR)
    form = PeopleToldForm()
    return _page(
        case,
        form,
        lambda: service.record_people_told(
            db_session(),
            actor=current_user,
            case=case,
            told=form.told.data == "yes",
            told_on=form.told_on.data,
            reasons=form.reasons.data or "",
        ),
        "Saved whether the people affected were told",
        "breach/people_told.html",
        "Were the people affected told?",
    )


@bp.route("/breaches")
@requires(Permission.CASE_LIST)
def register() -> str:
    rows = service.register(db_session(), actor=current_user)
    return render_template("breach/register.html", rows=rows, title="Personal data breach register")
