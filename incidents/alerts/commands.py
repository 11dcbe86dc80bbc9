"""Choosing how alerts arrive: each user, for themselves, immediately or in a daily digest. The
statutory alerts (clocks, a child's disclosure, the audit log) are always immediate."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from incidents import audit
from incidents.errors import InvalidInput
from incidents.models import AlertPreference, Delivery, School, SchoolMail, User
from incidents.models.base import utcnow

CHOOSE = "Choose how you want to be emailed"
# One plain address: nothing that could add a header line or a second recipient.
ADDRESS = re.compile(r"[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}")


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


def set_reply_to(session: Session, *, school: School, address: str) -> SchoolMail:
    """The school's own address for replies to its alert emails (an operator's command: the
    CLI has checked who runs it)."""
    address = address.strip()
    if not ADDRESS.fullmatch(address):
        raise InvalidInput({"reply_to": "Enter one email address, like office@school.example"})
    mail = session.get(SchoolMail, school.id)
    if mail is None:
        mail = SchoolMail(school_id=school.id, reply_to=address)
        session.add(mail)
    else:
        mail.reply_to = address
    session.flush()
    audit.record(
        session,
        school_id=school.id,
        action=audit.Action.ALERT_REPLY_TO,
        actor=None,
        object_type="school",
        object_id=school.id,
        detail={"reply_to": address},
    )
    return mail
