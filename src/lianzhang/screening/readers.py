"""Chunked readers for enterprise files (CSV, XLSX, Parquet, JSONL) and writers for screening results.

Every reader streams: CSV through ``pyarrow.csv.open_csv``, Parquet through ``ParquetFile.iter_batches``,
JSON lines one line at a time and XLSX through openpyxl's read-only mode. Whatever the file's own
blocks or row groups, ``iter_chunks`` yields record batches of exactly ``chunk_rows`` rows (the last
one shorter), so chunk k always holds the same rows: that is what makes a checkpointed run resumable.
"""

from __future__ import annotations

import codecs
import io
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from json.encoder import encode_basestring as _encode_string  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

InputFormat = Literal["csv", "xlsx", "parquet", "jsonl"]
OutputFormat = Literal["csv", "parquet", "jsonl"]

INPUT_SUFFIXES: dict[str, InputFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
OUTPUT_SUFFIXES: dict[str, OutputFormat] = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}

# Accepted header names, in order of preference. Matching ignores case and surrounding spaces.
ID_COLUMNS = ("id", "统一社会信用代码", "credit_code")
TEXT_COLUMNS = ("text", "经营范围", "business_scope")
PRODUCTS_COLUMNS = ("主要产品", "products")
NAME_COLUMNS = ("name", "企业名称")
_ROLE_KEYS = {c.lower() for c in (*ID_COLUMNS, *TEXT_COLUMNS, *PRODUCTS_COLUMNS, *NAME_COLUMNS)}

# The four columns every chunk carries, whatever the file called them; the passed-through columns
# follow as x0, x1 … (their own names could be "scope" or "id").
CHUNK_SCHEMA = pa.schema(
    [("id", pa.string()), ("scope", pa.string()), ("products", pa.string()), ("name", pa.string())]
)
STANDARD_COLUMNS = len(CHUNK_SCHEMA)
OUTPUT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("is_ai_chain", pa.bool_()),
        ("nodes", pa.list_(pa.string())),
        ("primary_node", pa.string()),
        ("national_2018", pa.string()),
        ("confidence", pa.float64()),
        ("needs_review", pa.bool_()),
        ("evidence", pa.string()),
        ("chain_version", pa.string()),
    ]
)
OUTPUT_FIELDS = tuple(OUTPUT_SCHEMA.names)
_OUTPUT_KEYS = {name.lower() for name in OUTPUT_FIELDS}

DEFAULT_CHUNK_ROWS = 20_000
# Files are sniffed and fingerprinted on their first megabyte.
HEAD_BYTES = 1 << 20
# pyarrow's CSV reader reads about 35 blocks ahead of the consumer: 256 KB blocks keep that near 10 MB.
CSV_BLOCK_BYTES = 256 * 1024
# Officers put a title and notes above the header row of a spreadsheet; look this far down for it.
XLSX_HEADER_ROWS = 10
# JSON lines may differ in their keys; the columns offered are those of the first lines.
JSONL_SNIFF_LINES = 1000


class InputError(Exception):
    """The input cannot be screened as asked; the message (Chinese, one line) says why."""


@dataclass(frozen=True)
class Columns:
    """Which header of the input holds the id, the scope text, the products and the name.

    extra: the other columns (district, revenue, tags …), copied as text into the output after the
    classification fields, so that later analysis has the enterprise's figures next to its nodes.
    """

    id: str
    text: str
    products: str | None = None
    name: str | None = None
    extra: tuple[str, ...] = ()

    def selected(self) -> list[str]:
        """The headers to read, without repeats."""
        out: list[str] = []
        for column in (self.id, self.text, self.products, self.name, *self.extra):
            if column is not None and column not in out:
                out.append(column)
        return out

    def headers(self) -> tuple[str | None, ...]:
        """The header behind each chunk column, in chunk order (None: the input has no such column)."""
        return (self.id, self.text, self.products, self.name, *self.extra)

    def describe(self) -> str:
        """One line for the user: which column plays which part."""
        parts = [f"编号={self.id}", f"文本={self.text}"]
        if self.products:
            parts.append(f"产品={self.products}")
        if self.name:
            parts.append(f"名称={self.name}")
        if self.extra:
            parts.append(f"带入输出={'、'.join(self.extra)}")
        return "，".join(parts)


def chunk_schema(columns: Columns) -> pa.Schema:
    """The schema of a chunk: the four standard columns, then x0, x1 … for the passed-through ones."""
    return pa.schema([*CHUNK_SCHEMA, *((f"x{i}", pa.string()) for i in range(len(columns.extra)))])


def output_schema(extra: Sequence[str] = ()) -> pa.Schema:
    """The output schema: the classification fields, then the passed-through columns as text."""
    return pa.schema([*OUTPUT_SCHEMA, *((name, pa.string()) for name in extra)])


# ------------------------------------------------------------------------------------ formats


def input_format(path: Path) -> InputFormat:
    """The input format from the file extension."""
    fmt = INPUT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"不支持的输入文件类型 {path.suffix or '（无扩展名）'}：应为 .csv、.xlsx、.parquet 或 .jsonl"
        )
    return fmt


def output_format(path: Path) -> OutputFormat:
    """The output format from the file extension."""
    fmt = OUTPUT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"不支持的输出文件类型 {path.suffix or '（无扩展名）'}：应为 .parquet、.jsonl 或 .csv"
        )
    return fmt


def detect_encoding(path: Path) -> str:
    """utf-8 when the first megabyte decodes as UTF-8 (with or without BOM), otherwise gb18030."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    try:
        # Incremental, so a character cut at the end of the sample is not taken for bad bytes.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _key(header: str) -> str:
    return header.strip().lower()


def resolve_columns(
    found: Sequence[str],
    *,
    id_column: str | None = None,
    text_column: str | None = None,
    name_column: str | None = None,
    products_column: str | None = None,
) -> Columns:
    """Choose the id, text, products and name columns among the headers found (explicit names win).

    An explicit empty string for the products or name column means "none". Every other column with
    a header is passed through, except those with a name of the four parts (a second scope column is
    bulk, not a figure; a name column refused with "" stays refused) and those named like an output
    field (they would be ambiguous).
    """
    by_key: dict[str, str] = {}
    for header in found:
        by_key.setdefault(_key(header), header)
    listing = "、".join(h for h in found if h.strip()) or "（无）"

    def pick(explicit: str | None, candidates: Sequence[str], label: str, required: bool) -> str | None:
        if explicit is not None:
            if explicit == "" and not required:
                return None
            if explicit in found:
                return explicit
            match = by_key.get(_key(explicit))
            if match is None:
                raise InputError(f"找不到{label}列“{explicit}”；文件中的列：{listing}")
            return match
        for candidate in candidates:
            match = by_key.get(_key(candidate))
            if match is not None:
                return match
        if required:
            option = "--id-column" if label == "编号" else "--text-column"
            accepted = "/".join(candidates)
            raise InputError(
                f"找不到{label}列（可用列名：{accepted}，或用 {option} 指定）；文件中的列：{listing}"
            )
        return None

    id_header = pick(id_column, ID_COLUMNS, "编号", True)
    text_header = pick(text_column, TEXT_COLUMNS, "文本", True)
    assert id_header is not None and text_header is not None
    products_header = pick(products_column, PRODUCTS_COLUMNS, "主要产品", False)
    name_header = pick(name_column, NAME_COLUMNS, "名称", False)
    used = {id_header, text_header, products_header, name_header}
    extra: list[str] = []
    for header in found:
        key = _key(header)
        if key and header not in used and header not in extra and key not in _OUTPUT_KEYS | _ROLE_KEYS:
            extra.append(header)
    return Columns(
        id=id_header, text=text_header, products=products_header, name=name_header, extra=tuple(extra)
    )


def clashing_columns(found: Sequence[str], columns: Columns) -> list[str]:
    """Headers that are neither used nor passed through because an output field has the same name."""
    used = set(columns.headers())
    return [h for h in found if h not in used and _key(h) in _OUTPUT_KEYS - _ROLE_KEYS]


# ------------------------------------------------------------------------------------ cells


def cell_text(value: Any) -> str | None:
    """A cell as text: None stays None, whole-number floats lose their .0, dates use ISO form."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # Spreadsheets store typed numbers as floats; an id typed as 123 must not become "123.0".
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _string_array(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if array.type == pa.string():
        return array
    try:
        return pc.cast(array, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputError(f"无法把 {array.type} 类型的列当作文本读取") from exc


def standard_batch(table: pa.Table | pa.RecordBatch, columns: Columns) -> pa.RecordBatch:
    """Rename and cast the chosen columns to the chunk schema (id, scope, products, name, x0 …)."""
    rows = table.num_rows
    arrays = []
    for header in columns.headers():
        if header is None:
            arrays.append(pa.nulls(rows, pa.string()))
        else:
            arrays.append(_string_array(table.column(header)))
    return pa.RecordBatch.from_arrays(arrays, schema=chunk_schema(columns))


# ------------------------------------------------------------------------------------ readers


class Reader:
    """A streaming source of standard batches; ``position``/``total`` drive the progress bar."""

    unit: str = "行"
    total: int | None = None
    position: int = 0

    def columns(self) -> list[str]:
        """Headers found in the file."""
        raise NotImplementedError

    def batches(self, columns: Columns, batch_rows: int) -> Iterator[pa.RecordBatch]:
        """Standard batches of any size, in file order."""
        raise NotImplementedError


class _CountingFile(io.RawIOBase):
    """A binary file that counts the bytes handed out, so the progress bar can follow a CSV reader."""

    def __init__(self, handle: BinaryIO, owner: Reader) -> None:
        self._handle = handle
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._handle.readinto(buffer)
        self._owner.position += count or 0
        return count or 0

    def close(self) -> None:
        self._handle.close()
        super().close()


class CsvReader(Reader):
    """CSV through pyarrow's streaming reader; UTF-8 (with or without BOM) or GB18030, every column text."""

    unit = "字节"

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.encoding = encoding or detect_encoding(path)
        self.total = path.stat().st_size

    def _open(self, include: list[str] | None) -> pacsv.CSVStreamingReader:
        read = pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, encoding=self.encoding)
        # Scopes copied out of spreadsheets carry line breaks inside quoted cells.
        parse = pacsv.ParseOptions(newlines_in_values=True)
        if include is None:
            convert = pacsv.ConvertOptions()
        else:
            convert = pacsv.ConvertOptions(
                include_columns=include, column_types={c: pa.string() for c in include}
            )
        self.position = 0
        source = io.BufferedReader(_CountingFile(self.path.open("rb"), self), buffer_size=CSV_BLOCK_BYTES)
        try:
            return pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=convert)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            source.close()
            raise InputError(f"无法读取 CSV 文件 {self.path.name}：{_first_line(exc)}") from exc

    def columns(self) -> list[str]:
        reader = self._open(None)
        try:
            return list(reader.schema.names)
        finally:
            reader.close()

    def batches(self, columns: Columns, batch_rows: int) -> Iterator[pa.RecordBatch]:
        reader = self._open(columns.selected())
        try:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                    problem = f"{_first_line(exc)}（编码识别为 {self.encoding}，可用 --encoding 指定）"
                    raise InputError(f"读取 CSV 文件 {self.path.name} 出错：{problem}") from exc
                yield standard_batch(batch, columns)
        finally:
            reader.close()


class ParquetReader(Reader):
    """Parquet through ``iter_batches`` with buffered column reads, so even a huge row group streams."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"无法读取 Parquet 文件 {path.name}：{_first_line(exc)}") from exc
        self.total = self._file.metadata.num_rows

    def columns(self) -> list[str]:
        return list(self._file.schema_arrow.names)

    def batches(self, columns: Columns, batch_rows: int) -> Iterator[pa.RecordBatch]:
        self.position = 0
        for batch in self._file.iter_batches(batch_size=batch_rows, columns=columns.selected()):
            self.position += batch.num_rows
            yield standard_batch(batch, columns)


class JsonlReader(Reader):
    """JSON lines read one line at a time; lines that are not JSON objects are reported and skipped."""

    unit = "字节"

    def __init__(self, path: Path, on_bad_line: Callable[[int, str], None] | None = None) -> None:
        self.path = path
        self.total = path.stat().st_size
        self.on_bad_line = on_bad_line
        self.bad_lines = 0

    def _records(self) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                self.position += len(line)
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    yield number, None, f"不是合法的 JSON（{_first_line(exc)}）"
                    continue
                if not isinstance(data, dict):
                    yield number, None, "应为 JSON 对象"
                    continue
                yield number, data, None

    def columns(self) -> list[str]:
        seen: dict[str, None] = {}
        self.position = 0
        for count, (_, data, _) in enumerate(self._records()):
            if data is not None:
                seen.update(dict.fromkeys(data))
            if count >= JSONL_SNIFF_LINES:
                break
        return list(seen)

    def batches(self, columns: Columns, batch_rows: int) -> Iterator[pa.RecordBatch]:
        self.position = 0
        self.bad_lines = 0
        headers = columns.headers()
        schema = chunk_schema(columns)
        lists: list[list[str | None]] = [[] for _ in headers]
        for number, data, problem in self._records():
            if data is None:
                self.bad_lines += 1
                if self.on_bad_line is not None:
                    self.on_bad_line(number, problem or "")
                continue
            for values, header in zip(lists, headers, strict=True):
                values.append(None if header is None else cell_text(data.get(header)))
            if len(lists[0]) >= batch_rows:
                yield _batch_from_lists(lists, schema)
                lists = [[] for _ in headers]
        if lists[0]:
            yield _batch_from_lists(lists, schema)


class XlsxReader(Reader):
    """The first worksheet through openpyxl's read-only mode; the header may sit below a title."""

    def __init__(self, path: Path, header_hints: Sequence[str] = ()) -> None:
        self.path = path
        self.header_hints = tuple(header_hints)
        self._header_row: int | None = None
        self._headers: list[str] | None = None

    def _open(self) -> Any:
        import openpyxl

        try:
            return openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a bad file
            raise InputError(f"无法读取 Excel 文件 {self.path.name}：{_first_line(exc)}") from exc

    def _find_header(self, sheet: Any) -> tuple[int, list[str]]:
        known = {_key(c) for c in (*ID_COLUMNS, *TEXT_COLUMNS, *self.header_hints) if c}
        first: tuple[int, list[str]] | None = None
        for number, row in enumerate(sheet.iter_rows(max_row=XLSX_HEADER_ROWS, values_only=True), start=1):
            headers = [cell_text(v) or "" for v in row]
            if not any(h.strip() for h in headers):
                continue
            if first is None:
                first = (number, headers)
            if any(_key(h) in known for h in headers):
                return number, headers
        return first or (1, [])

    def columns(self) -> list[str]:
        workbook = self._open()
        try:
            sheet = workbook.worksheets[0]
            self._header_row, self._headers = self._find_header(sheet)
            rows = sheet.max_row
            self.total = max(0, rows - self._header_row) if rows else None
            return [h for h in self._headers if h.strip()]
        finally:
            workbook.close()

    def batches(self, columns: Columns, batch_rows: int) -> Iterator[pa.RecordBatch]:
        if self._headers is None:
            self.columns()
        assert self._headers is not None and self._header_row is not None
        positions = [None if header is None else self._headers.index(header) for header in columns.headers()]
        schema = chunk_schema(columns)
        workbook = self._open()
        self.position = 0
        try:
            sheet = workbook.worksheets[0]
            lists: list[list[str | None]] = [[] for _ in positions]
            for row in sheet.iter_rows(min_row=self._header_row + 1, values_only=True):
                self.position += 1
                if not any(v not in (None, "") for v in row):
                    continue  # blank rows (formatting left below the data) are not records
                for values, at in zip(lists, positions, strict=True):
                    values.append(None if at is None or at >= len(row) else cell_text(row[at]))
                if len(lists[0]) >= batch_rows:
                    yield _batch_from_lists(lists, schema)
                    lists = [[] for _ in positions]
            if lists[0]:
                yield _batch_from_lists(lists, schema)
        finally:
            workbook.close()


def _batch_from_lists(lists: list[list[str | None]], schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(v, pa.string()) for v in lists], schema=schema)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def open_reader(
    path: Path,
    *,
    encoding: str | None = None,
    on_bad_line: Callable[[int, str], None] | None = None,
    header_hints: Sequence[str] = (),
) -> Reader:
    """The streaming reader for a file, chosen by its extension (hints: column names asked for)."""
    if not path.is_file():
        raise InputError(f"输入文件不存在：{path}")
    fmt = input_format(path)
    if fmt == "csv":
        return CsvReader(path, encoding)
    if fmt == "parquet":
        return ParquetReader(path)
    if fmt == "jsonl":
        return JsonlReader(path, on_bad_line)
    return XlsxReader(path, header_hints)


def iter_chunks(reader: Reader, columns: Columns, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    """Standard batches of exactly chunk_rows rows (the last may be shorter), never more than one buffered."""
    schema = chunk_schema(columns)
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in reader.batches(columns, chunk_rows):
        pending.append(batch)
        held += batch.num_rows
        while held >= chunk_rows:
            table = pa.Table.from_batches(pending, schema=schema)
            chunk = table.slice(0, chunk_rows).combine_chunks().to_batches()
            rest = table.slice(chunk_rows)
            yield chunk[0] if chunk else pa.RecordBatch.from_pylist([], schema=schema)
            # Copy the remainder out, so that the big source batch it was sliced from can be freed.
            pending = rest.combine_chunks().to_batches() if rest.num_rows else []
            held = rest.num_rows
    if held:
        yield pa.Table.from_batches(pending, schema=schema).combine_chunks().to_batches()[0]


# ------------------------------------------------------------------------------------ writers


def _csv_table(table: pa.Table) -> pa.Table:
    """The result table as CSV can hold it: the node list joined by semicolons."""
    index = table.schema.get_field_index("nodes")
    return table.set_column(index, "nodes", pc.binary_join(table.column("nodes"), ";"))


def encode_csv(table: pa.Table, header: bool) -> bytes:
    """CSV bytes of a result table (UTF-8, header optional)."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(_csv_table(table), sink, write_options=pacsv.WriteOptions(include_header=header))
    return sink.getvalue().to_pybytes()


def _json_text(value: str | None) -> str:
    return "null" if value is None else _encode_string(value)


def encode_jsonl_rows(rows: dict[str, list[Any]], extra: Sequence[str] = ()) -> bytes:
    """JSON-lines bytes of result columns: exactly json.dumps(row, ensure_ascii=False) for each row.

    Assembled from json's own C string encoder and float repr, because building a dict per row and
    dumping it took several times longer than classifying the record. extra: the passed-through
    text columns, written after the classification fields.
    """
    lines = [
        f'{{"id": {_json_text(i)}, "name": {_json_text(name)}, "is_ai_chain": {"true" if ai else "false"}, '
        f'"nodes": [{", ".join(map(_encode_string, nodes))}], "primary_node": {_json_text(primary)}, '
        f'"national_2018": {_json_text(national)}, "confidence": {float.__repr__(float(confidence))}, '
        f'"needs_review": {"true" if review else "false"}, "evidence": {_json_text(evidence)}, '
        f'"chain_version": {_json_text(version)}'
        for i, name, ai, nodes, primary, national, confidence, review, evidence, version in zip(
            *(rows[field] for field in OUTPUT_FIELDS), strict=True
        )
    ]
    if extra:
        keys = [f", {_encode_string(name)}: " for name in extra]
        for index, values in enumerate(zip(*(rows[name] for name in extra), strict=True)):
            lines[index] += "".join(key + _json_text(value) for key, value in zip(keys, values, strict=True))
    return ("}\n".join(lines) + "}\n").encode("utf-8") if lines else b""


def csv_header(schema: pa.Schema = OUTPUT_SCHEMA) -> bytes:
    """The header line of the CSV output, with a BOM so that Excel on Chinese Windows reads UTF-8."""
    return codecs.BOM_UTF8 + encode_csv(schema.empty_table(), header=True)


def write_part(
    rows: dict[str, list[Any]], path: Path, fmt: OutputFormat, schema: pa.Schema = OUTPUT_SCHEMA
) -> None:
    """Write one chunk's results to path in the output format (CSV without header); atomic by rename."""
    tmp = path.with_name(path.name + ".tmp")
    if fmt == "jsonl":
        tmp.write_bytes(encode_jsonl_rows(rows, schema.names[len(OUTPUT_FIELDS) :]))
    else:
        table = pa.table(rows, schema=schema)
        if fmt == "csv":
            tmp.write_bytes(encode_csv(table, header=False))
        else:
            pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)


class OutputSink:
    """The single output file, written from result tables (or finished part files) in order."""

    def __init__(self, path: Path, fmt: OutputFormat, schema: pa.Schema = OUTPUT_SCHEMA) -> None:
        self.path = path
        self.fmt = fmt
        self.schema = schema
        self.rows = 0
        self._tmp = path.with_name(path.name + ".tmp")
        self._writer: pq.ParquetWriter | None = None
        self._handle: BinaryIO | None = None
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")
        else:
            self._handle = self._tmp.open("wb")
            if fmt == "csv":
                self._handle.write(csv_header(schema))

    def write_table(self, table: pa.Table) -> None:
        """Append a result table."""
        table = table.select(self.schema.names).cast(self.schema)
        self.rows += table.num_rows
        if self._writer is not None:
            self._writer.write_table(table)
        elif self.fmt == "csv":
            assert self._handle is not None
            self._handle.write(encode_csv(table, header=False))
        else:
            assert self._handle is not None
            self._handle.write(encode_jsonl_rows(table.to_pydict(), self.schema.names[len(OUTPUT_FIELDS) :]))

    def append_part(self, part: Path) -> None:
        """Append a finished part file written by write_part in the same format."""
        if self._writer is not None:
            source = pq.ParquetFile(part)
            for group in range(source.num_row_groups):
                self.write_table(source.read_row_group(group))
            return
        assert self._handle is not None
        with part.open("rb") as handle:
            while block := handle.read(1 << 20):
                self._handle.write(block)

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._writer is not None:
            self._writer.close()
        if self._handle is not None:
            self._handle.close()
        self._tmp.replace(self.path)

    def abort(self) -> None:
        """Drop the unfinished file."""
        try:
            if self._writer is not None:
                self._writer.close()
            if self._handle is not None:
                self._handle.close()
        finally:
            self._tmp.unlink(missing_ok=True)
