"""Configuration from `CREDIT_*` environment variables (and an optional `.env` file).

Secrets are held as `SecretStr` so that printing the settings never shows them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

ENV_PREFIX = "CREDIT_"


def _load_dotenv(path: Path = Path(".env")) -> dict[str, str]:
    """Read `KEY=VALUE` lines from a .env file; the process environment wins."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _env(name: str, dotenv: dict[str, str], default: str | None = None) -> str | None:
    value = os.environ.get(ENV_PREFIX + name, dotenv.get(ENV_PREFIX + name))
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    platform_url: str | None = None
    platform_app_key: str | None = None
    platform_app_secret: SecretStr | None = None
    platform_verify_tls: bool = True
    platform_max_attempts: int = 6
    platform_max_answer_bytes: int = 4 * 1024 * 1024  # a larger answer is cut off, the batch settled later
    deadline_workdays: int = 3
    timezone: str = "Asia/Shanghai"
    alert_webhook_url: SecretStr | None = None
    frontdb_url: SecretStr | None = None
    sql_sources_file: Path | None = None
    calendar_override: Path | None = None
    rule_severity: dict[str, str] = field(default_factory=dict)

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def reference(self) -> Path:
        return self.home / "reference"

    @property
    def out(self) -> Path:
        return self.home / "out"

    def ensure_dirs(self) -> None:
        for path in (self.inbox, self.archive, self.quarantine, self.reference, self.out):
            path.mkdir(parents=True, exist_ok=True)


def _severity_overrides(text: str | None) -> dict[str, str]:
    """`CREDIT_RULE_SEVERITY="LEN-1=error,ID-6=warning"`: a deployment may change a severity, never an id."""
    overrides: dict[str, str] = {}
    for part in (text or "").split(","):
        if "=" in part:
            rule, _, severity = part.partition("=")
            severity = severity.strip().lower()
            if severity not in ("error", "warning"):
                raise ValueError(f"CREDIT_RULE_SEVERITY: {rule.strip()} 的级别必须是 error 或 warning")
            overrides[rule.strip().upper()] = severity
    return overrides


def load_settings() -> Settings:
    dotenv = _load_dotenv()
    home = Path(_env("HOME", dotenv, "./var")).expanduser().resolve()
    secret = _env("PLATFORM_APP_SECRET", dotenv)
    webhook = _env("ALERT_WEBHOOK_URL", dotenv)
    frontdb = _env("FRONTDB_URL", dotenv)
    sql_sources = _env("SQL_SOURCES", dotenv)
    override = _env("CALENDAR_OVERRIDE", dotenv)
    return Settings(
        home=home,
        database_url=_env("DATABASE_URL", dotenv, f"sqlite:///{home / 'credit.db'}"),
        platform_url=_env("PLATFORM_URL", dotenv),
        platform_app_key=_env("PLATFORM_APP_KEY", dotenv),
        platform_app_secret=SecretStr(secret) if secret else None,
        platform_verify_tls=(_env("PLATFORM_VERIFY_TLS", dotenv, "true").lower() not in ("0", "false", "no")),
        platform_max_attempts=max(1, int(_env("PLATFORM_MAX_ATTEMPTS", dotenv, "6"))),
        platform_max_answer_bytes=max(
            256 * 1024, int(_env("PLATFORM_MAX_ANSWER_BYTES", dotenv, str(4 << 20)))
        ),
        deadline_workdays=int(_env("DEADLINE_WORKDAYS", dotenv, "3")),
        timezone=_env("TIMEZONE", dotenv, "Asia/Shanghai"),
        alert_webhook_url=SecretStr(webhook) if webhook else None,
        frontdb_url=SecretStr(frontdb) if frontdb else None,
        sql_sources_file=Path(sql_sources) if sql_sources else None,
        calendar_override=Path(override) if override else None,
        rule_severity=_severity_overrides(_env("RULE_SEVERITY", dotenv)),
    )
