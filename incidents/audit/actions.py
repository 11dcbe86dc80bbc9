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
    # Issue 13, what is missing: the KCSIE Part 4 steps beside an allegation.
    RESTRICTION_END = "reporting_restriction.end"
    MEETING_RECORD = "meeting.record"
    INFORMING_RECORD = "informing.record"
    CLOCK_START = "clock.start"
    ORGANISATION_RECORD = "organisation.record"
    ORGANISATION_STOPPED = "organisation.stopped"
    CONCERN_REVIEW_PROMPT = "concern.review_prompt"
    PERSON_VIEW = "person.view"
    SCHOOL_PROCEDURES_CHANGE = "school.procedures_change"
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
    # Evidence (issue 14; object_type "evidence"): the upload's leaf commits to the file's
    # SHA-256 ("ev"); its size and type are in the sealed detail, never its name or content.
    EVIDENCE_ADD = "evidence.add"
    EVIDENCE_PREVIEW = "evidence.preview"
    EVIDENCE_DOWNLOAD = "evidence.download"
    EVIDENCE_DELETE = "evidence.delete"
    # Accounts in the browser (issue 16): the object is always the user, by id.
    USER_INVITE = "user.invite"
    USER_INVITATION_RESEND = "user.invitation_resend"
    USER_INVITATION_ACCEPT = "user.invitation_accept"
    USER_ROLES_CHANGE = "user.roles_change"
    USER_DEACTIVATE = "user.deactivate"
    USER_REACTIVATE = "user.reactivate"
    PASSWORD_CHANGE = "auth.password_change"  # noqa: S105  # nosec B105 - an action name
    PASSWORD_RESET_REQUEST = "auth.password_reset_request"  # noqa: S105  # nosec B105
    PASSWORD_RESET = "auth.password_reset"  # noqa: S105  # nosec B105
    SESSION_END = "auth.session_end"
    RECOVERY_CODES_REGENERATE = "auth.recovery_codes_regenerate"
    # People in the browser (issue 16): the object is the person, by id.
    PERSON_UPDATE = "person.update"
    PERSON_LEFT = "person.left"
    STAFF_IMPORT = "person.staff_import"
    # The case file printed as a PDF (issue 17, item 7): under a grant, with its reason.
    CASE_FILE_PRINT = "case.print"
    PERSON_MERGE = "person.merge"
    # Letters (issue 17, item 8): the wording (old and new text in the detail: not personal
    # data) and the letterhead are the school's; a letter sent or downloaded is the case's.
    LETTER_TEMPLATE_CHANGE = "letter.template_change"
    LETTERHEAD_CHANGE = "letter.letterhead_change"
    LETTER_SEND = "letter.send"
    LETTER_DOWNLOAD = "letter.download"
    # Sessions that do not lose work (issue 17, item 9): a form sent after the session ended is
    # kept sealed for its owner, and given back once after they sign in again.
    FORM_DRAFT_KEEP = "form_draft.keep"
    FORM_DRAFT_RESTORE = "form_draft.restore"
    # Sign-in with the school's identity provider (issue 16, item 6). Sign-ins through it are
    # auth.sign_in / auth.sign_in_failed with "via": "provider" (and the refusal's reason) in
    # the sealed detail; these are the changes to how a school signs in.
    SIGN_IN_SETTINGS_CHANGE = "auth.sign_in_settings_change"
    PROVIDER_LINK = "auth.provider_link"
    PASSWORDS_BACK_ON = "auth.passwords_back_on"  # nosec B105 - an action name


# Changes to accounts, listed on the admin's audit page (never case data: users by id only).
ACCOUNT_CHANGES = frozenset(
    {
        Action.USER_CREATE,
        Action.USER_INVITE,
        Action.USER_INVITATION_RESEND,
        Action.USER_INVITATION_ACCEPT,
        Action.USER_ROLES_CHANGE,
        Action.USER_DEACTIVATE,
        Action.USER_REACTIVATE,
        Action.TWO_FACTOR_RESET,
        Action.TWO_FACTOR_ENROL,
        Action.PASSWORD_CHANGE,
        Action.PASSWORD_RESET,
        Action.RECOVERY_CODES_REGENERATE,
        Action.SIGN_IN_SETTINGS_CHANGE,
        Action.PROVIDER_LINK,
        Action.PASSWORDS_BACK_ON,
    }
)

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
    Action.RESTRICTION_END: "Recorded that the reporting restriction ended",
    Action.MEETING_RECORD: "Recorded a strategy or allegation management meeting",
    Action.INFORMING_RECORD: "Recorded who was told about the allegation",
    Action.CLOCK_START: "Started a KCSIE timescale",
    Action.ORGANISATION_RECORD: "Recorded the agency or organisation that employs the person",
    Action.ORGANISATION_STOPPED: "Recorded that the organisation stopped using the person",
    Action.CONCERN_REVIEW_PROMPT: "Asked for a review of the low-level concerns about a person",
    Action.PERSON_VIEW: "Opened the page about a person across cases",
    Action.SCHOOL_PROCEDURES_CHANGE: "Changed the school's own procedures",
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
    Action.CASE_FILE_PRINT: "Printed the case file",
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
    Action.EVIDENCE_ADD: "Added a file of evidence",
    Action.EVIDENCE_PREVIEW: "Viewed a file of evidence",
    Action.EVIDENCE_DOWNLOAD: "Downloaded a file of evidence",
    Action.EVIDENCE_DELETE: "Deleted a file of evidence, giving a reason",
    Action.USER_INVITE: "Invited a user",
    Action.USER_INVITATION_RESEND: "Sent a user a new invitation",
    Action.USER_INVITATION_ACCEPT: "Accepted an invitation and set a password",
    Action.USER_ROLES_CHANGE: "Changed a user's roles",
    Action.USER_DEACTIVATE: "Deactivated a user's account",
    Action.USER_REACTIVATE: "Reactivated a user's account",
    Action.PASSWORD_CHANGE: "Changed their password",
    Action.PASSWORD_RESET_REQUEST: "Asked for a password reset email",
    Action.PASSWORD_RESET: "Reset their password from an emailed link",
    Action.SESSION_END: "Signed out another of their sessions",
    Action.RECOVERY_CODES_REGENERATE: "Made new recovery codes",
    Action.PERSON_UPDATE: "Changed a person's details",
    Action.PERSON_LEFT: "Recorded that a person left the school",
    Action.STAFF_IMPORT: "Imported the staff list",
    Action.PERSON_MERGE: "Merged a duplicate person into another",
    Action.LETTER_TEMPLATE_CHANGE: "Changed the wording of a letter",
    Action.LETTERHEAD_CHANGE: "Changed the address on the school's letters",
    Action.LETTER_SEND: "Recorded a letter as sent",
    Action.LETTER_DOWNLOAD: "Downloaded a letter",
    Action.FORM_DRAFT_KEEP: "Sent a form after their session had ended: what they typed was kept",
    Action.FORM_DRAFT_RESTORE: "Signed in again and was given back what they had typed",
    Action.SIGN_IN_SETTINGS_CHANGE: "Changed how the school signs in, giving a reason",
    Action.PROVIDER_LINK: "Signed in with the school's identity provider for the first time",
    Action.PASSWORDS_BACK_ON: "Switched password sign-in back on from the command line",
}


def label(action: str) -> str:
    """The plain-English label of a stored action string (an unknown one is shown as stored,
    so an entry written by a newer version is never hidden)."""
    try:
        return LABELS[Action(action)]
    except (ValueError, KeyError):
        return action
