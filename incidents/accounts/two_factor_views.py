"""Setting up two-factor sign-in: a QR code drawn here (no outside service), the first code to
prove the app has the secret, then the recovery codes, shown once."""

from __future__ import annotations

import segno
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from incidents.accounts import two_factor
from incidents.accounts.forms import EnrolForm
from incidents.extensions import db_session, limiter
from incidents.permissions import needs_second_factor
from incidents.web.access import signed_in

bp = Blueprint("two_factor", __name__, url_prefix="/two-factor")


def _qr_data_uri(uri: str) -> str:
    # An SVG data URI in an <img>: no script, allowed by the CSP's img-src, and given alt text.
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=4))


@bp.route("/set-up", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def set_up() -> str | Response:
    user = current_user._get_current_object()
    if user.has_second_factor:
        return redirect(url_for("home.index"))
    db = db_session()
    secret = two_factor.pending_secret(user)
    if secret is None:
        secret = two_factor.begin_enrolment(db, user=user)
        db.commit()
    form = EnrolForm()
    # Not the pipeline's form page: the recovery codes are shown in this response, once.
    if form.validate_on_submit():
        codes = two_factor.try_confirm_enrolment(db, user=user, code=form.code.data or "")
        if isinstance(codes, str):
            form.code.errors = [codes]  # a wrong code changed nothing
        else:
            db.commit()
            # Shown in this response only: nothing keeps them in clear after it is sent.
            return render_template("two_factor/recovery_codes.html", codes=codes)
    return render_template(
        "two_factor/set_up.html",
        form=form,
        qr=_qr_data_uri(two_factor.provisioning_uri(user, secret)),
        secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)],
        required=needs_second_factor(user),
    )
