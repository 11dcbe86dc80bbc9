"""Issue 13, item 9: parents are told what KCSIE Part 4 says (about the allegation, kept informed
of progress, the outcome in confidence, including any disciplinary outcome), and a child's
disclosure makes a task to tell the parents once the police's and children's social care's
advice on timing is recorded."""

from __future__ import annotations

import pytest

from incidents.casework.cases import notes
from incidents.casework.cases.commands import CaseInput, NewSubject, record_disclosure
from incidents.casework.tasks import commands as tasks
from incidents.clock import local_today
from incidents.errors import InvalidInput
from incidents.models import DisclosureSource, PersonKind, Role, TaskKind
from tests import factories


def test_the_parent_letter_says_what_kcsie_says(db, users, login_as):
    case = factories.make_case(db, users[Role.HEADTEACHER], source=DisclosureSource.PARENT)
    db.commit()
    letter = login_as(Role.HEADTEACHER).get(f"/cases/{case.id}/letter").get_data(as_text=True)
    assert "We cannot tell you about any action taken" not in letter
    assert "keep you informed of how it is progressing" in letter
    assert "tell you the outcome" in letter
    assert "including the outcome of any disciplinary process" in letter
    assert "in confidence" in letter


def test_a_childs_disclosure_makes_a_task_to_tell_the_parents(db, users):
    head = users[Role.HEADTEACHER]
    case = record_disclosure(
        db,
        actor=head,
        data=CaseInput(
            narrative="A pupil told me at lunch.",
            became_aware_on=local_today(),
            new_subject=NewSubject(name="Jo Teacher", kind=PersonKind.STAFF),
            source=DisclosureSource.CHILD,
            child_words="Mr T hurt my arm",
        ),
    )
    db.commit()
    [task] = [t for t in case.tasks if t.kind is TaskKind.TELL_PARENTS]
    assert "Agree the timing with the police and children's social care" in task.describe()
    assert task.assignee_id == users[Role.DSL].id
    # Done only once the agencies' advice on timing is in the chronology.
    with pytest.raises(InvalidInput, match="advised about when the parents may be told"):
        tasks.complete_task(db, actor=head, case=case, task_id=task.id)
    db.rollback()
    assert not task.is_done
    notes.add_note(
        db, actor=head, case=case, body="Police (DC Shah) advise: tell parents after interview."
    )
    tasks.complete_task(db, actor=head, case=case, task_id=task.id)
    db.commit()
    assert task.is_done


def test_other_sources_make_no_such_task(db, users):
    case = factories.make_case(db, users[Role.HEADTEACHER], source=DisclosureSource.STAFF)
    assert all(t.kind is not TaskKind.TELL_PARENTS for t in case.tasks)
