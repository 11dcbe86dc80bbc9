"""The end of a case on the web: record the outcome, then close the case through its checklist
and a check-your-answers page, because closing cannot be undone."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from incidents import closure, workflow
from incidents.casework import page as case_step
from incidents.casework.outcome import commands as outcome_service
from incidents.casework.outcome.forms import CloseCaseForm, OutcomeForm
from incidents.extensions import db_session
from incidents.models import Case, CaseKind, CaseOutcome, EmploymentOutcome
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.filters import long_date
from incidents.web.pipeline import Summary, form_page

bp = Blueprint("outcomes", __name__, url_prefix="/cases/<uuid:case_id>")


@bp.route("/outcome", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def record(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id, "record_outcome")
    choices = outcome_service.outcomes_for(case.kind)
    form = OutcomeForm()
    form.outcome.choices = [SelectChoice(o.value, o.label) for o in choices]
    if not case.lado_required:
        del form.lado_officer
        del form.lado_agreed_on
    return form_page(
        form,
        command=lambda: outcome_service.record_outcome(
            db_session(),
            actor=current_user,
            case=case,
            outcome=CaseOutcome(form.outcome.data),
            reasons=form.reasons.data or "",
            lado_officer=(form.lado_officer.data or "") if form.lado_officer else "",
            lado_agreed_on=form.lado_agreed_on.data if form.lado_agreed_on else None,
        ),
        done_message="Outcome recorded",
        show=lambda: render_template(
            "casework/outcome.html", case=case, form=form, outcomes=choices
        ),
    )


def _yes(value: str | None) -> bool | None:
    return None if not value else value == "yes"


def _answers(form: CloseCaseForm) -> outcome_service.ClosureInput:
    employment = form.employment_outcome.data
    kept = form.personnel_file_kept
    return outcome_service.ClosureInput(
        employment_outcome=EmploymentOutcome(employment) if employment else None,
        mention_in_references=_yes(form.mention_in_references.data),
        # Asked only for allegations: the field is taken off the form for the other tracks.
        pension_age_on=form.pension_age_on.data if form.pension_age_on is not None else None,
        removed_from_regulated_activity=_yes(form.removed_from_regulated_activity.data),
        teacher_serious_misconduct=_yes(form.teacher_serious_misconduct.data),
        personnel_file_kept=_yes(kept.data) if kept is not None else None,
    )


def _summary(case: Case, form: CloseCaseForm) -> Summary:
    answers = _answers(form)
    retention = outcome_service.preview_closure(current_user, case, answers)
    assert answers.employment_outcome is not None  # noqa: S101 - checked by the preview
    return Summary(
        "Check your answers before closing the case",
        [
            ("Outcome", case.outcome.label if case.outcome else "Not recorded"),
            ("Does the person still work or volunteer here?", answers.employment_outcome.label),
            ("Mentioned in references", "Yes" if answers.mention_in_references else "No"),
            (
                "Removed from work with children because of harm or a risk of harm",
                "Yes" if answers.removed_from_regulated_activity else "No",
            ),
            (
                "A teacher dismissed, or who would have been, for serious misconduct",
                "Yes" if answers.teacher_serious_misconduct else "No",
            ),
            *(
                [
                    (
                        "Kept on the personnel file at the person's request",
                        "Yes" if answers.personnel_file_kept else "No: removed from it",
                    )
                ]
                if closure.off_personnel_file(case)
                else []
            ),
            (
                "Record kept until",
                long_date(retention.until) if retention.until else "See the rule",
            ),
            ("Retention rule", retention.rule),
        ],
        warning="Once the case is closed it cannot be reopened or changed.",
        button="Close the case",
        context={"case": case},
    )


@bp.route("/close", methods=["GET", "POST"])
@requires(Permission.CASE_DECIDE)
def close(case_id: uuid.UUID) -> str | Response:
    case = case_step.load(case_id)
    workflow.check(case, "close", current_user, with_guard=False)
    # What must be done elsewhere first; the rest is answered on this page.
    outstanding = [c for c in closure.checklist(case) if not c.done and not c.answered_on_close]
    form = CloseCaseForm()
    if case.kind is not CaseKind.ALLEGATION:
        del form.pension_age_on
    if not closure.off_personnel_file(case):
        del form.personnel_file_kept
    implied = closure.employment_implied(case)
    if request.method == "GET" and implied is not None:
        # A dismissal (or a role ended) already answers this; the DBS duty follows from it.
        form.employment_outcome.data = implied.value
    if request.method == "GET" and case.outcome is CaseOutcome.SUBSTANTIATED:
        # KCSIE Part 4: a substantiated allegation is prompted for inclusion in references.
        form.mention_in_references.data = "yes"

    def show() -> str:
        return render_template(
            "casework/close.html",
            case=case,
            form=form,
            outstanding=outstanding,
            references_refusal=outcome_service.references_refusal(case),
        )

    if outstanding:
        return show()  # the page lists them: nothing can be answered until they are done
    return form_page(
        form,
        check=lambda: _summary(case, form),
        command=lambda: outcome_service.close_case(
            db_session(), actor=current_user, case=case, data=_answers(form)
        ),
        done_message=f"Case {case.reference} closed",
        show=show,
        # To the case list: the closed case's own page now asks for the password again.
        then=lambda _closed: url_for("cases.index"),
    )
