"""The permission model: least privilege per role, and the record-level rules of KCSIE Part 4."""

from __future__ import annotations

import pytest

from incidents.casework.cases.queries import list_cases
from incidents.errors import Forbidden
from incidents.models import Role
from incidents.permissions import ROLE_PERMISSIONS, Permission, can_view_case, has_permission
from tests import factories

CASE_PERMISSIONS = {
    Permission.CASE_CREATE,
    Permission.CASE_LIST,
    Permission.CASE_READ,
    Permission.NOTE_CREATE,
}


def test_every_role_is_in_the_map():
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR, Role.ADMIN])
def test_roles_that_must_never_see_case_content_have_no_case_permission(role):
    assert not CASE_PERMISSIONS & ROLE_PERMISSIONS[role]


def test_the_trust_officer_sees_only_the_cases_they_manage(db, school, users):
    """Issue 13, item 3: the trust or LA officer manages a case only when nobody in school can;
    like the chair, they see no other case and cannot record one."""
    officer = users[Role.TRUST_OFFICER]
    assert Permission.CASE_CREATE not in ROLE_PERMISSIONS[Role.TRUST_OFFICER]
    ordinary = factories.make_case(db, users[Role.HEADTEACHER])
    both = [
        factories.person_of(db, users[Role.HEADTEACHER]),
        factories.person_of(db, users[Role.CHAIR_OF_GOVERNORS]),
    ]
    theirs = factories.make_case(db, users[Role.DSL], subjects=both)
    assert theirs.case_manager_id == officer.id
    assert can_view_case(officer, theirs)
    assert not can_view_case(officer, ordinary)
    listed = list_cases(db, actor=officer)
    assert [c.id for c in listed.items] == [theirs.id]


def test_only_admin_manages_clauses():
    assert [r for r, p in ROLE_PERMISSIONS.items() if Permission.CLAUSE_MANAGE in p] == [Role.ADMIN]


def test_an_inactive_user_has_no_permission(db, users):
    head = users[Role.HEADTEACHER]
    head.is_active = False
    assert not has_permission(head, Permission.CASE_READ)


def test_visibility_rules_and_the_case_list_agree(db, school, users):
    """can_view_case (the case page) and the SQL behind the case list must give the same answer
    for every role on a mix of cases."""
    head, chair, dsl = users[Role.HEADTEACHER], users[Role.CHAIR_OF_GOVERNORS], users[Role.DSL]
    cases = [
        factories.make_case(db, head),
        factories.make_case(db, dsl, subjects=[factories.person_of(db, head)]),
        factories.make_case(db, head, subjects=[factories.person_of(db, dsl)]),
        factories.make_case(
            db, dsl, subjects=[factories.person_of(db, head), factories.person_of(db, chair)]
        ),
    ]
    other_school = factories.make_school(db, name="Other")
    other_head = factories.make_user(db, other_school, Role.HEADTEACHER)
    cases.append(factories.make_case(db, other_head))
    db.flush()
    expected_visible = {
        Role.HEADTEACHER: {0, 2},  # not 1 or 3 (a subject), not 4 (another school)
        Role.DSL: {0, 1, 3},  # not 2 (subject)
        Role.DEPUTY_DSL: {0, 1, 2, 3},
        Role.CHAIR_OF_GOVERNORS: {1},  # only where they are the case manager
        # Nobody in school can manage case 3: the trust officer does (issue 13, item 3).
        Role.TRUST_OFFICER: {3},
    }
    for role, indexes in expected_visible.items():
        user = users[role]
        by_rule = {i for i, case in enumerate(cases) if can_view_case(user, case)}
        listed_ids = {c.id for c in list_cases(db, actor=user, per_page=100).items}
        by_list = {i for i, case in enumerate(cases) if case.id in listed_ids}
        assert by_rule == indexes, role
        assert by_list == indexes, role
    for role in (Role.STAFF, Role.GOVERNOR, Role.ADMIN):
        assert not any(can_view_case(users[role], case) for case in cases)
        with pytest.raises(Forbidden):
            list_cases(db, actor=users[role])


def test_case_manager_follows_kcsie(db, users):
    head, chair, dsl = users[Role.HEADTEACHER], users[Role.CHAIR_OF_GOVERNORS], users[Role.DSL]
    ordinary = factories.make_case(db, dsl)
    about_head = factories.make_case(db, dsl, subjects=[factories.person_of(db, head)])
    about_both = factories.make_case(
        db, dsl, subjects=[factories.person_of(db, head), factories.person_of(db, chair)]
    )
    assert ordinary.case_manager_id == head.id
    assert about_head.case_manager_id == chair.id
    # Issue 13, item 3: never nobody. With no deputy named, the trust or LA officer.
    assert about_both.case_manager_id == users[Role.TRUST_OFFICER].id
    assert about_both.needs_direct_lado_referral
    assert not ordinary.needs_direct_lado_referral
