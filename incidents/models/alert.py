"""Alerts: what the system tells a user (the in-app inbox), the email outbox that carries them,
each user's delivery preference, and the leases that keep a scheduled job single. No personal
data in any column: kinds, opaque ids, counts and fixed wording only."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField


class AlertKind(enum.StrEnum):
    NEW_CASE = "new_case"
    CHILD_DISCLOSURE = "child_disclosure"
    CLOCK_HALFWAY = "clock_halfway"
    CLOCK_DUE_TODAY = "clock_due_today"
    CLOCK_OVERDUE = "clock_overdue"
    TASK_ASSIGNED = "task_assigned"
    AUDIT_VERIFY_FAILED = "audit_verify_failed"
    CHECKPOINTS_STOPPED = "checkpoints_stopped"
    # An email only: the day's digest of alerts held for it and tasks due.
    DIGEST = "digest"
    # Emails only, about accounts (issue 16): never an inbox alert.
    ACCOUNT_INVITATION = "account_invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  # nosec B105 - a name
    CASE_ACCESS_GRANTED = "case_access_granted"

    @property
    def label(self) -> str:
        """Fixed wording for the inbox: never what the case is about."""
        return {
            "new_case": "A new concern has been reported",
            "child_disclosure": "Urgent: a disclosure needs the safeguarding lead today",
            "clock_halfway": "A deadline is coming up",
            "clock_due_today": "A deadline falls due: last working day",
            "clock_overdue": "A deadline has passed",
            "task_assigned": "A task has been given to you",
            "audit_verify_failed": "The audit log failed verification",
            "checkpoints_stopped": "Scheduled audit checkpoints have stopped",
            "digest": "Your daily summary",
            "account_invitation": "You have been invited to use the service",
            "password_reset": "Reset your password",  # nosec B105 - a label
            "case_access_granted": "Someone has been given access to cases",
        }[self.value]

    @property
    def statutory(self) -> bool:
        """Always sent at once, whatever the user's preference: statutory clocks, a child's
        disclosure and the audit log's health cannot wait for tomorrow's digest."""
        return self not in (AlertKind.NEW_CASE, AlertKind.TASK_ASSIGNED, AlertKind.DIGEST)

    @property
    def single_use_link(self) -> bool:
        """An account email: its link carries a sealed single-use token (`link_secret`)."""
        return self in (AlertKind.ACCOUNT_INVITATION, AlertKind.PASSWORD_RESET)

    @property
    def urgent(self) -> bool:
        return self in (AlertKind.CHILD_DISCLOSURE, AlertKind.CLOCK_OVERDUE)

    @property
    def rank(self) -> int:
        """When two alerts for one case share an email, the higher rank's wording is used."""
        return 1 if self.urgent else 0


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"

    @property
    def label(self) -> str:
        return {
            "immediate": "Email me each alert straight away",
            "digest": "Email me once a day, at 7am on working days",
        }[self.value]


class OutboxStatus(enum.StrEnum):
    """`alerts/outbox.py` holds the transitions; see its docstring for exactly-once."""

    PENDING = "pending"
    SENDING = "sending"
    COMMITTING = "committing"
    SENT = "sent"
    UNCONFIRMED = "unconfirmed"
    CANCELLED = "cancelled"


class Alert(Base):
    """One thing that needs one user's attention, shown in their inbox until they open it."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_inbox", "user_id", "read_at", "created_at"),)

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[AlertKind] = mapped_column(checked_enum(AlertKind, "alert_kind"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # What the alert opens when it is not a case: "sar" (a subject access request) or "log".
    object_type: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = created_column()
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivery: Mapped[Delivery] = mapped_column(checked_enum(Delivery, "alert_delivery"))
    # The email that carried it (immediately, or in a digest); NULL while a digest waits.
    outbox_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("outbox_message.id"), nullable=True
    )
    # Reminders are raised by a job that runs every minute: one alert per clock, stage and user.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)


class OutboxMessage(Base):
    """One email to one user, kept until the mail server accepts it. Its content is rebuilt
    from these columns at each attempt, byte for byte, under one Message-ID."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = id_column()
    message_id: Mapped[str] = mapped_column(String(100), unique=True)
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"))
    recipient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AlertKind] = mapped_column(checked_enum(AlertKind, "outbox_kind"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), nullable=True
    )
    # Where the link goes, by opaque id only (e.g. "/cases/<uuid>").
    link_path: Mapped[str] = mapped_column(String(200))
    # A digest's number of things waiting; 1 otherwise.
    items: Mapped[int] = mapped_column(Integer, default=1)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[OutboxStatus] = mapped_column(checked_enum(OutboxStatus, "outbox_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = created_column()
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last failure: an exception class and SMTP code, never an address or content.
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = created_column()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A digest is made once per user and day.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    # An invitation's or password reset's token, appended to `link_path` when the email is
    # built: sealed with the school's key, as only its hash is kept anywhere else (issue 16).
    link_secret: SensitiveField[Sensitive | None] = SensitiveField()
    link_secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.school_id, None


class AlertPreference(Base):
    """How a user wants the alerts they may choose about: no row means immediately."""

    __tablename__ = "alert_preference"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    delivery: Mapped[Delivery] = mapped_column(checked_enum(Delivery, "preference_delivery"))
    updated_at: Mapped[datetime] = created_column()


class JobLease(Base):
    """A named scheduled job's lease: whoever holds an unexpired lease runs it; the rest skip."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SchoolMail(Base):
    """A school's Reply-To address for alerts (the school office, say): replies never come
    back to the service. No row: replies go to the service's own From address."""

    __tablename__ = "school_mail"

    school_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    reply_to: Mapped[str] = mapped_column(String(254))
