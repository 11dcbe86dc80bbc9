"""One timeline (issue 17, item 2): notes and the case history together, newest first, or either
alone; a run of openings folded into "opened N times by M people"."""

from __future__ import annotations

import html
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.audit import Action, record
from incidents.casework.cases import notes as note_service
from incidents.casework.cases.timeline import Show
from incidents.models import Role, User
from tests import factories

NOTE = "Spoke to the LADO, who advised waiting for the police."


def test_notes_and_history_read_together_and_filtered(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    case = factories.make_case(db, head)
    for actor in (head, head, dsl, head):
        record(db, school_id=case.school_id, action=Action.CASE_VIEW, actor=actor, case_id=case.id)
    note_service.add_note(db, actor=dsl, case=case, body=NOTE)
    db.commit()
    client = login_as(Role.HEADTEACHER)

    page = html.unescape(client.get(f"/cases/{case.id}").get_data(as_text=True))
    timeline = page[page.index('id="chronology"') :]
    # Newest first: this opening, the note, the four openings before it folded, the recording.
    assert timeline.index(f"Opened the case: {head.display_name}") < timeline.index(NOTE)
    assert timeline.index(NOTE) < timeline.index("Opened the case 4 times by 2 people")
    assert timeline.index("Opened the case 4 times") < timeline.index("Recorded the case")
    assert "Added to the chronology" not in timeline  # the note itself is there

    only_notes = client.get(f"/cases/{case.id}?show=chronology").get_data(as_text=True)
    assert NOTE in html.unescape(only_notes) and "Recorded the case" not in only_notes
    only_history = client.get(f"/cases/{case.id}?show=history").get_data(as_text=True)
    assert NOTE not in html.unescape(only_history) and "Recorded the case" in only_history


def test_a_case_worker_who_is_not_the_manager_sees_the_notes_only(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    case = factories.make_case(db, users[Role.HEADTEACHER])
    note_service.add_note(db, actor=users[Role.DSL], case=case, body=NOTE)
    db.commit()

    page = login_as(Role.DSL).get(f"/cases/{case.id}?show=history").get_data(as_text=True)

    assert NOTE in html.unescape(page)
    assert "Recorded the case" not in page and "Opened the case" not in page


def test_an_unknown_filter_shows_everything() -> None:
    assert Show.read("nonsense") is Show.ALL
    assert Show.read(None) is Show.ALL
    assert Show.read("history") is Show.HISTORY
