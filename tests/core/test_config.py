"""Configuration: safe development defaults; in production, a refusal that names the setting."""

from __future__ import annotations

import stat

import pytest

from incidents import create_app
from incidents.audit import signer as signing
from incidents.config import ConfigError, load_settings
from incidents.crypto import keys

STRONG = "k" * 48


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in (
        "INCIDENTS_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "SESSION_COOKIE_SECURE",
        "IDLE_TIMEOUT_MINUTES",
        "RATELIMIT_ENABLED",
        "RATELIMIT_STORAGE_URI",
        "INCIDENTS_KEY_FILE",
        "INCIDENTS_KEYS",
        "INCIDENTS_SIGNING_KEY_FILE",
        "AUDIT_ORIGIN",
        "FLASK_DEBUG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INCIDENTS_INSTANCE_PATH", str(tmp_path / "instance"))


def test_development_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    settings = load_settings()
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'incidents.db'}"
    assert settings.session_cookie_secure is True


def test_development_secret_is_generated_once_private_and_reused(tmp_path):
    first = load_settings().secret_key
    key_file = tmp_path / "instance" / "secret_key"
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings().secret_key == first


@pytest.mark.parametrize("secret", [None, "", "changeme", "dev", "secret"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, secret):
    monkeypatch.setenv("INCIDENTS_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/incidents")
    if secret is not None:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("INCIDENTS_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/incidents")
    monkeypatch.setenv("SECRET_KEY", "x" * 20)
    with pytest.raises(ConfigError, match="SECRET_KEY is too short"):
        load_settings()


def test_production_needs_an_explicit_database(monkeypatch):
    monkeypatch.setenv("INCIDENTS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings()


def production(monkeypatch, tmp_path, *, key_file: bool = True):
    monkeypatch.setenv("INCIDENTS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/incidents")
    path = tmp_path / "secrets" / "keys.json"
    if key_file:
        keys.write_file(path, keys.generate(), new=True)
    monkeypatch.setenv("INCIDENTS_KEY_FILE", str(path))
    signing_key = tmp_path / "secrets" / "audit-signing.key"
    signing.generate(signing_key)
    monkeypatch.setenv("INCIDENTS_SIGNING_KEY_FILE", str(signing_key))
    mail_settings(monkeypatch)
    return path


def mail_settings(monkeypatch):
    """Alert emails (issue 15): a mail server over STARTTLS, and the service's address."""
    monkeypatch.setenv("SMTP_HOST", "mail.school.example")
    monkeypatch.setenv("SMTP_FROM", "alerts@school.example")
    monkeypatch.setenv("INCIDENTS_BASE_URL", "https://incidents.school.example")


def test_the_production_web_app_starts_without_the_signing_key(monkeypatch, tmp_path):
    # Issue 19, item 8: only the signer (its own user) reads the key; the web app never needs it.
    production(monkeypatch, tmp_path)
    monkeypatch.delenv("INCIDENTS_SIGNING_KEY_FILE")
    assert load_settings().signing_key_file is None  # no default inside the web's folder
    create_app()
    monkeypatch.setenv("INCIDENTS_SIGNING_KEY_FILE", str(tmp_path / "nowhere.key"))
    create_app()


@pytest.mark.parametrize("value", ["has space", "a+b", "x" * 101])
def test_audit_names_must_be_plain(monkeypatch, value):
    monkeypatch.setenv("AUDIT_ORIGIN", value)
    with pytest.raises(ConfigError, match="AUDIT_ORIGIN must be"):
        load_settings()


def test_production_needs_the_key_file_setting(monkeypatch, tmp_path):
    production(monkeypatch, tmp_path)
    monkeypatch.delenv("INCIDENTS_KEY_FILE")
    with pytest.raises(ConfigError, match="INCIDENTS_KEY_FILE is missing"):
        create_app()


def test_production_refuses_to_start_without_its_key_file(monkeypatch, tmp_path):
    path = production(monkeypatch, tmp_path, key_file=False)
    with pytest.raises(ConfigError, match=f"the key file {path} is missing"):
        create_app()


def test_production_refuses_a_key_file_others_can_read(monkeypatch, tmp_path):
    path = production(monkeypatch, tmp_path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        create_app()


def test_production_accepts_the_keys_in_an_environment_variable(monkeypatch, tmp_path):
    path = production(monkeypatch, tmp_path)
    monkeypatch.delenv("INCIDENTS_KEY_FILE")
    monkeypatch.setenv("INCIDENTS_KEYS", path.read_text())
    assert create_app().config["SESSION_COOKIE_SECURE"] is True


def test_production_with_its_settings_starts(monkeypatch, tmp_path):
    production(monkeypatch, tmp_path)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INCIDENTS_ENV", "staging", "INCIDENTS_ENV must be one of"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL must start with"),
        ("SESSION_COOKIE_SECURE", "perhaps", "SESSION_COOKIE_SECURE must be true or false"),
        ("IDLE_TIMEOUT_MINUTES", "ten", "IDLE_TIMEOUT_MINUTES must be a whole number"),
        ("IDLE_TIMEOUT_MINUTES", "0", "IDLE_TIMEOUT_MINUTES must be between"),
        ("RATELIMIT_ENABLED", "2", "RATELIMIT_ENABLED must be true or false"),
    ],
)
def test_bad_settings_are_named(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_database_password_is_not_echoed_in_the_error(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root:hunter2@localhost/x")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SESSION_COOKIE_SECURE", "false", "SESSION_COOKIE_SECURE=false is refused in production"),
        ("RATELIMIT_ENABLED", "false", "RATELIMIT_ENABLED=false is refused in production"),
        ("FLASK_DEBUG", "1", "FLASK_DEBUG is on, which is refused in production"),
        ("FLASK_DEBUG", "true", "FLASK_DEBUG is on, which is refused in production"),
    ],
)
def test_production_refuses_a_protection_switched_off(monkeypatch, tmp_path, name, value, says):
    monkeypatch.setenv("INCIDENTS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/incidents")
    monkeypatch.setenv("INCIDENTS_SIGNING_KEY_FILE", str(tmp_path / "audit.key"))
    monkeypatch.setenv("INCIDENTS_KEY_FILE", str(tmp_path / "keys.json"))
    mail_settings(monkeypatch)
    load_settings()  # everything else in order: accepted
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value).startswith(says)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("name", ["SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED", "FLASK_DEBUG"])
def test_development_may_switch_a_protection_off(monkeypatch, name):
    monkeypatch.setenv(name, "false" if name != "FLASK_DEBUG" else "1")
    load_settings()
