"""What a reader child may meet, done for real in the child (imported there by the fork server): native code
aborting and panicking on a file no guard looked at, memory running out, a parse that never ends, a bug."""

from __future__ import annotations

import io
import time


def calamine_unguarded(path: str, *, out_path: str) -> None:
    """python_calamine on the file as it is: no guard in front of it."""
    import python_calamine

    with open(path, "rb") as fh:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    book.get_sheet_by_index(0).to_python()


def allocate(gib: int, *, out_path: str) -> None:
    import numpy as np

    np.ones(gib << 30, dtype=np.uint8)


def never_ends(*, out_path: str) -> None:
    while True:
        time.sleep(0.05)


def reader_bug(*, out_path: str) -> None:
    raise TypeError("a bug in a reader")


def fine(*, out_path: str) -> str:
    return "read"
