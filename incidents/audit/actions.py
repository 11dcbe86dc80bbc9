"""The audit vocabulary: every action the log can record, as `subject.action` in one enum."""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    SCHOOL_CREATE = "school.create"
    USER_CREATE = "user.create"
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    CASE_REPORT = "case.report"
    CASE_RECORD = "case.record"
    CASE_VIEW = "case.view"
    NOTE_ADD = "note.add"
    NOTE_CORRECT = "note.correct"
    CLAUSE_LOAD_CATALOGUE = "clause.load_catalogue"
    CLAUSE_CREATE = "clause.create"
    CLAUSE_UPDATE = "clause.update"
    CLAUSE_RETIRE = "clause.retire"
    CLAUSE_RESTORE = "clause.restore"
    PERSON_CREATE = "person.create"
    CASE_SHRED = "case.shred"
    KEYS_ROTATE = "keys.rotate"
