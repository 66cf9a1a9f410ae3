"""Moving delivered files without ever deleting one, and without letting a name escape its folder."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from credit import escape
from credit.units import UNIT_CODE


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def safe_unit_dir(root: Path, unit: str) -> Path:
    """`root/<unit>`, refusing a unit code that could climb out of `root`."""
    if not isinstance(unit, str) or not UNIT_CODE.fullmatch(unit):  # fullmatch: "$" admits a final \n
        raise ValueError(f"单位代码不合法 invalid unit code: {unit!r}")
    return root / unit


class LinkedFolder(ValueError):
    """A unit's folder is a symbolic link: following it would read or move files outside the tree."""


def unit_folder(root: Path, unit: str) -> Path:
    """`safe_unit_dir`, refusing (LinkedFolder) a unit folder that is a symbolic link: files are never read
    from, nor moved into, wherever it points."""
    folder = safe_unit_dir(root, unit)
    if folder.is_symlink():
        raise LinkedFolder(f"单位文件夹是符号链接，不跟随 unit folder is a symbolic link: {folder}")
    return folder


NAME_MAX = 255  # bytes, most file systems
# Room kept in every stored name for a tag (`_<8 hex>_<n>`) and the `.reason.txt` written beside it.
_RESERVE = len("_12345678_9999") + len(".reason.txt")


def _fit(name: str, limit: int) -> str:
    """`name` shortened (its stem, by whole characters) to at most `limit` bytes on disk."""
    if len(os.fsencode(name)) <= limit:
        return name
    stem, suffix = os.path.splitext(name)
    if len(os.fsencode(suffix)) > limit // 2:
        stem, suffix = name, ""
    while stem and len(os.fsencode(stem + suffix)) > limit:
        stem = stem[:-1]
    return (stem or "unnamed") + suffix


def display_name(name: str) -> str:
    """A file name as text that can be stored and shown: undecodable bytes become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def free_name(folder: Path, name: str, tag: str) -> Path:
    """`folder/name`, or `name` with a tag before the suffix when that name is taken (never overwrite).

    The name is shortened when it leaves no room for a tag and a `.reason.txt` beside it."""
    name = _fit(Path(name).name or "unnamed", NAME_MAX - _RESERVE)
    target = folder / name
    if not target.exists() and not target.is_symlink():
        return target
    stem, suffix = os.path.splitext(name)
    for i in range(1, 10_000):
        candidate = folder / f"{stem}_{tag}{'' if i == 1 else f'_{i}'}{suffix}"
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise FileExistsError(f"无可用文件名 no free name for {name} in {folder}")


def move_into(path: Path, folder: Path, tag: str) -> Path:
    """Move a file (or a symlink itself, never its target) into `folder`, keeping its name when free."""
    folder.mkdir(parents=True, exist_ok=True)
    target = free_name(folder, path.name, tag)
    try:
        os.replace(path, target)
    except OSError:
        shutil.move(str(path), str(target))  # across file systems
    return target


def quarantine(path: Path, folder: Path, tag: str, reason_zh: str, reason_en: str) -> Path:
    """Move a file that cannot be read beside a `<name>.reason.txt` that says why, in Chinese and English."""
    target = move_into(path, folder, tag)
    reason = target.with_name(target.name + ".reason.txt")
    # One line each: a reason may quote a sheet or file name (credit.escape.log_line).
    reason.write_text(
        f"原因：{escape.log_line(reason_zh)}\nReason: {escape.log_line(reason_en)}\n", encoding="utf-8"
    )
    return target
