"""Demo data for newcomers: a fictional trust of three schools. Oakfield has one user per role,
a dozen realistic current cases spread over the five seed policies, subject access requests and
a year and a term of earlier cases; Riverside and Hill View each have a headteacher and earlier
cases of their own, so the trust officer's statistics have a per-school table to show. Built
only through the services, like real data; each case is dated the day the school heard of it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.accounts.users import create_user
from incidents.admin.schools import create_school
from incidents.casework.cases import notes as note_service
from incidents.casework.cases.commands import (
    CaseInput,
    NewSubject,
    record_disclosure,
    report_concern,
)
from incidents.casework.cases.people import create_person
from incidents.catalogue import policy_titles
from incidents.clock import local_today
from incidents.demo_history import build_history
from incidents.models import (
    DisclosureSource,
    Exemption,
    Person,
    PersonKind,
    PolicyClause,
    Requester,
    Role,
    School,
    User,
)
from incidents.permissions import can_add_note
from incidents.registers.subject_access import commands as sar
from incidents.stats.london import london_midnight

DEMO_URN = "999001"
DEMO_SCHOOL = "Oakfield Primary School (demo)"
DOMAIN = "oakfield.example"

# (role, name, email local part). Every name is invented.
DEMO_USERS: tuple[tuple[Role, str, str], ...] = (
    (Role.HEADTEACHER, "Helen Ashworth", "head"),
    (Role.DSL, "Daniel Okafor", "dsl"),
    (Role.DEPUTY_DSL, "Priya Raman", "deputy.dsl"),
    (Role.CHAIR_OF_GOVERNORS, "Margaret Ellison", "chair"),
    (Role.GOVERNOR, "Tom Beckett", "governor"),
    (Role.STAFF, "Sophie Turner", "staff"),
    (Role.TRUST_OFFICER, "Alan Whitfield", "trust"),
    (Role.ADMIN, "Grace Liu", "admin"),
)

# Staff with no login who appear in cases.
DEMO_PEOPLE: tuple[tuple[str, PersonKind], ...] = (
    ("Mark Fenwick", PersonKind.STAFF),
    ("Laura Whitcombe", PersonKind.STAFF),
    ("Ben Hargreaves", PersonKind.VOLUNTEER),
    ("Kerry Doyle", PersonKind.STAFF),
    ("Rashid Karim", PersonKind.CONTRACTOR),
)


@dataclass(frozen=True)
class DemoCase:
    recorder: str  # email local part of the user who records or reports it
    about: tuple[str, ...]  # names of people
    source: DisclosureSource
    clauses: tuple[str, ...]  # catalogue codes' prefixes: first clause whose code starts so
    days_ago: int
    narrative: str
    reporter: str = ""
    notes: tuple[str, ...] = ()
    child_words: str = ""
    new_subject: tuple[str, PersonKind] | None = None
    # Where and when it was said, who was there, whom it was told to (issue 17, item 3).
    disclosed_time: str = ""
    place: str = ""
    present: str = ""
    received_by: str = ""


DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "head",
        ("Mark Fenwick",),
        DisclosureSource.PARENT,
        ("001-COC-5",),
        2,
        "A parent told me at the gate that Mr Fenwick has accepted her son (Year 5) as a "
        "friend on Facebook and has liked several of his posts.",
        reporter="Parent of a Year 5 pupil, by phone",
        disclosed_time="08:40",
        place="The school gate, at the start of the day",
        present="Nobody else",
        received_by="The headteacher",
        notes=(
            "Parent asked whether her son will be spoken to. I explained the process "
            "that will be followed and that I cannot share outcomes about staff.",
        ),
    ),
    DemoCase(
        "staff",
        ("Laura Whitcombe",),
        DisclosureSource.STAFF,
        ("002-PU-3-7A",),
        1,
        "I saw a photo of our Year 2 class on a personal Instagram account belonging to "
        "Ms Whitcombe. Children's faces are visible and the school jumper is clear.",
    ),
    DemoCase(
        "dsl",
        ("Mark Fenwick",),
        DisclosureSource.CHILD,
        ("002-PU-3-1",),
        0,
        'Pupil (Year 6) said: "Mr Fenwick messaged me on Snapchat and said not to tell '
        "my mum.\" Child's words recorded as given. No questions asked beyond listening.",
        notes=("Called children's social care front door for advice; awaiting call back.",),
        child_words="Mr Fenwick messaged me on Snapchat and said not to tell my mum.",
        # No time: the demo may be built before any given time of today.
        place="The Year 6 classroom, at lunchtime",
        present="The class teaching assistant",
        received_by="The designated safeguarding lead",
    ),
    DemoCase(
        "head",
        ("Ben Hargreaves",),
        DisclosureSource.MONITORING,
        ("001-COC-4",),
        12,
        "Web filtering flagged the volunteer's use of a school laptop to post about a "
        "pupil's family circumstances in a public forum.",
    ),
    DemoCase(
        "head",
        ("Kerry Doyle",),
        DisclosureSource.SELF_REPORT,
        ("004-",),
        20,
        "Mrs Doyle told me she posted a picture from sports day on the school's Facebook "
        "page that included a child whose parents have not consented. She deleted it "
        "within ten minutes.",
        notes=("Checked the consent list; the post was removed. Advice given.",),
    ),
    DemoCase(
        "dsl",
        ("Rashid Karim",),
        DisclosureSource.EXTERNAL_AGENCY,
        ("003-",),
        30,
        "The local authority's online safety team reported that a contractor's business "
        "account posted photographs taken inside the school during building works.",
    ),
    DemoCase(
        "head",
        ("Helen Ashworth",),
        DisclosureSource.GOVERNOR,
        ("000-",),
        6,
        "A governor reported that the headteacher's personal Twitter account announced "
        "a staffing change before the school had told parents.",
    ),
    DemoCase(
        "deputy.dsl",
        ("Laura Whitcombe",),
        DisclosureSource.ANONYMOUS,
        ("003-",),
        45,
        "An anonymous note said a member of staff has been arguing with parents about the "
        "school in a local Facebook group.",
    ),
    DemoCase(
        "head",
        (),
        DisclosureSource.PARENT,
        ("001-GP",),
        60,
        "A parent posted photographs from the nativity play showing other children's faces "
        "on a public page after being asked not to.",
        new_subject=("Parent of a Year 1 pupil", PersonKind.PARENT_CARER),
    ),
    DemoCase(
        "governor",
        ("Kerry Doyle",),
        DisclosureSource.GOVERNOR,
        ("000-",),
        75,
        "Parents told me a teaching assistant is messaging them on WhatsApp about their "
        "children instead of using the school's approved channels.",
    ),
    DemoCase(
        "dsl",
        ("Mark Fenwick",),
        DisclosureSource.STAFF,
        ("002-",),
        90,
        "A colleague reported that Mr Fenwick shares his personal phone number with pupils "
        "for homework help.",
        reporter="A teaching colleague",
    ),
    DemoCase(
        "head",
        ("Ben Hargreaves",),
        DisclosureSource.PARENT,
        ("004-",),
        120,
        "A parent complained that the volunteer's account shares the school's password "
        "for the class blog in a public post.",
        reporter="Parent, by email",
    ),
)


@dataclass(frozen=True)
class TrustSchool:
    """Another school of the demo trust: a headteacher, three staff, and earlier cases."""

    urn: str
    name: str
    domain: str
    head: str
    staff: tuple[str, str, str]
    seed: int
    share: float  # of Oakfield's earlier cases


TRUST_SCHOOLS: tuple[TrustSchool, ...] = (
    TrustSchool(
        "999002",
        "Riverside Academy (demo)",
        "riverside.example",
        "Owen Pritchard",
        ("Nadia Hussain", "Gareth Lloyd", "Emma Saunders"),
        seed=2027,
        share=0.8,
    ),
    TrustSchool(
        "999003",
        "Hill View Primary School (demo)",
        "hillview.example",
        "Fiona McLeod",
        ("Joseph Adeyemi", "Claire Booth", "Sam Whitaker"),
        seed=2028,
        share=0.5,
    ),
)


def credentials_path(instance_path: Path) -> Path:
    return instance_path / "demo_password"


def _clause_ids(
    session: Session, school: School, prefixes: tuple[str, ...]
) -> tuple[uuid.UUID, ...]:
    clauses = list(session.scalars(select(PolicyClause).where(PolicyClause.school_id == school.id)))
    chosen = []
    for prefix in prefixes:
        match = next(
            (c for c in sorted(clauses, key=lambda c: c.code) if c.code.startswith(prefix)), None
        )
        if match is not None:
            chosen.append(match.id)
    return tuple(chosen)


def build_demo(session: Session, *, password: str) -> School:
    school = create_school(
        session, actor=None, name=DEMO_SCHOOL, urn=DEMO_URN, policies=policy_titles()
    )
    users: dict[str, User] = {}
    for role, name, local in DEMO_USERS:
        users[local] = create_user(
            session,
            actor=None,
            school=school,
            email=f"{local}@{DOMAIN}",
            display_name=name,
            roles=[role],
            password=password,
        )
    admin = users["admin"]
    for name, kind in DEMO_PEOPLE:
        create_person(session, actor=admin, name=name, kind=kind)
    session.flush()
    people = {
        p.name.reveal(): p
        for p in session.scalars(select(Person).where(Person.school_id == school.id))
    }
    today = local_today()
    for spec in DEMO_CASES:
        actor = users[spec.recorder]
        aware = today - timedelta(days=spec.days_ago)
        data = CaseInput(
            narrative=spec.narrative,
            became_aware_on=aware,
            occurred_on=aware - timedelta(days=1),
            subject_ids=tuple(people[name].id for name in spec.about),
            new_subject=NewSubject(*spec.new_subject) if spec.new_subject else None,
            # The demo names each new person afresh: none is someone already listed.
            not_listed=True,
            clause_ids=_clause_ids(session, school, spec.clauses),
            source=spec.source,
            reporter=spec.reporter,
            child_words=spec.child_words,
            disclosed_time=spec.disclosed_time,
            place=spec.place,
            present=spec.present,
            received_by=spec.received_by,
        )
        if actor.has_role(Role.STAFF, Role.GOVERNOR):
            case = report_concern(session, actor=actor, data=data)
        else:
            case = record_disclosure(session, actor=actor, data=data)
        if spec.days_ago:
            # Recorded the day the school heard, in school hours: not all "today". The service
            # stamps the real moment; only demo data is back-dated.
            case.recorded_at = london_midnight(aware) + timedelta(hours=10)
        for body in spec.notes:
            # The DSL keeps the chronology unless the case is out of their reach.
            writer = next(
                u for u in (users["dsl"], users["head"], users["chair"]) if can_add_note(u, case)
            )
            note_service.add_note(session, actor=writer, case=case, body=body)
    # Earlier terms' cases, closed with outcomes, so the governors' statistics have history.
    staff = [people[name] for name, kind in DEMO_PEOPLE if kind is PersonKind.STAFF]
    build_history(session, head=users["head"], people=staff)
    _demo_requests(session, head=users["head"], today=today)
    for other in TRUST_SCHOOLS:
        _trust_school(session, other, password=password)
    return school


def _trust_school(session: Session, spec: TrustSchool, *, password: str) -> School:
    school = create_school(
        session, actor=None, name=spec.name, urn=spec.urn, policies=policy_titles()
    )
    head = create_user(
        session,
        actor=None,
        school=school,
        email=f"head@{spec.domain}",
        display_name=spec.head,
        roles=[Role.HEADTEACHER],
        password=password,
    )
    staff = [create_person(session, actor=head, name=n, kind=PersonKind.STAFF) for n in spec.staff]
    build_history(session, head=head, people=staff, seed=spec.seed, share=spec.share)
    return school


def _demo_requests(session: Session, *, head: User, today: date) -> None:
    """Subject access requests: one answered with an exemption, one extended, one due soon."""
    answered = sar.log_request(
        session,
        actor=head,
        data=sar.NewRequest(
            "Ms A Parent, for her son's records", Requester.PARENT_FOR_CHILD, today - timedelta(50)
        ),
    )
    sar.respond(
        session,
        actor=head,
        request=answered,
        responded_on=today - timedelta(25),
        exemptions=[Exemption.SOURCE_IDENTITY],
        note="The name of the member of staff who raised the concern was redacted.",
    )
    extended = sar.log_request(
        session,
        actor=head,
        data=sar.NewRequest(
            "Mr D Teacher, about his own records", Requester.DATA_SUBJECT, today - timedelta(12)
        ),
    )
    sar.extend(
        session,
        actor=head,
        request=extended,
        reason="Records across three cases and the chronology: complex.",
    )
    sar.log_request(
        session,
        actor=head,
        data=sar.NewRequest(
            "A solicitor, for a former volunteer", Requester.REPRESENTATIVE, today - timedelta(27)
        ),
    )


def describe(password: str) -> str:
    lines = [
        f"Demo trust: {DEMO_SCHOOL} (URN {DEMO_URN}) and "
        + " and ".join(f"{t.name} (URN {t.urn})" for t in TRUST_SCHOOLS),
        f"Every demo user's password: {password}",
        f"Sign in to {DEMO_SCHOOL} as:",
    ]
    lines += [f"  {role.label:<40} {local}@{DOMAIN}" for role, _name, local in DEMO_USERS]
    lines += [f"  {'Headteacher, ' + t.name:<40} head@{t.domain}" for t in TRUST_SCHOOLS]
    lines += [
        "",
        f"The trust officer (trust@{DOMAIN}) sees the statistics of all three schools, with a",
        "table per school; each school's governors and headteacher see only their own.",
        "",
        "Staff and governor accounts go straight in. Every other role sets up two-factor sign-in",
        "at its first sign-in: scan the QR code with any authenticator app. With no phone, open",
        '"I cannot scan the QR code", copy the key without its spaces, and get the code with:',
        "  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('THEKEY').now())\"",
        "(keep the recovery codes it shows you: the demo cannot show them again).",
    ]
    return "\n".join(lines)
