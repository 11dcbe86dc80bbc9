"""Task: an action on a case with an assignee, a due date and done / not done. The workflow
creates the statutory ones (kind other than `custom`); case workers add their own."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidents.db import Base
from incidents.models.base import UTCDateTime, checked_enum, created_column, id_column
from incidents.sensitive import Sensitive, SensitiveField

if TYPE_CHECKING:
    from incidents.models.case import Case
    from incidents.models.disciplinary import DisciplinaryMeasure


class TaskState(enum.StrEnum):
    """Not stored: a task is done when it has the time it was done and by whom."""

    TO_DO = "to_do"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"to_do": "to do", "done": "done"}[self.value]


class TaskKind(enum.StrEnum):
    EXPLAIN_TO_PARENT = "explain_to_parent"
    ALERT_DSL = "alert_dsl"
    CONSIDER_CSC_POLICE = "consider_csc_police"
    CONFIRM_SUSPENSION = "confirm_suspension"
    # Routing by source (DOMAIN.md section 1): the first step each kind of disclosure needs.
    CHECK_ANONYMOUS = "check_anonymous"
    GOVERNOR_REPORTED = "governor_reported"
    AGREE_WITH_AGENCY = "agree_with_agency"
    RECORD_OWN_ACCOUNT = "record_own_account"
    PRESERVE_EVIDENCE = "preserve_evidence"
    # A parent's, governor's or volunteer's sanction reviewed on the date set for it.
    REVIEW_MEASURE = "review_measure"
    # After an allegation's outcome (KCSIE Part 4 s.1, "Learning lessons" and "Unfounded,
    # false, malicious"): issue 13, what is missing.
    LESSONS_REVIEW = "lessons_review"
    CONSIDER_CHILD_SUPPORT = "consider_child_support"
    CONSIDER_PUPIL_ACTION = "consider_pupil_action"
    # KCSIE Part 4: the child's parents are told, when the police and children's social care
    # advise (issue 13, item 9).
    TELL_PARENTS = "tell_parents"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            "explain_to_parent": "Explain to the parent the process that will be followed",
            "alert_dsl": "A child has made a disclosure: the designated safeguarding lead must "
            "act on it today",
            "consider_csc_police": "Decide whether to refer to children's social care and the "
            "police",
            "confirm_suspension": "Confirm the suspension in writing",
            "check_anonymous": "The report is anonymous and cannot be checked with its source: "
            "record what can be verified, then decide on the facts available",
            "governor_reported": "Thank the governor, tell them the concern is being dealt with, "
            "and remind them not to look into it or discuss it themselves",
            "agree_with_agency": "Agree with the agency that told you what the school may do, "
            "and what the person may be told, before telling them anything",
            "record_own_account": "Record the person's own account and what they have already "
            "done (deleted, corrected, told their line manager)",
            "preserve_evidence": "Keep the monitoring evidence (screenshots, logs, times) "
            "before it is deleted or overwritten",
            "review_measure": "Review the sanction or measure",
            "lessons_review": "Hold a learning-lessons review of how the allegation was "
            "handled (with the LADO if it was substantiated), and note what will change",
            "consider_child_support": "Consider whether the child needs help, or a referral to "
            "children's social care (they may have been harmed by someone else); note the "
            "decision and the reasons",
            "consider_pupil_action": "Consider whether to take action, under the behaviour "
            "policy, against a pupil who made the allegation deliberately; note the decision "
            "and the reasons",
            "tell_parents": "Tell the child's parents about the allegation, then keep them "
            "informed and tell them the outcome in confidence. Agree the timing with the "
            "police and children's social care first, and record their advice in the chronology",
            "custom": "Task",
        }[self.value]


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        # Standard tasks carry no free text; a hand-made one always has its (encrypted) title.
        CheckConstraint("(kind = 'custom') = (title_ct IS NOT NULL)", name="custom_has_title"),
        CheckConstraint("(done_at IS NULL) = (done_by_id IS NULL)", name="done_has_who_and_when"),
    )

    id: Mapped[uuid.UUID] = id_column()
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_file.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TaskKind] = mapped_column(checked_enum(TaskKind, "task_kind"))
    title: SensitiveField[Sensitive | None] = SensitiveField()
    title_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True, index=True
    )
    due_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = created_column()
    # None: created by the workflow itself.
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )

    case: Mapped[Case] = relationship(back_populates="tasks")
    # A review task names its measure (the measure holds the link, as a suspension does).
    measure_reviewed: Mapped[DisciplinaryMeasure | None] = relationship(
        "DisciplinaryMeasure",
        primaryjoin="Task.id == foreign(DisciplinaryMeasure.review_task_id)",
        viewonly=True,
        uselist=False,
    )

    def crypto_scope(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return self.case.school_id, self.case.id

    @property
    def state(self) -> TaskState:
        """Read from when it was done: the table is `lifecycle.TASK`."""
        return TaskState.TO_DO if self.done_at is None else TaskState.DONE

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def describe(self) -> str:
        """The task's wording, for a reader entitled to the case."""
        if self.kind is TaskKind.CUSTOM and self.title is not None:
            return self.title.reveal()
        if self.kind is TaskKind.REVIEW_MEASURE and self.measure_reviewed is not None:
            return f"Review the measure: {self.measure_reviewed.describe()}"
        return self.kind.label
