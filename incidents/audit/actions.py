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
    # An erasure before the retention date (or of an open case): the operator's reason, kept
    # under the school's key so it outlives the case's own keys.
    CASE_ERASURE_OVERRIDE = "case.erasure_override"
    LEGAL_HOLD_PLACE = "legal_hold.place"
    CASE_MANAGER_CHANGE = "case.manager_change"
    SCHOOL_DEPUTY_NAMED = "school.deputy_named"
    LEGAL_HOLD_LIFT = "legal_hold.lift"
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
    # The subject access register (object_type "sar"): who asked is personal data, so opening
    # a request is recorded like opening a case.
    SAR_LOG = "sar.log"
    SAR_VIEW = "sar.view"
    SAR_EXTEND = "sar.extend"
    SAR_RESPOND = "sar.respond"
    SAR_CLOSE = "sar.close"
    # Governors' figures leaving the system: anonymised, but every export is recorded.
    STATS_EXPORT = "stats.export"
    STATS_PUBLISH = "stats.publish"
    # The disciplinary link: every entry names the process (object_type "disciplinary").
    DISCIPLINARY_HEARING = "disciplinary.hearing"
    DISCIPLINARY_OUTCOME = "disciplinary.outcome"
    DISCIPLINARY_MEASURE = "disciplinary.measure"
    DISCIPLINARY_CONCLUDE = "disciplinary.conclude"
    DISCIPLINARY_DISCONTINUE = "disciplinary.discontinue"
    DISCIPLINARY_MEASURE_REVIEW = "disciplinary.measure_review"
    SUSPENSION_DECIDE = "suspension.decide"
    SUSPENSION_CONFIRM = "suspension.confirm"
    SUSPENSION_LIFT = "suspension.lift"
    BREACH_FACTS = "breach.facts"
    BREACH_ICO_DECISION = "breach.ico_decision"
    BREACH_PEOPLE_TOLD = "breach.people_told"
    # A verification run of the whole log (CLI or the admin page): pass or fail is the action
    # itself, so it is in the leaf and an outside verifier sees it; the figures are in detail.
    AUDIT_VERIFY = "audit.verify"
    AUDIT_VERIFY_FAILED = "audit.verify_failed"
    # Alerts (issue 15): an email accepted by the mail server (object: the recipient; detail:
    # the kind and the outbox message), and a user's choice of immediate or daily emails.
    ALERT_SENT = "alert.sent"
    ALERT_PREFERENCE = "alert.preference"
    ALERT_REPLY_TO = "alert.reply_to"


# After these, a checkpoint is signed at once (AUDIT.md): the moments a school most needs to
# prove later what it knew and when. Other entries are covered by the scheduled checkpoint.
HIGH_STAKES = frozenset(
    {Action.CASE_RECORD, Action.CASE_REPORT, Action.CASE_SHRED, Action.AUDIT_EXPORT}
)


# What each action means, in plain English, for the case history and the admin's audit page.
# Every Action needs one (tests/test_history.py checks): a new action without a label fails.
LABELS: dict[Action, str] = {
    Action.SCHOOL_CREATE: "Created the school",
    Action.USER_CREATE: "Created a user account",
    Action.SIGN_IN: "Signed in",
    Action.SIGN_IN_FAILED: "Failed to sign in",
    Action.SIGN_OUT: "Signed out",
    Action.SECOND_FACTOR_OK: "Entered a security code",
    Action.SECOND_FACTOR_FAILED: "Entered a wrong security code",
    Action.SECOND_FACTOR_LOCKED: "Was locked out after wrong security codes",
    Action.RECOVERY_CODE_USED: "Used a recovery code",
    Action.TWO_FACTOR_ENROL: "Set up two-factor sign-in",
    Action.TWO_FACTOR_RESET: "Had two-factor sign-in reset",
    Action.REAUTHENTICATE: "Re-entered their password for extra access",
    Action.REAUTHENTICATE_FAILED: "Failed to re-enter their password",
    Action.CASE_REPORT: "Reported the concern",
    Action.CASE_RECORD: "Recorded the case",
    Action.CASE_VIEW: "Opened the case",
    Action.NOTE_ADD: "Added to the chronology",
    Action.NOTE_CORRECT: "Corrected a chronology entry",
    Action.CLAUSE_LOAD_CATALOGUE: "Loaded the policy clauses",
    Action.CLAUSE_CREATE: "Added a policy clause",
    Action.CLAUSE_UPDATE: "Changed a policy clause",
    Action.CLAUSE_RETIRE: "Retired a policy clause",
    Action.CLAUSE_RESTORE: "Restored a policy clause",
    Action.PERSON_CREATE: "Added a person",
    Action.CASE_SHRED: "Erased the case at the end of retention",
    Action.CASE_ERASURE_OVERRIDE: "Erased the case before the end of retention, giving a reason",
    Action.LEGAL_HOLD_PLACE: "Placed a legal hold on the case",
    Action.CASE_MANAGER_CHANGE: "Changed the case manager, giving a reason",
    Action.SCHOOL_DEPUTY_NAMED: "Named the deputy case manager",
    Action.LEGAL_HOLD_LIFT: "Lifted a legal hold on the case",
    Action.AUDIT_EXPORT: "Exported audit evidence",
    Action.CASE_ACCEPT: "Accepted the report",
    Action.CASE_TRIAGE: "Decided the track (harm threshold)",
    Action.CASE_CHANGE_TRACK: "Changed the track",
    Action.CASE_INVESTIGATE: "Started the investigation",
    Action.CASE_OUTCOME: "Recorded the outcome",
    Action.CASE_DISCIPLINARY: "Started the disciplinary process",
    Action.CASE_CLOSE: "Closed the case",
    Action.REPORTER_REVEAL: "Revealed the reporter's identity",
    Action.REFERRAL_CREATE: "Opened a referral",
    Action.REFERRAL_UPDATE: "Updated a referral",
    Action.REFERRAL_NOT_MADE: "Decided not to make a referral",
    Action.POLICE_HOLD_PLACE: "Paused the school's investigation for the police",
    Action.POLICE_HOLD_LIFT: "Resumed the school's investigation after the police",
    Action.TASK_CREATE: "Added a task",
    Action.TASK_COMPLETE: "Completed a task",
    Action.KEYS_ROTATE: "Rotated the encryption keys",
    Action.SAR_LOG: "Logged a subject access request",
    Action.SAR_VIEW: "Opened a subject access request",
    Action.SAR_EXTEND: "Extended a subject access request",
    Action.SAR_RESPOND: "Recorded the reply to a subject access request",
    Action.SAR_CLOSE: "Closed a subject access request without a reply",
    Action.STATS_EXPORT: "Downloaded the anonymised statistics",
    Action.STATS_PUBLISH: "Published a statistics release",
    Action.DISCIPLINARY_HEARING: "Recorded the disciplinary hearing date",
    Action.DISCIPLINARY_OUTCOME: "Recorded the disciplinary outcome",
    Action.DISCIPLINARY_MEASURE: "Recorded a sanction or measure",
    Action.DISCIPLINARY_CONCLUDE: "Concluded the disciplinary process",
    Action.DISCIPLINARY_DISCONTINUE: "Ended the disciplinary process without an outcome",
    Action.DISCIPLINARY_MEASURE_REVIEW: "Recorded a review of a sanction or measure",
    Action.SUSPENSION_DECIDE: "Recorded a decision on suspension",
    Action.SUSPENSION_CONFIRM: "Recorded that the suspension was confirmed in writing",
    Action.SUSPENSION_LIFT: "Recorded that the suspension ended",
    Action.BREACH_FACTS: "Recorded the facts of the data breach",
    Action.BREACH_ICO_DECISION: "Recorded the decision on reporting to the ICO",
    Action.BREACH_PEOPLE_TOLD: "Recorded whether the people affected were told",
    Action.AUDIT_VERIFY: "Verified the audit log: no problems",
    Action.AUDIT_VERIFY_FAILED: "Verified the audit log: problems found",
    Action.ALERT_SENT: "Sent an alert by email",
    Action.ALERT_PREFERENCE: "Chose how to receive alerts",
    Action.ALERT_REPLY_TO: "Set the school's reply-to address for alert emails",
}


def label(action: str) -> str:
    """The plain-English label of a stored action string (an unknown one is shown as stored,
    so an entry written by a newer version is never hidden)."""
    try:
        return LABELS[Action(action)]
    except (ValueError, KeyError):
        return action
