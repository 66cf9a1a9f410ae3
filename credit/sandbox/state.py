"""The sandbox receiver's state and batch processing, kept in SQLite (in memory, or in a file so that a
demo and a killed client can be checked after a restart). Everything happens under one lock: a batch id
posted twice at the same moment is still processed once."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from typing import Any

from credit.standard import dataset as get_dataset
from credit.standard import datasets

RECORD_KEY = re.compile(r"^[0-9a-f]{64}$")
DATE_VALUE = re.compile(r"^\d{4}/\d{2}/\d{2}$")
NONCE_TTL_S = 900.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (batch_id TEXT PRIMARY KEY, dataset TEXT, unit TEXT, records INTEGER,
    receipt TEXT NOT NULL, received_at REAL);
CREATE TABLE IF NOT EXISTS records (record_key TEXT PRIMARY KEY, dataset TEXT, unit TEXT, data TEXT,
    updates INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, record_key TEXT, batch_id TEXT, op TEXT,
    status TEXT, at REAL);
CREATE INDEX IF NOT EXISTS ix_history_key ON history(record_key);
CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, at REAL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

FAULT_DEFAULTS: dict[str, Any] = {
    "fail_5xx": 0,  # the next n API requests answer 503
    "rate_limit_429": 0,  # the next n API requests answer 429 with Retry-After
    "retry_after": 1,  # seconds, for 429
    "delay_s": 0.0,  # sleep after processing, before answering
    "stall_s": 0.0,  # sleep before processing
    "slow": -1,  # how many API requests delay_s/stall_s apply to (-1: all)
    "lose_answer": 0,  # the next n POSTs are processed and stored, then the answer is lost
    "lose_answer_mode": "drop",  # drop (close the connection) | 502
    "reset": 0,  # the next n API requests are reset before anything is processed
}


class SandboxState:
    def __init__(self, path: str | None = None, faults: dict[str, Any] | None = None):
        self.lock = threading.RLock()
        self.path = path
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(records)")}
        if "published" not in columns:  # a sandbox file from before lifecycles
            self._db.execute("ALTER TABLE records ADD COLUMN published INTEGER DEFAULT 1")
        self.faults: dict[str, Any] = dict(FAULT_DEFAULTS)
        if faults:
            self.set_faults(faults)
        self._required = {
            ds: [f.code for f in d.fields if f.required == "yes"] for ds, d in datasets().items()
        }
        self._dates = {ds: {f.code for f in d.fields if f.type == "date"} for ds, d in datasets().items()}

    # -- faults --------------------------------------------------------------------------------------

    def set_faults(self, changes: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if changes.get("clear"):
                self.faults = dict(FAULT_DEFAULTS)
            for key, value in changes.items():
                if key == "clear":
                    continue
                if key not in FAULT_DEFAULTS:
                    raise ValueError(f"unknown fault {key!r}")
                self.faults[key] = type(FAULT_DEFAULTS[key])(value)
            return dict(self.faults)

    def take_fault(self, name: str) -> bool:
        """Consume one occurrence of a counted fault."""
        with self.lock:
            if self.faults.get(name, 0) > 0:
                self.faults[name] -= 1
                return True
            return False

    def take_slow(self) -> tuple[float, float]:
        with self.lock:
            f = self.faults
            if not (f["delay_s"] or f["stall_s"]) or f["slow"] == 0:
                return 0.0, 0.0
            if f["slow"] > 0:
                f["slow"] -= 1
            return float(f["stall_s"]), float(f["delay_s"])

    # -- counters and nonces -------------------------------------------------------------------------

    def bump(self, name: str, n: int = 1) -> None:
        with self.lock:
            self._db.execute(
                "INSERT INTO counters(name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                (name, n),
            )

    def counter(self, name: str) -> int:
        with self.lock:
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            return row[0] if row else 0

    def use_nonce(self, nonce: str) -> bool:
        """Record a nonce; False when it was used before (within its time-to-live)."""
        now = time.time()
        with self.lock:
            self._db.execute("DELETE FROM nonces WHERE at < ?", (now - NONCE_TTL_S,))
            try:
                self._db.execute("INSERT INTO nonces(nonce, at) VALUES (?, ?)", (nonce, now))
            except sqlite3.IntegrityError:
                return False
            return True

    # -- batches -------------------------------------------------------------------------------------

    def receipt(self, batch_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self._db.execute("SELECT receipt FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
            return json.loads(row[0]) if row else None

    def process(self, dataset: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Process a batch once: (receipt, processed_now). A known batch id returns its stored receipt."""
        batch_id = body["batchId"]
        unit = body["unitCode"]
        with self.lock:
            stored = self.receipt(batch_id)
            if stored is not None:
                self.bump("reposts")
                return stored, False
            results = []
            accepted = 0
            seen: set[str] = set()
            history = []
            now = time.time()
            db = self._db
            db.execute("BEGIN")
            try:
                for rec in body["records"]:
                    status, errors = self._apply(dataset, unit, rec, seen)
                    key = rec.get("recordKey") if isinstance(rec, dict) else None
                    key = str(key) if key is not None else ""
                    results.append({"recordKey": key, "status": status, "errors": errors})
                    history.append(
                        (key, batch_id, str(rec.get("op")) if isinstance(rec, dict) else "", status, now)
                    )
                    accepted += status == "accepted"
                receipt = {"code": "0", "batchId": batch_id, "results": results}
                db.executemany(
                    "INSERT INTO history(record_key, batch_id, op, status, at) VALUES (?, ?, ?, ?, ?)",
                    history,
                )
                db.execute(
                    "INSERT INTO batches(batch_id, dataset, unit, records, receipt, received_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (batch_id, dataset, unit, len(results), json.dumps(receipt, ensure_ascii=False), now),
                )
                for name, n in (
                    ("accepted_total", accepted),
                    ("processed_batches", 1),
                    ("processed_records", len(results)),
                ):
                    db.execute(
                        "INSERT INTO counters(name, value) VALUES (?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                        (name, n),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return receipt, True

    def _apply(self, dataset: str, unit: str, rec: Any, seen: set[str]) -> tuple[str, list[dict[str, str]]]:
        if not isinstance(rec, dict):
            return "rejected", [{"field": "", "message": "记录格式错误"}]
        key, op, data = rec.get("recordKey"), rec.get("op"), rec.get("data")
        if not isinstance(key, str) or not RECORD_KEY.match(key):
            return "rejected", [
                {"field": "recordKey", "message": "recordKey 必须是 64 位小写十六进制 SHA-256"}
            ]
        if key in seen:
            return "rejected", [{"field": "recordKey", "message": "同一批次中记录重复"}]
        seen.add(key)
        if op not in ("I", "U", "D"):
            return "rejected", [{"field": "op", "message": "op 必须是 I、U 或 D"}]
        if not isinstance(data, dict):
            return "rejected", [{"field": "data", "message": "data 必须是对象"}]
        db = self._db
        held = db.execute("SELECT 1 FROM records WHERE record_key = ?", (key,)).fetchone() is not None
        if op == "D":
            if not held:
                return "rejected", [{"field": "recordKey", "message": "记录不存在，无法撤销"}]
            db.execute("DELETE FROM records WHERE record_key = ?", (key,))
            return "accepted", []
        errors = [
            {"field": code, "message": f"必填字段 {code} 缺失"}
            for code in self._required.get(dataset, [])
            if not str(data.get(code) or "").strip()
        ]
        errors += [
            {"field": code, "message": f"{code} 日期格式应为 YYYY/MM/DD"}
            for code in self._dates.get(dataset, ())
            if code in data and not DATE_VALUE.match(str(data[code]))
        ]
        if errors:
            return "rejected", errors
        published = int(not _withdrawn_from_view(dataset, data))
        if op == "I":
            if held:
                return "duplicate", []
            db.execute(
                "INSERT INTO records(record_key, dataset, unit, data, published) VALUES (?, ?, ?, ?, ?)",
                (key, dataset, unit, json.dumps(data, ensure_ascii=False), published),
            )
            return "accepted", []
        if not held:
            return "rejected", [
                {"field": "recordKey", "message": "平台无此记录，无法更新（应以新增 I 报送）"}
            ]
        db.execute(
            "UPDATE records SET data = ?, updates = updates + 1, published = ? WHERE record_key = ?",
            (json.dumps(data, ensure_ascii=False), published, key),
        )
        return "accepted", []

    # -- reading -------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            counters = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
            by_status = dict(
                self._db.execute("SELECT status, COUNT(*) FROM history GROUP BY status").fetchall()
            )
            return {
                "accepted_total": counters.get("accepted_total", 0),
                "records_held": self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0],
                "batches": self._db.execute("SELECT COUNT(*) FROM batches").fetchone()[0],
                "results": by_status,
                "counters": counters,
                "faults": dict(self.faults),
            }

    def history(self, record_key: str) -> list[dict[str, Any]]:
        with self.lock:
            rows = self._db.execute(
                "SELECT batch_id, op, status, at FROM history WHERE record_key = ? ORDER BY id", (record_key,)
            ).fetchall()
        return [{"batchId": b, "op": o, "status": s, "at": a} for b, o, s, a in rows]

    def accepted_counts(self) -> dict[str, int]:
        """recordKey -> how many times the platform accepted something for it."""
        with self.lock:
            rows = self._db.execute(
                "SELECT record_key, COUNT(*) FROM history WHERE status = 'accepted' GROUP BY record_key"
            ).fetchall()
        return dict(rows)

    def held(self, record_key: str) -> dict[str, Any] | None:
        with self.lock:
            row = self._db.execute("SELECT data FROM records WHERE record_key = ?", (record_key,)).fetchone()
        return json.loads(row[0]) if row else None

    def published(self, record_key: str) -> bool | None:
        """Whether the platform shows the record (a 严重失信 entry marked 已移出 is held but no longer shown)."""
        with self.lock:
            row = self._db.execute(
                "SELECT published FROM records WHERE record_key = ?", (record_key,)
            ).fetchone()
        return bool(row[0]) if row else None

    def close(self) -> None:
        with self.lock:
            self._db.close()


def _withdrawn_from_view(dataset_id: str, data: dict[str, Any]) -> bool:
    """A lifecycle status on which the platform un-publishes (the dataset folder's `[lifecycle] unpublish`)."""
    ds = get_dataset(dataset_id)
    return bool(ds.status_field and ds.unpublish and data.get(ds.code_of(ds.status_field)) in ds.unpublish)


def dataset_of_resource(resource: str) -> str | None:
    """The dataset whose `[destination] resource` is the path's (None: no such dataset)."""
    return next((ds.id for ds in datasets().values() if ds.resource == resource), None)
