"""Routing by source when a case opens (seed policy 001, DOMAIN.md section 1): the tasks,
prompts and holds each kind of disclosure calls for. Called by the case-opening service."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import deadlines
from incidents.casework.police import system as police_system
from incidents.casework.referrals import system as referral_system
from incidents.casework.tasks import system as task_system
from incidents.clock import local_today
from incidents.models import Agency, Case, DisclosureSource, Role, TaskKind, User


def route_new_case(session: Session, case: Case, actor: User) -> None:
    today = local_today()
    manager = session.get(User, case.case_manager_id) if case.case_manager_id else None
    if case.needs_direct_lado_referral:
        # KCSIE Part 4: a concern about both the head and the chair goes straight to the LADO.
        referral_system.create_prompt(
            session, case, Agency.LADO, due_at=referral_system.due_for(case, Agency.LADO)
        )
    if case.source is DisclosureSource.PARENT:
        # 001 (2a): explain to the parent the processes that will be followed.
        task_system.create_standard(
            session,
            case,
            TaskKind.EXPLAIN_TO_PARENT,
            assignee=manager,
            due_on=deadlines.add_working_days(today, 1),
        )
    elif case.source is DisclosureSource.CHILD:
        # 001 (2c): the safeguarding route until the police investigation has been carried out.
        dsl = task_system.first_with_role(session, case, Role.DSL, Role.DEPUTY_DSL) or manager
        task_system.create_standard(session, case, TaskKind.ALERT_DSL, assignee=dsl, due_on=today)
        task_system.create_standard(
            session, case, TaskKind.CONSIDER_CSC_POLICE, assignee=dsl, due_on=today
        )
        # KCSIE Part 4: the parents are told, at the time the police and CSC advise.
        task_system.create_standard(
            session,
            case,
            TaskKind.TELL_PARENTS,
            assignee=dsl,
            due_on=deadlines.add_working_days(today, 1),
        )
        referral_system.create_prompt(session, case, Agency.CHILDRENS_SOCIAL_CARE)
        referral_system.create_prompt(session, case, Agency.POLICE)
        police_system.place_hold(session, case, actor)
    elif case.source in FIRST_STEP:
        kind, working_days = FIRST_STEP[case.source]
        task_system.create_standard(
            session,
            case,
            kind,
            assignee=manager,
            due_on=deadlines.add_working_days(today, working_days) if working_days else today,
        )
    # Staff: the reporter's identity is sealed by the case itself (Case.reporter_is_sealed).


# The first step for the other sources, and how many working days it may take (0: today).
FIRST_STEP: dict[DisclosureSource, tuple[TaskKind, int]] = {
    # Nobody can be asked to clarify: what can be verified decides what happens next.
    DisclosureSource.ANONYMOUS: (TaskKind.CHECK_ANONYMOUS, 1),
    # A governor has no individual power to act: they pass it on and step back.
    DisclosureSource.GOVERNOR: (TaskKind.GOVERNOR_REPORTED, 1),
    # Police or the LADO may need the person not to be told yet (KCSIE Part 4).
    DisclosureSource.EXTERNAL_AGENCY: (TaskKind.AGREE_WITH_AGENCY, 0),
    # Seed 004: a mistake by the person themselves: delete, correct, tell the line manager.
    DisclosureSource.SELF_REPORT: (TaskKind.RECORD_OWN_ACCOUNT, 1),
    # Seeds 000, 002, 004: monitoring is allowed; its evidence is lost if not kept at once.
    DisclosureSource.MONITORING: (TaskKind.PRESERVE_EVIDENCE, 0),
}
