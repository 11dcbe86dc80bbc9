"""Admin: the audit trail's status page (size, root, checkpoints, the last verification) and
the "Verify the log now" button. Figures only: admin never sees what an entry concerns."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.admin.audit import commands as verification
from incidents.admin.audit.queries import STALE_AFTER, audit_status, recent_changes
from incidents.extensions import db_session, limiter
from incidents.permissions import Permission
from incidents.web.access import requires
from incidents.web.forms import ConfirmForm
from incidents.web.pipeline import back_to

bp = Blueprint("audit_status", __name__, url_prefix="/admin/audit")

# What the last press of the button found, carried over the redirect (fixed words, no data): a
# failure is news to act on, not a success banner. A refusal is the pipeline's error summary.
RESULT_KEY = "audit_verify_result"
RESULTS = {
    "ok": ("success", "The log was verified: no problems found."),
    "failed": (
        "important",
        "The log did not verify. The problem is shown below. Tell your local authority and "
        "your IT support, and keep the checkpoint files you have sent them.",
    ),
    "bad_form": ("important", "Your request could not be completed. Try again."),
}


def _school_key() -> str:
    # Per school, not per address: the cost being limited is the school's log being locked.
    return f"audit-verify:{current_user.school_id}"


@bp.route("")
@requires(Permission.AUDIT_STATUS)
def show() -> str:
    result = session.pop(RESULT_KEY, None)
    banner = RESULTS.get(result) if isinstance(result, str) else None
    return render_template(
        "admin/audit.html",
        status=audit_status(db_session(), current_user.school_id),
        banner=banner,
        # Never which event: "a suspension decided at 10:42" would tell admin about a case.
        reason_label=lambda r: "Scheduled" if r == "scheduled" else "Straight after an event",
        stale_hours=int(STALE_AFTER.total_seconds() // 3600),
        form=ConfirmForm(formdata=None),
        # Who changed which account (issue 16): names of accounts only, never a case.
        account_changes=recent_changes(db_session(), current_user.school_id),
    )


@bp.route("/verify", methods=["POST"])
@requires(Permission.AUDIT_STATUS)
@limiter.limit("20 per hour", key_func=_school_key, methods=["POST"])
def verify() -> Response:
    """Not `pipeline.button`: a pass and a failure are both done (the result is an audit entry,
    kept either way) but are told apart. A refusal (too soon, no key) goes back as an error."""
    back_to(url_for("audit_status.show"))
    if not ConfirmForm().validate_on_submit():
        session[RESULT_KEY] = "bad_form"
        return redirect(url_for("audit_status.show"))
    db = db_session()
    settings = current_app.extensions["incidents.settings"]
    # No signing key here (the web process never reads it): the key checked against is the
    # one the signer pinned beside the checkpoint files it writes out.
    report = verification.verify_now(
        db,
        actor=current_user,
        folder=settings.checkpoint_dir or Path(current_app.instance_path) / "checkpoints",
    )
    db.commit()
    session[RESULT_KEY] = "ok" if report.ok else "failed"
    return redirect(url_for("audit_status.show"))
