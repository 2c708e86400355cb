"""Checksums and structure tests for identifiers: resident ID (GB 11643), credit code (GB 32100), Luhn.

The scalar functions serve single values. The ``*_ok`` functions test an (n, width) matrix of byte
values (one candidate per row) at once with numpy, which is what keeps a scan of millions of rows fast;
``matrix_by_width`` builds those matrices from a list of candidates, and the ``*_mask`` functions wrap
both for a list of strings of one length. The 15-digit resident IDs of the first generation (1984-1999)
have no check digit and are tested by area and birth date only (``id15_ok``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
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
    + [f"15{d}" for d in "012356789"]
    + ["162", "165", "166", "167"]
    + [f"17{d}" for d in "012345678"]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in range(10)]
)
EARLIEST_BIRTH_YEAR = 1900

_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int32)
_PROVINCE_OK = np.zeros(100, dtype=bool)
for _code in PROVINCE_CODES:
    _PROVINCE_OK[int(_code)] = True
# Byte value -> GB 32100 character value, -1 where the character is not allowed.
_USCC_VALUE = np.full(256, -1, dtype=np.int32)
for _i, _ch in enumerate(CREDIT_CODE_ALPHABET):
    _USCC_VALUE[ord(_ch)] = _i
_USCC_W = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), dtype=np.int32)
_ID_W32 = np.array(ID_WEIGHTS, dtype=np.int32)
_ID_CHECK_VALUE = np.array([10 if c == "X" else int(c) for c in ID_CHECK], dtype=np.int32)
_MOBILE_OK = np.zeros(1000, dtype=bool)
for _prefix in MOBILE_PREFIXES:
    _MOBILE_OK[int(_prefix)] = True


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
# The same two tests as lookup tables over character values, for the vectorised check.
_USCC_KIND_OK = np.zeros((31, 31), dtype=bool)
for _authority, _kinds in USCC_TYPES.items():
    for _kind in _kinds:
        _USCC_KIND_OK[CREDIT_CODE_ALPHABET.index(_authority), CREDIT_CODE_ALPHABET.index(_kind)] = True
_AREA_OK = np.zeros(100, dtype=bool)
for _code in USCC_AREA_PREFIXES:
    _AREA_OK[int(_code)] = True


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


def _digits(block: Sequence[str], width: int) -> np.ndarray:
    """Candidates of one width as an (n, width) array of byte values."""
    raw = "".join(block).encode("ascii", "replace")
    if len(raw) != len(block) * width:
        raise ValueError(f"every candidate must have {width} ASCII characters")
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(block), width)


def matrix_by_width(values: Sequence[str]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per length of ASCII strings: (row indices, (k, length) uint8 matrix), with no Python loop per value.

    The strings are joined once; each row of a matrix is gathered from the joined bytes by its offset.
    """
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    buf = np.frombuffer("".join(values).encode("ascii", "replace"), dtype=np.uint8)
    widths = np.flatnonzero(np.bincount(lengths)).tolist()
    if len(widths) == 1:  # a column of one kind of code: the joined bytes are the matrix
        return {widths[0]: (np.arange(len(values)), buf.reshape(len(values), widths[0]))}
    starts = np.cumsum(lengths) - lengths
    out = {}
    for width in widths:
        idx = np.flatnonzero(lengths == width)
        out[width] = (idx, buf[starts[idx, None] + np.arange(width)])
    return out


def _all_digits(a: np.ndarray) -> np.ndarray:
    return ((a >= 48) & (a <= 57)).all(axis=1)


def _number(d: np.ndarray) -> np.ndarray:
    """Decimal value of each row of a digit matrix (columns of int32 digits)."""
    out = d[:, 0].copy()
    for j in range(1, d.shape[1]):
        out = out * 10 + d[:, j]
    return out


def id18_ok(a: np.ndarray, today: date | None = None, digits: bool = False) -> np.ndarray:
    """``id_card_valid`` over an (n, 18) byte matrix; ``digits`` when the first 17 are known digits."""
    last = a[:, 17]
    is_x = (last == ord("X")) | (last == ord("x"))
    ok = ((last >= 48) & (last <= 57)) | is_x
    if not digits:
        ok &= _all_digits(a[:, :17])
    d = a[:, :17].astype(np.int32) - 48
    if not digits:
        d[~ok] = 0
    ok &= _PROVINCE_OK[d[:, 0] * 10 + d[:, 1]] & _date_ok(_number(d[:, 6:10]), d[:, 10:14], today)
    expected = (d @ _ID_W32) % 11
    # ID_CHECK maps remainder r to a character; compare through its numeric value (X = 10).
    check_value = np.where(is_x, 10, last.astype(np.int32) - 48)
    return ok & (_ID_CHECK_VALUE[expected] == check_value)


def id15_ok(a: np.ndarray) -> np.ndarray:
    """First-generation (1984-1999) resident IDs: 15 digits, province, city, a real 19YY birth date.

    They carry no check digit, so the date and the area code are all there is to test.
    """
    ok = _all_digits(a)
    d = a.astype(np.int32) - 48
    d[~ok] = 0
    ok &= _PROVINCE_OK[d[:, 0] * 10 + d[:, 1]] & ((d[:, 2] * 10 + d[:, 3]) > 0)
    return ok & _date_ok(1900 + d[:, 6] * 10 + d[:, 7], d[:, 8:12], None)


def _date_ok(year: np.ndarray, mmdd: np.ndarray, today: date | None) -> np.ndarray:
    """Real calendar dates from years and (n, 4) digit arrays MMDD, not before 1900 nor after today."""
    month = mmdd[:, 0] * 10 + mmdd[:, 1]
    day = mmdd[:, 2] * 10 + mmdd[:, 3]
    today = today or date.today()
    ok = (year >= EARLIEST_BIRTH_YEAR) & (month >= 1) & (month <= 12) & (day >= 1)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    ok &= day <= _DAYS[np.clip(month, 0, 12)] - ((month == 2) & ~leap)
    return ok & (year * 10000 + month * 100 + day <= today.year * 10000 + today.month * 100 + today.day)


def id18_shaped(a: np.ndarray) -> np.ndarray:
    """18 digits with a known province and a plausible birth date, whatever the check digit."""
    ok = _all_digits(a[:, :17])
    d = a[:, :14].astype(np.int32) - 48
    d[~ok] = 0
    ok &= _PROVINCE_OK[d[:, 0] * 10 + d[:, 1]]
    year = _number(d[:, 6:10])
    month = d[:, 10] * 10 + d[:, 11]
    day = d[:, 12] * 10 + d[:, 13]
    return ok & (year >= EARLIEST_BIRTH_YEAR) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1) & (
        day <= 31
    )


def uscc_ok(a: np.ndarray) -> np.ndarray:
    """``uscc_valid`` over an (n, 18) byte matrix."""
    v = _USCC_VALUE[a]
    ok = (v >= 0).all(axis=1)
    v[~ok] = 0
    ok &= _USCC_KIND_OK[v[:, 0], v[:, 1]] & _AREA_OK[np.minimum(v[:, 2], 9) * 10 + np.minimum(v[:, 3], 9)]
    ok &= (v[:, 2:8] <= 9).all(axis=1)
    expected = (31 - (v[:, :17] @ _USCC_W) % 31) % 31
    return ok & (expected == v[:, 17])


def luhn_ok(a: np.ndarray) -> np.ndarray:
    """Luhn check over an (n, width) byte matrix of digits."""
    ok = _all_digits(a)
    d = a[:, ::-1].astype(np.int32) - 48
    doubled = d[:, 1::2] * 2
    d[:, 1::2] = doubled - 9 * (doubled > 9)
    return ok & (d.sum(axis=1) % 10 == 0)


def bank_bin_ok(a: np.ndarray) -> np.ndarray:
    """``bank_bin_plausible`` over an (n, width) byte matrix (one width)."""
    n = a.shape[1]
    d = a[:, :4].astype(np.int32) - 48
    p2 = d[:, 0] * 10 + d[:, 1]
    p4 = p2 * 100 + d[:, 2] * 10 + d[:, 3]
    wide = 16 <= n <= 19
    ok = ((p2 == 62) | (p2 == 60) | (p4 == 9558) | (p2 == 35)) & wide
    ok |= (d[:, 0] == 4) & (n in (16, 19))
    return ok | ((((p2 >= 51) & (p2 <= 55)) | ((p4 >= 2221) & (p4 <= 2720))) & (n == 16))


def mobile_ok(a: np.ndarray) -> np.ndarray:
    """First three digits of each row are an issued mobile segment."""
    ok = _all_digits(a[:, :3])
    d = a[:, :3].astype(np.int32) - 48
    return ok & _MOBILE_OK[np.clip(d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2], 0, 999)]


def id_card_mask(block: Sequence[str], today: date | None = None) -> np.ndarray:
    """Vectorised ``id_card_valid`` over 18-character candidates."""
    if not block:
        return np.zeros(0, dtype=bool)
    return id18_ok(_digits(block, 18), today)


def id_card_shaped_mask(block: Sequence[str]) -> np.ndarray:
    """18 digits with a known province and a plausible birth date, whatever the check digit."""
    if not block:
        return np.zeros(0, dtype=bool)
    return id18_shaped(_digits(block, 18))


def uscc_mask(block: Sequence[str]) -> np.ndarray:
    """Vectorised ``uscc_valid`` over 18-character candidates."""
    if not block:
        return np.zeros(0, dtype=bool)
    return uscc_ok(_digits(block, 18))


def luhn_mask(block: Sequence[str], width: int) -> np.ndarray:
    """Vectorised Luhn check over digit strings of one width."""
    if not block:
        return np.zeros(0, dtype=bool)
    return luhn_ok(_digits(block, width))
