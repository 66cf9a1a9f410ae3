"""Settings: `CREDIT_*` from the environment and `.env` (python-dotenv's syntax), secrets never shown."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from credit.settings import Settings, load_bulletin_settings, load_settings, masked_url

SECRET = "app-secret-7f3a"
ROBOT_KEY = "robot-key-91c2"
DB_PASSWORD = "pg-pass-44e1"
FRONTDB_PASSWORD = "fd-pass-0b7d"


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """An empty working directory (the `.env` is read from there) and no CREDIT_* in the environment."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_env(folder: Path, text: str) -> None:
    (folder / ".env").write_text(text, encoding="utf-8")


def secret_settings(home: Path) -> Settings:
    return Settings(
        home=home,
        database_url=f"postgresql+psycopg://credit:{DB_PASSWORD}@db.example:5432/credit",
        platform_url="https://xyzj.example.gov.cn",
        platform_app_key="key-1",
        platform_app_secret=SecretStr(SECRET),
        alert_webhook_url=SecretStr(f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={ROBOT_KEY}"),
        frontdb_url=SecretStr(f"postgresql+psycopg://fd:{FRONTDB_PASSWORD}@frontdb/fd"),
    )


def test_defaults_without_environment(workdir):
    s = load_settings()
    assert s.home == (workdir / "var").resolve()
    assert s.database_url == f"sqlite:///{s.home / 'credit.db'}"
    assert s.platform_url is None and s.platform_app_secret is None and s.alert_webhook_url is None
    assert (s.deadline_workdays, s.timezone, s.platform_verify_tls) == (3, "Asia/Shanghai", True)
    assert (s.platform_max_attempts, s.platform_max_answer_bytes) == (6, 4 * 1024 * 1024)
    assert (s.dask_address, s.dask_workers, s.rule_severity) == (None, 2, {})
    assert s.inbox == s.home / "inbox" and s.out == s.home / "out"


def test_dotenv_with_export_quotes_and_comments(workdir):
    write_env(
        workdir,
        "# the office's settings\n"
        "export CREDIT_HOME=/srv/credit   # the share\n"
        'CREDIT_PLATFORM_APP_SECRET="with # hash and spaces"\n'
        "CREDIT_PLATFORM_APP_KEY='single quoted' # trailing comment\n"
        "CREDIT_DEADLINE_WORKDAYS=5 # 本地规定\n"
        "   # an indented comment\n"
        "CREDIT_TIMEZONE=Asia/Shanghai#not-a-comment\n"
        "CREDIT_RULE_SEVERITY=LEN-1=error, id-6=WARNING\n"
        "CREDIT_SQL_SOURCES=./sql-sources.toml\n"
        "CREDIT_DOC_SERIES=./series.csv\n"
        "CREDIT_BULLETIN_CONTACT=张三  # 信用股\n",
    )
    s = load_settings()
    assert s.home == Path("/srv/credit")
    assert s.platform_app_secret.get_secret_value() == "with # hash and spaces"
    assert s.platform_app_key == "single quoted"
    assert s.deadline_workdays == 5
    assert s.timezone == "Asia/Shanghai#not-a-comment"  # `#` starts a comment only after white space
    assert s.rule_severity == {"LEN-1": "error", "ID-6": "warning"}
    assert s.sql_sources_file == Path("sql-sources.toml") and s.doc_series_file == Path("series.csv")
    assert load_bulletin_settings().contact_name == "张三"


def test_environment_wins_over_dotenv_and_empty_means_unset(workdir, monkeypatch):
    write_env(workdir, "CREDIT_DEADLINE_WORKDAYS=5\nCREDIT_TIMEZONE=Asia/Urumqi\nCREDIT_BULLETIN_PHONE=1\n")
    monkeypatch.setenv("CREDIT_DEADLINE_WORKDAYS", "7")
    monkeypatch.setenv("CREDIT_TIMEZONE", "")
    monkeypatch.setenv("CREDIT_BULLETIN_PHONE", "0759-8888888")
    s = load_settings()
    assert s.deadline_workdays == 7
    assert s.timezone == "Asia/Urumqi"  # an empty variable does not hide the .env's value
    assert load_bulletin_settings().contact_phone == "0759-8888888"


def test_settings_built_by_hand_ignore_the_environment(workdir, monkeypatch):
    monkeypatch.setenv("CREDIT_PLATFORM_URL", "http://127.0.0.1:9")
    write_env(workdir, "CREDIT_DEADLINE_WORKDAYS=9\n")
    s = Settings(home=workdir / "h")
    assert s.platform_url is None and s.deadline_workdays == 3
    assert s.database_url == f"sqlite:///{(workdir / 'h').resolve() / 'credit.db'}"
    assert load_settings().platform_url == "http://127.0.0.1:9"


def test_invalid_values_are_refused_with_the_variable_named(workdir, monkeypatch):
    monkeypatch.setenv("CREDIT_RULE_SEVERITY", "LEN-1=fatal")
    with pytest.raises(ValidationError, match="CREDIT_RULE_SEVERITY"):
        load_settings()
    monkeypatch.delenv("CREDIT_RULE_SEVERITY")
    monkeypatch.setenv("CREDIT_DEADLINE_WORKDAYS", "三")
    with pytest.raises(ValidationError, match="deadline_workdays"):
        load_settings()


def test_limits_keep_their_floors(workdir, monkeypatch):
    monkeypatch.setenv("CREDIT_PLATFORM_MAX_ATTEMPTS", "0")
    monkeypatch.setenv("CREDIT_PLATFORM_MAX_ANSWER_BYTES", "10")
    monkeypatch.setenv("CREDIT_PLATFORM_VERIFY_TLS", "no")
    s = load_settings()
    assert (s.platform_max_attempts, s.platform_max_answer_bytes, s.platform_verify_tls) == (
        1,
        256 * 1024,
        False,
    )


def test_secrets_are_secret_str_from_the_environment(workdir, monkeypatch):
    monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", SECRET)
    monkeypatch.setenv("CREDIT_ALERT_WEBHOOK_URL", f"https://example/send?key={ROBOT_KEY}")
    monkeypatch.setenv("CREDIT_FRONTDB_URL", f"postgresql+psycopg://fd:{FRONTDB_PASSWORD}@frontdb/fd")
    s = load_settings()
    for value in (s.platform_app_secret, s.alert_webhook_url, s.frontdb_url):
        assert isinstance(value, SecretStr)
    assert s.platform_app_secret.get_secret_value() == SECRET
    assert ROBOT_KEY in s.alert_webhook_url.get_secret_value()


def test_no_secret_in_repr_str_or_a_log_line(workdir, caplog):
    s = secret_settings(workdir / "h")
    logger = logging.getLogger("credit.test_settings")
    with caplog.at_level(logging.INFO, logger="credit.test_settings"):
        logger.info("settings: %s", s)
        logger.info("settings: %r", s)
    shown = [repr(s), str(s), f"{s}", caplog.text]
    assert "settings: " in caplog.text
    for text in shown:
        for secret in (SECRET, ROBOT_KEY, DB_PASSWORD, FRONTDB_PASSWORD):
            assert secret not in text
    assert "credit:***@db.example:5432/credit" in repr(s)  # the URL stays readable, password hidden
    assert s.database_url.endswith(f"credit:{DB_PASSWORD}@db.example:5432/credit")  # the value is intact


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:p@h:5432/db", "postgresql+psycopg://u:***@h:5432/db"),
        ("postgresql+psycopg://u:p@ss@h/db", "postgresql+psycopg://u:***@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////srv/credit/credit.db", "sqlite:////srv/credit/credit.db"),
    ],
)
def test_masked_url(url, shown):
    assert masked_url(url) == shown


def test_dask_settings(workdir, monkeypatch):
    assert (load_settings().dask_address, load_settings().dask_workers) == (None, 2)
    write_env(workdir, "export CREDIT_DASK_WORKERS=4 # two cores each\n")
    assert load_settings().dask_workers == 4
    monkeypatch.setenv("CREDIT_DASK_WORKERS", "0")
    assert load_settings().dask_workers == 1
    monkeypatch.setenv("CREDIT_DASK_ADDRESS", "tcp://10.0.0.9:8786")
    assert load_settings().dask_address == "tcp://10.0.0.9:8786"


def test_backfill_runner_follows_the_dask_settings(workdir, monkeypatch):
    from flows.backfill import dask_runner

    monkeypatch.setenv("CREDIT_DASK_WORKERS", "3")
    local = dask_runner()
    assert local.address is None and local.cluster_kwargs["n_workers"] == 3
    monkeypatch.setenv("CREDIT_DASK_ADDRESS", "tcp://10.0.0.9:8786")
    assert dask_runner().address == "tcp://10.0.0.9:8786"


def variable(name: str) -> str:
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else f"CREDIT_{name.upper()}"


def test_every_setting_is_documented_and_in_the_example_file(workdir):
    root = Path(__file__).resolve().parent.parent
    documented = (root / "docs" / "operations.md").read_text(encoding="utf-8")
    example = (root / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{variable(name)}`" in documented, f"{variable(name)} is not in docs/operations.md"
        assert f"{variable(name)}=" in example, f"{variable(name)} is not in .env.example"
    lines = [line.removeprefix("# ") for line in example.splitlines()]
    write_env(workdir, "\n".join(line for line in lines if line.startswith("CREDIT_")))
    assert load_settings().dask_address == "tcp://10.0.0.9:8786"  # the example, uncommented, loads


def test_a_changed_dotenv_or_environment_is_read_again(workdir, monkeypatch):
    write_env(workdir, "CREDIT_DEADLINE_WORKDAYS=4\n")
    first = load_settings()
    assert first.deadline_workdays == 4 and load_settings() is first  # unchanged inputs: the same object
    write_env(workdir, "CREDIT_DEADLINE_WORKDAYS=5\n")  # same size, new content
    assert load_settings().deadline_workdays == 5
    monkeypatch.setenv("CREDIT_DEADLINE_WORKDAYS", "6")
    assert load_settings().deadline_workdays == 6
    monkeypatch.chdir(workdir / "..")
    assert load_settings().deadline_workdays == 6 and load_settings().home != first.home


def test_import_credit_switches_telemetry_off_unless_the_operator_chose(tmp_path):
    import os
    import subprocess
    import sys

    from credit.telemetry import QUIET_ENVIRONMENT

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k not in QUIET_ENVIRONMENT}
    env.update(PYTHONPATH=str(root), DO_NOT_TRACK="0")  # an operator's own value wins
    names = list(QUIET_ENVIRONMENT)
    code = f"import os, credit, json; print(json.dumps({{k: os.environ.get(k) for k in {names!r}}}))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {**QUIET_ENVIRONMENT, "DO_NOT_TRACK": "0"}
