"""Which of a case's parts hold rows, asked in the query that loads the case (issue 21).

The case page shows a dozen parts (clocks, meetings, files, ...) that most cases do not have:
one query each would be a dozen round trips to learn that they are empty. The page loads the
case with `with_presence(actor)`, and loads a part only if `may_have` says it might be there.
"""

from __future__ import annotations

import enum
import functools
import uuid

from sqlalchemy import ColumnElement, and_, case, exists, literal, select
from sqlalchemy.orm import aliased, with_expression
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import ORMOption

from incidents.models.alert import Alert
from incidents.models.allegation_steps import (
    CaseClock,
    EmployingOrganisation,
    InformingStep,
    Meeting,
    RestrictionEnded,
)
from incidents.models.case import Case, Citation, Note, case_subject
from incidents.models.evidence import EvidenceFile
from incidents.models.letter import SentLetter
from incidents.models.referral import Referral
from incidents.models.task import Task


class Part(enum.IntFlag):
    CLOCKS = 1
    RESTRICTION_ENDED = 2
    MEETINGS = 4
    INFORMING = 8
    ORGANISATIONS = 16
    EVIDENCE = 32
    # Another case, not erased, shares a subject with this one (earlier concerns).
    OTHER_CASES = 64
    # The viewer has unread alerts about this case (opening it marks them read).
    UNREAD_ALERTS = 128
    NOTES = 256
    TASKS = 512
    REFERRALS = 1024
    CITATIONS = 2048
    LETTERS = 4096


def _presence(actor_id: uuid.UUID) -> ColumnElement[int]:
    mine, other = aliased(case_subject), aliased(case_subject)
    checks: list[tuple[Part, ColumnElement[bool]]] = [
        (Part.CLOCKS, exists().where(CaseClock.case_id == Case.id)),
        (Part.RESTRICTION_ENDED, exists().where(RestrictionEnded.case_id == Case.id)),
        (Part.MEETINGS, exists().where(Meeting.case_id == Case.id)),
        (Part.INFORMING, exists().where(InformingStep.case_id == Case.id)),
        (Part.ORGANISATIONS, exists().where(EmployingOrganisation.case_id == Case.id)),
        (Part.EVIDENCE, exists().where(EvidenceFile.case_id == Case.id)),
        (Part.NOTES, exists().where(Note.case_id == Case.id)),
        (Part.TASKS, exists().where(Task.case_id == Case.id)),
        (Part.REFERRALS, exists().where(Referral.case_id == Case.id)),
        (Part.CITATIONS, exists().where(Citation.case_id == Case.id)),
        (Part.LETTERS, exists().where(SentLetter.case_id == Case.id)),
        (
            Part.OTHER_CASES,
            exists(
                select(literal(1))
                .select_from(mine)
                .join(other, other.c.person_id == mine.c.person_id)
                .where(mine.c.case_id == Case.id, other.c.case_id != Case.id)
            ),
        ),
        (
            Part.UNREAD_ALERTS,
            exists().where(
                and_(
                    Alert.user_id == actor_id,
                    Alert.case_id == Case.id,
                    Alert.read_at.is_(None),
                )
            ),
        ),
    ]
    total: ColumnElement[int] = literal(0)
    for part, check in checks:
        total = total + case((check, int(part)), else_=0)
    return total


@functools.lru_cache(maxsize=256)
def with_presence(actor_id: uuid.UUID) -> ORMOption:
    """The loader option that fills `Case.parts_present` in the case's own query. Kept per
    reader: building its thirteen subqueries cost more than running them (issue 21); an
    option is immutable, so sharing it between requests is safe."""
    return with_expression(Case.parts_present, _presence(actor_id))


# The case's collections that grow, and the part that says whether each holds rows.
COLLECTIONS = (
    ("notes", Part.NOTES),
    ("tasks", Part.TASKS),
    ("referrals", Part.REFERRALS),
    ("citations", Part.CITATIONS),
)


def skip_empty_collections(case_row: Case) -> None:
    """Set the collections the case's query found empty, so reading them asks nothing; the
    others load on first use, one query each."""
    for name, part in COLLECTIONS:
        if not may_have(case_row, part):
            set_committed_value(case_row, name, [])


def may_have(case_row: Case, part: Part) -> bool:
    """False only when the case's query said the part is empty: a case loaded without
    `with_presence` may have anything, and the caller reads it as before."""
    present = case_row.parts_present
    return present is None or bool(present & part)
