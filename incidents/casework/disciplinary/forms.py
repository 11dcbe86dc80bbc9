"""Forms for the disciplinary link: starting a process, the hearing, a staff outcome, a measure
for anyone else and its reviews, ending without an outcome. They check shape and length with
the services' wording; the services check meaning (dates, choices allowed for this person) and
their errors land on the same fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, Optional

from incidents.casework.disciplinary import commands as disciplinary
from incidents.casework.disciplinary import reviews as measure_reviews
from incidents.models import ReviewDecision, StaffOutcome
from incidents.web.fields import confirmed, date_field, radio, text_area


def _hr_reference() -> StringField:
    return StringField(
        "HR reference (optional, staff only)",
        description="The reference your HR provider or local authority uses for this case.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(
                max=disciplinary.MAX_HR_REFERENCE,
                message="The HR reference must be "
                f"{disciplinary.MAX_HR_REFERENCE:,} characters or fewer",
            ),
        ],
    )


class StartDisciplinaryForm(FlaskForm):
    person = radio("Who is the process about?", "Choose who the process is about from the list")
    hr_reference = _hr_reference()
    confirmed = confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class HearingForm(FlaskForm):
    hearing_on = date_field(
        "When is the hearing?",
        called="The hearing date",
        missing="Enter the date of the hearing",
        hint="For example, 27 3 2026. You can change it if the hearing moves.",
    )
    submit = SubmitField("Save hearing date", widget=GovSubmitInput())


class StaffOutcomeForm(FlaskForm):
    outcome = radio(
        "What was decided?",
        "Choose the outcome from the list",
        [SelectChoice(o.value, o.label) for o in StaffOutcome],
    )
    decided_on = date_field(
        "When was it decided?",
        called="The decision date",
        missing="Enter the date of the decision",
    )
    reasons = text_area(
        "Why?",
        limit=disciplinary.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons",
        hint="Summarise the findings the decision rests on.",
    )
    hr_reference = _hr_reference()
    confirmed = confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class MeasureForm(FlaskForm):
    measure = radio(
        "What is the sanction or measure?", "Choose the sanction or measure from the list"
    )
    starts_on = date_field(
        "When does it start?", called="The start date", missing="Enter the date it starts"
    )
    review_on = date_field(
        "When will it be reviewed? (optional)",
        called="The review date",
        hint="For example, 27 6 2026",
    )
    ends_on = date_field(
        "When does it end? (optional)",
        called="The end date",
        hint="Leave empty if it has no fixed end.",
    )
    details = text_area(
        "Describe it (needed for something else)",
        limit=disciplinary.MAX_DETAILS,
        called="The description",
        hint="For example, which events or parts of the site it covers.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class MeasureReviewForm(FlaskForm):
    decision = radio(
        "What did you decide?",
        "Choose what was decided at the review",
        [SelectChoice(d.value, d.label) for d in ReviewDecision],
    )
    reviewed_on = date_field(
        "When was it reviewed?",
        called="The date of the review",
        missing="Enter the date of the review",
    )
    reasons = text_area(
        "Why?",
        limit=measure_reviews.MAX_REASONS,
        called="The reasons",
        empty="Enter the reasons for the decision",
        hint="What you took into account: for example, the person's conduct since, and "
        "anything they or others told you.",
    )
    changes = text_area(
        "What changes? (only if you are changing it)",
        limit=measure_reviews.MAX_CHANGES,
        called="What changes",
        hint="For example, they may now attend assemblies but not sports day.",
    )
    ends_on = date_field(
        "When does it end? (only if you are ending it)",
        called="The end date",
        hint="The day it stops applying. For example, 27 3 2026",
    )
    next_review_on = date_field(
        "When is the next review? (optional)",
        called="The next review date",
        hint="Leave empty if you are ending it, or if no further review is planned.",
    )
    submit = SubmitField("Save the review", widget=GovSubmitInput())


class DiscontinueForm(FlaskForm):
    reasons = text_area(
        "Why is the process ending without an outcome?",
        limit=disciplinary.MAX_REASONS,
        called="The reasons",
        empty="Enter why the process is ending without an outcome",
        hint="For example, the person resigned before the hearing.",
    )
    confirmed = confirmed()
    submit = SubmitField("Continue", widget=GovSubmitInput())
