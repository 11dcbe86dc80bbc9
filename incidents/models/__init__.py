"""All models, imported here so Alembic and the app see one complete metadata."""

from incidents.models.audit import AuditEvent
from incidents.models.case import Case, CaseKind, CaseState, DisclosureSource, Note
from incidents.models.person import ADULT_KINDS, Person, PersonKind
from incidents.models.policy import PolicyClause
from incidents.models.school import School
from incidents.models.user import Role, User, UserRole

__all__ = [
    "ADULT_KINDS",
    "AuditEvent",
    "Case",
    "CaseKind",
    "CaseState",
    "DisclosureSource",
    "Note",
    "Person",
    "PersonKind",
    "PolicyClause",
    "Role",
    "School",
    "User",
    "UserRole",
]
