"""Moving delivered files without ever deleting one, and without letting a name escape its folder."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from credit.units import UNIT_CODE


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def safe_unit_dir(root: Path, unit: str) -> Path:
    """`root/<unit>`, refusing a unit code that could climb out of `root`."""
    if not UNIT_CODE.match(unit):
        raise ValueError(f"单位代码不合法 invalid unit code: {unit!r}")
    return root / unit


def free_name(folder: Path, name: str, tag: str) -> Path:
    """`folder/name`, or `name` with a tag before the suffix when that name is taken (never overwrite)."""
    name = Path(name).name or "unnamed"
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
    reason.write_text(f"原因：{reason_zh}\nReason: {reason_en}\n", encoding="utf-8")
    return target
