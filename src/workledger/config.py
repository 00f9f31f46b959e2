"""Settings, in one place: every knob is a ``WORKLEDGER_*`` environment variable."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

VAR_DIR = Path("var")

SECRET_KEY_MISSING = """\
WORKLEDGER_SECRET_KEY is not set, and production mode does not invent one: a key made
up on each machine would make every stored credential unusable on the others.
Make one, once, and give the same value to every machine and every workledger command:

    python3 -c "import secrets; print(secrets.token_urlsafe(48))"

    export WORKLEDGER_SECRET_KEY=...   # the output; keep it apart from database backups

(Development mode, `workledger serve --dev` or WORKLEDGER_DEV=true as `make run` uses,
keeps a key in var/secret.key instead.) See docs/operations.md, "The secret key"."""


class SecretKeyMissing(RuntimeError):
    """Production mode without ``WORKLEDGER_SECRET_KEY``."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKLEDGER_", extra="ignore")

    #: SQLite file by default so that ``make run`` needs no server; PostgreSQL in production.
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR}/workledger.db"
    #: Shared counters (rate limits). Unset = in-process memory.
    redis_url: str | None = None
    #: Server pepper for secret digests and the key that encrypts recoverable secrets.
    #: Required in production; unset in development = a random key kept in
    #: ``var/secret.key`` (fine for one laptop, wrong for a cluster).
    secret_key: str = ""
    #: Development mode: plain HTTP allowed. Production refuses API calls over HTTP.
    dev: bool = False
    #: Addresses whose ``X-Forwarded-Proto`` is believed (comma-separated in the env).
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )
    #: Largest accepted request body, in bytes (413 above it).
    max_body_bytes: int = 1024 * 1024
    #: Host part of generated API e-mail addresses.
    api_email_host: str = "api.workledger.local"
    #: The address people and integrators reach this server at, with any path prefix:
    #: the start of every absolute URL the server makes (Link, Location, redirects,
    #: pages, e-mails), never the request's Host header (kit.urls).
    public_url: str = "http://127.0.0.1:8000"
    #: Outgoing mail (API user credentials). Unset host = mail is not sent.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str = "Workledger <no-reply@workledger.local>"
    #: Calls per credential (or per address without one), per fixed window.
    rate_limit: str = "3600/15 minutes"
    #: Failed sign-ins (token endpoint, Basic passwords, page login) per username from
    #: one client address ...
    rate_limit_login: str = "10/15 minutes"
    #: ... per client address, whatever the username ...
    rate_limit_login_per_address: str = "50/15 minutes"
    #: ... and per username from every address together.
    rate_limit_login_per_username: str = "100/15 minutes"
    #: Per-endpoint limits, JSON: {"GET /v1/customers": "600/15 minutes"}.
    rate_limits: dict[str, str] = Field(default_factory=dict)
    #: Echo SQL (debugging).
    echo_sql: bool = False
    #: FastAPI's native OpenTelemetry (spans, metrics, logs) to the globally configured
    #: providers. Off by default: even with no provider configured, FastAPI looks for one
    #: on every request (issue 13).
    opentelemetry: bool = False
    #: The sandbox's database (docs/sandbox.md). Unset: ``sandbox.db`` beside the SQLite
    #: production file (``var/sandbox.db``), or the production PostgreSQL database's name
    #: + ``_sandbox``. Each restore makes a new copy named after it (``..._sandbox_<n>``).
    sandbox_database_url: str | None = None
    #: When the sandbox is restored from production: a cron expression in UTC (minute
    #: hour day month weekday), by default every Sunday at 03:00; ``off`` disables it.
    sandbox_restore: str = "0 3 * * sun"
    #: How often (seconds) each process looks up which copy is the sandbox's current one.
    sandbox_check_seconds: float = 1.0

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        try:
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
            valid = (parts.scheme in ("http", "https") and parts.hostname and not parts.query
                     and not parts.fragment and not parts.username and not parts.password)
        except ValueError:
            valid = False
        if not valid:
            raise ValueError(
                "WORKLEDGER_PUBLIC_URL must be the absolute http(s) address of the server, "
                "such as https://workledger.example.com or https://example.com/workledger"
            )
        return value.strip().rstrip("/")

    @field_validator("sandbox_restore")
    @classmethod
    def _cron_or_off(cls, value: str) -> str:
        value = " ".join(value.split())
        if value.lower() == "off":
            return "off"
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as error:
            raise ValueError(
                "WORKLEDGER_SANDBOX_RESTORE must be a cron expression of five fields "
                f"(minute hour day month weekday), such as '0 3 * * sun', or 'off': {error}"
            ) from None
        return value

    def resolved_sandbox_database_url(self) -> str:
        """The sandbox's database: configured, or derived from production's."""
        if self.sandbox_database_url:
            return self.sandbox_database_url
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite":
            path = Path(url.database or "") if url.database not in (None, "", ":memory:") else None
            sandbox = (path.with_name("sandbox.db") if path else VAR_DIR / "sandbox.db")
            return url.set(database=str(sandbox)).render_as_string(hide_password=False)
        return url.set(database=f"{url.database}_sandbox").render_as_string(hide_password=False)

    def resolved_secret_key(self) -> str:
        """The secret key; in development only, a key kept in ``var/secret.key``."""
        if self.secret_key:
            return self.secret_key
        if not self.dev:
            raise SecretKeyMissing(SECRET_KEY_MISSING)
        return _local_secret_key()


@lru_cache
def _local_secret_key() -> str:
    path = VAR_DIR / "secret.key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
