"""Datasets read from the systems that hold them (issue #15): 登记注册基本信息 (djzc) from 市场监管局's registry and
司法裁判及执行 (sfcp) from 法院's case system, each a `[[source]] dataset = "…"` of CREDIT_SQL_SOURCES whose
query and unit come from the dataset folder. A real database built from the folders' source.sql (SQLite, and
PostgreSQL where it runs) is read for the report date, validated, pushed to the sandbox and counted; the
password in the source's URL never shows."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from credit.units import unit
from tests.rows import ric, uscc

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 27)  # a Friday
OTHER_DAY = dt.date(2026, 11, 26)
PASSWORD = "Reg-Pw-6b1f0e"  # the registry reader's password, substituted from ${REGISTRY_DB_PASSWORD}
_GOOD = uscc("91440882MA7Y0002")
BAD_USCC = _GOOD[:-1] + ("X" if _GOOD[-1] != "X" else "Y")  # a wrong check character: ID-2


def schema(ds: str) -> list[str]:
    """The statements of credit/datasets/<ds>/source.sql (the holder's DDL, SQLite and PostgreSQL)."""
    text = (ROOT / "credit" / "datasets" / ds / "source.sql").read_text(encoding="utf-8")
    lines = [line.split("--", 1)[0] for line in text.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def enterprise(n: int, **over) -> dict:
    """One row of 市场主体登记库 (scjg_scztdj) approved on DAY."""
    row = {
        "pripid": f"P{n:04d}",
        "ztmc": f"雷州市登记测试有限公司{n}",
        "ztlb": "法人及非法人组织",
        "tyshxydm": uscc(f"91440882MA7Y{n:04d}"),
        "zch": None,
        "fddbr": "吴海生",
        "qylx": "有限责任公司（自然人投资或控股）",
        "zczb": "50",
        "clrq": "2020-03-02",
        "yyqxz": "2020-03-02",
        "yyqxzhi": None,
        "zs": f"雷州市雷城街道西湖大道{n}号",
        "jyfw": "一般项目：水果种植；农产品的生产、销售。",
        "hyml": "农、林、牧、渔业",
        "djjg": "雷州市市场监督管理局",
        "hzrq": DAY.isoformat(),
        "djzt": "存续",
    }
    return row | over


def case(n: int, **over) -> dict:
    """One case of 审判执行案件库 (fy_aj) closed on DAY."""
    court = unit("fy")
    row = {
        "ajbs": f"AJ{n:04d}",
        "ah": f"（2026）粤0882民初{n}号",
        "ajlx": "民事",
        "ay": "买卖合同纠纷",
        "jbfy": court.name,
        "jbfydm": court.uscc,
        "larq": "2026-09-14",
        "jarq": DAY.isoformat(),
        "cpjg": "被告于本判决生效之日起十日内向原告支付货款及利息",
        "sxrq": None,
        "zxyjwh": None,
        "zxbdje": None,
    }
    return row | over


def party(n: int, ajbs: str, **over) -> dict:
    """One party of a case (fy_ajdsr): an enterprise unless told otherwise."""
    row = {
        "dsrbs": f"DSR{n:04d}",
        "ajbs": ajbs,
        "dsrmc": f"雷州市诉讼测试贸易有限公司{n}",
        "dsrlb": "法人及非法人组织",
        "tyshxydm": uscc(f"91440882MA8X{n:04d}"),
        "fddbr": "陈志强",
        "zjlx": None,
        "zjhm": None,
        "ssdw": "原告",
        "lxqk": None,
    }
    return row | over


PERSON_ID = ric("44088219850317002")  # generated


def registries(url: str) -> None:
    """Create the two holders' tables from source.sql and fill them: on DAY three enterprises (one with an
    invalid USCC) and three parties of two cases; on OTHER_DAY one of each, which a read for DAY never sees."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in schema("djzc") + schema("sfcp"):
                conn.exec_driver_sql(statement)
            insert(
                conn,
                "scjg_scztdj",
                [
                    enterprise(1),
                    enterprise(2, tyshxydm=BAD_USCC),
                    enterprise(
                        3,
                        ztmc="雷州市雷城李记水果店",
                        ztlb="个体工商户",
                        fddbr="李海燕",
                        qylx="个体工商户",
                        zczb="3.5",
                        yyqxz=None,
                    ),
                    enterprise(4, hzrq=OTHER_DAY.isoformat()),
                ],
            )
            insert(
                conn,
                "fy_aj",
                [
                    case(101),
                    case(
                        55,
                        ah="（2026）粤0882执55号",
                        ajlx="执行",
                        ay="民间借贷纠纷",
                        cpjg="终结本次执行程序",
                        zxyjwh="（2025）粤0882民初88号",
                        zxbdje="12.5",
                    ),
                    case(102, jarq=OTHER_DAY.isoformat()),
                    case(103, jarq=None),  # pending
                ],
            )
            insert(
                conn,
                "fy_ajdsr",
                [
                    party(1, "AJ0101"),
                    party(
                        2,
                        "AJ0101",
                        dsrmc="王小明",
                        dsrlb="自然人",
                        tyshxydm=None,
                        fddbr=None,
                        zjlx="身份证",
                        zjhm=PERSON_ID,
                        ssdw="被告",
                    ),
                    party(3, "AJ0055", ssdw="被执行人", lxqk="全部履行"),
                    party(4, "AJ0102"),
                    party(5, "AJ0103"),
                ],
            )
    finally:
        engine.dispose()


def insert(conn, table: str, rows: list[dict]) -> None:
    cols = list(rows[0])
    conn.execute(
        sa.text(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"), rows
    )


def write_sources(tmp_path: Path, url: str, datasets=("djzc", "sfcp")) -> Path:
    config = tmp_path / "sql-sources.toml"
    config.write_text(
        "".join(f'[[source]]\ndataset = "{ds}"\nurl = "{url}"\n\n' for ds in datasets), encoding="utf-8"
    )
    return config


def versions(settings, ds: str) -> dict[str, list]:
    """name of the subject (sfcp: 案号/name) -> its versions, oldest first."""
    from credit.store import Record, RecordVersion, session_scope

    out: dict[str, list] = {}
    with session_scope(settings.database_url) as s:
        query = (
            select(RecordVersion, Record)
            .join(Record, Record.id == RecordVersion.record_id)
            .where(Record.dataset == ds)
            .order_by(RecordVersion.version)
        )
        for v, r in s.exec(query):
            name = v.data["counterpart_name"]
            key = f"{v.data['case_no']}/{name}" if ds == "sfcp" else name
            s.expunge(v)
            out.setdefault(key, []).append((v, r.unit))
    return out


def run_day(settings, units=("scjgj", "fy")):
    from credit.steps.collect import collect
    from credit.steps.deliver import fill_outbox, push
    from credit.steps.validate import validate_units

    collected = {u: collect(settings, u, DAY) for u in units}
    validated = validate_units(settings, list(units), DAY)
    fill_outbox(settings, list(units), DAY)
    pushed = {u: push(settings, u, DAY) for u in units}
    return collected, validated, pushed


def the_day_through(settings, sandbox, registry_url: str, caplog) -> None:
    """collect → validate → outbox → push → statistics for DAY, then again (nothing new), then a changed row."""
    from credit.steps.collect import collect
    from credit.steps.count import daily_statistics
    from credit.store import Submission, session_scope

    caplog.set_level(logging.DEBUG)
    collected, validated, pushed = run_day(settings)

    # The rows of DAY, by the unit the folder names, as one SQL read each; OTHER_DAY's never read.
    [djzc] = collected["scjgj"].files
    [sfcp] = collected["fy"].files
    assert (djzc.name, djzc.outcome, djzc.datasets, djzc.rows) == (
        "sql:登记注册基本信息",
        "collected",
        ["djzc"],
        3,
    )
    assert (sfcp.name, sfcp.outcome, sfcp.datasets, sfcp.rows) == (
        "sql:司法裁判及执行",
        "collected",
        ["sfcp"],
        3,
    )
    assert not collected["scjgj"].notes and not collected["fy"].notes
    with session_scope(settings.database_url) as s:
        subs = s.exec(select(Submission).order_by(Submission.id)).all()
        assert [(x.unit, x.source, x.datasets) for x in subs] == [
            ("scjgj", "sql", "djzc"),
            ("fy", "sql", "sfcp"),
        ]
    registered = versions(settings, "djzc")
    assert set(registered) == {"雷州市登记测试有限公司1", "雷州市登记测试有限公司2", "雷州市雷城李记水果店"}
    assert {u for vs in registered.values() for _, u in vs} == {"scjgj"}
    judged = versions(settings, "sfcp")
    assert set(judged) == {
        "（2026）粤0882民初101号/雷州市诉讼测试贸易有限公司1",
        "（2026）粤0882民初101号/王小明",
        "（2026）粤0882执55号/雷州市诉讼测试贸易有限公司3",
    }
    assert {u for vs in judged.values() for _, u in vs} == {"fy"}

    # Values as the readers expect them: dates ISO, decimals plain, NULL blank; constants of the query.
    [(first, _)] = registered["雷州市登记测试有限公司1"]
    assert first.data["approval_date"] == DAY.isoformat() and first.data["established_date"] == "2020-03-02"
    assert first.data["registered_capital_wan"] == "50" and "business_term_to" not in first.data
    assert first.data["source_unit"] == "雷州市市场监督管理局"
    [(shop, _)] = registered["雷州市雷城李记水果店"]
    assert shop.data["registered_capital_wan"] == "3.5" and "business_term_from" not in shop.data
    [(enforced, _)] = judged["（2026）粤0882执55号/雷州市诉讼测试贸易有限公司3"]
    assert enforced.data["execution_amount_wan"] == "12.5" and enforced.data["judgment_date"] == "2026-11-27"
    assert enforced.data["performance"] == "全部履行"

    # Validation: the invalid USCC reported with ID-2, everything else valid.
    assert (validated["scjgj"].checked, validated["scjgj"].valid, validated["scjgj"].invalid) == (3, 2, 1)
    assert (validated["fy"].checked, validated["fy"].valid, validated["fy"].invalid) == (3, 3, 0), [
        (k, v.errors) for k, vs in versions(settings, "sfcp").items() for v, _ in vs if v.errors
    ]
    [(bad, _)] = versions(settings, "djzc")["雷州市登记测试有限公司2"]
    assert {e["rule"] for e in bad.errors} == {"ID-2"}
    assert pushed["scjgj"].accepted == 2 and pushed["fy"].accepted == 3

    stats = daily_statistics(settings, DAY)
    counts = {(r.unit, r.dataset): r.counts for r in stats.report.rows}
    c = counts[("scjgj", "djzc")]
    assert (c.received, c.invalid, c.late, c.pushed, c.accepted) == (3, 1, 0, 2, 2)
    c = counts[("fy", "sfcp")]
    assert (c.received, c.invalid, c.late, c.pushed, c.accepted) == (3, 0, 0, 3, 3)

    # Read again: the same rows are one repeat of the whole read, nothing stored.
    again = collect(settings, "scjgj", DAY)
    assert [f.outcome for f in again.files] == ["duplicate"] and again.nothing_new
    assert collect(settings, "fy", DAY).nothing_new

    # The registry approves a change of enterprise 1 the same day: a correction (version 2, op U).
    engine = sa.create_engine(registry_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE scjg_scztdj SET zs = :zs WHERE pripid = 'P0001'"),
            {"zs": "雷州市新城街道雷州大道8号"},
        )
    engine.dispose()
    collected, validated, pushed = run_day(settings)
    [changed] = collected["scjgj"].files
    # A new read: enterprise 1 corrected, the shop a repeat, and the invalid row read again a new version to
    # judge again (an identical resend of an invalid record is not a repeat, credit.collect.records).
    assert (changed.outcome, changed.new_versions, changed.repeats) == ("collected", 2, 1)
    assert collected["fy"].nothing_new
    history = versions(settings, "djzc")["雷州市登记测试有限公司1"]
    assert [(v.version, v.op, v.data["address"]) for v, _ in history] == [
        (1, "I", "雷州市雷城街道西湖大道1号"),
        (2, "U", "雷州市新城街道雷州大道8号"),
    ]
    assert pushed["scjgj"].accepted == 1
    with session_scope(settings.database_url) as s:
        from credit.store import Record

        record = s.exec(select(Record).where(Record.business_key.contains(uscc("91440882MA7Y0001")))).one()
        held = sandbox.store.held(record.record_key)
    assert held["DJ_ZS"] == "雷州市新城街道雷州大道8号"

    # The password of the registry's URL is nowhere in what was logged.
    assert caplog.records and PASSWORD not in caplog.text


def test_djzc_and_sfcp_read_from_sqlite(tmp_path, home, platform, monkeypatch, caplog):
    from credit.settings import load_settings

    db = tmp_path / "registries.db"
    registries(f"sqlite:///{db}")
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(write_sources(tmp_path, f"sqlite:///{db}")))
    settings = load_settings()
    settings.ensure_dirs()
    the_day_through(settings, platform, f"sqlite:///{db}", caplog)


@pytest.fixture
def registry_pg():
    """A scratch PostgreSQL database for the holders' tables: (its URL, its URL with ${REGISTRY_DB_PASSWORD})."""
    from tests.conftest import PG_ADMIN_URL, _pg_available

    if not _pg_available():
        pytest.skip(f"PostgreSQL does not answer at {PG_ADMIN_URL}")
    name = f"credit_registry_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    plain = url.render_as_string(hide_password=False)
    # Trust authentication ignores the password: the URL carries one, as an office's does.
    templated = url.set(password="PLACEHOLDER").render_as_string(hide_password=False)
    yield plain, templated.replace("PLACEHOLDER", "${REGISTRY_DB_PASSWORD}")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.mark.postgres
def test_djzc_and_sfcp_read_from_postgresql(
    tmp_path, pg_url, registry_pg, home, platform, monkeypatch, caplog
):
    """The holders on PostgreSQL (dates and NUMERIC come back as date and Decimal objects), the store too."""
    from credit.settings import load_settings

    plain, templated = registry_pg
    registries(plain)
    monkeypatch.setenv("REGISTRY_DB_PASSWORD", PASSWORD)
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(write_sources(tmp_path, templated)))
    monkeypatch.setenv("CREDIT_DATABASE_URL", pg_url)
    settings = load_settings()
    settings.ensure_dirs()
    the_day_through(settings, platform, plain, caplog)


# -- configuration ----------------------------------------------------------------------------------------


def test_a_dataset_source_takes_query_unit_and_name_from_its_folder(tmp_path, settings, monkeypatch):
    from credit.datasets import catalogue
    from credit.settings import load_settings
    from credit.sql_sources import load_sources

    config = tmp_path / "s.toml"
    config.write_text(
        '[[source]]\ndataset = "djzc"\nurl = "sqlite:///x.db"\n\n'
        '[[source]]\ndataset = "sfcp"\nunit = "scjgj"\nname = "审判系统"\nurl = "sqlite:///y.db"\n'
        'query = "SELECT * FROM v_sfcp WHERE jarq = :report_date"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(config))
    djzc, sfcp = load_sources(load_settings())
    folder = catalogue().dataset("djzc").source
    assert (djzc.dataset, djzc.unit, djzc.name, djzc.query) == (
        "djzc",
        "scjgj",
        "登记注册基本信息",
        folder["query"],
    )
    assert (sfcp.dataset, sfcp.unit, sfcp.name) == ("sfcp", "scjgj", "审判系统")
    assert sfcp.query.startswith("SELECT * FROM v_sfcp")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('dataset = "nosuch"\nurl = "sqlite:///x.db"', "数据集“nosuch”不存在"),
        ('dataset = "djzc"', "缺少 url"),
        ('dataset = "xzcf"\nurl = "sqlite:///x.db"', "缺少 unit、query"),  # an inbox dataset has no query
        ('unit = "nosuch"\nurl = "sqlite:///x.db"\nquery = "SELECT 1"', "单位代码“nosuch”不在单位名录中"),
    ],
)
def test_a_broken_source_is_refused_with_a_reason(tmp_path, settings, monkeypatch, entry, message):
    from credit.settings import load_settings
    from credit.sql_sources import SqlSourceError, load_sources

    config = tmp_path / "s.toml"
    config.write_text(f"[[source]]\n{entry}\n", encoding="utf-8")
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(config))
    with pytest.raises(SqlSourceError, match=message):
        load_sources(load_settings())


def test_a_dataset_no_source_configures_is_not_collected_and_said_once(tmp_path, settings, monkeypatch):
    from credit.settings import load_settings
    from credit.sql_sources import unconfigured_notes
    from credit.steps.collect import collect
    from credit.units import all_units

    # No CREDIT_SQL_SOURCES at all: both said, each once in a run over every unit, by its folder's unit.
    notes = {u: unconfigured_notes(settings, u) for u in all_units()}
    assert {u: len(n) for u, n in notes.items() if n} == {"scjgj": 1, "fy": 1}
    assert "登记注册基本信息（djzc）" in notes["scjgj"][0] and "未收取" in notes["scjgj"][0]
    result = collect(settings, "fy", DAY)
    assert result.files == [] and result.notes == notes["fy"]
    # Only djzc configured: sfcp is still said, djzc no longer.
    db = tmp_path / "r.db"
    registries(f"sqlite:///{db}")
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(write_sources(tmp_path, f"sqlite:///{db}", ("djzc",))))
    s = load_settings()
    assert collect(s, "scjgj", DAY).notes == [] and collect(s, "fy", DAY).notes == notes["fy"]


def test_the_run_log_says_it_once_in_chinese_not_as_an_error(settings, monkeypatch):
    import tasks.collect

    lines: list[tuple[str, str]] = []

    class RunLogger:
        def info(self, msg, *args):
            lines.append(("info", msg % args if args else msg))

        def warning(self, msg, *args):
            lines.append(("warning", msg % args if args else msg))

    monkeypatch.setattr(tasks.collect, "get_run_logger", RunLogger)
    monkeypatch.setattr(tasks.collect, "settings", lambda: settings)
    tasks.collect.collect_task.fn("fy", DAY)
    tasks.collect.collect_task.fn("xcb", DAY)
    [(level, line)] = lines
    assert level == "info" and line.startswith("司法裁判及执行（sfcp）从数据库读取")


def test_the_report_date_chooses_the_rows(tmp_path, settings, monkeypatch):
    from credit.settings import load_settings
    from credit.sql_sources import load_sources, read_source

    db = tmp_path / "r.db"
    registries(f"sqlite:///{db}")
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(write_sources(tmp_path, f"sqlite:///{db}")))
    djzc, sfcp = load_sources(load_settings())
    assert list(read_source(djzc, OTHER_DAY)["counterpart_name"]) == ["雷州市登记测试有限公司4"]
    assert len(read_source(djzc, DAY)) == 3 and len(read_source(sfcp, DAY)) == 3
    assert read_source(sfcp, dt.date(2026, 11, 20)).empty


# -- the password -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://reader:${REGISTRY_DB_PASSWORD}@127.0.0.1:1/scjg",  # nothing listens on port 1
        "postgresql+psycopg://reader:${REGISTRY_DB_PASSWORD}@no-such-host.invalid/scjg",
        "nosuchdialect://reader:${REGISTRY_DB_PASSWORD}@10.0.0.8/scjg",  # no such driver
        "postgresql+psycopg://reader:${REGISTRY_DB_PASSWORD}@10.0.0.8:notaport/scjg",  # unparsable URL
    ],
)
def test_the_password_never_shows_in_a_repr_a_log_or_an_error(tmp_path, settings, monkeypatch, caplog, url):
    from credit.settings import load_settings
    from credit.sql_sources import SqlSourceError, load_sources
    from credit.steps.collect import collect

    monkeypatch.setenv("REGISTRY_DB_PASSWORD", PASSWORD)
    config = tmp_path / "s.toml"
    config.write_text(f'[[source]]\ndataset = "djzc"\nurl = "{url}"\n', encoding="utf-8")
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(config))
    s = load_settings()
    [source] = load_sources(s)
    assert PASSWORD in source.url  # the value is intact
    shown = [repr(source), str(source), f"{source}", repr(load_sources(s))]
    logging.getLogger("credit.test_sql").warning("source %s, %r", source, source)
    with pytest.raises(SqlSourceError) as info:
        collect(s, "scjgj", DAY)
    import traceback

    shown += [str(info.value), "".join(traceback.format_exception(info.value)), caplog.text]
    assert "登记注册基本信息" in str(info.value) and "读取失败" in str(info.value)
    assert "source SqlSource(" in caplog.text
    for text in shown:
        assert PASSWORD not in text
