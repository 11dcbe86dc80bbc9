"""All models, imported here so Alembic and the app see one complete metadata."""

from incidents.models.audit import AuditCheckpoint, AuditEntry, AuditLog, TreeNode
from incidents.models.case import Case, CaseKind, CaseState, DisclosureSource, Note
from incidents.models.keys import DataKey, KeyScope
from incidents.models.login_session import LoginSession
from incidents.models.person import ADULT_KINDS, Person, PersonKind
from incidents.models.policy import PolicyClause
from incidents.models.school import School
from incidents.models.user import Role, User, UserRole
from incidents.sensitive import install as install_sensitive_fields

# Personal fields are sealed by a session hook: register it wherever the models are used.
install_sensitive_fields()

__all__ = [
    "ADULT_KINDS",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditLog",
    "Case",
    "CaseKind",
    "CaseState",
    "DataKey",
    "DisclosureSource",
    "KeyScope",
    "LoginSession",
    "Note",
    "Person",
    "PersonKind",
    "PolicyClause",
    "Role",
    "School",
    "TreeNode",
    "User",
    "UserRole",
]
