"""A clerk's evidence attachment (.pdf, .docx, .jpg/.jpeg, .png) uploaded through the portal: copied to the
staging folder within the size limit, checked by the guarded entry point the inbox uses
(credit.readers.attachments.check_attachment: the bytes must be what the extension says, without scripts,
macros or embedded files), then published into the unit's inbox like a workbook (credit.portal.uploads). No
`credit check`: the daily collection checks and stores it again (credit.collect.attachments).

Its inbox name keeps the clerk's own name as far as it is safe (an evidence sheet's 附件 column cites files by
name): the stem cleaned to letters, digits, CJK and `_-()（）`, ID numbers masked, the extension lower-case."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path
from typing import BinaryIO

from credit import escape
from credit.files import display_name
from credit.portal import uploads
from credit.readers.attachments import KINDS, check_attachment
from credit.readers.base import UnreadableFile

_SAFE_STEM = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff_\-（）()]+")


def is_attachment(name: str) -> bool:
    return Path(name.replace("\\", "/")).suffix.lower() in KINDS


def inbox_name(original: str) -> str:
    path = Path(original.replace("\\", "/"))
    stem = _SAFE_STEM.sub("_", escape.mask(path.stem)).strip("_.")[:60] or "附件"
    return f"{stem}{path.suffix.lower()}"


def stage(source: BinaryIO, original: str, staging: Path, max_bytes: int) -> uploads.Staged:
    """Copy the upload into `staging` (at most `max_bytes`) under its extension and check it; raises
    uploads.Refused with the Chinese reason."""
    staging.mkdir(parents=True, exist_ok=True)
    suffix = Path(original.replace("\\", "/")).suffix.lower()
    path = staging / f"{secrets.token_hex(8)}{suffix}"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "xb") as out:
            while block := source.read(uploads.CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise uploads.Refused(f"附件超过大小上限（{max(1, max_bytes >> 20)} MB）")
                digest.update(block)
                out.write(block)
        if size == 0:
            raise uploads.Refused("文件是空的")
        try:
            found, _ = check_attachment(path, max_bytes)
        except UnreadableFile as exc:
            raise uploads.Refused(exc.reason_zh) from None
    except BaseException:
        path.unlink(missing_ok=True)  # our own staging copy
        raise
    return uploads.Staged(path, found.kind, size, digest.hexdigest(), display_name(original or ""))


def publish(staged: uploads.Staged, inbox: Path, unit: str) -> Path:
    return uploads.publish(staged, inbox, unit, inbox_name(staged.original))
