"""The home page as a caseload (issue 17, item 4), read as a DSL would: what awaits triage,
deadlines passed (red "Overdue") and due this week, tasks nobody has, their own cases, and the
open cases in the order they choose; and nothing of it for a role that sees no cases."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from incidents.casework.tasks.commands import add_task
from incidents.clock import local_today
from incidents.home.caseload import Sort
from incidents.models import Agency, Case, CaseKind, Role, User
from incidents.models.base import utcnow
from tests import case_stages, factories

Login = Callable[[Role], FlaskClient]
NARRATIVE = "A parent said a teacher friended their child on Facebook."


def section(page: str, anchor: str) -> str:
    """One section of the home page: from its heading to the next heading of its level."""
    start = page.index(f'<h2 class="govuk-heading-m" id="{anchor}">')
    end = page.find('<h2 class="govuk-heading-m"', start + 1)
    return page[start : end if end != -1 else len(page)]


def home(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def task(db: Session, head: User, case: Case, assignee: User | None, days: int = 0) -> None:
    add_task(
        db,
        actor=head,
        case=case,
        title="Ring the LADO back",
        assignee_id=assignee.id if assignee else None,
        due_on=local_today() + timedelta(days=days),
    )
    db.commit()


def quiet(db: Session, head: User) -> Case:
    """A recorded case whose first-step tasks (made by the routing, by source) are done, so a
    test's own tasks are the case's only deadlines."""
    return case_stages.tasks_done(db, head, case_stages.recorded(db, head))


def test_a_case_awaiting_triage_appears_until_it_is_triaged(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    head = users[Role.HEADTEACHER]
    waiting = quiet(db, head)
    assessed = case_stages.triaged(db, head, quiet(db, head))
    page = home(login_as(Role.DSL))
    triage = section(page, "triage")
    assert waiting.reference in triage and "Awaiting triage" in triage
    assert assessed.reference not in triage
    # Both are open cases; neither's subject nor narrative is on the page.
    open_cases = section(page, "open-cases")
    assert waiting.reference in open_cases and assessed.reference in open_cases
    assert "Jo Teacher" not in page and NARRATIVE not in page


def test_a_staff_report_waits_to_be_accepted(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    from incidents.models import DisclosureSource

    report = factories.make_case(db, users[Role.STAFF], source=DisclosureSource.STAFF)
    db.commit()
    triage = section(home(login_as(Role.DSL)), "triage")
    assert report.reference in triage and "Report to accept" in triage
    assert "A member of staff" in triage  # the sealed reporter stays sealed


def test_a_passed_deadline_shows_overdue_in_red(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    late = quiet(db, head)
    task(db, head, late, dsl)  # due today
    # An allegation starts the LADO's one-working-day clock.
    allegation = case_stages.triaged(db, head, quiet(db, head), CaseKind.ALLEGATION)
    on_time = quiet(db, head)
    task(db, head, on_time, dsl, days=30)
    with time_machine.travel(utcnow() + timedelta(days=6), tick=False):
        page = home(login_as(Role.DSL))
    overdue = section(page, "overdue")
    assert late.reference in overdue and allegation.reference in overdue
    assert "Referral to the Local authority designated officer (LADO)" in overdue
    assert overdue.count('govuk-tag--red">Overdue<') >= 2
    assert on_time.reference not in overdue
    assert "None" not in section(page, "caseload").split("Overdue", 1)[1].split("</dd>")[0]


def test_deadlines_this_week_and_not_later(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    today, soon, later = (quiet(db, head) for _ in range(3))
    task(db, head, today, dsl)
    task(db, head, soon, dsl, days=6)
    task(db, head, later, dsl, days=7)
    week = section(home(login_as(Role.DSL)), "this-week")
    assert today.reference in week and soon.reference in week
    assert later.reference not in week
    assert "Due today" in week
    # The one date format (issue 17, item 10): "4 December 2026", never "04/12/2026".
    assert f"{(local_today() + timedelta(days=6)).day} " in week
    assert (local_today() + timedelta(days=6)).strftime("%B %Y") in week


def test_an_unassigned_task_appears(db: Session, users: dict[Role, User], login_as: Login) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    nobodys = quiet(db, head)
    task(db, head, nobodys, None, days=2)
    given = quiet(db, head)
    task(db, head, given, dsl, days=2)
    unassigned = section(home(login_as(Role.DSL)), "unassigned")
    assert nobodys.reference in unassigned and given.reference not in unassigned
    assert "Ring the LADO back" not in unassigned  # a task's own words are sealed
    assert "A task added on the case" in unassigned


def test_my_cases_lists_only_mine(db: Session, users: dict[Role, User], login_as: Login) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    on_my_list = quiet(db, head)
    task(db, head, on_my_list, dsl, days=3)
    not_mine = quiet(db, head)
    page = home(login_as(Role.DSL))
    mine = section(page, "my-cases")
    assert on_my_list.reference in mine and not_mine.reference not in mine
    # The headteacher manages both.
    theirs = section(home(login_as(Role.HEADTEACHER)), "my-cases")
    assert on_my_list.reference in theirs and not_mine.reference in theirs


def _order(page: str, cases: list[Case]) -> list[str]:
    table = section(page, "open-cases")
    return sorted((c.reference for c in cases), key=table.index)


def test_the_case_list_sorts_by_opened_status_and_deadline(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    head, dsl = users[Role.HEADTEACHER], users[Role.DSL]
    first = quiet(db, head)
    task(db, head, first, dsl, days=20)
    second = case_stages.triaged(db, head, quiet(db, head))
    task(db, head, second, dsl, days=10)
    third = quiet(db, head)
    task(db, head, third, dsl, days=15)
    cases = [first, second, third]
    client = login_as(Role.DSL)
    refs = [c.reference for c in cases]
    by_opened = home(client, "?sort=opened")
    assert _order(by_opened, cases) == refs[::-1]  # newest first
    assert 'aria-sort="descending"' in section(by_opened, "open-cases")
    # Recorded (awaiting triage) comes before assessed in the workflow.
    assert _order(home(client, "?sort=status"), cases) == [refs[0], refs[2], refs[1]]
    by_deadline = home(client, "?sort=deadline")
    assert _order(by_deadline, cases) == [refs[1], refs[2], refs[0]]
    # A value that means nothing falls back to the default order, the next deadline.
    assert _order(home(client, "?sort=%3Cscript%3E"), cases) == [refs[1], refs[2], refs[0]]
    # The sort links carry the order and nothing else: never a name.
    links = re.findall(r'href="(/\?[^"]*)"', by_deadline)
    assert links and all(re.fullmatch(r"/\?sort=(opened|status)#open-cases", h) for h in links)


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.STAFF, Role.ADMIN])
def test_a_role_without_cases_sees_no_case_data(
    db: Session, users: dict[Role, User], login_as: Login, role: Role
) -> None:
    head = users[Role.HEADTEACHER]
    case = quiet(db, head)
    task(db, head, case, None)
    page = home(login_as(role))
    assert case.reference not in page
    assert "Your caseload" not in page and 'id="open-cases"' not in page
    assert case.reference not in home(login_as(role), "?sort=status")


@pytest.mark.parametrize("role", [Role.CHAIR_OF_GOVERNORS, Role.TRUST_OFFICER])
def test_a_chair_or_officer_sees_only_the_cases_they_manage(
    db: Session, users: dict[Role, User], login_as: Login, role: Role
) -> None:
    head = users[Role.HEADTEACHER]
    case = quiet(db, head)
    task(db, head, case, None)
    page = home(login_as(role))
    assert "Your caseload" in page
    assert case.reference not in page
    assert "There are no open cases you can see." in page


def test_sort_values_read_safely() -> None:
    assert Sort.read(None) is Sort.DEADLINE
    assert Sort.read("") is Sort.DEADLINE
    assert Sort.read("opened") is Sort.OPENED
    assert Sort.read("OPENED' OR 1=1") is Sort.DEADLINE


def test_closed_cases_leave_the_caseload(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    done = case_stages.closed(db, users[Role.HEADTEACHER])
    page = home(login_as(Role.DSL))
    # (The inbox above may still hold the alert that it was recorded.)
    caseload = page[page.index('id="triage"') :]
    assert done.reference not in caseload


def test_a_referral_clock_falls_to_the_case_manager(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    head = users[Role.HEADTEACHER]
    case = case_stages.triaged(db, head, quiet(db, head), CaseKind.ALLEGATION)
    assert any(r.agency is Agency.LADO for r in case.referrals)
    week = section(home(login_as(Role.DSL)), "this-week")
    assert case.reference in week and head.display_name in week
    theirs = section(home(login_as(Role.HEADTEACHER)), "this-week")
    assert '<td class="govuk-table__cell">You</td>' in theirs


def test_a_case_about_the_head_and_the_chair_is_the_officers_and_goes_to_the_lado(
    db: Session, users: dict[Role, User], login_as: Login
) -> None:
    head, chair = users[Role.HEADTEACHER], users[Role.CHAIR_OF_GOVERNORS]
    subjects = [factories.person_of(db, head), factories.person_of(db, chair)]
    case = factories.make_case(db, users[Role.DSL], subjects=subjects)
    db.commit()
    assert case.case_manager_id == users[Role.TRUST_OFFICER].id
    page = home(login_as(Role.DSL))
    assert case.reference in section(page, "open-cases")
    assert "Refer to LADO directly" in section(page, "open-cases")
    officer = home(login_as(Role.TRUST_OFFICER))
    assert case.reference in section(officer, "my-cases")
    # Nobody sees a case about themselves, on the home page either.
    for role in (Role.HEADTEACHER, Role.CHAIR_OF_GOVERNORS):
        theirs = home(login_as(role))
        assert case.reference not in theirs


def test_a_long_caseload_shows_the_first_rows_and_counts_them_all(
    db: Session, users: dict[Role, User], login_as: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incidents.home import caseload

    monkeypatch.setattr(caseload, "SHOWN", 2)
    head = users[Role.HEADTEACHER]
    cases = [quiet(db, head) for _ in range(3)]
    page = home(login_as(Role.HEADTEACHER), "?sort=opened")
    open_cases = section(page, "open-cases")
    assert cases[0].reference not in open_cases  # the oldest, third by opening
    assert "Showing the first 2 of 3 cases" in open_cases
    assert '<a class="govuk-link" href="#triage">3 cases</a>' in section(page, "caseload")
