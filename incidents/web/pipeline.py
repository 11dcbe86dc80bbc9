"""The one page pipeline. Every form page goes: load what the user may see (a record they may
not see is a 404) -> refuse what is not possible now, with its reason -> validate -> one
command -> commit once -> back, with a message. Refusals and bad input become answers here and
nowhere else: views never roll back, and never catch a domain error.

- `back_to(url)`: where this request goes back to, on success or refusal (the loader sets it).
- `form_page(...)`: the validate -> (check your answers) -> command -> commit -> back part.
- `button(...)`: the same for a one-button step (a ConfirmForm: no fields to show again).
- `init_pipeline(app)`: a Refused (from a loader, a workflow or lifecycle check, or a command),
  or InvalidInput that has no form to land on, rolls back and goes back with the reason shown
  as an error, never in a success banner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import FileField

from incidents.errors import InvalidInput, Refused
from incidents.extensions import db_session
from incidents.web.check_answers import changing, confirmed, hidden_fields
from incidents.web.forms import ConfirmForm, apply_service_errors

T = TypeVar("T")

# Flash categories: base.html shows a success banner for one and an error summary for the other.
SUCCESS = "success"
ERROR = "error"


def back_to(url: str) -> None:
    """Where this request returns to, whether the step is done or refused."""
    g.pipeline_back = url


def _back_url() -> str:
    url = g.get("pipeline_back")
    if isinstance(url, str):
        return url
    case_id = (request.view_args or {}).get("case_id")
    if case_id is not None:
        return url_for("cases.show", case_id=case_id)
    return url_for("home.index")


def done(message: str | None) -> Response:
    """Back, with fixed wording: never the user's own free text. None: the next page is itself
    the confirmation (a GOV.UK panel), so no banner is added above it."""
    if message is not None:
        flash(message, SUCCESS)
    return redirect(_back_url())


def refuse(reason: str | None) -> None:
    """Stop here, back with `reason`, when there is one."""
    if reason:
        raise Refused(reason)


@dataclass(frozen=True)
class Summary:
    """A check-your-answers page before an irreversible step (GOV.UK pattern)."""

    title: str
    rows: list[tuple[str, str]]
    warning: str
    button: str
    context: dict[str, object]


def _summary_page(form: FlaskForm, summary: Summary) -> str:
    return render_template(
        "casework/check_answers.html",
        form=form,
        title=summary.title,
        rows=[{"key": {"text": k}, "value": {"text": v}} for k, v in summary.rows],
        hidden=hidden_fields(form),
        warning=summary.warning,
        button=summary.button,
        **summary.context,
    )


def form_page(
    form: FlaskForm,
    *,
    command: Callable[[], T],
    done_message: str | Callable[[T], str] | None,
    show: Callable[[], str],
    check: Callable[[], Summary] | None = None,
    then: Callable[[T], str] | None = None,
) -> str | Response:
    """Show the form, or (submitted and valid) run `command` once, commit and go back with
    `done_message`. With `check`, a summary is shown first and the command runs only once it is
    confirmed; `check` may raise InvalidInput, which lands on the form like the command's.
    `then(result)` names where to go instead of back (a new record's own page)."""
    if not form.validate_on_submit() or changing():
        return show()
    db = db_session()
    try:
        if check is not None and not confirmed(form):
            return _summary_page(form, check())
        result = command()
    except InvalidInput as exc:
        if not _answers(form).intersection(exc.errors):
            raise  # about the step, not an answer (a one-button page): back, with the reason
        db.rollback()
        apply_service_errors(form, exc)
        if check is not None and confirmed(form) and _asked_on_summary(form, exc):
            # A file is chosen on the summary page (it cannot be carried between pages), so a
            # refused file is shown there, with the answers still waiting to be confirmed.
            return _summary_page(form, check())
        return show()
    db.commit()
    message = done_message(result) if callable(done_message) else done_message
    if then is not None:
        back_to(then(result))
    return done(message)


def button(command: Callable[[], object], done_message: str) -> Response:
    """A one-button step: its form holds only the CSRF token, so a bad token just goes back."""
    if not ConfirmForm().validate_on_submit():
        return redirect(_back_url())
    command()
    db_session().commit()
    return done(done_message)


def _asked_on_summary(form: FlaskForm, exc: InvalidInput) -> bool:
    return all(isinstance(form._fields.get(name), FileField) for name in exc.errors)


def _answers(form: FlaskForm) -> set[str]:
    return {name for name in form._fields if name not in ("csrf_token", "submit", "confirmed")}


def init_pipeline(app: Flask) -> None:
    """The one place a refusal, or bad input with no form to show it on, becomes an answer."""

    @app.errorhandler(Refused)
    def _refused(exc: Refused) -> Response:
        db_session().rollback()
        flash(str(exc), ERROR)
        return redirect(_back_url())

    @app.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput) -> Response:
        db_session().rollback()
        flash(next(iter(exc.errors.values()), "That could not be saved"), ERROR)
        return redirect(_back_url())
