"""The page about one adult across cases (KCSIE Part 4 s.2: patterns of low-level concerns),
for the case manager: every case, process and suspension about them the viewer may open."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template
from flask_login import current_user

from incidents.casework.allegation import concerns
from incidents.extensions import db_session
from incidents.permissions import Permission
from incidents.web.access import requires

bp = Blueprint("person", __name__, url_prefix="/people")


@bp.route("/<uuid:person_id>")
@requires(Permission.CASE_DECIDE)
def person(person_id: uuid.UUID) -> str:
    db = db_session()
    history = concerns.open_person_page(db, actor=current_user, person_id=person_id)
    db.commit()  # the audit entry for opening the page
    return render_template("allegation/person.html", history=history)
