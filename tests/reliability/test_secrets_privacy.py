"""Secrets and privacy over everything a real day writes: the Prefect flow (`credit run`, its own Prefect
home and ephemeral server), `credit check --json`, `credit stats`, `credit bulletin`, with distinctive
secret values and natural persons in the data. Nothing written may hold the app secret, the webhook's
token or the database password; no human output may hold a 法定代表人证件号码 (not even masked) or a
自然人证件号码 unmasked (docs/standard.md §7), with the one exception §7 makes: a unit's own 问题数据 workbook
carries that unit's values as sent (法定代表人证件号码 included: they are its values, and the workbook is
resent as it is), and never another unit's. Inputs (inbox, archive, reference, the generator's manifest) and
the store itself (the system of record, which must carry the full values for the push) are not outputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from tests.reliability import common

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

APP_SECRET = "S3cr3t-APP-9f1c7e2d"
WEBHOOK_TOKEN = "WEBHOOK-TOKEN-77ab31"
DB_PASSWORD = "PgPass-5e3d0c"
NOT_OUTPUTS = ("inbox", "archive", "quarantine", "reference", "generated")


def texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) for a file: zip members (xlsx, docx) one by one, PDF text via pdftotext, else bytes."""
    data = path.read_bytes()
    out = [(str(path), data.decode("utf-8", "ignore"))]
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(path) as z:
            out += [(f"{path}!{n}", z.read(n).decode("utf-8", "ignore")) for n in z.namelist()]
    elif data.startswith(b"%PDF") and shutil.which("pdftotext"):
        res = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=60)
        out.append((f"{path}!text", res.stdout.decode("utf-8", "ignore")))
    return out


def scan_tree(root: Path, skip=()) -> list[tuple[str, str]]:
    found = []
    for folder, _dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root).parts
        if rel and rel[0] in skip:
            continue
        for f in files:
            p = Path(folder) / f
            if p.is_file() and not (p.name.startswith("credit.db") and not rel):
                found += texts(p)
    return found


@pytest.fixture(scope="module")
def db_url():
    """PostgreSQL with a password in the URL when the local server answers (trust auth ignores it), else
    SQLite (then no database password exists to leak, and the test says so)."""
    from tests.conftest import PG_ADMIN_URL, _pg_available

    if not _pg_available():
        yield None
        return
    import uuid

    import sqlalchemy as sa

    name = f"credit_secret_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.replace("postgres@", f"postgres:{DB_PASSWORD}@").rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="module")
def day_written(template, tmp_path_factory, db_url):
    """Run the day through the real CLI and flow; (everything written, natural persons' and legal
    representatives' ID numbers as the store holds them, {unit: the numbers that unit sent})."""
    from credit.sandbox import start_sandbox

    tmp_path = tmp_path_factory.mktemp("secrets")

    home = common.new_home(template, tmp_path / "home")
    prefect_home = tmp_path / "prefect"
    prefect_home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_", "PREFECT_"))}
    env.update(
        CREDIT_HOME=str(home),
        CREDIT_PLATFORM_APP_KEY="rel-key",
        CREDIT_PLATFORM_APP_SECRET=APP_SECRET,
        CREDIT_ALERT_WEBHOOK_URL=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WEBHOOK_TOKEN}",
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        PREFECT_LOGGING_LEVEL="DEBUG",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
        PYTHONPATH=str(common.PROJECT),
    )
    if db_url:
        env["CREDIT_DATABASE_URL"] = db_url
    credit = [sys.executable, "-m", "cli"]
    outputs: list[tuple[str, str]] = []

    def run(*args: str, ok=(0, 1)) -> subprocess.CompletedProcess:
        res = subprocess.run(
            [*credit, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=400
        )
        outputs.append((f"stdout of {args[0]}", res.stdout))
        outputs.append((f"stderr of {args[0]}", res.stderr))
        assert res.returncode in ok, res.stderr[-3000:]
        return res

    day = common.DAY.isoformat()
    with start_sandbox(app_key="rel-key", app_secret=APP_SECRET) as sandbox:
        env["CREDIT_PLATFORM_URL"] = sandbox.url
        # A file with natural persons checked by its unit before sending.
        first = next(p for p in sorted((home / "inbox").rglob("*.*")) if p.suffix in (".csv", ".xlsx"))
        unit = first.parent.name
        run("check", str(first), "--unit", unit, "--date", day, "--json")
        run("run", "--date", day, *[a for u in common.UNITS for a in ("--unit", u)], ok=(0,))
        assert sandbox.state()["accepted_total"] > 0
        run("stats", "--date", day, "--json", ok=(0,))
        run("bulletin", "--month", day[:7], ok=(0,))
    # An error with the password in the configured URL: the message must not carry it.
    bad = dict(env, CREDIT_DATABASE_URL=f"postgresql+psycopg://credit:{DB_PASSWORD}@127.0.0.1:1/credit")
    res = subprocess.run(
        [*credit, "stats", "--date", day], env=bad, cwd=tmp_path, capture_output=True, text=True
    )
    assert res.returncode != 0
    outputs += [("stdout of failing stats", res.stdout), ("stderr of failing stats", res.stderr)]

    written = scan_tree(home, skip=NOT_OUTPUTS) + scan_tree(prefect_home) + outputs
    assert any("!word/document.xml" in w for w, _ in written), "the bulletin docx was not scanned"
    assert any(w.endswith(".html") for w, _ in written), "no Data Docs page was scanned"
    assert len(written) > 30

    # 2. ID numbers: every natural person's and legal representative's number the store holds.
    from credit.settings import load_settings
    from credit.store import Record, RecordVersion, session_scope

    os.environ["CREDIT_HOME"] = str(home)
    try:
        url = db_url or load_settings().database_url
    finally:
        del os.environ["CREDIT_HOME"]
    persons, reps = set(), set()
    sent_by: dict[str, set[str]] = {}
    with session_scope(url) as s:
        for v, unit in s.exec(
            select(RecordVersion, Record.unit).join(Record, Record.id == RecordVersion.record_id)
        ):
            for values in (v.data or {}, v.raw or {}):
                if values.get("id_no") and len(str(values["id_no"]).strip()) >= 15:
                    persons.add(str(values["id_no"]).strip())
                    sent_by.setdefault(unit, set()).add(str(values["id_no"]).strip())
                if values.get("legal_rep_id_no") and len(str(values["legal_rep_id_no"]).strip()) >= 15:
                    reps.add(str(values["legal_rep_id_no"]).strip())
                    sent_by.setdefault(unit, set()).add(str(values["legal_rep_id_no"]).strip())
    if db_url is None:
        from credit.store import db

        db._engines.pop(url, None)
    assert len(persons) >= 5 and len(reps) >= 5, (len(persons), len(reps))
    return written, persons, reps, sent_by


def test_no_secret_in_anything_written(day_written):
    written, _, _, _ = day_written
    for secret in (APP_SECRET, WEBHOOK_TOKEN, DB_PASSWORD):
        leaks = [w for w, t in written if secret in t]
        assert not leaks, f"secret {secret[:6]}… found in {leaks[:5]}"


def check_ids(written, persons, reps) -> None:
    from credit.identifiers import mask_id

    person_masks = {mask_id(p) for p in persons}
    for number in persons | reps:
        for variant in {number, number.upper(), number.lower()}:
            leaks = [w for w, t in written if variant in t]
            assert not leaks, f"证件号码 {mask_id(number)} in full in {leaks[:5]}"
    for number in reps:
        masked = mask_id(number)
        if masked in person_masks:
            continue  # the same mask as a natural person's number: cannot tell them apart
        leaks = [w for w, t in written if masked in t]
        assert not leaks, f"法定代表人证件号码 shown (masked) in {leaks[:5]}"


def feedback_unit(where: str) -> str | None:
    """The unit whose own 问题数据 workbook `where` is (out/feedback/<date>/<unit>_问题数据_<yyyymmdd>.xlsx)."""
    path = Path(where.split("!", 1)[0])
    if path.parent.parent.name == "feedback" and path.parent.parent.parent.name == "out":
        unit, sep, rest = path.name.partition("_问题数据_")
        if sep and rest.endswith(".xlsx"):
            return unit
    return None


def test_id_numbers_masked_in_human_outputs(day_written):
    written, persons, reps, sent_by = day_written
    outputs = [(w, t) for w, t in written if "/out/data_docs/" not in w]
    others = [(w, t) for w, t in outputs if feedback_unit(w) is None]
    check_ids(others, persons, reps)
    # and the natural persons' numbers do appear, masked (the check output, 问题说明 of the feedback)
    from credit.identifiers import mask_id

    assert any(mask_id(p) in t for p in persons for _, t in outputs)
    # A unit's own feedback workbook: its own values as sent (docs/standard.md §7), no other unit's number.
    books: dict[str, list[tuple[str, str]]] = {}
    for w, t in outputs:
        if feedback_unit(w) is not None:
            books.setdefault(feedback_unit(w), []).append((w, t))
    assert books, "no feedback workbook was scanned"
    shown_own = 0
    for unit, texts_ in books.items():
        own = sent_by.get(unit, set())
        check_ids(texts_, persons - own, reps - own)
        shown_own += any(number in t for number in own for _, t in texts_)
    assert shown_own, "no unit got its own ID numbers back as sent"


def test_id_numbers_masked_in_data_docs(day_written):
    written, persons, reps, _ = day_written
    docs = [(w, t) for w, t in written if "/out/data_docs/" in w]
    assert docs
    check_ids(docs, persons, reps)
