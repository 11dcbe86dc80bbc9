"""Forms for legal holds: placing one (why the case must be kept) and lifting it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SelectChoice, SubmitField

from incidents.casework.erasure import commands as erasure
from incidents.models import LegalHoldKind
from incidents.web.fields import radio, text_area


class LegalHoldForm(FlaskForm):
    kind = radio(
        "Why must the case be kept?",
        "Choose why the case must be kept",
        [SelectChoice(k.value, k.label) for k in LegalHoldKind],
    )
    reason = text_area(
        "Who asked, and what for?",
        limit=erasure.MAX_REASON,
        called="The reason",
        empty="Enter who asked for the case to be kept, and why",
        hint="For example, the inquiry's or the police's reference and the date they asked.",
    )
    submit = SubmitField("Place the hold", widget=GovSubmitInput())


class LiftLegalHoldForm(FlaskForm):
    reason = text_area(
        "Why can the hold be lifted?",
        limit=erasure.MAX_REASON,
        called="The reason",
        empty="Enter why the case no longer needs to be kept",
    )
    submit = SubmitField("Lift the hold", widget=GovSubmitInput())
