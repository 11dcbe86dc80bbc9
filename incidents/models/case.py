"""Case: the unit of work, with its subjects, cited clauses and chronology (Note)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.models.outcome import CaseOutcome, EmploymentOutcome
from incidents.models.person import Person
from incidents.models.policy import PolicyClause, PolicyClauseVersion
from incidents.sensitive import Sensitive, SensitiveField

if TYPE_CHECKING:
    from incidents.models.breach import BreachRecord
    from incidents.models.disciplinary import DisciplinaryProcess
    from incidents.models.referral import Referral
    from incidents.models.retention import LegalHold
    from incidents.models.safeguarding import PoliceHold, TriageDecision
    from incidents.models.suspension import SuspensionDecision
    from incidents.models.task import Task


class CaseKind(enum.StrEnum):
    ALLEGATION = "allegation"
    LOW_LEVEL_CONCERN = "low_level_concern"
    POLICY_BREACH = "policy_breach"
    DATA_BREACH = "data_breach"

    @property
    def label(self) -> str:
        return {
            CaseKind.ALLEGATION: "Allegation (harm threshold met)",
            CaseKind.LOW_LEVEL_CONCERN: "Low-level concern",
            CaseKind.POLICY_BREACH: "Policy breach",
            CaseKind.DATA_BREACH: "Personal data breach",
        }[self]


class CaseState(enum.StrEnum):
    REPORTED = "reported"
    RECORDED = "recorded"
    ASSESSED = "assessed"
    REFERRED = "referred"
    AWAITING_POLICE = "awaiting_police"
    INVESTIGATING = "investigating"
    OUTCOME_RECORDED = "outcome_recorded"
    DISCIPLINARY = "disciplinary"
    CLOSED = "closed"
    ERASED = "erased"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class DisclosureSource(enum.StrEnum):
    PARENT = "parent"
    STAFF = "staff"
    CHILD = "child"
    ANONYMOUS = "anonymous"
    GOVERNOR = "governor"
    EXTERNAL_AGENCY = "external_agency"
    SELF_REPORT = "self_report"
    MONITORING = "monitoring"

    @property
    def label(self) -> str:
        return {
            DisclosureSource.PARENT: "A parent or carer",
            DisclosureSource.STAFF: "A member of staff",
            DisclosureSource.CHILD: "A child",
            DisclosureSource.ANONYMOUS: "Anonymous",
            DisclosureSource.GOVERNOR: "A governor",
            DisclosureSource.EXTERNAL_AGENCY: "An external agency",
            DisclosureSource.SELF_REPORT: "The person themselves (self-report)",
            DisclosureSource.MONITORING: "The school's own monitoring",
        }[self]


case_subject = Table(
    "case_subject",
    Base.metadata,
    Column("case_id", ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True),
    # Indexed on its own (issue 21): "the cases about me" is asked by person, on every list.
    Column("person_id", ForeignKey("person.id"), primary_key=True, index=True),
)


class Citation(Base):
    """A clause cited on a case, with the version in force when the case was recorded: what
    the case says was breached, which a later edit of the clause does not change."""

    __tablename__ = "case_clause"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True
    )
    clause_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_clause.id"), primary_key=True)
    version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("policy_clause_version.id"))

    clause: Mapped[PolicyClause] = relationship(lazy="joined")
    version: Mapped[PolicyClauseVersion] = relationship(lazy="joined")

    @property
    def text(self) -> str:
        return self.version.text

    @property
    def changed_since(self) -> bool:
        """The clause has been reworded since the case cited it."""
        return self.clause.text != self.version.text


# The statistics join cases to clauses' categories through this table.
case_clause = cast(Table, Citation.__table__)


class Case(Base):
    # "case" is a reserved word in SQL; a different table name saves quoting everywhere.
    __tablename__ = "case_file"
    __table_args__ = (
        UniqueConstraint("school_id", "reference"),
        UniqueConstraint("school_id", "year", "number"),
        # The governors' statistics read only plain columns, over two academic years: these
        # indexes cover their queries, each a range scan on its own date (cases by when the
        # school became aware, outcomes, closing; open cases by state), so a trust's figures
        # never read case rows with their ciphertexts (bench/stats_bench.py).
        Index(
            "ix_case_file_stats_aware",
            "became_aware_on",
            "school_id",
            "kind",
            "source",
            "state",
            "id",
        ),
        Index("ix_case_file_stats_decided", "outcome_at", "outcome", "school_id"),
        Index("ix_case_file_stats_closed", "closed_at", "became_aware_on", "outcome", "school_id"),
        Index("ix_case_file_stats_open", "state", "became_aware_on", "school_id"),
        # The case list's order within a school (issue 21): its first page is read from the
        # index's end, not sorted from every case of the school.
        Index("ix_case_file_list", "school_id", "recorded_at", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint(
            "occurred_on IS NULL OR occurred_on <= became_aware_on", name="occurred_before_aware"
        ),
        CheckConstraint(
            "(state = 'erased') = (erased_at IS NOT NULL AND erasure_rule IS NOT NULL)",
            name="erased_has_date_and_rule",
        ),
        # The workflow's invariants, backed by the database (workflow.py enforces them first).
        CheckConstraint(
            "state IN ('reported', 'recorded', 'erased') OR kind IS NOT NULL",
            name="assessed_has_kind",
        ),
        CheckConstraint(
            "state NOT IN ('outcome_recorded', 'disciplinary', 'closed') OR outcome IS NOT NULL",
            name="outcome_before_close",
        ),
        CheckConstraint(
            "outcome IS NULL OR (kind = 'allegation' AND outcome IN ('substantiated', "
            "'malicious', 'false', 'unsubstantiated', 'unfounded')) OR (kind <> 'allegation' "
            "AND outcome IN ('upheld', 'not_upheld'))",
            name="outcome_fits_kind",
        ),
        CheckConstraint(
            "state <> 'closed' OR (closed_at IS NOT NULL AND retention_rule IS NOT NULL AND "
            "mention_in_references IS NOT NULL AND employment_outcome IS NOT NULL)",
            name="closed_has_checklist",
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("school.id"), index=True)
    reference: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    # Unknown until triage decides the track.
    kind: Mapped[CaseKind | None] = mapped_column(checked_enum(CaseKind, "kind"), nullable=True)
    state: Mapped[CaseState] = mapped_column(checked_enum(CaseState, "state"), index=True)
    source: Mapped[DisclosureSource] = mapped_column(checked_enum(DisclosureSource, "source"))
    narrative: SensitiveField[Sensitive] = SensitiveField()
    narrative_ct: Mapped[bytes] = mapped_column(LargeBinary)
    # Who made the disclosure, in their own words or the recorder's; never indexed or searched.
    reporter_identity: SensitiveField[Sensitive | None] = SensitiveField()
    reporter_identity_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    occurred_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    became_aware_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = created_column()
    case_manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    # KCSIE Part 4: a concern about both the headteacher and the chair goes straight to the LADO.
    needs_direct_lado_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    # The child's own words, verbatim as given (the child-protection route).
    child_words: SensitiveField[Sensitive | None] = SensitiveField()
    child_words_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # Issue 17, item 3: the disclosure itself. When the recorder was told (a moment on the day
    # the school became aware; plain, like the dates, as a time of day names nobody); where,
    # who else was there and who it was made to, sealed like the discloser's contact: each can
    # identify a child or the person who told.
    disclosed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disclosure_place: SensitiveField[Sensitive | None] = SensitiveField()
    disclosure_place_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    disclosure_present: SensitiveField[Sensitive | None] = SensitiveField()
    disclosure_present_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    disclosure_received_by: SensitiveField[Sensitive | None] = SensitiveField()
    disclosure_received_by_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    outcome: Mapped[CaseOutcome | None] = mapped_column(
        checked_enum(CaseOutcome, "outcome"), nullable=True
    )
    outcome_reasons: SensitiveField[Sensitive | None] = SensitiveField()
    outcome_reasons_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The closure checklist's answers; plain values so statistics can count them.
    employment_outcome: Mapped[EmploymentOutcome | None] = mapped_column(
        checked_enum(EmploymentOutcome, "employment_outcome"), nullable=True
    )
    mention_in_references: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    retention_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    retention_rule: Mapped[str | None] = mapped_column(String(200), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Issue 13, item 5: any track can carry a personal data breach record and its ICO clock,
    # which runs 72 hours from this instant (item 8).
    personal_data_exposed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    breach_aware_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Item 2: an allegation's outcome is agreed with the LADO: who there agreed, and when.
    outcome_lado_officer: SensitiveField[Sensitive | None] = SensitiveField()
    outcome_lado_officer_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    outcome_lado_agreed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Item 4: the closing answers the DBS duty (SVGA 2006 s.35) and the TRA referral follow.
    removed_from_regulated_activity: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    teacher_serious_misconduct: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Item 7: a malicious or false allegation leaves the personnel file unless the person asks
    # for it to stay (True); the school's safeguarding record is kept under retention_until.
    personnel_file_kept: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Crypto-shredding: when the case's key was destroyed, and under which retention rule.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    erasure_rule: Mapped[str | None] = mapped_column(String(200), nullable=True)

    # Which of the case's own parts hold rows (a `case_parts.Part` mask), when the query that
    # loaded the case asked (the case page, issue 21); None otherwise. Not a column.
    parts_present: Mapped[int | None] = query_expression()

    # Lazy by default (issue 21): a list or the home page never pays for the ten related tables
    # of every case; each page asks for what it shows with loader options (`case_loading`).
    subjects: Mapped[list[Person]] = relationship(secondary=case_subject)
    citations: Mapped[list[Citation]] = relationship(cascade="all, delete-orphan")
    notes: Mapped[list[Note]] = relationship(back_populates="case", order_by="Note.created_at")
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="case", order_by="Referral.created_at"
    )
    tasks: Mapped[list[Task]] = relationship(back_populates="case", order_by="Task.due_on")
    police_holds: Mapped[list[PoliceHold]] = relationship(
        back_populates="case", order_by="PoliceHold.placed_at"
    )
    triage_decisions: Mapped[list[TriageDecision]] = relationship(
        back_populates="case", order_by="TriageDecision.decided_at"
    )
    disciplinary_processes: Mapped[list[DisciplinaryProcess]] = relationship(
        back_populates="case", order_by="DisciplinaryProcess.started_at"
    )
    suspension_decisions: Mapped[list[SuspensionDecision]] = relationship(
        back_populates="case", order_by="SuspensionDecision.created_at"
    )
    breach_record: Mapped[BreachRecord | None] = relationship(back_populates="case")
    legal_holds: Mapped[list[LegalHold]] = relationship(
        back_populates="case", order_by="LegalHold.placed_at"
    )

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.school_id, self.id

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def cited(self) -> list[Citation]:
        """The clauses cited, by code, each with the words in force when the case was recorded."""
        return sorted(self.citations, key=lambda c: c.clause.code)

    @property
    def clauses(self) -> list[PolicyClause]:
        return [c.clause for c in self.cited]

    @property
    def reporter_is_sealed(self) -> bool:
        """Seed policy 001: a disclosure from a member of staff is kept confidential."""
        return self.source is DisclosureSource.STAFF

    @property
    def lado_required(self) -> bool:
        """KCSIE Part 4: every allegation that meets the harm threshold goes to the LADO, and a
        concern about both the head and the chair goes there directly."""
        return self.kind is CaseKind.ALLEGATION or self.needs_direct_lado_referral

    @property
    def carries_breach(self) -> bool:
        """Item 5: a personal data breach record (UK GDPR Art 33) on whatever track."""
        return (
            self.kind is CaseKind.DATA_BREACH
            or self.personal_data_exposed
            or self.breach_record is not None
        )

    @property
    def open_police_hold(self) -> PoliceHold | None:
        return next((h for h in self.police_holds if h.is_open), None)

    @property
    def open_legal_holds(self) -> list[LegalHold]:
        return [h for h in self.legal_holds if h.is_open]

    @property
    def latest_triage(self) -> TriageDecision | None:
        return self.triage_decisions[-1] if self.triage_decisions else None


class Note(Base):
    """A chronology entry. Never edited: a correction is a new note pointing at the old one."""

    __tablename__ = "note"
    __table_args__ = (
        CheckConstraint(
            "(corrects_id IS NULL AND reason_ct IS NULL) OR "
            "(corrects_id IS NOT NULL AND reason_ct IS NOT NULL)",
            name="correction_has_reason",
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = created_column()
    body: SensitiveField[Sensitive] = SensitiveField()
    body_ct: Mapped[bytes] = mapped_column(LargeBinary)
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("note.id"), nullable=True)
    reason: SensitiveField[Sensitive | None] = SensitiveField()
    reason_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship(back_populates="notes")

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id
