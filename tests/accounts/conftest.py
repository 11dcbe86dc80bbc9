"""The real SMTP server of the alerts tests, for the forgotten-password journey."""

from tests.alerts.conftest import (  # noqa: F401 - fixtures, used by name
    flush,
    mail_settings,
    smtp_certificate,
    smtp_server,
)
