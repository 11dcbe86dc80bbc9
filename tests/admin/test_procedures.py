"""Issue 13: per-school settings where the seeds differ. Whether a person is told before
monitoring (seed 000 yes, 002 no), the LADO period, the retention periods for breach records."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from incidents import deadlines
from incidents.admin.procedures import commands as procedures
from incidents.casework.outcome import commands as outcomes
from incidents.closure import retention_for
from incidents.errors import Forbidden, InvalidInput
from incidents.models import Agency, AuditEntry, CaseKind, DisclosureSource, Role, SchoolSettings
from tests.case_routes import assess, case_about
from tests.conftest import csrf_token, success_banner


def saved(db, admin, **changes):  # type: ignore[no-untyped-def]
    values = {
        "tell_before_monitoring": False,
        "lado_working_days": 2,
        "data_breach_years": 8,
        "policy_breach_years": 3,
        **changes,
    }
    row = procedures.save_procedures(db, actor=admin, data=procedures.ProceduresInput(**values))
    db.commit()
    return row


def test_the_lado_period_is_the_schools(db, users):
    head = users[Role.HEADTEACHER]
    saved(db, users[Role.ADMIN], lado_working_days=2)
    case = case_about(db, head)
    assess(db, head, case, CaseKind.ALLEGATION)
    lado = next(r for r in case.referrals if r.agency is Agency.LADO)
    two_days = deadlines.lado_due(case.became_aware_on, deadlines.Calendar(lado_working_days=2))
    assert lado.due_at == two_days
    assert lado.due_at > deadlines.lado_due(case.became_aware_on)


def test_the_retention_periods_are_the_schools(db, users):
    head = users[Role.HEADTEACHER]
    saved(db, users[Role.ADMIN], policy_breach_years=3)
    case = case_about(db, head)
    assess(db, head, case, CaseKind.POLICY_BREACH)
    own = db.get(SchoolSettings, head.school_id)
    kept = retention_for(
        case,
        closed_on=date(2026, 1, 5),
        pension_age_on=None,
        policy_breach_years=own.policy_breach_years,
    )
    assert kept.until == date(2029, 1, 5)
    assert "the school's own period" in kept.rule
    assert outcomes is not None


def test_the_monitoring_rule_shows_on_a_monitoring_case(db, users, login_as):
    head = users[Role.HEADTEACHER]
    case = case_about(db, head, source=DisclosureSource.MONITORING)
    db.commit()
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "has not said whether a person is told" in page
    saved(db, users[Role.ADMIN], tell_before_monitoring=True)
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "the person is told that monitoring will take place" in page


def test_bad_settings_change_nothing(db, users):
    admin = users[Role.ADMIN]
    with pytest.raises(InvalidInput) as bad:
        procedures.save_procedures(
            db,
            actor=admin,
            data=procedures.ProceduresInput(None, 9, 0, 51),
        )
    assert set(bad.value.errors) == {
        "tell_before_monitoring",
        "lado_working_days",
        "data_breach_years",
        "policy_breach_years",
    }
    db.rollback()
    assert db.get(SchoolSettings, admin.school_id) is None
    with pytest.raises(Forbidden):
        procedures.save_procedures(
            db, actor=users[Role.HEADTEACHER], data=procedures.ProceduresInput(True, 1, None, None)
        )


def test_the_procedures_page_saves_and_audits(db, users, login_as):
    client = login_as(Role.ADMIN)
    assert client.get("/admin/procedures").status_code == 200
    token = csrf_token(client, "/admin/procedures")
    bad = client.post(
        "/admin/procedures",
        data={"csrf_token": token, "tell_before_monitoring": "yes", "lado_working_days": "x"},
    ).get_data(as_text=True)
    assert "<title>Error:" in bad
    assert db.get(SchoolSettings, users[Role.ADMIN].school_id) is None
    done = client.post(
        "/admin/procedures",
        data={"csrf_token": token, "tell_before_monitoring": "no", "lado_working_days": "1"},
        follow_redirects=True,
    )
    assert success_banner(done.get_data(as_text=True))
    row = db.get(SchoolSettings, users[Role.ADMIN].school_id)
    assert row is not None and row.tell_before_monitoring is False
    assert db.scalar(select(AuditEntry.id).where(AuditEntry.action == "school.procedures_change"))
