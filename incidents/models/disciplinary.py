"""The disciplinary link (issue 5, item 9): what follows an upheld case for the person it was
about. Staff go through investigation, hearing and an outcome; parents, governors, volunteers
and contractors get the measures their policy names, each with its dates."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.clock import local_today
from incidents.db import Base
from incidents.models.base import checked_enum, created_column, id_column
from incidents.models.case import Case
from incidents.models.measure_review import MeasureReview
from incidents.models.outcome import EmploymentOutcome
from incidents.models.person import Person, PersonKind
from incidents.sensitive import Sensitive, SensitiveField


class DisciplinaryKind(enum.StrEnum):
    """Which route a person takes: decided by who they are, never chosen freely."""

    STAFF = "staff"
    PARENT_CARER = "parent_carer"
    GOVERNOR = "governor"
    # Volunteers, trainees, contractors and others who work for the school (seed policy 002).
    VOLUNTEER = "volunteer"

    @property
    def label(self) -> str:
        return {
            "staff": "Staff disciplinary process",
            "parent_carer": "Sanctions for a parent or carer",
            "governor": "Action about a governor",
            "volunteer": "Action about a volunteer, trainee or contractor",
        }[self.value]


# Who is on which route; pupils have none (their behaviour policy is another system's).
KIND_FOR_PERSON: dict[PersonKind, DisciplinaryKind] = {
    PersonKind.STAFF: DisciplinaryKind.STAFF,
    PersonKind.PARENT_CARER: DisciplinaryKind.PARENT_CARER,
    PersonKind.GOVERNOR: DisciplinaryKind.GOVERNOR,
    PersonKind.VOLUNTEER: DisciplinaryKind.VOLUNTEER,
    PersonKind.CONTRACTOR: DisciplinaryKind.VOLUNTEER,
    PersonKind.OTHER: DisciplinaryKind.VOLUNTEER,
}


class DisciplinaryStage(enum.StrEnum):
    INVESTIGATION = "investigation"
    HEARING = "hearing"
    CONCLUDED = "concluded"
    # Ended without an outcome (the person resigned, the sanction was not pursued): explained.
    DISCONTINUED = "discontinued"

    @property
    def label(self) -> str:
        return {
            "investigation": "Under way",
            "hearing": "Hearing arranged",
            "concluded": "Concluded",
            "discontinued": "Ended without an outcome",
        }[self.value]


FINISHED_STAGES = frozenset({DisciplinaryStage.CONCLUDED, DisciplinaryStage.DISCONTINUED})


class StaffOutcome(enum.StrEnum):
    NO_ACTION = "no_action"
    MANAGEMENT_ADVICE = "management_advice"
    FIRST_WRITTEN_WARNING = "first_written_warning"
    FINAL_WRITTEN_WARNING = "final_written_warning"
    DISMISSAL = "dismissal"

    @property
    def label(self) -> str:
        return {
            "no_action": "No action",
            "management_advice": "Management advice",
            "first_written_warning": "First written warning",
            "final_written_warning": "Final written warning",
            "dismissal": "Dismissal",
        }[self.value]


# A warning or a dismissal is a sanction: ACAS's code needs a hearing before one is given.
NEEDS_HEARING = frozenset(
    {
        StaffOutcome.FIRST_WRITTEN_WARNING,
        StaffOutcome.FINAL_WRITTEN_WARNING,
        StaffOutcome.DISMISSAL,
    }
)


class Measure(enum.StrEnum):
    # Parents and carers (seed policy 001: photos and mobiles; 001 and 003: premises).
    PHOTOGRAPHY_WITHDRAWN = "photography_withdrawn"
    MOBILE_PHONE_WITHDRAWN = "mobile_phone_withdrawn"
    PREMISES_RESTRICTED = "premises_restricted"
    # Governors.
    GOVERNOR_SUSPENDED = "governor_suspended"
    GOVERNOR_REMOVED = "governor_removed"
    APPOINTING_BODY_REFERRAL = "appointing_body_referral"
    # Volunteers, trainees and contractors.
    ROLE_ENDED = "role_ended"
    SUPERVISED = "supervised"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "photography_withdrawn": "Right to take photographs at school withdrawn",
            "mobile_phone_withdrawn": "Use of mobile phones on school premises withdrawn",
            "premises_restricted": "Access to the school premises restricted",
            "governor_suspended": "Suspended from the governing body",
            "governor_removed": "Removed from the governing body",
            "appointing_body_referral": "Referred to the body that appointed them",
            "role_ended": "Their role at the school ended",
            "supervised": "Only to work under supervision",
            "other": "Something else (describe it)",
        }[self.value]


MEASURES_FOR: dict[DisciplinaryKind, tuple[Measure, ...]] = {
    DisciplinaryKind.STAFF: (),
    DisciplinaryKind.PARENT_CARER: (
        Measure.PHOTOGRAPHY_WITHDRAWN,
        Measure.MOBILE_PHONE_WITHDRAWN,
        Measure.PREMISES_RESTRICTED,
        Measure.OTHER,
    ),
    DisciplinaryKind.GOVERNOR: (
        Measure.GOVERNOR_SUSPENDED,
        Measure.GOVERNOR_REMOVED,
        Measure.APPOINTING_BODY_REFERRAL,
        Measure.OTHER,
    ),
    DisciplinaryKind.VOLUNTEER: (Measure.ROLE_ENDED, Measure.SUPERVISED, Measure.OTHER),
}

# What a finished process tells the closure checklist about the person's employment.
EMPLOYMENT_AFTER: dict[StaffOutcome | Measure, EmploymentOutcome] = {
    StaffOutcome.DISMISSAL: EmploymentOutcome.DISMISSED,
    Measure.GOVERNOR_REMOVED: EmploymentOutcome.LEFT,
    Measure.ROLE_ENDED: EmploymentOutcome.LEFT,
}


class DisciplinaryProcess(Base):
    """One person's process after one case. Its id is what a hearing's evidence file names."""

    __tablename__ = "disciplinary_process"
    __table_args__ = (
        UniqueConstraint("case_id", "person_id"),
        CheckConstraint("outcome IS NULL OR kind = 'staff'", name="outcome_only_for_staff"),
        CheckConstraint("stage <> 'hearing' OR kind = 'staff'", name="hearing_only_for_staff"),
        CheckConstraint(
            "stage NOT IN ('concluded', 'discontinued') OR ended_on IS NOT NULL",
            name="finished_has_date",
        ),
        CheckConstraint(
            "stage <> 'concluded' OR kind <> 'staff' OR outcome IS NOT NULL",
            name="concluded_staff_has_outcome",
        ),
        CheckConstraint("outcome IS NULL OR stage = 'concluded'", name="outcome_concludes"),
        CheckConstraint(
            "stage <> 'discontinued' OR reasons_ct IS NOT NULL", name="discontinued_has_reasons"
        ),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('no_action', 'management_advice') "
            "OR hearing_on IS NOT NULL",
            name="sanction_follows_hearing",
        ),
        CheckConstraint("stage <> 'hearing' OR hearing_on IS NOT NULL", name="hearing_has_date"),
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
    kind: Mapped[DisciplinaryKind] = mapped_column(checked_enum(DisciplinaryKind, "kind"))
    stage: Mapped[DisciplinaryStage] = mapped_column(checked_enum(DisciplinaryStage, "stage"))
    started_at: Mapped[datetime] = created_column()
    started_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    hearing_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[StaffOutcome | None] = mapped_column(
        checked_enum(StaffOutcome, "outcome"), nullable=True
    )
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # An HR reference identifies the person in another system: personal data.
    hr_reference: SensitiveField[Sensitive | None] = SensitiveField()
    hr_reference_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The outcome's reasons, or why the process ended without one.
    reasons: SensitiveField[Sensitive | None] = SensitiveField()
    reasons_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    case: Mapped[Case] = relationship(back_populates="disciplinary_processes")
    person: Mapped[Person | None] = relationship(lazy="joined")
    measures: Mapped[list[DisciplinaryMeasure]] = relationship(
        back_populates="process", order_by="DisciplinaryMeasure.created_at", lazy="selectin"
    )

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def is_finished(self) -> bool:
        return self.stage in FINISHED_STAGES

    @property
    def employment_implied(self) -> EmploymentOutcome | None:
        """The employment answer this process's result implies, if it implies one."""
        if self.stage is not DisciplinaryStage.CONCLUDED:
            return None
        if self.outcome is not None:
            return EMPLOYMENT_AFTER.get(self.outcome)
        return next(
            (EMPLOYMENT_AFTER[m.measure] for m in self.measures if m.measure in EMPLOYMENT_AFTER),
            None,
        )


class DisciplinaryMeasure(Base):
    """One sanction or measure for a parent, governor, volunteer or contractor, with its dates."""

    __tablename__ = "disciplinary_measure"
    __table_args__ = (
        CheckConstraint("review_on IS NULL OR review_on >= starts_on", name="review_after_start"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="end_after_start"),
        CheckConstraint("measure <> 'other' OR details_ct IS NOT NULL", name="other_has_details"),
        CheckConstraint(
            "review_task_id IS NULL OR review_on IS NOT NULL", name="review_task_has_date"
        ),
    )

    id: Mapped[uuid.UUID] = id_column()
    process_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("disciplinary_process.id", ondelete="CASCADE"), index=True
    )
    measure: Mapped[Measure] = mapped_column(checked_enum(Measure, "measure"))
    starts_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    details: SensitiveField[Sensitive | None] = SensitiveField()
    details_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = created_column()
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    # The case manager's task to review it on `review_on`.
    review_task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"), nullable=True)

    process: Mapped[DisciplinaryProcess] = relationship(back_populates="measures")
    reviews: Mapped[list[MeasureReview]] = relationship(
        back_populates="measure",
        order_by=(MeasureReview.reviewed_on, MeasureReview.created_at),
        lazy="selectin",
    )

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.process.case.school_id, self.process.case.id

    @property
    def is_in_force(self) -> bool:
        """Not yet ended: no end date, or one still to come (it ends on `ends_on`)."""
        return self.ends_on is None or self.ends_on > local_today()

    def describe(self) -> str:
        if self.measure is Measure.OTHER and self.details is not None:
            return self.details.reveal()
        return self.measure.label
