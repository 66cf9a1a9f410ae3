"""Identifiers computed so that they pass GB 32100 (统一社会信用代码), GB 11714 (组织机构代码) and GB 11643
(公民身份号码), or fail them on purpose when a defect is planted: one at a time and vectorised."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from credit.identifiers import (
    RIC_CHECK,
    RIC_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
    ric_check_char,
    uscc_check_char,
)

# Birth regions of the invented 身份证 numbers.
RIC_REGIONS = (
    ["440882"] * 12
    + ["440881", "440883", "440803", "440804", "440811", "440823", "440825"]
    + [
        "440106",
        "450102",
        "460100",
    ]
)


# ---------------------------------------------------------------- identifiers (scalar)
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_ALPHABET = [c for c in USCC_ALPHABET]


def org_code(rnd: random.Random, letters: bool = True) -> str:
    """A 9-character 组织机构代码 with its GB 11714 check character (inside the USCC alphabet)."""
    while True:
        if letters and rnd.random() < 0.5:
            body = "MA" + "".join(rnd.choice(_ORG_ALPHABET) for _ in range(6))
        else:
            body = "".join(rnd.choice("0123456789") for _ in range(8))
        total = sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
        check = 11 - total % 11
        char = "X" if check == 10 else "0" if check == 11 else str(check)
        return body + char


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55


def uscc(rnd: random.Random, prefix: str, region: str = "440882", body: str | None = None) -> str:
    first17 = prefix + region + (body or org_code(rnd, letters=prefix in ("91", "92", "93")))
    return first17 + uscc_check_char(first17)


def bad_uscc_check(code: str) -> str:
    """The same code with a wrong check character."""
    right = code[17]
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(right) + 7) % 31]
    return code[:17] + wrong


def ric(rnd: random.Random, born_from: int = 1955, born_to: int = 2004, region: str | None = None) -> str:
    region = region or rnd.choice(RIC_REGIONS)
    born = dt.date(born_from, 1, 1) + dt.timedelta(days=rnd.randrange((born_to - born_from) * 365))
    first17 = f"{region}{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return first17 + ric_check_char(first17)


def business_reg_no(rnd: random.Random) -> str:
    """A 15-digit 工商注册号 (4408826…) with its ISO 7064 MOD 11,10 check digit."""
    body = "440882600" + "".join(rnd.choice("0123456789") for _ in range(5))
    p = 10
    for c in body:
        s = (p + int(c)) % 10 or 10
        p = (2 * s) % 11
    return body + str((11 - p) % 10)


# ---------------------------------------------------------------- identifiers (vectorised)
_ALPHA_CODES = np.array([ord(c) for c in USCC_ALPHABET], dtype=np.uint32)
_DIGIT_CODES = _ALPHA_CODES[:10]


def uscc_array(rng: np.random.Generator, prefixes: np.ndarray, region: str = "440882") -> np.ndarray:
    """n valid USCCs (`<U18`) for an array of two-character prefixes."""
    n = len(prefixes)
    codes = np.zeros((n, 18), dtype=np.uint32)
    codes[:, :2] = np.asarray(prefixes, dtype="<U2").view(np.uint32).reshape(n, 2)
    codes[:, 2:8] = np.array([ord(c) for c in region], dtype=np.uint32)
    body = rng.integers(0, 10, size=(n, 8))
    letters = rng.random(n) < 0.5
    body_codes = _DIGIT_CODES[body]
    body_codes[letters, 0] = ord("M")
    body_codes[letters, 1] = ord("A")
    body_codes[letters, 2:] = _ALPHA_CODES[rng.integers(0, 31, size=(int(letters.sum()), 6))]
    values = np.where(body_codes <= ord("9"), body_codes - ord("0"), body_codes - 55).astype(np.int64)
    check = 11 - (values * np.array(_ORG_WEIGHTS)).sum(axis=1) % 11
    check_code = np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), ord("0") + check))
    codes[:, 8:16] = body_codes
    codes[:, 16] = check_code
    lookup = np.full(128, 0, dtype=np.int64)
    lookup[_ALPHA_CODES] = np.arange(31)
    vals = lookup[codes[:, :17]]
    total = (vals * np.array(USCC_WEIGHTS)).sum(axis=1)
    codes[:, 17] = _ALPHA_CODES[(31 - total % 31) % 31]
    return codes.view("<U18").reshape(n)


def ric_array(rng: np.random.Generator, n: int, born_from: int = 1955, born_to: int = 2004) -> np.ndarray:
    """n valid 18-digit 身份证 numbers (`<U18`), built as a code-point matrix."""
    regions = np.array([[int(c) for c in r] for r in RIC_REGIONS])[rng.integers(0, len(RIC_REGIONS), n)]
    born = np.datetime64(f"{born_from}-01-01") + rng.integers(0, (born_to - born_from) * 365, n).astype(
        "timedelta64[D]"
    )
    year = born.astype("datetime64[Y]").astype(np.int64) + 1970
    month = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    seq = rng.integers(0, 1000, n)
    digits = np.empty((n, 17), dtype=np.int64)
    digits[:, :6] = regions
    for pos, (value, width) in enumerate(((year, 4), (month, 2), (day, 2), (seq, 3))):
        start = 6 + sum(w for _, w in ((year, 4), (month, 2), (day, 2), (seq, 3))[:pos])
        for k in range(width):
            digits[:, start + k] = value // 10 ** (width - 1 - k) % 10
    codes = np.empty((n, 18), dtype=np.uint32)
    codes[:, :17] = digits + ord("0")
    check = np.array([ord(c) for c in RIC_CHECK], dtype=np.uint32)
    codes[:, 17] = check[(digits * np.array(RIC_WEIGHTS)).sum(axis=1) % 11]
    return codes.view("<U18").reshape(n)
