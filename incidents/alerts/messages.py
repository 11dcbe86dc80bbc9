"""The alert emails themselves. An email says only that something needs the reader at their
school and where to sign in: never a name, a narrative, a source, a case kind or a case
reference (the subject line included). Every part is fixed wording plus the school's name, a
count and a link by opaque id; the words come from the outbox row alone, so each attempt
rebuilds the same message."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from incidents.models import AlertKind, OutboxMessage

# Subject and first line per kind. A statutory clock's wording names no agency: "the LADO"
# would say the case is an allegation.
WORDING: dict[AlertKind, tuple[str, str]] = {
    AlertKind.NEW_CASE: ("A new concern needs you", "A new concern has been reported at {school}."),
    AlertKind.CHILD_DISCLOSURE: (
        "Urgent: a disclosure needs you today",
        "A disclosure has been recorded at {school} that needs the safeguarding lead today.",
    ),
    AlertKind.CLOCK_HALFWAY: (
        "A deadline is coming up",
        "A deadline on a case at {school} is coming up: half of its time has gone.",
    ),
    AlertKind.CLOCK_DUE_TODAY: (
        "A deadline falls due",
        "A deadline on a case at {school} falls due: today is the last working day before "
        "it passes.",
    ),
    AlertKind.CLOCK_OVERDUE: (
        "Urgent: a deadline has passed",
        "A deadline on a case at {school} has passed and needs action now.",
    ),
    AlertKind.TASK_ASSIGNED: (
        "A task has been given to you",
        "A task at {school} has been given to you.",
    ),
    AlertKind.AUDIT_VERIFY_FAILED: (
        "The audit log failed verification",
        "The audit log of {school} failed its verification.",
    ),
    AlertKind.CHECKPOINTS_STOPPED: (
        "Audit checkpoints have stopped",
        "Scheduled audit checkpoints for {school} have not been written for over an hour: "
        "the scheduled jobs are probably not running.",
    ),
    AlertKind.DIGEST: (
        "Your daily summary",
        "{items} things need your attention at {school}: alerts and tasks due or overdue.",
    ),
    AlertKind.ACCOUNT_INVITATION: (
        "You have been invited to use Incidents",
        "You have been invited to use Incidents, the service {school} uses to record concerns "
        "about adults who work with children.",
    ),
    AlertKind.PASSWORD_RESET: (
        "Reset your password",
        "Someone asked to reset the password of your account at {school}.",
    ),
    AlertKind.CASE_ACCESS_GRANTED: (
        "Someone has been given access to cases",
        "An administrator at {school} has given a user a role that can open cases. If you did "
        "not expect this, speak to your administrator today.",
    ),
}
# Account emails (issue 16): what the link does, and the closing line, instead of "sign in".
ACCOUNT_LINKS: dict[AlertKind, tuple[str, str]] = {
    AlertKind.ACCOUNT_INVITATION: (
        "Set your password and sign in (the link works once, for 72 hours):",
        "If you did not expect this email, you can ignore it: no account is usable until the "
        "link is used.",
    ),
    AlertKind.PASSWORD_RESET: (
        "Choose a new password (the link works once, for 30 minutes):",
        "If you did not ask for this, ignore this email: your password has not changed.",
    ),
}
CASE_FOOTER = (
    "This email never says what a case is about. If you did not expect it, tell your "
    "school's safeguarding lead; do not forward it."
)


@dataclass(frozen=True)
class Sender:
    """Who an email is from: the school by name, at the service's address; replies go to the
    school's own address where it has set one."""

    school_name: str
    from_address: str
    reply_to: str | None
    base_url: str


def _address(display: str, address: str) -> Address:
    local, _, domain = address.partition("@")
    # Header-safe: the school's name is shown, never allowed to add a header line.
    clean = " ".join(display.replace("\r", " ").replace("\n", " ").split())[:100]
    return Address(display_name=clean, username=local, domain=domain)


def compose(row: OutboxMessage, *, to_address: str, sender: Sender) -> EmailMessage:
    subject, opening = WORDING[row.kind]
    school = " ".join(sender.school_name.split())
    first = opening.format(school=school, items=row.items)
    link = f"{sender.base_url}{row.link_path}"
    secret = row.link_secret if row.kind.single_use_link else None
    if secret is not None:
        link += secret.reveal()  # the single-use token: only ever in the email itself
    action, footer = ACCOUNT_LINKS.get(row.kind, ("Sign in to see it:", CASE_FOOTER))
    text = f"{first}\n\n{action}\n{link}\n\n{footer}\n"
    html = (
        '<!doctype html><html lang="en"><body>'
        f"<p>{escape(first)}</p>"
        f'<p>{escape(action.rstrip(":"))}: <a href="{escape(link)}">{escape(link)}</a></p>'
        f"<p>{escape(footer)}</p></body></html>"
    )
    message = EmailMessage()
    message["Subject"] = f"{subject}: {school}"
    message["From"] = _address(f"{school} (Incidents)", sender.from_address)
    message["To"] = to_address
    message["Reply-To"] = sender.reply_to or sender.from_address
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    # RFC 3834: an automatic message; out-of-office replies should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    if row.urgent:
        message["Importance"] = "high"
        message["X-Priority"] = "1"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
