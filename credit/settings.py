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
    doc_series_file: Path | None = None  # independent document-number series (default: the shipped file)
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
        doc_series_file=Path(series) if (series := _env("DOC_SERIES", dotenv)) else None,
        rule_severity=_severity_overrides(_env("RULE_SEVERITY", dotenv)),
    )


# --- the 月通报: what an office configures (CREDIT_BULLETIN_*) -------------------------------------------------


def _rate(text: str, name: str) -> float:
    """`5%`, `5` (read as per cent) or `0.05`: a threshold rate as a fraction."""
    value = text.strip()
    try:
        number = float(value.rstrip("%").strip())
    except ValueError:
        raise ValueError(f"CREDIT_BULLETIN_{name}: 应为比率（如 5% 或 0.05），实际为 {text!r}") from None
    return number / 100 if value.endswith("%") or number > 1 else number


@dataclass(frozen=True)
class BulletinSettings:
    """The office's particulars for the 月通报 and the thresholds past which a unit is named (点名).

    A unit is named when its 迟报率 or 错误率 is *above* the threshold, or its 漏报 count is above
    `missing_over` (0: any 漏报). `doc_number` empty leaves the number blank for the 文书 to fill in."""

    issuer: str = "雷州市发展和改革局"  # 署名 and the 发文机关标志 unless `mark` says otherwise
    mark: str = ""  # 发文机关标志 (e.g. 雷州市发展和改革局文件); empty: the issuer's name
    doc_prefix: str = "雷发改函"  # 发文字号 before 〔year〕
    doc_number: str = ""  # the number (no 第, no leading zeros); empty: left blank
    addressee: str = "各镇（街）人民政府（办事处），市府直属有关单位"
    contact_name: str = "市发展和改革局信用股"
    contact_phone: str = ""
    contact_email: str = ""
    cc: str = "湛江市发展和改革局"  # 抄送, 、-separated as written
    printer: str = "雷州市发展和改革局办公室"  # 印发机关
    note: str = "此件依申请公开"  # 附注, printed in parentheses; empty: none
    late_rate_over: float = 0.05
    error_rate_over: float = 0.05
    missing_over: int = 0
    fix_workday: int = 10  # 整改 due on this working day of the month after the bulletin's month
    gaps_inline_max: int = 40  # 疑似漏报 numbers up to this many go into the document; more: an .xlsx 附件2

    @property
    def mark_text(self) -> str:
        return self.mark or self.issuer


def load_bulletin_settings() -> BulletinSettings:
    dotenv = _load_dotenv()
    defaults = BulletinSettings()

    def text(name: str, default: str) -> str:
        value = os.environ.get(f"{ENV_PREFIX}BULLETIN_{name}", dotenv.get(f"{ENV_PREFIX}BULLETIN_{name}"))
        return default if value is None else value.strip()

    def number(name: str, default: int) -> int:
        value = text(name, str(default))
        if not value.isdigit():
            raise ValueError(f"CREDIT_BULLETIN_{name}: 应为非负整数，实际为 {value!r}")
        return int(value)

    doc_number = text("DOC_NUMBER", defaults.doc_number).lstrip("0")
    return BulletinSettings(
        issuer=text("ISSUER", defaults.issuer) or defaults.issuer,
        mark=text("MARK", defaults.mark),
        doc_prefix=text("DOC_PREFIX", defaults.doc_prefix),
        doc_number=doc_number,
        addressee=text("ADDRESSEE", defaults.addressee).rstrip("：:") or defaults.addressee,
        contact_name=text("CONTACT", defaults.contact_name),
        contact_phone=text("PHONE", defaults.contact_phone),
        contact_email=text("EMAIL", defaults.contact_email),
        cc=text("CC", defaults.cc).rstrip("。"),
        printer=text("PRINTER", defaults.printer),
        note=text("NOTE", defaults.note).strip("（）()"),
        late_rate_over=_rate(text("LATE_RATE_OVER", "5%"), "LATE_RATE_OVER"),
        error_rate_over=_rate(text("ERROR_RATE_OVER", "5%"), "ERROR_RATE_OVER"),
        missing_over=number("MISSING_OVER", defaults.missing_over),
        fix_workday=max(1, number("FIX_WORKDAY", defaults.fix_workday)),
        gaps_inline_max=number("GAPS_INLINE_MAX", defaults.gaps_inline_max),
    )
