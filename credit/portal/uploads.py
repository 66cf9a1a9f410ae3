"""A clerk's uploaded file, from the request into the unit's inbox: copied to a staging folder within the
size limit, its type sniffed from its bytes (never from its name), then published into
`credit.files.unit_folder(settings.inbox, unit)` under a name the portal makes: by a hard link, which either
creates the whole file or fails when the name is taken, so the daily run never sees half a file and no
delivery is overwritten. The client's file name is kept only as text (in the audit log and the page)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from credit import escape
from credit.files import display_name, unit_folder

CHUNK = 1 << 20
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # .xls (and other legacy Office files)
_SAFE_STEM = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff_\-（）()]+")


class Refused(ValueError):
    """An upload refused, with its Chinese reason."""


@dataclass(frozen=True)
class Staged:
    path: Path  # in the staging folder, with the suffix of its sniffed type
    kind: str  # xlsx | xls | csv
    size: int
    sha256: str
    original: str  # the client's name, as text only


def sniff(path: Path) -> str | None:
    """xlsx, xls or csv by the file's bytes; None for anything else."""
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        return "xlsx" if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names) else None
    if head.startswith(OLE2):
        return "xls"
    if not head or b"\x00" in head:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut by the 64 KiB window
                return "csv"
            continue
        return "csv"
    return None


def stage(source: BinaryIO, original: str, staging: Path, max_bytes: int) -> Staged:
    """Copy an upload into `staging` (at most `max_bytes`) and sniff it."""
    staging.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    partial = staging / f"{token}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(partial, "xb") as out:
            while block := source.read(CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise Refused(f"文件超过大小上限（{max_bytes // (1024 * 1024) or 1} MB）")
                digest.update(block)
                out.write(block)
        if size == 0:
            raise Refused("文件是空的")
        kind = sniff(partial)
        if kind is None:
            raise Refused("只接受 Excel（.xlsx、.xls）和 CSV 文件；此文件的内容不是这几种格式")
        path = staging / f"{token}.{kind}"
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)  # our own partial copy, never a delivery
        raise
    return Staged(path, kind, size, digest.hexdigest(), display_name(original or ""))


def stored_name(staged: Staged, login: str, now: dt.datetime) -> str:
    """The inbox name: time, uploader, a cleaned-up stem of the client's name (an ID number in it masked),
    the sniffed suffix."""
    stem = escape.mask(Path(staged.original.replace("\\", "/")).stem)
    stem = _SAFE_STEM.sub("_", stem).strip("_.")[:40] or "上传文件"
    return f"{now:%Y%m%d-%H%M%S}_{login}_{stem}.{staged.kind}"


def publish(staged: Staged, inbox: Path, unit: str, name: str) -> Path:
    """Put the staged file into the unit's inbox under `name` (or `name` with a counter when it is taken),
    whole or not at all. The staged copy stays for the check (a hard link: the same bytes)."""
    folder = unit_folder(inbox, unit)
    folder.mkdir(parents=True, exist_ok=True)
    # A hidden .part name the daily run skips (credit.collect.inbox), then linked to its real name.
    temporary = folder / f".{staged.path.name}.part"
    try:
        os.link(staged.path, temporary)
    except OSError:  # the staging folder is on another file system
        shutil.copyfile(staged.path, temporary)
    stem, suffix = os.path.splitext(name)
    try:
        for n in range(1, 1000):
            target = folder / (name if n == 1 else f"{stem}_{n}{suffix}")
            try:
                os.link(temporary, target)  # fails, changing nothing, when the name exists
            except FileExistsError:
                continue
            return target
        raise Refused("收件箱中同名文件过多，请稍后再试")
    finally:
        temporary.unlink(missing_ok=True)


def discard(staged: Staged) -> None:
    staged.path.unlink(missing_ok=True)
