"""All models, imported here so Alembic and the app see one complete metadata."""

from incidents.models.account_token import AccountToken, TokenPurpose
from incidents.models.alert import (
    Alert,
    AlertKind,
    AlertPreference,
    Delivery,
    JobLease,
    OutboxMessage,
    OutboxStatus,
    SchoolMail,
)
from incidents.models.allegation_steps import (
    CaseClock,
    ClockKind,
    EmployingOrganisation,
    EngagedBy,
    InformingStep,
    InformKind,
    Meeting,
    MeetingKind,
    RestrictionEnd,
    RestrictionEnded,
)
from incidents.models.audit import AuditCheckpoint, AuditEntry, AuditLog, TreeNode
from incidents.models.breach import BreachRecord, DataSubjects
from incidents.models.case import Case, CaseKind, CaseState, Citation, DisclosureSource, Note
from incidents.models.disciplinary import (
    DisciplinaryKind,
    DisciplinaryMeasure,
    DisciplinaryProcess,
    DisciplinaryStage,
    Measure,
    StaffOutcome,
)
from incidents.models.evidence import EvidenceChunk, EvidenceFile, EvidenceSource
from incidents.models.form_draft import FormDraft
from incidents.models.keys import DataKey, KeyScope
from incidents.models.letter import LetterKind, LetterMethod, LetterTemplate, SentLetter
from incidents.models.login_session import LoginSession
from incidents.models.measure_review import MeasureReview, ReviewDecision
from incidents.models.outcome import (
    ALLEGATION_OUTCOMES,
    DBS_DUTY_EMPLOYMENT,
    OTHER_OUTCOMES,
    CaseOutcome,
    EmploymentOutcome,
    ThresholdAnswer,
)
from incidents.models.person import ADULT_KINDS, Person, PersonKind
from incidents.models.policy import PolicyClause, PolicyClauseVersion
from incidents.models.referral import (
    Agency,
    Investigation,
    Referral,
    ReferralMethod,
    ReferralStatus,
)
from incidents.models.retention import LegalHold, LegalHoldKind
from incidents.models.safeguarding import PoliceHold, TriageDecision
from incidents.models.school import School
from incidents.models.school_settings import SchoolSettings
from incidents.models.security import Elevation, ElevationPurpose, RecoveryCode
from incidents.models.sign_in import ProviderLink, SignInSettings
from incidents.models.stats_release import StatsRelease, StatsReleasePage
from incidents.models.subject_access import (
    Exemption,
    Requester,
    RequestState,
    SarExemption,
    SubjectAccessRequest,
)
from incidents.models.suspension import Alternative, SuspensionAlternative, SuspensionDecision
from incidents.models.task import Task, TaskKind
from incidents.models.user import Role, User, UserRole
from incidents.sensitive import install as install_sensitive_fields

# Personal fields are sealed by a session hook: register it wherever the models are used.
install_sensitive_fields()

__all__ = [
    "ADULT_KINDS",
    "ALLEGATION_OUTCOMES",
    "DBS_DUTY_EMPLOYMENT",
    "OTHER_OUTCOMES",
    "AccountToken",
    "Agency",
    "Alert",
    "AlertKind",
    "AlertPreference",
    "Alternative",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditLog",
    "BreachRecord",
    "Case",
    "CaseClock",
    "CaseKind",
    "CaseOutcome",
    "CaseState",
    "Citation",
    "ClockKind",
    "DataKey",
    "DataSubjects",
    "Delivery",
    "DisciplinaryKind",
    "DisciplinaryMeasure",
    "DisciplinaryProcess",
    "DisciplinaryStage",
    "DisclosureSource",
    "Elevation",
    "ElevationPurpose",
    "EmployingOrganisation",
    "EmploymentOutcome",
    "EngagedBy",
    "EvidenceChunk",
    "EvidenceFile",
    "EvidenceSource",
    "Exemption",
    "FormDraft",
    "InformKind",
    "InformingStep",
    "Investigation",
    "JobLease",
    "KeyScope",
    "LegalHold",
    "LegalHoldKind",
    "LetterKind",
    "LetterMethod",
    "LetterTemplate",
    "LoginSession",
    "Measure",
    "MeasureReview",
    "Meeting",
    "MeetingKind",
    "Note",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "PersonKind",
    "PoliceHold",
    "PolicyClause",
    "PolicyClauseVersion",
    "ProviderLink",
    "RecoveryCode",
    "Referral",
    "ReferralMethod",
    "ReferralStatus",
    "RequestState",
    "Requester",
    "RestrictionEnd",
    "RestrictionEnded",
    "ReviewDecision",
    "Role",
    "SarExemption",
    "School",
    "SchoolMail",
    "SchoolSettings",
    "SentLetter",
    "SignInSettings",
    "StaffOutcome",
    "StatsRelease",
    "StatsReleasePage",
    "SubjectAccessRequest",
    "SuspensionAlternative",
    "SuspensionDecision",
    "Task",
    "TaskKind",
    "ThresholdAnswer",
    "TokenPurpose",
    "TreeNode",
    "TriageDecision",
    "User",
    "UserRole",
]
