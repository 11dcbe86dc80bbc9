"""Choosing how alerts arrive: each user, for themselves, immediately or in a daily digest. The
statutory alerts (clocks, a child's disclosure, the audit log) are always immediate."""

from __future__ import annotations

from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import InvalidInput
from incidents.models import AlertPreference, Delivery, User
from incidents.models.base import utcnow

CHOOSE = "Choose how you want to be emailed"


def set_delivery(session: Session, *, actor: User, delivery: str) -> AlertPreference:
    """The actor's own choice; anything but the two offered is refused on the field."""
    try:
        chosen = Delivery(delivery)
    except ValueError:
        raise InvalidInput({"delivery": CHOOSE}) from None
    preference = session.get(AlertPreference, actor.id)
    if preference is None:
        preference = AlertPreference(user_id=actor.id, delivery=chosen, updated_at=utcnow())
        session.add(preference)
    else:
        preference.delivery = chosen
        preference.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.Action.ALERT_PREFERENCE,
        actor=actor,
        object_type="user",
        object_id=actor.id,
        detail={"delivery": chosen.value},
    )
    return preference
