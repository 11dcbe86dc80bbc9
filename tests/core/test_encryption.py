"""Personal data at rest: nothing readable in the database, ciphertexts bound to their place,
clear errors for every failure, shredding, and the surname search."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text, update
from sqlalchemy.orm import Session

from incidents.casework.cases.commands import NewSubject
from incidents.casework.cases.notes import add_note
from incidents.casework.cases.queries import list_cases
from incidents.casework.erasure.commands import shred_case
from incidents.crypto import envelope
from incidents.crypto.envelope import CryptoError, TamperedError
from incidents.crypto.keyring import ErasedError, Keyring
from incidents.crypto.keys import generate
from incidents.db import Base, make_engine
from incidents.errors import InvalidInput
from incidents.models import Case, DataKey, Note, Person, PersonKind, Role
from incidents.sensitive import Sensitive
from tests import factories
from tests.conftest import post_form

MARKERS = {
    "name": "Xylophonia Qwertyson",
    "narrative": "Marker-narrative-7Hq2 said the teacher messaged a pupil",
    "reporter": "Marker-reporter-K9zP",
    "note": "Marker-note-body-Vb41",
    "reason": "Marker-reason-Jd83",
    "child_words": "Marker-child-words-Tw58",
    "outcome_reasons": "Marker-outcome-reasons-Pz26",
    "outcome_lado_officer": "Marker-lado-officer-Qm71",
}


def _case_with_markers(db: Session, users: dict) -> Case:
    """One case with a unique marker in every personal field there is."""
    head = users[Role.HEADTEACHER]
    person = factories.make_person(db, head, name=MARKERS["name"])
    case = factories.make_case(db, head, subjects=[person], narrative=MARKERS["narrative"])
    case.reporter_identity = Sensitive(MARKERS["reporter"])
    case.child_words = Sensitive(MARKERS["child_words"])
    case.outcome_reasons = Sensitive(MARKERS["outcome_reasons"])
    case.outcome_lado_officer = Sensitive(MARKERS["outcome_lado_officer"])
    note = add_note(db, actor=head, case=case, body=MARKERS["note"])
    add_note(
        db, actor=head, case=case, body="corrected", corrects_id=note.id, reason=MARKERS["reason"]
    )
    db.flush()
    return case


def _every_stored_value(db: Session) -> bytes:
    """Every column of every row of every table, as the database hands it out."""
    chunks: list[bytes] = []
    for table in Base.metadata.sorted_tables:
        for row in db.execute(select(table)):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    chunks.append(bytes(value))
                elif value is not None:
                    chunks.append(str(value).encode())
    return b"\n".join(chunks)


def test_every_declared_personal_field_is_covered_by_the_markers():
    declared = {
        (model.__tablename__, name)
        for model in (Person, Case, Note)
        for name in model.__sensitive_fields__
    }
    assert declared == {
        ("person", "name"),
        # The link to a login (issue 19, item 10): its canary is test_encryption_canary's.
        ("person", "account"),
        # A member of staff's work email and job title (issue 16): canaries in
        # test_encryption_canary, like the account link.
        ("person", "email"),
        ("person", "job_title"),
        ("case_file", "narrative"),
        ("case_file", "reporter_identity"),
        ("case_file", "child_words"),
        ("case_file", "outcome_reasons"),
        ("case_file", "outcome_lado_officer"),
        # Where a disclosure was made, who was there, who it was made to (issue 17, item 3):
        # canaries in tests/casework/cases/test_disclosure_details.py.
        ("case_file", "disclosure_place"),
        ("case_file", "disclosure_present"),
        ("case_file", "disclosure_received_by"),
        ("note", "body"),
        ("note", "reason"),
    }


def test_no_personal_data_in_any_column_but_it_reads_back(db, users):
    case = _case_with_markers(db, users)
    raw = _every_stored_value(db)
    for marker in MARKERS.values():
        assert marker.encode() not in raw
        assert marker.split()[0].encode() not in raw
    db.expire_all()
    case = db.get(Case, case.id)
    assert case.narrative.reveal() == MARKERS["narrative"]
    assert case.reporter_identity.reveal() == MARKERS["reporter"]
    assert case.subjects[0].name.reveal() == MARKERS["name"]
    assert [n.body.reveal() for n in case.notes] == [MARKERS["note"], "corrected"]
    assert case.notes[1].reason.reveal() == MARKERS["reason"]


def test_sqlite_file_bytes_hold_no_personal_data(tmp_path: Path):
    """The canary on the database file itself, committed and checkpointed, WAL included."""
    from alembic import command

    from incidents.cli import alembic_config

    url = f"sqlite:///{tmp_path / 'canary.db'}"
    keyring = Keyring(generate())
    command.upgrade(alembic_config(url, keyring), "head")
    engine = make_engine(url)
    with Session(engine, info={"keyring": keyring}) as db:
        school = factories.make_school(db)
        users = {role: factories.make_user(db, school, role) for role in Role}
        _case_with_markers(db, users)
        db.commit()
    engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("canary.db"))
    assert b"Test Primary School" in raw  # the check can see clear text where there is some
    for marker in MARKERS.values():
        assert marker.encode() not in raw


def _swap(db: Session, table, column: str, from_id, to_id) -> None:
    value = db.execute(select(table.c[column]).where(table.c.id == from_id)).scalar_one()
    db.execute(update(table).where(table.c.id == to_id).values({column: value}))


def _reload(db: Session, model, row_id):
    db.expire_all()
    db.info.pop("pending_keys", None)
    return db.get(model, row_id)


def test_a_ciphertext_copied_to_another_row_fails_loudly(db, users):
    head = users[Role.HEADTEACHER]
    first = factories.make_case(db, head, narrative="first narrative")
    second = factories.make_case(db, head, narrative="second narrative")
    db.flush()
    _swap(db, Case.__table__, "narrative_ct", first.id, second.id)
    with pytest.raises(TamperedError, match=f"case_file.narrative of row {second.id}"):
        _ = _reload(db, Case, second.id).narrative


def test_a_ciphertext_copied_to_another_column_fails_loudly(db, users):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    case.reporter_identity = Sensitive("someone")
    db.flush()
    value = db.execute(select(Case.__table__.c.narrative_ct).where(Case.id == case.id)).scalar()
    db.execute(update(Case.__table__).where(Case.id == case.id).values(reporter_identity_ct=value))
    with pytest.raises(TamperedError, match="reporter_identity"):
        _ = _reload(db, Case, case.id).reporter_identity


def test_a_note_moved_to_another_case_fails_loudly(db, users):
    head = users[Role.HEADTEACHER]
    one = factories.make_case(db, head)
    other = factories.make_case(db, head)
    note = add_note(db, actor=head, case=one, body="belongs to the first case")
    db.flush()
    db.execute(update(Note.__table__).where(Note.id == note.id).values(case_id=other.id))
    with pytest.raises(CryptoError):
        _ = _reload(db, Note, note.id).body


def test_an_altered_byte_fails_loudly(db, users):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    sealed = bytearray(case.narrative_ct)
    sealed[-1] ^= 1
    db.execute(update(Case.__table__).where(Case.id == case.id).values(narrative_ct=bytes(sealed)))
    with pytest.raises(TamperedError, match="altered or copied"):
        _ = _reload(db, Case, case.id).narrative


def test_the_stored_value_names_its_key_and_version(db, users):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    header = envelope.read_header(case.narrative_ct)
    key = db.get(DataKey, header.key_id)
    assert key.case_id == case.id and key.version == header.key_version == 1
    person_header = envelope.read_header(case.subjects[0].name_ct)
    assert db.get(DataKey, person_header.key_id).case_id is None  # the school's key


def test_each_case_has_its_own_data_key(db, users):
    head = users[Role.HEADTEACHER]
    one, two = factories.make_case(db, head), factories.make_case(db, head)
    db.flush()
    assert (
        envelope.read_header(one.narrative_ct).key_id
        != envelope.read_header(two.narrative_ct).key_id
    )


def test_a_wrong_key_file_is_named_not_guessed(db, users, session_factory):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    stranger = session_factory(info={"keyring": Keyring(generate("a different key file"))})
    with pytest.raises(CryptoError, match="the key file does not match this database"):
        _ = stranger.get(Case, case.id).narrative


def test_reading_without_a_keyring_says_so(db, users, connection):
    from incidents.sensitive import MissingKeyringError

    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.commit()
    bare = Session(bind=connection, join_transaction_mode="create_savepoint")
    with pytest.raises(MissingKeyringError, match="keyring"):
        _ = bare.get(Case, case.id).narrative


def test_shredding_makes_a_case_unreadable_and_leaves_others(db, users, keyring):
    head = users[Role.HEADTEACHER]
    doomed = factories.make_case(
        db,
        head,
        narrative="to be erased",
        new_subject=NewSubject("Only In This Case", PersonKind.OTHER),
    )
    kept = factories.make_case(
        db, head, narrative="to be kept", subjects=[factories.person_of(db, users[Role.STAFF])]
    )
    add_note(db, actor=head, case=doomed, body="a note on the erased case")
    db.commit()
    orphan_id = doomed.subjects[0].id
    shred_case(
        db,
        actor=None,
        case=doomed,
        rule="10 years after the outcome",
        keyring=keyring,
        override_reason="Test: early",
    )
    db.commit()

    doomed = _reload(db, Case, doomed.id)
    assert doomed.state.value == "erased" and doomed.erasure_rule == "10 years after the outcome"
    assert doomed.subjects == []
    assert db.get(Person, orphan_id) is None  # a name only this case knew is gone too
    with pytest.raises(ErasedError, match="erased"):
        _ = doomed.narrative
    with pytest.raises(ErasedError):
        _ = doomed.notes[0].body
    keys = db.scalars(select(DataKey).where(DataKey.case_id == doomed.id)).all()
    assert keys and all(k.wrapped is None and k.destroyed_at for k in keys)
    # Statistics fields survive.
    assert doomed.became_aware_on and doomed.source and doomed.recorded_at
    # A fresh keyring holding every KEK version still cannot read it.
    fresh = Session(bind=db.connection(), info={"keyring": Keyring(keyring.material)})
    with pytest.raises(ErasedError):
        _ = fresh.get(Case, doomed.id).narrative
    assert _reload(db, Case, kept.id).narrative.reveal() == "to be kept"


def test_shredding_twice_or_without_a_rule_is_refused(db, users, keyring):
    case = factories.make_case(db, users[Role.HEADTEACHER])
    db.flush()
    with pytest.raises(InvalidInput, match="retention rule"):
        shred_case(
            db, actor=None, case=case, rule="  ", keyring=keyring, override_reason="Test: early"
        )
    with pytest.raises(InvalidInput, match="200 characters"):
        shred_case(
            db,
            actor=None,
            case=case,
            rule="x" * 201,
            keyring=keyring,
            override_reason="Test: early",
        )
    shred_case(
        db, actor=None, case=case, rule="policy", keyring=keyring, override_reason="Test: early"
    )
    with pytest.raises(InvalidInput, match="already erased"):
        shred_case(
            db, actor=None, case=case, rule="policy", keyring=keyring, override_reason="Test: early"
        )


def test_an_erased_case_page_says_when_and_why(db, users, keyring, login_as):
    case = factories.make_case(db, users[Role.DSL], narrative="secret words")
    db.commit()
    shred_case(
        db,
        actor=None,
        case=case,
        rule="Retention: 6 years",
        keyring=keyring,
        override_reason="Test: early",
    )
    db.commit()
    page = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "This case was erased on" in page and "Retention: 6 years" in page
    assert "secret words" not in page and "Add note" not in page


def test_a_tampered_case_page_explains_and_changes_nothing(app, db, users, login_as):
    case = factories.make_case(db, users[Role.DSL])
    db.commit()
    db.execute(update(Case.__table__).where(Case.id == case.id).values(narrative_ct=b"\x01" * 60))
    db.commit()
    response = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "This record cannot be read" in body and "case_file.narrative" in body


def test_surname_search_uses_the_blind_index(db, users, login_as):
    head = users[Role.HEADTEACHER]
    smith = factories.make_person(db, head, name="Jo Smith")
    jones = factories.make_person(db, head, name="Sam O'Brien-Jones")
    mine = factories.make_case(db, head, subjects=[smith])
    theirs = factories.make_case(db, head, subjects=[jones])
    db.flush()
    assert smith.surname_index and len(smith.surname_index) == 16
    assert MARKERS["name"].encode() not in smith.surname_index
    found = list_cases(db, actor=head, surname="SMITH").items
    assert [c.id for c in found] == [mine.id]
    found = list_cases(db, actor=head, surname="o'brien-jones").items
    assert [c.id for c in found] == [theirs.id]
    assert list_cases(db, actor=head, surname="Smyth").items == []
    db.commit()
    # Searched by POST (issue 17, item 6): the name is never in a URL, even the one it lands on.
    client = login_as(Role.DSL)
    response = post_form(client, "/cases/", {"surname": "smith"})
    assert response.status_code in (302, 303) and "smith" not in response.location.lower()
    page = client.get(response.location).get_data(as_text=True)
    assert mine.reference in page and theirs.reference not in page


@pytest.mark.parametrize(
    ("value", "message"),
    [("x" * 61, "60 characters or fewer"), ("12345", "Enter a surname using letters")],
)
def test_surname_search_bad_input(login_as, value, message):
    page = post_form(login_as(Role.DSL), "/cases/", {"surname": value})
    body = page.get_data(as_text=True)
    assert page.status_code == 400  # the list again, with the error
    assert "govuk-error-summary" in body and message in body


def test_the_reporter_identity_is_never_indexed(db):
    columns = {c["name"] for c in inspect(db.connection()).get_columns("case_file")}
    assert "reporter_identity_ct" in columns
    assert not {c for c in columns if "reporter" in c and c != "reporter_identity_ct"}


def test_school_keys_are_separate(db, users, keyring):
    """Two schools' wrapped keys are under different KEKs: one school's cannot open another's."""
    other = factories.make_school(db, name="Other School")
    a = factories.make_case(db, users[Role.HEADTEACHER])
    b = factories.make_case(db, factories.make_user(db, other, Role.HEADTEACHER))
    db.flush()
    key_a = db.get(DataKey, envelope.read_header(a.narrative_ct).key_id)
    with pytest.raises(CryptoError):
        envelope.unwrap_key(
            keyring.school_kek(other.id, key_a.kek_version),
            key_a.wrapped,
            school_id=other.id,
            key_id=key_a.id,
            scope=key_a.scope_label,
            version=key_a.version,
        )
    assert b.narrative.reveal()


def test_text_in_sql_cannot_see_names(db, users):
    factories.make_person(db, users[Role.HEADTEACHER], name="Findable Plaintextname")
    db.flush()
    hits = db.execute(
        text("SELECT count(*) FROM person WHERE CAST(name_ct AS TEXT) LIKE '%Plaintextname%'")
    ).scalar()
    assert hits == 0


def test_new_ids_are_time_ordered_uuid7():
    from incidents.db import new_id

    ids = [new_id() for _ in range(50)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids, key=lambda u: u.int >> 80) and len(set(ids)) == 50
    assert isinstance(ids[0], uuid.UUID)
