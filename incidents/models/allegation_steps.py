"""The KCSIE Part 4 steps recorded beside an allegation (issue 13, what is missing): the end of
a reporting restriction, meetings, telling the accused and the child's parents, the KCSIE
timescales as clocks, and the agency or organisation that employs the person. Free text is
personal data: every such field is sealed under the case's key."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.models.case import Case
from incidents.models.task import Task
from incidents.sensitive import Sensitive, SensitiveField


class _OnCase:
    """Sealed under the case's key, like every record of the case."""

    case: Mapped[Case]

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id


class RestrictionEnd(enum.StrEnum):
    CHARGED = "charged"
    LIFTED = "lifted"
    NOT_A_TEACHER = "not_a_teacher"

    @property
    def label(self) -> str:
        return {
            RestrictionEnd.CHARGED: "The teacher has been charged with an offence",
            RestrictionEnd.LIFTED: "The restriction was lifted (by the court, or the teacher "
            "waived it in writing)",
            RestrictionEnd.NOT_A_TEACHER: "The person the allegation is about is not a teacher",
        }[self]


class RestrictionEnded(_OnCase, Base):
    """The Education Act 2002 s.141F reporting restriction applies from the allegation; this
    records when and why it stopped (s.141F(2): charged; s.141H: lifted or waived)."""

    __tablename__ = "reporting_restriction_end"

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True, unique=True
    )
    reason: Mapped[RestrictionEnd] = mapped_column(checked_enum(RestrictionEnd, "reason"))
    ended_on: Mapped[date] = mapped_column(Date)
    ended_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = created_column()
    note: SensitiveField[Sensitive] = SensitiveField()
    note_ct: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()


class MeetingKind(enum.StrEnum):
    STRATEGY = "strategy"
    ALLEGATION_MANAGEMENT = "allegation_management"

    @property
    def label(self) -> str:
        return {
            MeetingKind.STRATEGY: "Strategy discussion",
            MeetingKind.ALLEGATION_MANAGEMENT: "Allegation management meeting",
        }[self]


class Meeting(_OnCase, Base):
    __tablename__ = "case_meeting"

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MeetingKind] = mapped_column(checked_enum(MeetingKind, "kind"))
    held_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = created_column()
    # Who attended, by organisation (school, LADO, police, children's social care, HR...).
    attendees: SensitiveField[Sensitive] = SensitiveField()
    attendees_ct: Mapped[bytes] = mapped_column(LargeBinary)
    decisions: SensitiveField[Sensitive] = SensitiveField()
    decisions_ct: Mapped[bytes] = mapped_column(LargeBinary)
    # Who tells whom what (the accused, the parents, the agency), as agreed.
    who_tells: SensitiveField[Sensitive] = SensitiveField()
    who_tells_ct: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()


class InformKind(enum.StrEnum):
    ACCUSED = "accused"
    PARENTS = "parents"
    PARENTS_UPDATE = "parents_update"
    PARENTS_OUTCOME = "parents_outcome"

    @property
    def label(self) -> str:
        return {
            InformKind.ACCUSED: "The person the allegation is about was told",
            InformKind.PARENTS: "The child's parents were told about the allegation",
            InformKind.PARENTS_UPDATE: "The child's parents were told how it is progressing",
            InformKind.PARENTS_OUTCOME: "The child's parents were told the outcome, in confidence",
        }[self]


class InformingStep(_OnCase, Base):
    """Telling the accused (after agreement with the LADO and the police, with a named contact
    and the support offered) and the child's parents (told, kept updated, told the outcome)."""

    __tablename__ = "informing_step"

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[InformKind] = mapped_column(checked_enum(InformKind, "kind"))
    told_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = created_column()
    # Agreed with the LADO (and the police, where they are involved) before telling: the
    # command refuses the accused's step without it.
    agreed_with_lado: Mapped[bool] = mapped_column(Boolean)
    agreed_with_police: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    told_by: SensitiveField[Sensitive] = SensitiveField()
    told_by_ct: Mapped[bytes] = mapped_column(LargeBinary)
    what_said: SensitiveField[Sensitive] = SensitiveField()
    what_said_ct: Mapped[bytes] = mapped_column(LargeBinary)
    # The accused only: their named contact, and the support offered.
    contact: SensitiveField[Sensitive | None] = SensitiveField()
    contact_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    support: SensitiveField[Sensitive | None] = SensitiveField()
    support_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship()


class ClockKind(enum.StrEnum):
    UNFOUNDED = "unfounded"
    REPORT_ACTION = "report_action"
    HEARING = "hearing"

    @property
    def label(self) -> str:
        return {
            ClockKind.UNFOUNDED: "Resolve a plainly unfounded or malicious allegation (one week)",
            ClockKind.REPORT_ACTION: "Decide the action that follows the investigation report "
            "(3 working days)",
            ClockKind.HEARING: "Hold the disciplinary hearing (15 working days)",
        }[self]

    @property
    def started_by(self) -> str:
        return {
            ClockKind.UNFOUNDED: "The date of the allegation",
            ClockKind.REPORT_ACTION: "The date the investigation report was received",
            ClockKind.HEARING: "The date it was decided a hearing is needed",
        }[self]


class CaseClock(_OnCase, Base):
    """One KCSIE timescale running on a case. It is met when its task is done."""

    __tablename__ = "case_clock"

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ClockKind] = mapped_column(checked_enum(ClockKind, "kind"))
    started_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = created_column()
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("task.id"))

    case: Mapped[Case] = relationship()
    task: Mapped[Task] = relationship()

    @property
    def is_met(self) -> bool:
        return self.task.is_done


class EngagedBy(enum.StrEnum):
    AGENCY = "agency"
    CONTRACTOR = "contractor"
    LETTINGS = "lettings"

    @property
    def label(self) -> str:
        return {
            EngagedBy.AGENCY: "A supply or staffing agency",
            EngagedBy.CONTRACTOR: "A contractor (the company the person works for)",
            EngagedBy.LETTINGS: "An organisation hiring the school's premises (lettings)",
        }[self]


class EmployingOrganisation(_OnCase, Base):
    """The agency or organisation that employs a person the school does not (KCSIE Part 4:
    supply staff, contractors, lettings): told and involved; never simply stops using the
    person without the LADO."""

    __tablename__ = "employing_organisation"

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EngagedBy] = mapped_column(checked_enum(EngagedBy, "kind"))
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = created_column()
    name: SensitiveField[Sensitive] = SensitiveField()
    name_ct: Mapped[bytes] = mapped_column(LargeBinary)
    contact: SensitiveField[Sensitive] = SensitiveField()
    contact_ct: Mapped[bytes] = mapped_column(LargeBinary)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("task.id"))
    # When the organisation stopped using the person: only after the LADO referral.
    stopped_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    case: Mapped[Case] = relationship()
    task: Mapped[Task] = relationship()
