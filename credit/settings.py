"""Configuration: one settings object from `CREDIT_*` environment variables and a `.env` file.

pydantic-settings reads both (the environment wins over `.env`; `export KEY=v`, quotes and `# comments` in
`.env` are the library's business, python-dotenv's rules). `load_settings()` returns the object every
component reads; `Settings(...)` built by hand (tests, tools) takes its arguments and defaults only, never
the environment. The variables, their defaults and which are secret: docs/operations.md#settings.

Secrets are `SecretStr` (the platform's app secret, the alert webhook URL whose query carries the robot's
key, the 前置库 URL); code calls `.get_secret_value()` only where the value is used. The store's URL stays a
plain `str` because it is handed to SQLAlchemy in many places, but its password never shows in the repr,
str or a log line of the settings (`masked_url`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar

from dotenv import dotenv_values
from pydantic import AfterValidator, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "CREDIT_"
ENV_FILE = ".env"  # relative to the working directory, as before


def _severity_overrides(value: Any) -> dict[str, str]:
    """`CREDIT_RULE_SEVERITY="LEN-1=error,ID-6=warning"`: a deployment may change a severity, never an id."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = [part.partition("=")[::2] for part in str(value or "").split(",") if "=" in part]
    overrides: dict[str, str] = {}
    for rule, severity in pairs:
        severity = str(severity).strip().lower()
        if severity not in ("error", "warning"):
            raise ValueError(f"CREDIT_RULE_SEVERITY: {str(rule).strip()} 的级别必须是 error 或 warning")
        overrides[str(rule).strip().upper()] = severity
    return overrides


_URL_PASSWORD = re.compile(r"(://[^/@:]*:)[^/?#]*@")


def masked_url(url: str) -> str:
    """A database URL with its password shown as ***, for anything a person or a log reads."""
    return _URL_PASSWORD.sub(r"\1***@", url)


class AtLeast:
    """`AtLeast[n]`: an int raised to n when it is smaller (a limit that must not reach zero)."""

    def __class_getitem__(cls, floor: int):
        return Annotated[int, AfterValidator(lambda value: max(floor, value))]


class Settings(BaseSettings):
    """Where the data lives, how to reach the platform, the deadline and the rules' severities."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # `CREDIT_X=` means unset, as it always did
        extra="ignore",  # the .env also holds CREDIT_BULLETIN_*, PREFECT_* …
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
    )

    home: Path = Path("./var")
    database_url: str = ""  # empty: sqlite:///<home>/credit.db
    platform_url: str | None = None
    platform_app_key: str | None = None
    platform_app_secret: SecretStr | None = None
    platform_verify_tls: bool = True
    platform_max_attempts: AtLeast[1] = 6
    # A larger answer is cut off, the batch settled later.
    platform_max_answer_bytes: AtLeast[256 * 1024] = 4 * 1024 * 1024
    deadline_workdays: int = 3
    # N per dataset where it differs from the dataset folder's (JSON: {"xycn": 10}); 双公示 follows the above.
    dataset_deadlines: dict[str, int] = Field(default_factory=dict)
    # The datasets the 三清零 judgement and the city totals cover (comma-separated ids); empty: the 双公示 ones
    # (credit.stats.three_zero_datasets resolves and checks them against the catalogue).
    three_zero_datasets: Annotated[tuple[str, ...], NoDecode] = ()
    # More dataset folders (os.pathsep-separated), read by credit.datasets from the environment itself.
    datasets_dir: str | None = None
    timezone: str = "Asia/Shanghai"
    alert_webhook_url: SecretStr | None = None
    # CSV `unit,url`: units' own robot webhooks (credit.duties.robots); its URLs are secrets, the path is not.
    unit_robots_file: Path | None = Field(None, validation_alias="CREDIT_UNIT_ROBOTS")
    frontdb_url: SecretStr | None = None
    sql_sources_file: Path | None = Field(None, validation_alias="CREDIT_SQL_SOURCES")
    calendar_override: Path | None = None
    # Independent document-number series (default: the shipped file).
    doc_series_file: Path | None = Field(None, validation_alias="CREDIT_DOC_SERIES")
    rule_severity: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    # The backfill's Dask cluster: an address (tcp://host:8786), else a local cluster of this many workers.
    dask_address: str | None = None
    dask_workers: AtLeast[1] = 2
    # The portal (credit/portal): the cookie-signing secret (none by default: the portal refuses to start
    # without one), its public address (https: cookies marked Secure), upload limits and lock-out.
    portal_secret: SecretStr | None = None
    portal_url: str | None = None
    portal_max_upload_bytes: AtLeast[1024] = 20 * 1024 * 1024
    portal_max_files: AtLeast[1] = 10
    portal_lock_after: AtLeast[1] = 5  # failed logins of one account (and 4x that from one address)
    portal_lock_minutes: AtLeast[1] = 15
    portal_session_minutes: AtLeast[5] = 480  # a session ends this long after its last request
    # The largest attachment of the evidence sheets accepted (credit.readers.attachments); larger: quarantined.
    attachment_max_bytes: AtLeast[1] = 20 << 20

    reads_environment: ClassVar[bool] = False  # only load_settings' subclass reads the environment

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Built by hand: the arguments and the defaults only. From the environment: the arguments, then the
        # process environment, then .env.
        if cls.reads_environment:
            return init_settings, env_settings, dotenv_settings
        return (init_settings,)

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("database_url", mode="after")
    @classmethod
    def _default_database(cls, value: str, info: ValidationInfo) -> str:
        return value or f"sqlite:///{info.data['home'] / 'credit.db'}"

    @field_validator("unit_robots_file", mode="after")
    @classmethod
    def _default_unit_robots(cls, value: Path | None, info: ValidationInfo) -> Path:
        return value or info.data["home"] / "config" / "unit_robots.csv"

    @field_validator("three_zero_datasets", mode="before")
    @classmethod
    def _split_datasets(cls, value: Any) -> tuple[str, ...]:
        parts = value.replace("，", ",").split(",") if isinstance(value, str) else list(value or ())
        return tuple(dict.fromkeys(p.strip().lower() for p in parts if str(p).strip()))

    @field_validator("rule_severity", mode="before")
    @classmethod
    def _parse_severity(cls, value: Any) -> dict[str, str]:
        return _severity_overrides(value)

    def __repr_args__(self):
        for name, value in super().__repr_args__():
            yield name, (masked_url(value) if name == "database_url" else value)

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

    @property
    def evidence(self) -> Path:
        """The attachments of the evidence sheets, content-addressed: `evidence/<unit>/<sha256><ext>`."""
        return self.home / "evidence"

    def ensure_dirs(self) -> None:
        for path in (self.inbox, self.archive, self.quarantine, self.reference, self.out, self.evidence):
            path.mkdir(parents=True, exist_ok=True)


class _FromEnvironment(Settings):
    """Settings read from the process environment, then `.env` (only load_settings builds one)."""

    reads_environment: ClassVar[bool] = True


def load_settings() -> Settings:
    """The settings every component reads: `CREDIT_*` from the environment, then from `.env`."""
    return _load(_inputs())


def _inputs() -> tuple:
    """Everything load_settings depends on: the CREDIT_* variables, the working directory, the .env file."""
    variables = tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX)))
    try:
        with open(ENV_FILE, "rb") as fh:
            dotenv = fh.read()  # its content, not its time stamp: two writes may share one
    except OSError:
        dotenv = None
    return variables, os.getcwd(), dotenv


@lru_cache(maxsize=16)
def _load(inputs: tuple) -> Settings:
    # Cached on its inputs: building settings costs ≈ 3-8 ms (pydantic-settings' sources), and tasks ask for
    # them several times per unit; the object is frozen, so sharing it is safe.
    # Re-validated as a plain Settings so that the object compares, prints and pickles as one.
    return Settings.model_validate(_FromEnvironment().model_dump())


# --- the 月通报: what an office configures (CREDIT_BULLETIN_*) -------------------------------------------------


def _environment(prefix: str) -> dict[str, str]:
    """`<prefix>*` variables from the environment over those of `.env` (python-dotenv's parsing)."""
    values = {k: v for k, v in dotenv_values(ENV_FILE).items() if k.startswith(prefix) and v is not None}
    values.update({k: v for k, v in os.environ.items() if k.startswith(prefix)})
    return values


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
    environment = _environment(f"{ENV_PREFIX}BULLETIN_")
    defaults = BulletinSettings()

    def text(name: str, default: str) -> str:
        value = environment.get(f"{ENV_PREFIX}BULLETIN_{name}")
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
