"""The audit vocabulary: every action the log can record, as `subject.action` in one enum."""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    SCHOOL_CREATE = "school.create"
    USER_CREATE = "user.create"
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    SECOND_FACTOR_OK = "auth.second_factor"
    SECOND_FACTOR_FAILED = "auth.second_factor_failed"
    SECOND_FACTOR_LOCKED = "auth.second_factor_locked"
    RECOVERY_CODE_USED = "auth.recovery_code_used"
    TWO_FACTOR_ENROL = "auth.two_factor_enrol"
    TWO_FACTOR_RESET = "auth.two_factor_reset"
    REAUTHENTICATE = "auth.reauthenticate"
    REAUTHENTICATE_FAILED = "auth.reauthenticate_failed"
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
    # Evidence leaving the school is itself evidence: who took which case's proofs, and when.
    AUDIT_EXPORT = "audit.export"
    CASE_ACCEPT = "case.accept"
    CASE_TRIAGE = "case.triage"
    CASE_CHANGE_TRACK = "case.change_track"
    CASE_INVESTIGATE = "case.investigate"
    CASE_OUTCOME = "case.outcome"
    CASE_DISCIPLINARY = "case.disciplinary"
    CASE_CLOSE = "case.close"
    REPORTER_REVEAL = "reporter.reveal"
    REFERRAL_CREATE = "referral.create"
    REFERRAL_UPDATE = "referral.update"
    REFERRAL_NOT_MADE = "referral.not_made"
    POLICE_HOLD_PLACE = "police_hold.place"
    POLICE_HOLD_LIFT = "police_hold.lift"
    TASK_CREATE = "task.create"
    TASK_COMPLETE = "task.complete"
    KEYS_ROTATE = "keys.rotate"
    # The disciplinary link: every entry names the process (object_type "disciplinary").
    DISCIPLINARY_HEARING = "disciplinary.hearing"
    DISCIPLINARY_OUTCOME = "disciplinary.outcome"
    DISCIPLINARY_MEASURE = "disciplinary.measure"
    DISCIPLINARY_CONCLUDE = "disciplinary.conclude"
    DISCIPLINARY_DISCONTINUE = "disciplinary.discontinue"
    SUSPENSION_DECIDE = "suspension.decide"
    SUSPENSION_CONFIRM = "suspension.confirm"
    BREACH_FACTS = "breach.facts"
    BREACH_ICO_DECISION = "breach.ico_decision"
    BREACH_PEOPLE_TOLD = "breach.people_told"


# After these, a checkpoint is signed at once (AUDIT.md): the moments a school most needs to
# prove later what it knew and when. Other entries are covered by the scheduled checkpoint.
HIGH_STAKES = frozenset(
    {Action.CASE_RECORD, Action.CASE_REPORT, Action.CASE_SHRED, Action.AUDIT_EXPORT}
)
