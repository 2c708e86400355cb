"""Enterprise registry files: read and write the .xlsx / .csv sheets that officers fill in (no Django).

One column spec (``COLUMNS``) drives reading, writing, the blank template and its instructions, so
that an exported list can be edited and imported again without any column being lost or renamed.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation, localcontext
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, Literal

from lianzhang.classify.normalize import to_simplified
from lianzhang.codes import credit_code_error, normalise_credit_code
from lianzhang.enterprises.records import KNOWN_TAGS, EnterpriseRecord, YearFigures

__all__ = [
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "ColumnSpec",
    "FileRejected",
    "ParseContext",
    "ParseResult",
    "RowError",
    "error_report_bytes",
    "read_enterprise_file",
    "template_bytes",
    "write_enterprise_file",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
# Officers often put a title and a note above the header; look this far down for it.
HEADER_SEARCH_ROWS = 10
NAME_MAX_LENGTH = 200
# A 20 MB upload may not unpack into gigabytes of XML (zip bomb); xlsx usually compresses 5-10 times.
XLSX_MAX_EXPANSION = 50
# Money is stored in a 64-bit integer column; larger amounts can only be typing mistakes.
MAX_FEN = 2**63 - 1
# Employees, patents and years go into 32-bit integer columns.
MAX_COUNT = 2**31 - 1
# Excel keeps 15 significant digits; a number cell written with more would silently lose digits.
EXCEL_DIGITS = 15

FORMULA_REASON = "公式单元格不被接受，请粘贴为数值"
SUPPORTED_ENCODINGS = "UTF-8（含或不含 BOM）、GB18030/GBK"
DivisionResolver = Callable[[str], tuple[str | None, str | None]]
Format = Literal["xlsx", "csv"]


class FileRejected(Exception):
    """The whole file cannot be imported; the message (Chinese) says why."""


@dataclass(slots=True)
class RowError:
    """One problem in one cell: spreadsheet row (1-based, header counted), column header, reason, value."""

    row: int
    column: str
    reason: str
    value: str


@dataclass
class ParseResult:
    """Valid records, every row error found, and the number of non-empty data rows read."""

    records: list[EnterpriseRecord]
    errors: list[RowError]
    total_rows: int

    @property
    def ok(self) -> bool:
        """True when no row had an error."""
        return not self.errors


@dataclass(frozen=True)
class ParseContext:
    """What a cell parser needs besides the cell: the header's money unit and the division resolver."""

    unit_yuan: Decimal
    resolve_division: DivisionResolver


class _Invalid(Exception):
    """A cell value is wrong; the argument is the reason shown to the user."""


class _Formula(str):
    """A cell that held a formula; kept as its text so the error report can show it."""


class _ErrorValue(str):
    """A cell that held a spreadsheet error value such as #N/A."""


# ---------------------------------------------------------------------------------------------
# Cell parsers. Each takes a non-blank raw value (str from CSV; str/int/float/datetime from xlsx).

_MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1_000),
    "万元": Decimal(10_000),
    "百万元": Decimal(1_000_000),
    "亿元": Decimal(100_000_000),
}
# Officers also write "1200万" without 元.
_MONEY_UNITS.update({unit[:-1]: factor for unit, factor in list(_MONEY_UNITS.items()) if len(unit) > 1})
_UNIT_NAMES = "、".join(u for u in _MONEY_UNITS if u.endswith("元"))

_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_UNIT_ALTERNATIVES = "|".join(sorted(_MONEY_UNITS, key=len, reverse=True))  # longest first: 万元 before 万
_MONEY_RE = re.compile(
    rf"(?P<sign>[-−])?(?:¥|人民币|RMB)?(?P<num>{_NUMBER})(?P<unit>{_UNIT_ALTERNATIVES})?",
    re.ASCII | re.IGNORECASE,
)
_INT_RE = re.compile(rf"(?P<sign>[-−])?(?P<num>{_NUMBER})", re.ASCII)
_SCIENTIFIC_RE = re.compile(r"[-−]?[0-9]*\.?[0-9]+[eE][-+]?[0-9]+", re.ASCII)
_DATE_RES = (
    re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})", re.ASCII),
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日?", re.ASCII),
    re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII),
)
# Spreadsheet exports sometimes append a midnight time to dates ("2019/3/5 0:00").
_TRAILING_TIME_RE = re.compile(r"(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?$")
_TAG_SPLIT_RE = re.compile(r"[、,;]")
# CSV has no cell types, so formulas are recognised by how Excel would read the text.
_CSV_FORMULA_RE = re.compile(r"=.|[+\-@][A-Za-z(]", re.ASCII | re.DOTALL)
# Export prefixes an apostrophe to such text (and to text already starting with apostrophes before
# one of these characters) so that import can remove exactly one apostrophe and round-trip.
_ESCAPED_RE = re.compile(r"'+[=+\-@]")
_NEEDS_ESCAPE_RE = re.compile(r"'*[=+\-@]")


def _today() -> date:
    """Today's date (a function so tests can move the clock)."""
    return date.today()


def _nfkc(text: str) -> str:
    # Full-width digits, letters, commas and parentheses typed in Chinese input methods.
    return unicodedata.normalize("NFKC", text)


def _float_decimal(value: float) -> Decimal:
    # Excel shows 15 significant digits; binary noise beyond that (0.1+0.2) is not what the user typed.
    return Decimal(format(value, f".{EXCEL_DIGITS}g"))


def _as_text(raw: object) -> str:
    """Render any cell value as the text a user would see in the cell."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 10**EXCEL_DIGITS:
            return str(int(raw))
        return format(raw, f".{EXCEL_DIGITS}g")
    if isinstance(raw, Decimal):
        return format(raw, "f")
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time() else raw.isoformat(sep=" ")
    if isinstance(raw, date | time):
        return raw.isoformat()
    return str(raw)


def _unescape(text: str) -> str:
    return text[1:] if _ESCAPED_RE.match(text) else text


def _parse_text(raw: object, ctx: ParseContext) -> str:
    return _unescape(_as_text(raw).strip())


def _parse_name(raw: object, ctx: ParseContext) -> str:
    text = _parse_text(raw, ctx)
    if len(text) > NAME_MAX_LENGTH:
        raise _Invalid(f"企业名称过长（{len(text)} 字），最多 {NAME_MAX_LENGTH} 字")
    return text


def _parse_credit_code(raw: object, ctx: ParseContext) -> str:
    if isinstance(raw, float):
        raise _Invalid("统一社会信用代码被存成了数字，可能已丢失末尾数字，请把该列设为文本格式后重新填写")
    text = _nfkc(_as_text(raw)).strip()
    if _SCIENTIFIC_RE.fullmatch(text):
        raise _Invalid("统一社会信用代码显示为科学计数法，已丢失数字，请把该列设为文本格式后重新填写")
    # A leading apostrophe is how people force Excel to keep a code as text.
    code = normalise_credit_code(text.lstrip("'"))
    error = credit_code_error(code)
    if error:
        raise _Invalid(error)
    return code


def _parse_division(raw: object, ctx: ParseContext) -> str:
    text = _parse_text(raw, ctx)
    code, reason = ctx.resolve_division(text)
    if code is None:
        raise _Invalid(reason or f"无法识别的行政区划「{text}」")
    return code


def _parse_date(raw: object, ctx: ParseContext) -> date:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    elif isinstance(raw, str | int | float) and not isinstance(raw, bool):
        text = _TRAILING_TIME_RE.sub("", _nfkc(_as_text(raw)).strip())
        match = next((m for m in (r.fullmatch(text) for r in _DATE_RES) if m), None)
        if match is None:
            raise _Invalid("日期格式无法识别，请写成 2019-03-05、2019/3/5、2019年3月5日 或 20190305")
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise _Invalid("日期不存在，请检查年月日") from None
    else:
        raise _Invalid("日期格式无法识别")
    if day > _today():
        raise _Invalid("成立日期不能晚于今天")
    return day


def _number(raw: object, pattern: re.Pattern[str]) -> tuple[Decimal, re.Match[str] | None]:
    """Turn a cell into a Decimal; the match is returned for text cells so callers can read the unit."""
    if isinstance(raw, bool):
        raise _Invalid("应填写数字")
    if isinstance(raw, int):
        return Decimal(raw), None
    if isinstance(raw, float):
        return _float_decimal(raw), None
    if isinstance(raw, Decimal):
        return raw, None
    if not isinstance(raw, str):
        raise _Invalid("应填写数字")
    text = "".join(_nfkc(raw).split())
    match = pattern.fullmatch(text)
    if match is None:
        if _SCIENTIFIC_RE.fullmatch(text):
            raise _Invalid("数值显示为科学计数法，可能已丢失精度，请填写完整数字")
        raise _Invalid("数字格式无法识别")
    try:
        value = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:
        raise _Invalid("数字格式无法识别") from None
    return (-value if match["sign"] else value), match


def _parse_money(raw: object, ctx: ParseContext) -> int:
    amount, match = _number(raw, _MONEY_RE)
    unit = ctx.unit_yuan
    if match is not None and match["unit"]:
        unit = _MONEY_UNITS[match["unit"]]
    if amount < 0:
        raise _Invalid("金额不能为负数")
    # Enough precision that multiplying any accepted amount is exact.
    with localcontext() as dec:
        dec.prec = 60
        fen = amount * unit * 100
    if fen != fen.to_integral_value():
        raise _Invalid("金额最多精确到分（折合为元后最多 2 位小数）")
    if fen > MAX_FEN:
        raise _Invalid("金额过大，请检查单位")
    return int(fen)


_COUNT_SUFFIXES = ("人", "名", "件", "项", "个", "年")


def _parse_count(raw: object, ctx: ParseContext) -> int:
    if isinstance(raw, str):
        raw = "".join(_nfkc(raw).split())
        for suffix in _COUNT_SUFFIXES:
            raw = raw.removesuffix(suffix)
        if "." in raw:
            raise _Invalid("应为整数")
    value, _ = _number(raw, _INT_RE)
    if value != value.to_integral_value():
        raise _Invalid("应为整数")
    if value < 0:
        raise _Invalid("不能为负数")
    if value > MAX_COUNT:
        raise _Invalid("数值过大")
    return int(value)


def _parse_year(raw: object, ctx: ParseContext) -> int:
    try:
        year = _parse_count(raw, ctx)
    except _Invalid:
        raise _Invalid("年度应为四位整数年份，如 2023") from None
    last = _today().year
    if not 1949 <= year <= last:
        raise _Invalid(f"年度应在 1949 至 {last} 之间")
    return year


def _parse_tags(raw: object, ctx: ParseContext) -> list[str]:
    tags: list[str] = []
    # Tags written in Traditional (專精特新, 高新技術企業) are the same tags.
    for part in _TAG_SPLIT_RE.split(to_simplified(_nfkc(_parse_text(raw, ctx)))):
        tag = part.strip()
        if tag and tag not in tags:
            tags.append(tag)
    unknown = [t for t in tags if t not in KNOWN_TAGS]
    if unknown:
        names = "、".join(f"「{t}」" for t in unknown)
        raise _Invalid(f"未知标签 {names}；可用标签：{'、'.join(KNOWN_TAGS)}")
    return tags


# ---------------------------------------------------------------------------------------------
# The column spec.


def _identity(value: Any) -> Any:
    return value


def _fen_to_wan(fen: int | None) -> Decimal | None:
    if fen is None:
        return None
    with localcontext() as dec:
        dec.prec = 60
        return Decimal(fen) / Decimal(1_000_000)


def _join_tags(tags: Sequence[str]) -> str:
    return "、".join(tags)


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the registry sheet: record key, header, whether required, parser and exporter."""

    key: str
    header: str
    required: bool
    parser: Callable[[object, ParseContext], Any]
    export: Callable[[Any], Any] = _identity
    help: str = ""
    example: str = ""
    # Other header spellings seen in officers' own sheets.
    aliases: tuple[str, ...] = ()

    @property
    def base(self) -> str:
        """The header without the required mark or unit, used to match headers in files."""
        return _header_parts(self.header)[0]

    @property
    def unit(self) -> str | None:
        """The money unit of this column's canonical header, or None for columns that are not money."""
        return _header_parts(self.header)[1] if self.parser is _parse_money else None


def _money(key: str, name: str, help_: str, example: str) -> ColumnSpec:
    return ColumnSpec(
        key,
        f"{name}(万元)",
        False,
        _parse_money,
        _fen_to_wan,
        f"{help_}。不带单位的数字按列名中的单位（默认万元）计；单元格内也可写单位，如 1200万元、1.2亿元、"
        "3,000,000元；最多精确到分，不能为负数",
        example,
    )


_FIGURES_NOTE = "；填写时须同时填写「年度」"

COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "credit_code",
        "统一社会信用代码*",
        True,
        _parse_credit_code,
        help="18 位统一社会信用代码，校验位须正确；同一文件内不能重复",
        example="91440300708461136T",
        aliases=("社会信用代码", "信用代码"),
    ),
    ColumnSpec(
        "name",
        "企业名称*",
        True,
        _parse_name,
        help=f"企业全称，最多 {NAME_MAX_LENGTH} 字",
        example="示例智能科技有限公司",
        aliases=("单位名称",),
    ),
    ColumnSpec(
        "division_code",
        "所在区划*",
        True,
        _parse_division,
        help="行政区划代码或名称，如 440305 或 南山区",
        example="440305",
        aliases=("行政区划", "区划", "所在区县"),
    ),
    ColumnSpec("short_name", "简称", False, _parse_text, help="企业简称", example="示例智能"),
    ColumnSpec("address", "地址", False, _parse_text, help="注册或经营地址", example="某市某区某路 1 号"),
    ColumnSpec(
        "founded_on",
        "成立日期",
        False,
        _parse_date,
        help="如 2019-03-05、2019/3/5、2019年3月5日、20190305 或 Excel 日期单元格；不能晚于今天",
        example="2019-03-05",
    ),
    _money("registered_capital_fen", "注册资本", "注册资本", "1000"),
    ColumnSpec("business_scope", "经营范围", False, _parse_text, help="营业执照上的经营范围"),
    ColumnSpec("products", "主要产品", False, _parse_text, help="主要产品或服务", example="工业视觉检测系统"),
    ColumnSpec(
        "tags",
        "标签",
        False,
        _parse_tags,
        _join_tags,
        help=f"可填多个，用 、 , ， ; ； 分隔；只接受：{'、'.join(KNOWN_TAGS)}",
        example="高新技术企业、专精特新",
    ),
    ColumnSpec("park", "所在园区", False, _parse_text, help="所在产业园区名称", example="某某人工智能产业园"),
    ColumnSpec(
        "year",
        "年度",
        False,
        _parse_year,
        help="以下经营数据所属年度，1949 至今年；每行只填一个年度",
        example="2023",
        aliases=("年份",),
    ),
    _money("revenue_fen", "营业收入", "该年度营业收入" + _FIGURES_NOTE, "5000"),
    _money("rd_spend_fen", "研发投入", "该年度研发投入" + _FIGURES_NOTE, "800"),
    ColumnSpec(
        "employees",
        "从业人员",
        False,
        _parse_count,
        help="该年度从业人员人数，非负整数" + _FIGURES_NOTE,
        example="120",
        aliases=("从业人数", "职工人数"),
    ),
    ColumnSpec(
        "patents",
        "专利数",
        False,
        _parse_count,
        help="有效专利件数，非负整数" + _FIGURES_NOTE,
        example="15",
        aliases=("专利数量",),
    ),
    _money("ai_revenue_fen", "人工智能营业收入", "该年度人工智能相关营业收入" + _FIGURES_NOTE, "3000"),
)

HEADERS: tuple[str, ...] = tuple(col.header for col in COLUMNS)
_FIGURE_KEYS = ("revenue_fen", "rd_spend_fen", "employees", "patents", "ai_revenue_fen")
_RECORD_KEYS = (
    "credit_code",
    "name",
    "division_code",
    "short_name",
    "address",
    "founded_on",
    "registered_capital_fen",
    "business_scope",
    "products",
    "tags",
    "park",
)
_BY_KEY = {col.key: col for col in COLUMNS}
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})


def _header_parts(text: str) -> tuple[str, str | None]:
    """Split a header into its name and the text in its trailing parentheses (the unit)."""
    norm = "".join(_nfkc(text).translate(_BRACKETS).split()).replace("*", "")
    match = re.fullmatch(r"(.+?)\((.*)\)", norm)
    if match:
        return match[1], match[2]
    return norm, None


def _build_header_lookup() -> dict[str, ColumnSpec]:
    lookup: dict[str, ColumnSpec] = {}
    for col in COLUMNS:
        for name in (col.base, *col.aliases):
            assert name not in lookup, f"duplicate header name {name}"
            lookup[name] = col
    return lookup


_HEADER_LOOKUP = _build_header_lookup()


# ---------------------------------------------------------------------------------------------
# Reading.


@dataclass(frozen=True)
class _BoundColumn:
    spec: ColumnSpec
    index: int
    header: str
    ctx: ParseContext


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise FileRejected("文件为空")
    if size > max_bytes:
        mb = 1024 * 1024
        raise FileRejected(
            f"文件过大（{size / mb:.1f} MB），上限为 {max_bytes / mb:.0f} MB，请拆分后分批导入"
        )


def _stream_size(stream: BinaryIO) -> int | None:
    """The number of bytes left in a stream, without reading it, when the stream can tell."""
    size = getattr(stream, "size", None)  # web frameworks' uploaded files know their size
    if isinstance(size, int):
        return size
    try:
        start = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(start)
    except (AttributeError, OSError, ValueError):
        return None
    return end - start


def _read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read a stream, giving up as soon as it proves larger than max_bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(1024 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            _check_size(total, max_bytes)
        chunks.append(chunk)
    data = b"".join(chunks)
    _check_size(len(data), max_bytes)
    return data


def _load_source(source: str | os.PathLike[str] | BinaryIO, max_bytes: int) -> Path | bytes:
    """Check the size before anything is parsed; paths stay paths so xlsx can be streamed from disk."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError:
            raise FileRejected("无法读取文件") from None
        _check_size(size, max_bytes)
        return path
    size = _stream_size(source)
    if size is not None:
        _check_size(size, max_bytes)
    return _read_limited(source, max_bytes)


def _head(source: Path | bytes, n: int = 8) -> bytes:
    if isinstance(source, bytes):
        return source[:n]
    with source.open("rb") as fh:
        return fh.read(n)


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK\x03\x04"


def _decode_csv(data: bytes) -> str:
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE2_MAGIC):
        raise FileRejected(
            "文件内容是 Excel 工作簿而不是 CSV，请把扩展名改为 .xlsx（旧版 .xls 请先另存为 .xlsx）"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
        # UTF-16 text decodes "successfully" as ASCII interleaved with NUL characters.
        if "\x00" not in text:
            return text
    raise FileRejected(f"无法识别 CSV 文件的编码，请另存为 {SUPPORTED_ENCODINGS} 编码的 CSV")


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon: whichever separates the header line most (Excel in some locales saves ;)."""
    header = text.lstrip().split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _csv_rows(source: Path | bytes) -> Iterator[list[object]]:
    data = source if isinstance(source, bytes) else source.read_bytes()
    text = _decode_csv(data)
    if not text.strip():
        raise FileRejected("文件为空")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for row in reader:
            yield [_Formula(v) if _CSV_FORMULA_RE.match(v.strip()) else v for v in row]
    except csv.Error as exc:
        raise FileRejected(f"CSV 格式错误（第 {reader.line_num} 行）：{exc}") from None


# Exceptions that openpyxl and zipfile raise for damaged or foreign files.
_XLSX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    SyntaxError,  # xml.etree ParseError derives from SyntaxError
)
_CORRUPT_XLSX = "无法打开 xlsx 文件：文件已损坏，或不是 Excel 2007 及以后版本的 .xlsx 工作簿"


def _open_workbook(source: Path | bytes, max_bytes: int) -> Any:
    from openpyxl import load_workbook  # imported here so CSV-only callers do not pay for it

    if _head(source).startswith(_OLE2_MAGIC):
        raise FileRejected("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入")
    handle: Path | io.BytesIO = source if isinstance(source, Path) else io.BytesIO(source)
    try:
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if isinstance(handle, io.BytesIO):
            handle.seek(0)
        if unpacked > max_bytes * XLSX_MAX_EXPANSION:
            raise FileRejected("xlsx 文件解压后过大，请检查文件或拆分后分批导入")
        return load_workbook(handle, read_only=True, data_only=False)
    except FileRejected:
        raise
    except _XLSX_ERRORS:
        raise FileRejected(_CORRUPT_XLSX) from None


def _sheet_rows(sheet: Any) -> Iterator[list[object]]:
    """Rows of a read-only sheet as raw values, numbered by position (missing rows come back empty)."""
    # Some producers write a wrong <dimension>; without this, rows past it would be dropped.
    sheet.reset_dimensions()
    rows = iter(sheet.iter_rows())
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _XLSX_ERRORS:
            raise FileRejected(_CORRUPT_XLSX) from None
        values: list[object] = []
        for cell in row:
            value = cell.value
            data_type = cell.data_type
            if data_type == "f" or (type(value) is str and value.startswith("=")):
                # Array and data-table formulas come back as objects carrying their text.
                values.append(_Formula(_as_text(getattr(value, "text", value))))
            elif data_type == "e":
                values.append(_ErrorValue(_as_text(value)))
            else:
                values.append(value)
        yield values


@dataclass
class _Header:
    columns: list[_BoundColumn]
    row_index: int  # 0-based position among the rows read


class _NoHeader(Exception):
    """No usable header row; the argument is the message to show."""


def _header_from_row(
    cells: Sequence[object], resolve: DivisionResolver
) -> tuple[list[_BoundColumn], list[str]]:
    """Match one row's cells to the spec; return the bound columns and the non-empty cell texts."""
    bound: list[_BoundColumn] = []
    found: list[str] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(cells):
        text = _as_text(raw).strip()
        if not text:
            continue
        found.append(text)
        base, unit = _header_parts(text)
        spec = _HEADER_LOOKUP.get(base)
        if spec is None:
            continue  # extra columns (notes, serial numbers) are allowed and ignored
        if spec.key in seen:
            raise FileRejected(f"表头中「{seen[spec.key]}」与「{text}」是同一列，请删除其中一列")
        seen[spec.key] = text
        unit_yuan = Decimal(10_000)
        if spec.parser is _parse_money:
            unit_name = (unit or spec.unit or "万元").removeprefix("人民币")
            if unit_name not in _MONEY_UNITS:
                raise FileRejected(f"列「{text}」的单位「{unit}」无法识别，可用单位：{_UNIT_NAMES}")
            unit_yuan = _MONEY_UNITS[unit_name]
        bound.append(_BoundColumn(spec, index, text, ParseContext(unit_yuan, resolve)))
    return bound, found


def _find_header(
    rows: Iterator[list[object]], resolve: DivisionResolver
) -> tuple[_Header, Iterator[list[object]]]:
    """Find the header within the first rows; return it and the iterator of the data rows after it."""
    head = list(islice(rows, HEADER_SEARCH_ROWS))
    best: tuple[list[_BoundColumn], list[str]] | None = None
    for index, cells in enumerate(head):
        bound, found = _header_from_row(cells, resolve)
        if not found:
            continue
        keys = {b.spec.key for b in bound}
        if bound and all(col.key in keys for col in COLUMNS if col.required):
            return _Header(bound, index), chain(head[index + 1 :], rows)
        if best is None or len(bound) > len(best[0]):
            best = (bound, found)
    if best is None:
        raise _NoHeader("文件中没有任何内容")
    keys = {b.spec.key for b in best[0]}
    missing = "、".join(col.header for col in COLUMNS if col.required and col.key not in keys)
    raise _NoHeader(
        f"缺少必填列：{missing}（在前 {HEADER_SEARCH_ROWS} 行中未找到完整表头）。"
        f"文件中的列：{'、'.join(best[1])}"
    )


class _RowParser:
    """Turns data rows into records and row errors; keeps state across rows (duplicates, counts)."""

    def __init__(self, header: _Header, first_row_number: int, max_rows: int) -> None:
        self.columns = header.columns
        self.first_row_number = first_row_number
        self.max_rows = max_rows
        self.records: list[EnterpriseRecord] = []
        self.errors: list[RowError] = []
        self.total = 0
        self.seen_codes: dict[str, int] = {}
        present = {b.spec.key: b.header for b in self.columns}
        self.year_header = present.get("year", _BY_KEY["year"].header)
        self.code_header = present["credit_code"]

    def feed(self, offset: int, cells: Sequence[object]) -> None:
        """Parse one data row; offset counts rows after the header (0 is the row right below it)."""
        raw_by_col = [(b, cells[b.index] if b.index < len(cells) else None) for b in self.columns]
        if all(_is_blank(raw) for _, raw in raw_by_col):
            return
        self.total += 1
        if self.total > self.max_rows:
            raise FileRejected(f"数据行数超过上限（最多 {self.max_rows:,} 行），请拆分文件后分批导入")
        row_no = self.first_row_number + offset
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []
        failed: set[str] = set()
        for bound, raw in raw_by_col:
            key = bound.spec.key
            if isinstance(raw, _Formula):
                row_errors.append(RowError(row_no, bound.header, FORMULA_REASON, str(raw)))
                failed.add(key)
            elif isinstance(raw, _ErrorValue):
                row_errors.append(RowError(row_no, bound.header, f"单元格为错误值 {raw}", str(raw)))
                failed.add(key)
            elif _is_blank(raw):
                if bound.spec.required:
                    row_errors.append(RowError(row_no, bound.header, "必填项为空", ""))
                    failed.add(key)
            else:
                try:
                    values[key] = bound.spec.parser(raw, bound.ctx)
                except _Invalid as exc:
                    row_errors.append(RowError(row_no, bound.header, str(exc), _as_text(raw)))
                    failed.add(key)
                    continue
                if values[key] in ("", []) and bound.spec.required:
                    row_errors.append(RowError(row_no, bound.header, "必填项为空", _as_text(raw)))
                    failed.add(key)

        figures_given = [k for k in _FIGURE_KEYS if k in values or k in failed]
        if figures_given and "year" not in values and "year" not in failed:
            row_errors.append(RowError(row_no, self.year_header, "填写了经营数据时必须填写年度", ""))

        code = values.get("credit_code")
        if code is not None:
            first = self.seen_codes.setdefault(code, row_no)
            if first != row_no:
                row_errors.append(RowError(row_no, self.code_header, f"与第 {first} 行重复", code))

        if row_errors:
            self.errors.extend(row_errors)
            return
        figures = []
        if "year" in values:
            figures.append(YearFigures(values["year"], **{k: values.get(k) for k in _FIGURE_KEYS}))
        fields = {k: values[k] for k in _RECORD_KEYS if k in values}
        self.records.append(EnterpriseRecord(**fields, figures=figures, source_row=row_no))


def _parse_rows(
    sheets: Iterable[Iterator[list[object]]], resolve: DivisionResolver, max_rows: int
) -> ParseResult:
    """Use the first sheet that has a header row; report the first sheet's problem if none has."""
    first_problem: str | None = None
    for rows in sheets:
        try:
            header, data = _find_header(rows, resolve)
        except _NoHeader as exc:
            first_problem = first_problem or str(exc)
            continue
        parser = _RowParser(header, header.row_index + 2, max_rows)
        for offset, cells in enumerate(data):
            parser.feed(offset, cells)
        return ParseResult(parser.records, parser.errors, parser.total)
    raise FileRejected(first_problem or "文件中没有任何内容")


def _cached(resolve: DivisionResolver) -> DivisionResolver:
    # The same few districts repeat on thousands of rows; the resolver may query a database.
    cache: dict[str, tuple[str | None, str | None]] = {}

    def lookup(text: str) -> tuple[str | None, str | None]:
        if text not in cache:
            cache[text] = resolve(text)
        return cache[text]

    return lookup


def read_enterprise_file(
    source: str | Path | BinaryIO,
    filename: str,
    resolve_division: DivisionResolver,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ParseResult:
    """Read an enterprise registry .xlsx or .csv file; raise FileRejected for whole-file problems."""
    ext = Path(filename).suffix.lower()
    if ext == ".xls":
        raise FileRejected("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入")
    if ext not in (".xlsx", ".csv"):
        raise FileRejected(f"不支持的文件类型「{ext or filename}」，请上传 .xlsx 或 .csv 文件")
    loaded = _load_source(source, max_bytes)
    resolve = _cached(resolve_division)
    if ext == ".csv":
        return _parse_rows([_csv_rows(loaded)], resolve, max_rows)
    with warnings.catch_warnings():
        # openpyxl warns about unsupported extensions (data validation, slicers) and out-of-range
        # dates; the first are harmless here and the second become row errors anyway.
        warnings.simplefilter("ignore")
        workbook = _open_workbook(loaded, max_bytes)
        try:
            sheets = (_sheet_rows(ws) for ws in workbook.worksheets if hasattr(ws, "iter_rows"))
            return _parse_rows(sheets, resolve, max_rows)
        finally:
            workbook.close()


# ---------------------------------------------------------------------------------------------
# Writing.


def _escape(text: str) -> str:
    """Neutralise text that a spreadsheet would run as a formula (CSV/formula injection)."""
    return "'" + text if _NEEDS_ESCAPE_RE.match(text) else text


def _record_values(record: EnterpriseRecord, division_label: Callable[[str], str] | None) -> list[Any]:
    latest = max(record.figures, key=lambda f: f.year) if record.figures else None
    values: list[Any] = []
    for col in COLUMNS:
        if col.key == "division_code" and division_label is not None:
            value: Any = division_label(record.division_code)
        elif col.key in _FIGURE_KEYS or col.key == "year":
            value = getattr(latest, col.key) if latest else None
        else:
            value = getattr(record, col.key)
        values.append(None if value is None else col.export(value))
    return values


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return _as_text(value)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, Decimal):
        value = value.normalize()
        # Beyond 15 significant digits a number cell would lose digits; text keeps them exactly.
        if len(value.as_tuple().digits) > EXCEL_DIGITS:
            return format(value, "f")
        return value
    return value


def _open_target(target: Path | BinaryIO) -> tuple[BinaryIO, bool]:
    if isinstance(target, str | os.PathLike):
        return Path(target).open("wb"), True
    return target, False


def _write_csv(rows: Iterable[Sequence[Any]], target: Path | BinaryIO) -> int:
    stream, owned = _open_target(target)
    # BOM so that Excel on Chinese Windows opens the file as UTF-8 instead of GBK.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    count = 0
    try:
        writer = csv.writer(text)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave the caller's stream open
        if owned:
            stream.close()
    return count


def _write_xlsx(
    rows: Iterable[Sequence[Any]], target: Path | BinaryIO, title: str, widths: Sequence[int] = ()
) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # write_only streams rows to a temporary file, so 100k rows do not sit in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    count = 0
    for row in rows:
        cells: list[Any] = []
        for value in row:
            value = _xlsx_cell(value)
            if count == 0 or isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                if count == 0:
                    cell.font = bold
                else:
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count


_COLUMN_WIDTHS = tuple(max(10, min(40, len(h) * 2 + 2)) for h in HEADERS)


def write_enterprise_file(
    records: Iterable[EnterpriseRecord],
    target: Path | BinaryIO,
    fmt: Format,
    division_label: Callable[[str], str] | None = None,
) -> int:
    """Write records in the import layout (latest year's figures); return the number of records written."""
    rows = chain([HEADERS], (_record_values(r, division_label) for r in records))
    if fmt == "csv":
        return _write_csv(rows, target) - 1
    if fmt == "xlsx":
        return _write_xlsx(rows, target, "企业名录", _COLUMN_WIDTHS) - 1
    raise ValueError(f"unknown format {fmt!r}")


def template_bytes(fmt: Format) -> bytes:
    """An empty import template; the xlsx one has a second sheet 「填写说明」 explaining every column."""
    buffer = io.BytesIO()
    if fmt == "csv":
        _write_csv([HEADERS], buffer)
        return buffer.getvalue()
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}")

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业信息"
    sheet.append(list(HEADERS))
    sheet.freeze_panes = "A2"
    for index, (col, width) in enumerate(zip(COLUMNS, _COLUMN_WIDTHS, strict=True), start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        sheet.cell(row=1, column=index).font = Font(bold=True, color="C00000" if col.required else None)
    # Text format stops Excel from turning an all-digit credit code into a rounded number.
    sheet.column_dimensions["A"].number_format = "@"

    guide = workbook.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "填写说明", "示例"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for col in COLUMNS:
        guide.append([col.header, "必填" if col.required else "选填", col.help, _escape(col.example)])
    guide.append([])
    notes = [
        "说明",
        "每个企业占一行；第一张工作表为数据表，表头上方可以有标题行（表头须在前 10 行内）。",
        "列名带 * 的为必填；括号内为金额单位，可按实际单位修改，如 营业收入(元)、营业收入(亿元)。",
        "经营数据（营业收入、研发投入、从业人员、专利数、人工智能营业收入）只填一个年度，须填写「年度」。",
        "不接受公式单元格，请先复制后「选择性粘贴 → 数值」。",
        f"CSV 文件请使用 {SUPPORTED_ENCODINGS} 编码。",
        f"单个文件不超过 {DEFAULT_MAX_BYTES // 1024 // 1024} MB、{DEFAULT_MAX_ROWS:,} 行。",
        f"可用标签：{'、'.join(KNOWN_TAGS)}",
    ]
    for note in notes:
        guide.append([note])
    for letter, width in zip("ABCD", (26, 10, 80, 30), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(buffer)
    return buffer.getvalue()


ERROR_REPORT_HEADERS = ("行号", "列", "原因", "原值")


def error_report_bytes(errors: Iterable[RowError], fmt: Format = "xlsx") -> bytes:
    """The row errors as a downloadable file with columns 行号, 列, 原因, 原值."""
    rows = chain([ERROR_REPORT_HEADERS], ((e.row, e.column, e.reason, e.value) for e in errors))
    buffer = io.BytesIO()
    if fmt == "csv":
        _write_csv(rows, buffer)
    elif fmt == "xlsx":
        _write_xlsx(rows, buffer, "错误报告", (8, 24, 60, 30))
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return buffer.getvalue()
