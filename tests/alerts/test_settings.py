"""Bad SMTP settings stop the app at start-up in production with one line naming the setting,
not a traceback at the first alert; development needs no mail server."""

from __future__ import annotations

from pathlib import Path

import pytest

from incidents.alerts import transport
from incidents.config import ConfigError, load_settings
from tests.core.test_config import production


def test_development_writes_mail_to_files_with_no_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INCIDENTS_ENV", "development")
    monkeypatch.setenv("INCIDENTS_INSTANCE_PATH", str(tmp_path))
    settings = load_settings()
    assert settings.mail_backend == "file"
    sink = transport.from_settings(settings)
    assert isinstance(sink, transport.FileTransport) and sink.folder == tmp_path / "mail"


def test_good_production_mail_settings_are_accepted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    production(monkeypatch, tmp_path)
    monkeypatch.setenv("SMTP_SECURITY", "tls")
    monkeypatch.setenv("SMTP_USER", "alerts")
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2-mail")
    settings = load_settings()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == (
        "mail.school.example",
        465,
        "tls",
    )
    assert "hunter2-mail" not in repr(settings)
    assert isinstance(transport.from_settings(settings), transport.SmtpTransport)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SMTP_HOST", "", "SMTP_HOST is missing"),
        ("SMTP_HOST", "mail server.example", "SMTP_HOST is missing or not a host name"),
        ("SMTP_PORT", "smtp", "SMTP_PORT must be a whole number"),
        ("SMTP_PORT", "70000", "SMTP_PORT must be between 1 and 65535"),
        ("SMTP_SECURITY", "none", "SMTP_SECURITY must be starttls or tls"),
        ("SMTP_FROM", "", "SMTP_FROM is missing"),
        ("SMTP_FROM", "Alerts <alerts@school.example>", "SMTP_FROM must be one email address"),
        ("SMTP_USER", "alerts", "SMTP_USER and SMTP_PASSWORD must be set together"),
        ("SMTP_CA_FILE", "/nowhere/ca.pem", "SMTP_CA_FILE names no readable file"),
        ("MAIL_BACKEND", "console", "MAIL_BACKEND=console is refused in production"),
        ("MAIL_BACKEND", "pigeon", "MAIL_BACKEND must be one of smtp, file, console"),
        ("INCIDENTS_BASE_URL", "", "INCIDENTS_BASE_URL is missing or not https"),
        (
            "INCIDENTS_BASE_URL",
            "http://incidents.example",
            "INCIDENTS_BASE_URL is missing or not https",
        ),
    ],
)
def test_bad_mail_settings_stop_production_start_up_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, says: str
) -> None:
    production(monkeypatch, tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value).startswith(says)
    assert "\n" not in str(refused.value)
    assert "hunter2" not in str(refused.value)
