"""Issue 13: the school adopts its policy. A new school gets no other school's clauses; an
administrator chooses which seed policies (or none) make its catalogue, sees what each brings,
and can change it later; a dropped policy's clauses are retired, and cases keep citing them."""

from __future__ import annotations

from sqlalchemy import func, select

from incidents.admin.clauses import adoption
from incidents.admin.clauses.commands import list_clauses
from incidents.errors import Forbidden, InvalidInput
from incidents.models import AuditEntry, PolicyClause, Role, School
from tests import factories
from tests.case_routes import case_about
from tests.cli.test_cli import run
from tests.conftest import csrf_token, success_banner


def test_a_new_school_gets_no_other_schools_clauses(app, db):
    result = run(app, "create-school", "--name", "New Primary", "--urn", "765432")
    assert result.exit_code == 0, result.output
    assert "No seed policy adopted" in result.output
    school = db.scalar(select(School).where(School.urn == "765432"))
    assert list_clauses(db, school.id, include_retired=True) == []


def test_the_admin_chooses_changes_and_drops_policies(db, users):
    admin = users[Role.ADMIN]
    school_id = admin.school_id
    assert adoption.adopted(db, school_id) == {"000", "001", "002", "003", "004"}
    head = users[Role.HEADTEACHER]
    cited = next(c for c in list_clauses(db, school_id) if c.code.startswith("002-"))
    case = case_about(db, head, clause_ids=(cited.id,))
    db.commit()

    result = adoption.adopt_policies(db, actor=admin, policies=["001"])
    db.commit()
    assert adoption.adopted(db, school_id) == {"001"}
    assert result.retired > 0 and result.added == 0
    active = list_clauses(db, school_id)
    assert active and all(c.code.startswith("001-") for c in active)
    # Retired, not deleted: a case that cited one keeps it.
    assert db.get(PolicyClause, cited.id).is_retired
    db.refresh(case)
    assert [c.clause_id for c in case.citations] == [cited.id]

    again = adoption.adopt_policies(db, actor=admin, policies=["001", "002"])
    db.commit()
    assert adoption.adopted(db, school_id) == {"001", "002"}
    assert again.restored > 0
    none = adoption.adopt_policies(db, actor=admin, policies=[])
    db.commit()
    assert adoption.adopted(db, school_id) == set() and none.retired > 0
    retirements = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "clause.retire")
    )
    assert retirements and retirements >= result.retired


def test_only_an_administrator_adopts_and_only_known_policies(db, users):
    try:
        adoption.adopt_policies(db, actor=users[Role.HEADTEACHER], policies=["001"])
    except Forbidden:
        pass
    else:  # pragma: no cover
        raise AssertionError("a headteacher changed the catalogue")
    try:
        adoption.adopt_policies(db, actor=users[Role.ADMIN], policies=["001", "999"])
    except InvalidInput as bad:
        assert bad.errors == {"policies": "Choose policies from the list"}
    else:  # pragma: no cover
        raise AssertionError("an unknown policy was adopted")
    db.rollback()
    assert adoption.adopted(db, users[Role.ADMIN].school_id) == {"000", "001", "002", "003", "004"}


def test_the_policies_page_previews_and_saves(db, users, login_as):
    client = login_as(Role.ADMIN)
    page = client.get("/admin/clauses/policies").get_data(as_text=True)
    assert "What each policy brings" in page
    assert "Staff must never &#39;friend&#39; a pupil" in page or "friend" in page
    token = csrf_token(client, "/admin/clauses/policies")
    done = client.post(
        "/admin/clauses/policies",
        data={"csrf_token": token, "policies": ["003"]},
        follow_redirects=True,
    )
    assert "The school&#39;s policies are saved" in success_banner(done.get_data(as_text=True))
    assert adoption.adopted(db, users[Role.ADMIN].school_id) == {"003"}
    bad = client.post(
        "/admin/clauses/policies", data={"csrf_token": token, "policies": ["nope"]}
    ).get_data(as_text=True)
    assert "Choose policies from the list" in bad
    assert adoption.adopted(db, users[Role.ADMIN].school_id) == {"003"}


def test_the_catalogue_covers_the_mandatory_rules_it_missed():
    """Issue 13: the 11 mandatory seed rules the catalogue did not cover (e.g. seed 001's
    catch-all, 002's separate lives and children's best interests, 003's "must not breach the
    law", 004's tone)."""
    from incidents.catalogue import default_catalogue

    texts = {c.code: c.text for c in default_catalogue().clauses}
    assert "breaches the school's code of conduct" in texts["001-COC-8"]
    assert "personal and professional lives separate" in texts["002-PR-2-1A"]
    assert "best interests of children" in texts["002-WEB-4-2"]
    assert "must not breach the law" in texts["003-INT-2"]
    assert "tone of content" in texts["004-TON-5-1"]
    added = {
        "000-PC-1",
        "001-COC-8",
        "002-PR-2-1A",
        "002-PR-2-1B",
        "002-PR-2-6",
        "002-WEB-4-2",
        "003-INT-2",
        "003-SNS-1",
        "003-SNS-2",
        "004-TON-5-1",
        "004-IMG-3-4",
    }
    assert added <= set(texts) and len(added) == 11


def test_a_school_that_adopted_nothing_chooses_a_policy_later(db):
    school = factories.make_school(db, name="Fresh Primary", policies=())
    admin = factories.make_user(db, school, Role.ADMIN)
    assert adoption.adopted(db, school.id) == set()
    result = adoption.adopt_policies(db, actor=admin, policies=["004"])
    db.commit()
    codes = {c.code for c in list_clauses(db, school.id)}
    assert "004-TON-5-1" in codes and result.added == len(codes)
    assert all(code.startswith("004-") for code in codes)
