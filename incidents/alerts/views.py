"""The notification preferences page, and the unread count every page's header shows."""

from __future__ import annotations

from flask import Blueprint, g, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.alerts import commands, queries
from incidents.alerts.forms import PreferencesForm
from incidents.extensions import db_session
from incidents.web.access import signed_in
from incidents.web.pipeline import back_to, form_page

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


@bp.app_context_processor
def _unread() -> dict[str, int]:
    if not current_user.is_authenticated:
        return {"alerts_unread": 0}
    # Counted once a request: the case page renders its parts through several templates, and
    # each would otherwise ask again (issue 21).
    if "alerts_unread" not in g:
        g.alerts_unread = queries.unread_count(db_session(), current_user)
    return {"alerts_unread": int(g.alerts_unread)}


@bp.route("/preferences", methods=["GET", "POST"])
@signed_in
def preferences() -> str | Response:
    form = PreferencesForm()
    if not form.is_submitted():
        form.delivery.data = queries.delivery_of(db_session(), current_user).value
    back_to(url_for("home.index"))
    return form_page(
        form,
        command=lambda: commands.set_delivery(
            db_session(), actor=current_user, delivery=form.delivery.data or ""
        ),
        done_message="Your email preference has been saved",
        show=lambda: render_template("alerts/preferences.html", form=form),
    )
