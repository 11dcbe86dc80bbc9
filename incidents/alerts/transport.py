"""Handing one email to the mail server (SMTP over STARTTLS or TLS, standard library only), or,
in development, to a folder or the console.

`deliver` calls `commit_point()` after the whole message has been transferred and before the
final "." that asks the server to accept it: the outbox records there that the message is
about to be accepted (see outbox.py). Until that dot the server holds nothing (RFC 5321
4.1.1.4: a transaction without its end of data is discarded), so a failure before it can
always be retried; if `commit_point` says the message is no longer ours, the dot is never
sent."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
import sys
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from incidents.config import Settings


class NotOurs(Exception):
    """Another run took the message over: it was not sent."""


class Transport(Protocol):
    def deliver(
        self,
        message: EmailMessage,
        *,
        sender: str,
        recipient: str,
        commit_point: Callable[[], bool],
    ) -> None: ...


class SmtpTransport:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str,
        user: str = "",
        password: str = "",
        context: ssl.SSLContext | None = None,
        timeout: float = 30,
    ) -> None:
        if security not in ("starttls", "tls"):
            raise ValueError("SMTP is only used over STARTTLS or TLS")
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.timeout = user, password, timeout
        self.context = context or ssl.create_default_context()

    @contextlib.contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        """One way in, for both securities: connect (TLS from the first byte, or STARTTLS, which
        refuses to go on in clear if the server cannot), greet over the secured channel (RFC
        3207: what was said before STARTTLS is forgotten), sign in if configured; closed on
        the way out, whatever happened."""
        if self.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=self.context)  # its own EHLO first, as smtplib does
            smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password)
            yield smtp
        finally:
            smtp.close()

    def deliver(
        self,
        message: EmailMessage,
        *,
        sender: str,
        recipient: str,
        commit_point: Callable[[], bool],
    ) -> None:
        data = message.as_bytes(policy=policy.SMTP)
        with self._session() as smtp:
            code, reply = smtp.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            # smtplib.SMTP.data() sends the body and the final dot in one go; the outbox needs
            # the moment between them, so the body is dot-stuffed here as data() would.
            body = re.sub(rb"(?m)^\.", b"..", data)
            smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")
            if not commit_point():
                raise NotOurs("the message was taken over by another run")
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
            with contextlib.suppress(smtplib.SMTPException):
                smtp.quit()  # accepted already: a lost goodbye changes nothing


class FileTransport:
    """Development: each message is written to `folder` as a .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(
        self,
        message: EmailMessage,
        *,
        sender: str,
        recipient: str,
        commit_point: Callable[[], bool],
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = re.sub(r"[^A-Za-z0-9.-]", "", str(message["Message-ID"]))
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(message.as_bytes(policy=policy.SMTP))
        if not commit_point():
            temporary.unlink()
            raise NotOurs("the message was taken over by another run")
        temporary.replace(self.folder / f"{name}.eml")


class ConsoleTransport:
    """Development: each message is printed (it holds no personal data by design)."""

    def deliver(
        self,
        message: EmailMessage,
        *,
        sender: str,
        recipient: str,
        commit_point: Callable[[], bool],
    ) -> None:
        if not commit_point():
            raise NotOurs("the message was taken over by another run")
        sys.stdout.write(message.as_string() + "\n")


def from_settings(settings: Settings) -> Transport:
    if settings.mail_backend == "smtp":
        context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)
        return SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password,
            context=context,
        )
    if settings.mail_backend == "console":
        return ConsoleTransport()
    return FileTransport(settings.instance_path / "mail")
