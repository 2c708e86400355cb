"""Checksums and structure tests for identifiers: resident ID (GB 11643), credit code (GB 32100), Luhn.

The scalar functions serve single values; the ``*_mask`` functions test a whole block of candidates
of one length at once with numpy, which is what keeps a scan of millions of rows fast.
"""

from __future__ import annotations

import ipaddress
from datetime import date

import numpy as np

from lianzhang.codes import CREDIT_CODE_ALPHABET, credit_code_error

# First two digits of a resident ID: the province (GB/T 2260), plus 71 Taiwan, 81/82 Hong Kong and
# Macao and 83 for residence permits of Taiwan residents.
PROVINCE_CODES = frozenset(
    str(code)
    for code in (
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
        54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    )
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Mobile number segments issued in mainland China (first three digits).
MOBILE_PREFIXES = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "146", "147", "148", "149"]
    + [f"15{d}" for d in "01235689"]
    + ["162", "165", "166", "167"]
    + [f"17{d}" for d in "012345678"]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in range(10)]
)
EARLIEST_BIRTH_YEAR = 1900

_ID_W = np.array(ID_WEIGHTS, dtype=np.int64)
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_PROVINCE_OK = np.zeros(100, dtype=bool)
for _code in PROVINCE_CODES:
    _PROVINCE_OK[int(_code)] = True
# Byte value -> GB 32100 character value, -1 where the character is not allowed.
_USCC_VALUE = np.full(256, -1, dtype=np.int64)
for _i, _ch in enumerate(CREDIT_CODE_ALPHABET):
    _USCC_VALUE[ord(_ch)] = _i
_USCC_W = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), dtype=np.int64)


def id_card_valid(value: str, today: date | None = None) -> bool:
    """True for an 18-character resident ID with a known province, a real birth date and a good check."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789Xx":
        return False
    if value[:2] not in PROVINCE_CODES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not born.year >= EARLIEST_BIRTH_YEAR or born > (today or date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17].upper()


def id_card_check_char(body: str) -> str:
    """Check character for the first 17 digits of a resident ID (used by generators and tests)."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


# GB 32100-2015: registration authority (first character) and the organisation types it may issue.
USCC_TYPES = {
    "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19",
    "9": "123", "A": "19", "N": "1239", "Y": "1",
}
# Positions 3-8 are a division code; national bodies use 100000.
USCC_AREA_PREFIXES = PROVINCE_CODES | {"10"}


def uscc_valid(value: str) -> bool:
    """True for a credit code with a known authority and type, a division code and a valid check."""
    return (
        value[1:2] in USCC_TYPES.get(value[:1], "")
        and value[2:4] in USCC_AREA_PREFIXES
        and credit_code_error(value) is None
    )


def luhn_valid(value: str) -> bool:
    """True when a digit string passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(value)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def bank_bin_plausible(value: str) -> bool:
    """True when length and leading digits fit a card scheme used in China (UnionPay, Visa, MC, JCB)."""
    n = len(value)
    if value.startswith("62") or value.startswith("60") or value.startswith("9558"):
        return 16 <= n <= 19
    if value[0] == "4":
        return n in (16, 19)
    if "51" <= value[:2] <= "55" or "2221" <= value[:4] <= "2720":
        return n == 16
    if value.startswith("35"):
        return 16 <= n <= 19
    return False


def ip_valid(value: str) -> bool:
    """True for a literal IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _digits(block: list[str], width: int) -> np.ndarray:
    """Candidates of one width as an (n, width) array of byte values."""
    raw = "".join(block).encode("ascii", "replace")
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(block), width).astype(np.int64)


def id_card_mask(block: list[str], today: date | None = None) -> np.ndarray:
    """Vectorised ``id_card_valid`` over 18-character candidates."""
    if not block:
        return np.zeros(0, dtype=bool)
    a = _digits(block, 18)
    d = a - 48
    ok = ((d[:, :17] >= 0) & (d[:, :17] <= 9)).all(axis=1)
    last = a[:, 17]
    is_x = (last == ord("X")) | (last == ord("x"))
    ok &= ((last >= 48) & (last <= 57)) | is_x
    d = np.where(ok[:, None], d, 0)
    ok &= _PROVINCE_OK[d[:, 0] * 10 + d[:, 1]]
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    today = today or date.today()
    ok &= (year >= EARLIEST_BIRTH_YEAR) & (month >= 1) & (month <= 12) & (day >= 1)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    limit = _DAYS[np.clip(month, 0, 12)] - ((month == 2) & ~leap)
    ok &= day <= limit
    stamp = year * 10000 + month * 100 + day
    ok &= stamp <= today.year * 10000 + today.month * 100 + today.day
    expected = (d[:, :17] * _ID_W).sum(axis=1) % 11
    # ID_CHECK maps remainder r to a character; compare through its numeric value (X = 10).
    check_value = np.where(is_x, 10, last - 48)
    ok &= np.array([10 if c == "X" else int(c) for c in ID_CHECK])[expected] == check_value
    return ok


def id_card_shaped_mask(block: list[str]) -> np.ndarray:
    """18 digits with a known province and a plausible birth date, whatever the check digit."""
    if not block:
        return np.zeros(0, dtype=bool)
    d = _digits(block, 18) - 48
    ok = ((d[:, :17] >= 0) & (d[:, :17] <= 9)).all(axis=1)
    d = np.where(ok[:, None], d, 0)
    ok &= _PROVINCE_OK[d[:, 0] * 10 + d[:, 1]]
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    return ok & (year >= EARLIEST_BIRTH_YEAR) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1) & (
        day <= 31
    )


def uscc_mask(block: list[str]) -> np.ndarray:
    """Vectorised ``uscc_valid`` over 18-character candidates."""
    if not block:
        return np.zeros(0, dtype=bool)
    v = _USCC_VALUE[_digits(block, 18)]
    ok = (v >= 0).all(axis=1)
    ok &= np.array([b[1:2] in USCC_TYPES.get(b[:1], "") and b[2:4] in USCC_AREA_PREFIXES for b in block])
    ok &= (v[:, 2:8] <= 9).all(axis=1)
    v = np.where(v < 0, 0, v)
    expected = (31 - (v[:, :17] * _USCC_W).sum(axis=1) % 31) % 31
    return ok & (expected == v[:, 17])


def luhn_mask(block: list[str], width: int) -> np.ndarray:
    """Vectorised Luhn check over digit strings of one width."""
    if not block:
        return np.zeros(0, dtype=bool)
    d = _digits(block, width) - 48
    ok = ((d >= 0) & (d <= 9)).all(axis=1)
    rev = d[:, ::-1].copy()
    doubled = rev[:, 1::2] * 2
    rev[:, 1::2] = np.where(doubled > 9, doubled - 9, doubled)
    return ok & (rev.sum(axis=1) % 10 == 0)
