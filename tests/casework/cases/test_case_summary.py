"""The case page reads back everything recorded (issue 17, item 1): for each source and track,
every recorded field appears for the roles that may see it, and the discloser's contact never
for those that may not; a sealed reporter stays sealed; overdue deadlines show in red; "what
needs doing" links every closure checklist item; a closed case cannot be added to."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.casework.cases import steps as casework
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.outcome import commands as outcomes
from incidents.casework.police import commands as police
from incidents.casework.triage import commands as triage
from incidents.models import (
    Agency,
    Case,
    CaseKind,
    CaseOutcome,
    DisclosureSource,
    EmploymentOutcome,
    PersonKind,
    ReferralMethod,
    ReferralStatus,
    Role,
    ThresholdAnswer,
    User,
)
from tests import case_stages
from tests.case_routes import TODAY, lado_agreed, through_lado
from tests.casework.test_allegation_route import finish_tasks
from tests.conftest import confirm_it_is_you

Y, N = ThresholdAnswer.YES, ThresholdAnswer.NO
CONTACT = "Pat Discloser, 07700 900123"
NARRATIVE = "Said the teacher messaged the child at night."
TRIAGE_REASONS = "The messages suggest grooming behaviour."
OUTCOME_REASONS = "The messages were admitted at interview."
SUBJECT = "Robin Fenwick"
POLICE_RESULT = "No further action by the police."
CHILD_WORDS = "He said not to tell my mum."

TRACKS = [CaseKind.ALLEGATION, CaseKind.LOW_LEVEL_CONCERN, CaseKind.POLICY_BREACH]
SOURCES = [DisclosureSource.PARENT, DisclosureSource.CHILD, DisclosureSource.STAFF]


def _recorded(db: Session, head: User, source: DisclosureSource) -> Case:
    case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative=NARRATIVE,
            became_aware_on=TODAY,
            occurred_on=TODAY - timedelta(days=3),
            new_subject=NewSubject(name=SUBJECT, kind=PersonKind.STAFF),
            not_listed=True,
            source=source,
            reporter=CONTACT,
            child_words=CHILD_WORDS if source is DisclosureSource.CHILD else "",
        ),
    )
    db.commit()
    return case


def _to_outcome(db: Session, head: User, case: Case, track: CaseKind) -> Case:
    limbs = (Y, N, N, N) if track is CaseKind.ALLEGATION else (N, N, N, N)
    triage.triage(
        db,
        actor=head,
        case=case,
        data=triage.TriageInput(*limbs, kind=track, reasons=TRIAGE_REASONS),
    )
    if case.open_police_hold is not None:  # a child's disclosure waits for the police
        police.record_result(db, actor=head, case=case, result=POLICE_RESULT)
    if track is CaseKind.ALLEGATION:
        through_lado(db, head, case)
        casework.take_step(db, actor=head, case=case, action="investigate")
    outcome = CaseOutcome.SUBSTANTIATED if track is CaseKind.ALLEGATION else CaseOutcome.UPHELD
    outcomes.record_outcome(
        db, actor=head, case=case, outcome=outcome, reasons=OUTCOME_REASONS, **lado_agreed(case)
    )
    db.commit()
    return case


def _page(client: FlaskClient, case: Case) -> str:
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("track", TRACKS)
def test_every_recorded_field_is_on_the_case_page(
    db: Session,
    users: dict[Role, User],
    login_as: Callable[[Role], FlaskClient],
    source: DisclosureSource,
    track: CaseKind,
) -> None:
    head = users[Role.HEADTEACHER]
    case = _to_outcome(db, head, _recorded(db, head, source), track)

    for role in (Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL):
        page = _page(login_as(role), case)
        for recorded in (NARRATIVE, SUBJECT, TRIAGE_REASONS, OUTCOME_REASONS, case.outcome.label):
            assert recorded in page, (role, recorded)
        assert head.display_name in page  # who received and recorded it
        assert (TODAY - timedelta(days=3)).strftime("%B %Y") in page
        if track is CaseKind.ALLEGATION:
            for lado in ("REF-1", "A LADO officer", "Advice given.", "Agreed with the LADO"):
                assert lado in page, (role, lado)
        if source is DisclosureSource.CHILD:
            assert CHILD_WORDS in page
            assert POLICE_RESULT in page
        if source is DisclosureSource.STAFF:
            # Sealed whoever asks: only the reveal page shows a staff reporter.
            assert CONTACT not in page
            assert "Sealed" in page
        else:
            assert CONTACT in page, role


def test_the_discloser_is_for_the_case_manager_and_dsls_only(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = _recorded(db, head, DisclosureSource.PARENT)
    # The DSL manages it now: the headteacher still sees the case, not the parent's contact.
    case.case_manager_id = users[Role.DSL].id
    db.commit()

    assert CONTACT not in _page(login_as(Role.HEADTEACHER), case)
    assert CONTACT in _page(login_as(Role.DSL), case)
    assert CONTACT in _page(login_as(Role.DEPUTY_DSL), case)
    for role in (Role.STAFF, Role.GOVERNOR):
        response = login_as(role).get(f"/cases/{case.id}")
        assert response.status_code in (403, 404)
        assert CONTACT not in response.get_data(as_text=True)


def test_the_police_result_and_closing_decisions_are_read_back(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, _recorded(db, head, DisclosureSource.PARENT))
    police.await_police(db, actor=head, case=case)
    police.record_result(db, actor=head, case=case, result="No further action by the police.")
    db.commit()
    case = case_stages.with_outcome(db, head, case)
    finish_tasks(db, head, case)
    answers = outcomes.ClosureInput(EmploymentOutcome.CONTINUES, mention_in_references=False)
    outcomes.close_case(db, actor=head, case=case, data=answers)
    db.commit()

    client = login_as(Role.HEADTEACHER)
    confirm_it_is_you(client, "open_closed_case", case.id)
    page = _page(client, case)

    assert "No further action by the police." in page
    assert "Mentioned in references" in page
    assert case.retention_rule and case.retention_rule in page
    assert "Upheld" in page and "Closed" in page
    # Read-only: nothing to add to the chronology once closed.
    assert "cannot change" in page
    assert f'action="/cases/{case.id}/notes"' not in page
    assert "What needs doing" not in page


def test_what_needs_doing_links_every_item_and_overdue_is_red(
    db: Session, users: dict[Role, User], login_as: Callable[[Role], FlaskClient]
) -> None:
    head = users[Role.HEADTEACHER]
    case = _recorded(db, head, DisclosureSource.PARENT)
    triage.triage(
        db,
        actor=head,
        case=case,
        data=triage.TriageInput(Y, N, N, N, kind=CaseKind.ALLEGATION, reasons=TRIAGE_REASONS),
    )
    db.commit()
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    assert lado.due_at is not None
    lado.due_at = lado.due_at - timedelta(days=10)  # a deadline long passed
    db.commit()

    page = _page(login_as(Role.HEADTEACHER), case)

    todo = page[page.index('id="what-needs-doing"') :]
    todo = todo[: todo.index("</ul>")]
    # Every item still to do links to where it is done; the done ones say so.
    items = todo.count('<li class="govuk-task-list__item')
    assert todo.count("Incomplete") == todo.count("govuk-task-list__link") > 0
    assert todo.count("Completed") + todo.count("Incomplete") == items
    assert "Teaching Regulation Agency" in todo
    assert f"/cases/{case.id}/referrals/new" in todo
    assert re.search(r'govuk-tag--red">\s*Overdue', page)
    # Made, even late, the referral's clock is met: no longer overdue (as on the home page).
    lado.status = ReferralStatus.MADE
    lado.method = ReferralMethod.PHONE
    lado.made_at = datetime.now(UTC)
    db.commit()
    assert not re.search(r'govuk-tag--red">\s*Overdue', _page(login_as(Role.HEADTEACHER), case))
