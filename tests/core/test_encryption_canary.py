"""The canary over every personal field the models declare, not just a case's: a school with one
row of every kind that holds personal data (subject access requests, disciplinary processes and
sanctions, suspension decisions, breach records, referrals, tasks, elevations, second factors,
audit details...), a unique marker written into every declared field, and then the database as
it is stored: no marker anywhere, and every marker reads back. A model that gains a personal
field without a row here fails the first assertion."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.accounts import drafts, elevation
from incidents.accounts import sessions as login_sessions
from incidents.admin.users import commands as user_commands
from incidents.casework.breach import commands as breaches
from incidents.casework.cases import notes
from incidents.casework.cases import steps as casework
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.disciplinary import reviews as measure_reviews
from incidents.casework.evidence import commands as evidence
from incidents.casework.letters import commands as letters
from incidents.casework.outcome import commands as outcomes
from incidents.casework.police import commands as police
from incidents.casework.referrals import commands as referrals
from incidents.casework.suspension import commands as suspension
from incidents.casework.tasks import commands as tasks
from incidents.db import Base
from incidents.models import (
    Agency,
    Alternative,
    Case,
    CaseKind,
    CaseOutcome,
    DataSubjects,
    DisclosureSource,
    ElevationPurpose,
    EngagedBy,
    InformKind,
    LetterKind,
    LetterMethod,
    Measure,
    MeetingKind,
    PersonKind,
    ReferralMethod,
    ReferralStatus,
    Requester,
    RequestState,
    RestrictionEnd,
    ReviewDecision,
    Role,
    SignInSettings,
    User,
)
from incidents.registers.subject_access import commands as sar
from incidents.sensitive import Sensitive
from tests import factories
from tests.case_routes import TODAY, assess, case_about, lado_agreed, lado_says, upheld
from tests.casework.evidence.conftest import LIMITS as EVIDENCE_LIMITS
from tests.casework.evidence.conftest import upload as evidence_upload
from tests.core.test_encryption import _every_stored_value

FILE_CONTENT_MARKER = "Canary-evidence-file-content-Zq"


def _declared() -> set[tuple[str, str]]:
    return {
        (mapper.class_.__tablename__, name)
        for mapper in Base.registry.mappers
        for name in mapper.class_.__dict__.get("__sensitive_fields__", [])
    }


def _one_of_everything(db: Session, users: dict[Role, User]) -> None:
    head = users[Role.HEADTEACHER]
    # A child's disclosure: police hold, referrals, the child's words.
    child_case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative="n",
            became_aware_on=TODAY,
            new_subject=NewSubject(name="s", kind=PersonKind.STAFF),
            not_listed=True,
            source=DisclosureSource.CHILD,
            reporter="r",
            child_words="w",
            # Where it was said, who else was there, whom it was made to (issue 17, item 3).
            place="p",
            present="w",
            received_by="r",
        ),
    )
    police.record_result(db, actor=head, case=child_case, result="r")
    tasks.add_task(db, actor=head, case=child_case, title="t", assignee_id=None, due_on=TODAY)
    referrals.add_referral(db, actor=head, case=child_case, agency=Agency.OTHER)
    note = notes.add_note(db, actor=head, case=child_case, body="b")
    # A legal hold, placed and lifted (why, both times).
    from incidents.casework.erasure import commands as erasure
    from incidents.models import LegalHoldKind

    hold = erasure.place_legal_hold(
        db, actor=head, case=child_case, kind=LegalHoldKind.POLICE, reason="r"
    )
    erasure.lift_legal_hold(db, actor=head, case=child_case, hold_id=hold.id, reason="r")
    notes.add_note(db, actor=head, case=child_case, body="c", corrects_id=note.id, reason="r")
    # An allegation with a suspension decision, confirmed late (why) and ended (why).
    long_ago = TODAY - timedelta(days=14)
    allegation = case_about(db, head, PersonKind.STAFF, became_aware_on=long_ago)
    assess(db, head, allegation, CaseKind.ALLEGATION)
    lado = next(r for r in allegation.referrals if r.agency is Agency.LADO)
    for status, advice in ((ReferralStatus.MADE, ""), (ReferralStatus.ADVICE_RECEIVED, "a")):
        referrals.update_referral(
            db,
            actor=head,
            case=allegation,
            referral_id=lado.id,
            data=referrals.ReferralUpdate(
                # Made late (the school knew two weeks ago): why.
                status,
                ReferralMethod.PHONE,
                TODAY,
                their_reference="t",
                advice=advice,
                reasons="r",
                **(lado_says(allegation) if advice else {}),  # type: ignore[arg-type]
            ),
        )
    suspended = suspension.decide_suspension(
        db,
        actor=head,
        case=allegation,
        data=suspension.SuspensionInput(None, {Alternative.REDEPLOYMENT: "r"}, True, "r", long_ago),
    )
    suspension.confirm_suspension(
        db, actor=head, case=allegation, decision_id=suspended.id, sent_on=TODAY, late_reason="l"
    )
    suspension.lift_suspension(
        db, actor=head, case=allegation, decision_id=suspended.id, lifted_on=TODAY, reasons="e"
    )
    # Its outcome, agreed with the LADO (who).
    casework.take_step(db, actor=head, case=allegation, action="investigate")
    outcomes.record_outcome(
        db,
        actor=head,
        case=allegation,
        outcome=CaseOutcome.UNFOUNDED,
        reasons="r",
        **lado_agreed(allegation),  # type: ignore[arg-type]
    )
    # A staff process (HR reference) and a parent's sanction (details).
    staff = upheld(db, head, PersonKind.STAFF, CaseKind.POLICY_BREACH)
    ended = disciplinary.start_disciplinary(
        db, actor=head, case=staff, person_id=None, hr_reference="h"
    )
    disciplinary.discontinue(db, actor=head, case=staff, process_id=ended.id, reasons="r")
    parent = upheld(db, head, PersonKind.PARENT_CARER, CaseKind.POLICY_BREACH)
    process = disciplinary.start_disciplinary(db, actor=head, case=parent, person_id=None)
    measure = disciplinary.add_measure(
        db,
        actor=head,
        case=parent,
        process_id=process.id,
        data=disciplinary.MeasureInput(Measure.PHOTOGRAPHY_WITHDRAWN, TODAY, details="d"),
    )
    # Its review, changed (reasons and what changes).
    measure_reviews.record_review(
        db,
        actor=head,
        case=parent,
        measure_id=measure.id,
        data=measure_reviews.ReviewInput(ReviewDecision.VARY, TODAY, "r", changes="c"),
    )
    # A personal data breach, decided and told.
    breach = case_about(db, head, PersonKind.STAFF)
    assess(db, head, breach, CaseKind.DATA_BREACH)
    breaches.record_facts(
        db,
        actor=head,
        case=breach,
        data=breaches.BreachFacts("w", "d", 3, frozenset({DataSubjects.PUPILS}), "l", "r"),
    )
    breaches.decide_ico(db, actor=head, case=breach, report=False, reasons="r")
    breaches.record_people_told(db, actor=head, case=breach, told=False, told_on=None, reasons="r")
    # A letter sent from a case (issue 17, item 8): the letter as sent, sealed.
    letters.send_letter(
        db,
        actor=head,
        case=parent,
        data=letters.LetterInput(LetterKind.OUTCOME, "n", "a", "c", "e", LetterMethod.POST, TODAY),
    )
    # A subject access request, extended, then closed.
    request = sar.log_request(
        db, actor=head, data=sar.NewRequest("q", Requester.OTHER, TODAY - timedelta(days=2))
    )
    sar.extend(db, actor=head, request=request, reason="e")
    sar.respond(db, actor=head, request=request, responded_on=TODAY, exemptions=[], note="n")
    withdrawn = sar.log_request(db, actor=head, data=sar.NewRequest("q", Requester.OTHER, TODAY))
    sar.close(db, actor=head, request=withdrawn, state=RequestState.WITHDRAWN, reason="w")
    # Elevated access, with its reason.
    token = login_sessions.start(db, user=head)
    db.flush()
    elevation.grant(
        db,
        actor=head,
        login_token=token,
        purpose=ElevationPurpose.EXPORT,
        password=factories.PASSWORD,
        reason="x",
    )
    _allegation_steps(db, head, child_case)
    db.flush()
    # Evidence (issue 14): a file whose bytes hold a marker, and one that replaces it.
    [shot] = evidence.add_evidence(
        db,
        actor=head,
        case=child_case,
        uploads=[evidence_upload("n.txt", FILE_CONTENT_MARKER.encode())],
        limits=EVIDENCE_LIMITS,
    )
    evidence.add_evidence(
        db,
        actor=head,
        case=child_case,
        uploads=[evidence_upload("m.txt", b"m")],
        limits=EVIDENCE_LIMITS,
        supersedes=shot,
        reason="r",
    )
    # The staff list (issue 16): a person's work email and job title; an invitation, whose
    # email's single-use link waits sealed in the outbox.
    staff_member = factories.make_person(db, head, name="p")
    staff_member.email = Sensitive("e@example.org")
    staff_member.job_title = Sensitive("t")
    user_commands.invite(
        db, actor=users[Role.ADMIN], email="i@example.org", display_name="i", roles=["staff"]
    )
    # A form sent after the session ended (issue 17, item 9): what was typed, kept for its owner.
    drafts.keep(db, user=head, page="/report/", fields=[("narrative", "n")], files_dropped=False)
    # Sign-in with the school's identity provider (issue 16, item 6): its client secret.
    db.add(
        SignInSettings(
            school_id=head.school_id,
            provider_name="p",
            issuer="https://i.example",
            client_id="c",
            client_secret=Sensitive("s"),
            allowed_domains="d.example",
        )
    )
    db.flush()


def _allegation_steps(db: Session, head: User, child_case: Case) -> None:
    """Issue 13's steps beside an allegation: the restriction's end, a meeting, who was told,
    the employing organisation."""
    from incidents.casework.allegation import informing, meetings, organisations, restrictions

    assess(db, head, child_case, CaseKind.ALLEGATION)
    restrictions.end_restriction(
        db, actor=head, case=child_case, reason=RestrictionEnd.LIFTED, ended_on=TODAY, note="n"
    )
    meetings.record_meeting(
        db,
        actor=head,
        case=child_case,
        data=meetings.MeetingInput(MeetingKind.STRATEGY, TODAY, "a", "d", "w"),
    )
    informing.record_informing(
        db,
        actor=head,
        case=child_case,
        data=informing.InformInput(
            InformKind.PARENTS, TODAY, "b", "s", True, True, contact="c", support="s"
        ),
    )
    organisations.record_organisation(
        db, actor=head, case=child_case, kind=EngagedBy.AGENCY, name="n", contact="c"
    )


def test_every_personal_field_of_every_model_is_sealed_at_rest(db: Session, users) -> None:
    _one_of_everything(db, users)
    markers: dict[tuple[str, str], str] = {}
    # A field with a unique blind index (a person's link to a login) needs a marker per row.
    per_row: dict[tuple[object, str], str] = {}
    rows = [
        obj
        for mapper in Base.registry.mappers
        if mapper.class_.__dict__.get("__sensitive_fields__")
        for obj in db.scalars(select(mapper.class_)).all()
    ]
    for obj in rows:
        for name in type(obj).__sensitive_fields__:
            if getattr(obj, f"{name}_ct") is None:
                continue  # empty by design (a note that corrects nothing has no reason)
            place = (type(obj).__tablename__, name)
            marker = f"Canary-{place[0]}-{name}-{len(markers)}-Zq"
            markers.setdefault(place, marker)
            if place == ("person", "account"):
                per_row[(obj.id, name)] = f"Canary-person-account-{len(per_row)}-Zq"
            setattr(obj, name, Sensitive(per_row.get((obj.id, name), markers[place])))
    db.flush()
    assert set(markers) == _declared(), "a personal field with no row in this canary"

    raw = _every_stored_value(db)
    leaked = sorted(m for m in [*markers.values(), *per_row.values()] if m.encode() in raw)
    assert leaked == []
    assert FILE_CONTENT_MARKER.encode() not in raw, "an evidence file's bytes are in clear"

    db.expire_all()
    for obj in rows:
        db.refresh(obj)
        for name in type(obj).__sensitive_fields__:
            value = getattr(obj, name)
            if value is not None:
                expected = per_row.get((obj.id, name), markers[(type(obj).__tablename__, name)])
                assert value.reveal() == expected


def test_the_canary_would_see_a_field_stored_in_clear(db: Session, users) -> None:
    """The scan is real: the same marker in a plain column is found."""
    school = factories.make_school(db, name="Canary-clear-school-Zq")
    db.flush()
    assert b"Canary-clear-school-Zq" in _every_stored_value(db)
    assert school.name == "Canary-clear-school-Zq"
