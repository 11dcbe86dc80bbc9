"""Personal fields: redacted everywhere unless read explicitly, and only storable as Sensitive."""

from __future__ import annotations

import logging
import pickle
import unicodedata

import pytest
from jinja2 import Environment
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from incidents.models import Person, PersonKind
from incidents.sensitive import REDACTED, Sensitive

MARKER = "Zebedee Quintrell-Marker"


def test_value_is_redacted_in_repr_str_format_and_templates():
    value = Sensitive(MARKER)
    assert MARKER not in repr(value)
    assert MARKER not in str(value)
    assert MARKER not in f"{value}"
    assert MARKER not in "%s" % (value,)  # noqa: UP031 - old-style logging formatting
    rendered = Environment(autoescape=True).from_string("{{ v }} {{ [v] }}").render(v=value)
    assert MARKER not in rendered and REDACTED in rendered
    assert value.reveal() == MARKER


def test_value_does_not_leak_into_logs_or_pickles(caplog):
    value = Sensitive(MARKER)
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("person %s %r", value, {"name": value})
    assert MARKER not in caplog.text
    with pytest.raises(TypeError):
        pickle.dumps(value)


def test_names_typed_differently_are_the_same_value():
    composed = Sensitive(unicodedata.normalize("NFC", "Zoë"))
    decomposed = Sensitive(unicodedata.normalize("NFD", "Zoë"))
    assert composed == decomposed
    assert composed.reveal() == decomposed.reveal()


def test_only_text_can_be_wrapped():
    with pytest.raises(TypeError):
        Sensitive(42)  # type: ignore[arg-type]


def test_a_plain_string_cannot_be_stored_in_a_personal_field(db, school):
    with pytest.raises(TypeError, match="Sensitive"):
        Person(school_id=school.id, kind=PersonKind.STAFF, name=MARKER)


def test_sql_errors_do_not_carry_personal_data(db, school):
    person = Person(school_id=school.id, kind=PersonKind.STAFF, name=Sensitive(MARKER))
    db.add(person)
    db.flush()
    duplicate = insert(Person).values(
        id=person.id, school_id=school.id, kind=PersonKind.STAFF, name_ct=person.name_ct
    )
    with pytest.raises(IntegrityError) as raised, db.begin_nested():
        db.execute(duplicate)
    assert "pk_person" in str(raised.value) or "UNIQUE" in str(raised.value)
    assert MARKER not in str(raised.value)
