"""Typed settings for `incidents`, read once from environment variables.

Imported as `incidents.config`: `incidents/config.py` is a symbolic link to this file, so the
wheel carries it inside the package and never installs a bare top-level `config` module (which
could clash with any other project's `config`). Never `import config`: that would load a second
copy whose ConfigError the app does not raise.

Nothing here has a secret default: in development the secret key is generated into the instance
folder on first use; in production a missing or weak setting stops start-up and names the setting.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")
# Values people paste from tutorials; refusing them in production is cheap insurance.
KNOWN_WEAK_SECRETS = frozenset({"", "dev", "changeme", "secret", "development", "change-me"})
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the setting to fix."""


@dataclass(frozen=True)
class Settings:
    env: str
    secret_key: str
    database_url: str
    instance_path: Path
    session_cookie_secure: bool
    idle_timeout_minutes: int = 20
    absolute_session_hours: int = 10
    # How many reverse proxies (TLS terminators, load balancers) stand in front of the app.
    trusted_proxies: int = 0
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True
    page_size: int = 25
    # Master keys: a key file (INCIDENTS_KEY_FILE) or the JSON itself (INCIDENTS_KEYS).
    key_file: Path | None = None
    keys_json: str | None = field(default=None, repr=False)
    # Audit checkpoints: the Ed25519 signing key's file, the name it signs as, the log origin
    # prefix (each school's log is "<prefix>/<URN>"), and where checkpoint files are written.
    signing_key_file: Path | None = None
    audit_key_name: str = "incidents-audit"
    audit_origin_base: str = "incidents.invalid/audit"
    checkpoint_dir: Path | None = None
    # The signer's Unix socket (`incidents audit signer-serve`): the web app asks it there to
    # checkpoint a log straight after a high-stakes entry; unset, the signer's timer does.
    signer_socket: Path | None = None
    # Email alerts (issue 15): "smtp" in production; "file" (one .eml per message under
    # instance/mail) or "console" in development, so the demo needs no mail server.
    mail_backend: str = "file"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    # "starttls" (port 587) or "tls" (implicit TLS, port 465); plain text is never allowed.
    smtp_security: str = "starttls"
    mail_from: str = "alerts@incidents.invalid"
    # A CA bundle to trust for the mail server (a school's own CA); empty: the system's.
    smtp_ca_file: str = ""
    # The service's address as users reach it: links in emails are built on it.
    base_url: str = "http://127.0.0.1:5000"
    # Evidence files (issue 14): the largest file, and the most a case may keep, in MB. The
    # pages state both; a school with long videos of meetings would raise them.
    evidence_max_file_mb: int = 25
    evidence_max_case_mb: int = 250
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_mapping(self) -> dict[str, object]:
        """The Flask config keys these settings become."""
        return {
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.database_url,
            "SESSION_COOKIE_SECURE": self.session_cookie_secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_NAME": "incidents_session",
            "REMEMBER_COOKIE_SECURE": self.session_cookie_secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            # The cookie may live as long as the longest session; the server ends it sooner.
            "PERMANENT_SESSION_LIFETIME": self.absolute_session_hours * 3600,
            "IDLE_TIMEOUT_MINUTES": self.idle_timeout_minutes,
            "ABSOLUTE_SESSION_HOURS": self.absolute_session_hours,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "RATELIMIT_HEADERS_ENABLED": False,
            "WTF_CSRF_TIME_LIMIT": 3600,
            "PAGE_SIZE": self.page_size,
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            "EVIDENCE_MAX_FILE_BYTES": self.evidence_max_file_mb * 1024 * 1024,
            "EVIDENCE_MAX_CASE_BYTES": self.evidence_max_case_mb * 1024 * 1024,
            # A page that takes files may send this many of the largest, plus its text fields.
            "EVIDENCE_MAX_FILES": 10,
            "EVIDENCE_MAX_REQUEST_BYTES": 10 * self.evidence_max_file_mb * 1024 * 1024
            + 1024 * 1024,
            **self.extra,
        }


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}")
    return value


def _name(name: str, default: str) -> str:
    """A name that ends up inside signed checkpoints: printable, no spaces or plus signs."""
    value = os.environ.get(name) or default
    if not re.fullmatch(r"[A-Za-z0-9._/-]{1,100}", value):
        raise ConfigError(
            f"{name} must be 1 to 100 letters, digits, dots, dashes, underscores or slashes"
        )
    return value


def _development_secret(instance_path: Path) -> str:
    """A per-checkout random key kept in the instance folder, never a hard-coded default."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    if not instance_path.exists():
        # The instance folder holds the database and keys: this user's only, whatever the umask.
        instance_path.mkdir(parents=True, mode=0o700)
        instance_path.chmod(0o700)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _refuse_protections_off() -> None:
    """Production never runs with a protection switched off: each is refused in one line."""
    if not _flag("SESSION_COOKIE_SECURE", True):
        raise ConfigError(
            "SESSION_COOKIE_SECURE=false is refused in production: the sign-in cookie must only "
            "travel over https (put the service behind TLS, and set TRUSTED_PROXIES if a proxy "
            "ends it)"
        )
    if not _flag("RATELIMIT_ENABLED", True):
        raise ConfigError(
            "RATELIMIT_ENABLED=false is refused in production: sign-in attempts must be limited"
        )
    debug = os.environ.get("FLASK_DEBUG", "").strip().lower()
    if debug not in ("", "0", "false", "no", "off"):
        raise ConfigError(
            "FLASK_DEBUG is on, which is refused in production: the debugger runs any code a "
            "visitor sends; unset FLASK_DEBUG"
        )


MAIL_BACKENDS = ("smtp", "file", "console")
SMTP_SECURITY = ("starttls", "tls")
_ADDRESS = re.compile(r"[^@\s<>\"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}")


def _mail_settings(env: str) -> dict[str, object]:
    """The email settings, checked now: a wrong one stops start-up with one line naming it,
    not a traceback at the first alert."""
    production = env == "production"
    backend = os.environ.get("MAIL_BACKEND") or ("smtp" if production else "file")
    if backend not in MAIL_BACKENDS:
        raise ConfigError(
            f"MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}, not {backend!r}"
        )
    if production and backend != "smtp":
        raise ConfigError(
            f"MAIL_BACKEND={backend} is refused in production: alerts must reach people; "
            "set MAIL_BACKEND=smtp and the SMTP_ settings"
        )
    host = os.environ.get("SMTP_HOST", "").strip()
    security = os.environ.get("SMTP_SECURITY", "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(
            f"SMTP_SECURITY must be starttls or tls, not {security!r}: alerts never travel "
            "unencrypted"
        )
    port = _int("SMTP_PORT", 465 if security == "tls" else 587, 1, 65535)
    user = os.environ.get("SMTP_USER", "")
    password = os.environ.get("SMTP_PASSWORD", "")
    sender = os.environ.get("SMTP_FROM", "").strip()
    base_url = os.environ.get("INCIDENTS_BASE_URL", "").strip().rstrip("/")
    ca_file = os.environ.get("SMTP_CA_FILE", "").strip()
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"SMTP_CA_FILE names no readable file: {ca_file}")
    if backend == "smtp":
        if not host or not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", host):
            raise ConfigError("SMTP_HOST is missing or not a host name: set the mail server's name")
        if not sender:
            raise ConfigError("SMTP_FROM is missing: set the address alerts are sent from")
        if bool(user) != bool(password):
            raise ConfigError("SMTP_USER and SMTP_PASSWORD must be set together (or neither)")
    if sender and not _ADDRESS.fullmatch(sender):
        raise ConfigError("SMTP_FROM must be one email address, like alerts@school.example")
    if production and not base_url.startswith("https://"):
        raise ConfigError(
            "INCIDENTS_BASE_URL is missing or not https: set the address users open the service "
            "at (https://...), which links in alert emails use"
        )
    if base_url and not re.fullmatch(
        r"https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9._~/-]*)?", base_url
    ):
        raise ConfigError("INCIDENTS_BASE_URL must be a plain http(s) address, like https://host")
    return {
        "mail_backend": backend,
        "smtp_host": host,
        "smtp_port": port,
        "smtp_user": user,
        "smtp_password": password,
        "smtp_security": security,
        "mail_from": sender or "alerts@incidents.invalid",
        "smtp_ca_file": ca_file,
        "base_url": base_url or "http://127.0.0.1:5000",
    }


def _signing_key_file(instance_path: Path, production: bool) -> Path | None:
    named = os.environ.get("INCIDENTS_SIGNING_KEY_FILE")
    if named:
        return Path(named)
    # No default in production: the key belongs outside the web app's instance folder.
    return None if production else instance_path / "audit-signing.key"


def load_settings(overrides: dict[str, object] | None = None) -> Settings:
    """Build settings from the environment; `overrides` is for tests and the CLI."""
    env = os.environ.get("INCIDENTS_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"INCIDENTS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    # In a checkout this file is the repository's config.py (incidents/config.py links to it)
    # and the instance folder sits beside it; installed from the wheel it lives inside the
    # package, where nothing may be written: the working directory's instance folder then.
    here = Path(__file__).resolve().parent
    checkout = (here / "pyproject.toml").exists()
    default_instance = (here if checkout else Path.cwd()) / "instance"
    instance_path = Path(os.environ.get("INCIDENTS_INSTANCE_PATH") or default_instance).resolve()

    secret = os.environ.get("SECRET_KEY", "")
    if env == "production":
        if secret.strip().lower() in KNOWN_WEAK_SECRETS:
            raise ConfigError(
                "SECRET_KEY is missing or is a known default: set SECRET_KEY to a random value "
                f"of at least {MIN_SECRET_LENGTH} characters (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} characters"
            )
        if not os.environ.get("DATABASE_URL"):
            raise ConfigError("DATABASE_URL is missing: production needs an explicit database")
        if not os.environ.get("INCIDENTS_KEY_FILE") and not os.environ.get("INCIDENTS_KEYS"):
            raise ConfigError(
                "INCIDENTS_KEY_FILE is missing: production needs the path of its encryption key "
                "file (or the keys themselves in INCIDENTS_KEYS); `incidents keys init` makes one"
            )
        _refuse_protections_off()
    elif not secret:
        secret = _development_secret(instance_path)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'incidents.db'}"
    if not database_url.startswith(("sqlite://", "postgresql+psycopg://")):
        raise ConfigError(
            "DATABASE_URL must start with sqlite:// or postgresql+psycopg:// "
            f"(got a URL starting {database_url.split(':', 1)[0]!r})"
        )

    settings = Settings(
        env=env,
        secret_key=secret,
        database_url=database_url,
        instance_path=instance_path,
        # Browsers accept Secure cookies on http://127.0.0.1 and localhost, so this holds in
        # development too; tests turn it off because the test client speaks plain http.
        session_cookie_secure=_flag("SESSION_COOKIE_SECURE", True),
        idle_timeout_minutes=_int("IDLE_TIMEOUT_MINUTES", 20, 1, 240),
        absolute_session_hours=_int("ABSOLUTE_SESSION_HOURS", 10, 1, 24),
        trusted_proxies=_int("TRUSTED_PROXIES", 0, 0, 5),
        ratelimit_storage_uri=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        ratelimit_enabled=_flag("RATELIMIT_ENABLED", True),
        key_file=Path(os.environ.get("INCIDENTS_KEY_FILE") or instance_path / "keys.json"),
        keys_json=os.environ.get("INCIDENTS_KEYS") or None,
        # Only the signer commands read it, run as the signer's user (issue 19, item 8): the
        # web process never does, so production needs it set only where the signer runs.
        signing_key_file=_signing_key_file(instance_path, env == "production"),
        audit_key_name=_name("AUDIT_KEY_NAME", "incidents-audit"),
        audit_origin_base=_name("AUDIT_ORIGIN", "incidents.invalid/audit"),
        checkpoint_dir=Path(
            os.environ.get("AUDIT_CHECKPOINT_DIR") or instance_path / "checkpoints"
        ),
        signer_socket=Path(os.environ["AUDIT_SIGNER_SOCKET"])
        if os.environ.get("AUDIT_SIGNER_SOCKET")
        else None,
        evidence_max_file_mb=_int("EVIDENCE_MAX_FILE_MB", 25, 1, 2000),
        evidence_max_case_mb=_int("EVIDENCE_MAX_CASE_MB", 250, 1, 100_000),
        **_mail_settings(env),  # type: ignore[arg-type]
    )
    if overrides:
        settings = Settings(**{**settings.__dict__, **overrides})
    return settings
