"""Suspension decisions (issue 5, item 7; KCSIE Part 4): suspension is never the default, so
each decision records the alternatives considered and why each was rejected, the decision and
its reasons, for a suspension when it must be and was confirmed in writing (and why late), and
when and why it ended."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.clock import SCHOOL_TZ
from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.models.case import Case
from incidents.models.person import Person, PersonKind
from incidents.sensitive import Sensitive, SensitiveField

# Who can be suspended: the school employs or appoints them (not parents, pupils, contractors).
SUSPENDABLE_KINDS = frozenset({PersonKind.STAFF, PersonKind.VOLUNTEER, PersonKind.GOVERNOR})


class SuspensionState(enum.StrEnum):
    """Not stored: read from the decision, its written confirmation and its end."""

    NOT_SUSPENDED = "not_suspended"
    UNCONFIRMED = "unconfirmed"
    IN_FORCE = "in_force"
    ENDED_UNCONFIRMED = "ended_unconfirmed"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {
            "not_suspended": "not suspended",
            "unconfirmed": "in force, not yet confirmed in writing",
            "in_force": "in force",
            "ended_unconfirmed": "ended, never confirmed in writing",
            "ended": "ended",
        }[self.value]


class Alternative(enum.StrEnum):
    """The alternatives KCSIE Part 4 lists before suspension is considered."""

    REDEPLOYMENT = "redeployment"
    SUPERVISION = "supervision"
    MOVE_CHILD = "move_child"
    OTHER_LOCATION = "other_location"
    WORKING_FROM_HOME = "working_from_home"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "redeployment": "Redeployment to work without direct contact with the children "
            "concerned",
            "supervision": "An assistant present whenever they have contact with children",
            "move_child": "Removing them from contact with a particular child or class",
            "other_location": "Temporary redeployment to another role in a different location",
            "working_from_home": "Working from home",
            "other": "Another alternative",
        }[self.value]


class SuspensionDecision(Base):
    __tablename__ = "suspension_decision"
    __table_args__ = (
        CheckConstraint(
            "suspended = (confirmation_due_at IS NOT NULL)", name="suspension_has_confirmation_due"
        ),
        CheckConstraint(
            "confirmation_sent_on IS NULL OR suspended", name="confirmation_only_for_suspension"
        ),
        CheckConstraint(
            "late_reason_ct IS NULL OR confirmation_sent_on IS NOT NULL",
            name="late_reason_only_when_sent",
        ),
        CheckConstraint("lifted_on IS NULL OR suspended", name="lift_only_for_suspension"),
        CheckConstraint(
            "lifted_on IS NULL OR lifted_on >= decided_on", name="lift_not_before_decision"
        ),
        CheckConstraint(
            "(lifted_on IS NULL) = (lifted_reasons_ct IS NULL)", name="lift_has_reasons"
        ),
        CheckConstraint("(lifted_on IS NULL) = (lifted_by_id IS NULL)", name="lift_has_who"),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    # Erasing the case deletes a person no other case names (crypto-shredding): the row stays,
    # for the statistics, without them.
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = created_column()
    suspended: Mapped[bool] = mapped_column(Boolean)
    reasons: SensitiveField[Sensitive] = SensitiveField()
    reasons_ct: Mapped[bytes] = mapped_column(LargeBinary)
    # KCSIE Part 4: written confirmation within one working day (deadlines.py).
    confirmation_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirmation_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    confirmation_task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("task.id"), nullable=True
    )
    # Sent after the working day it was due: why (asked only then).
    late_reason: SensitiveField[Sensitive | None] = SensitiveField()
    late_reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The suspension ended: the person returned to work, left, or was dismissed. Once only.
    lifted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    lifted_reasons: SensitiveField[Sensitive | None] = SensitiveField()
    lifted_reasons_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    lifted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )

    case: Mapped[Case] = relationship(back_populates="suspension_decisions")
    person: Mapped[Person | None] = relationship(lazy="joined")
    alternatives: Mapped[list[SuspensionAlternative]] = relationship(
        back_populates="decision", lazy="selectin", cascade="all, delete-orphan"
    )

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def state(self) -> SuspensionState:
        """Read from what was recorded: the table is `lifecycle.SUSPENSION`."""
        if not self.suspended:
            return SuspensionState.NOT_SUSPENDED
        confirmed = self.confirmation_sent_on is not None
        if self.lifted_on is None:
            return SuspensionState.IN_FORCE if confirmed else SuspensionState.UNCONFIRMED
        return SuspensionState.ENDED if confirmed else SuspensionState.ENDED_UNCONFIRMED

    @property
    def awaits_confirmation(self) -> bool:
        return self.suspended and self.confirmation_sent_on is None

    @property
    def is_in_force(self) -> bool:
        """A suspension not yet recorded as ended."""
        return self.suspended and self.lifted_on is None

    @property
    def confirmation_due_on(self) -> date | None:
        """The London date the written confirmation was due (the working day after)."""
        if self.confirmation_due_at is None:
            return None
        return self.confirmation_due_at.astimezone(SCHOOL_TZ).date()

    def confirmation_was_late(self, sent_on: date) -> bool:
        due = self.confirmation_due_on
        return due is not None and sent_on > due


class SuspensionAlternative(Base):
    """One alternative considered, with why it was rejected."""

    __tablename__ = "suspension_alternative"
    __table_args__ = (UniqueConstraint("decision_id", "alternative"),)

    id: Mapped[uuid.UUID] = id_column()
    decision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("suspension_decision.id", ondelete="CASCADE"), index=True
    )
    alternative: Mapped[Alternative] = mapped_column(checked_enum(Alternative, "alternative"))
    rejected_because: SensitiveField[Sensitive] = SensitiveField()
    rejected_because_ct: Mapped[bytes] = mapped_column(LargeBinary)

    decision: Mapped[SuspensionDecision] = relationship(back_populates="alternatives")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.decision.case.school_id, self.decision.case.id
