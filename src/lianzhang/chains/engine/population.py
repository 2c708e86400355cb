"""Enterprise populations read with DuckDB: `lianzhang screen` outputs (Parquet, CSV, JSONL) as one shape.

A population file holds the screening fields (id, name, is_ai_chain, nodes, primary_node, confidence,
needs_review …) and whatever enterprise columns the registry carried through screening, as text and
under the registry's own headers. ``population_sql`` turns such a file into a relation with fixed,
typed columns, so that millions of reference records are aggregated by DuckDB straight from Parquet
and never pass through Python one by one.

Money is turned into integer fen. Headers say their unit: ``revenue``/``营业收入`` are yuan,
``revenue_fen`` fen, ``营业收入（万元）`` ten thousand yuan. Growth is a fraction (0.25), or a percentage
when the cell ends in % ("25%").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb


class PopulationError(Exception):
    """A population file cannot be read as asked; the message (Chinese, one line) says why."""


# Canonical field -> accepted headers (compared after normalising case, spaces and brackets).
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "district": (
        "district",
        "district_code",
        "region",
        "region_code",
        "区划代码",
        "行政区划代码",
        "所属区",
        "所在区",
        "区县",
        "所属区县",
    ),
    "tags": ("tags", "标签", "企业标签", "资质", "企业资质"),
}
# Money headers with the factor that turns their values into fen.
MONEY_FIELDS: dict[str, tuple[tuple[str, int], ...]] = {
    "revenue_fen": (
        ("revenue_fen", 1),
        ("revenue", 100),
        ("revenue_yuan", 100),
        ("营业收入", 100),
        ("营收", 100),
        ("营业收入(元)", 100),
        ("营业收入(万元)", 1_000_000),
        ("营收(万元)", 1_000_000),
    ),
    "rd_fen": (
        ("rd_fen", 1),
        ("rd_spend", 100),
        ("rd", 100),
        ("研发投入", 100),
        ("研发费用", 100),
        ("研发投入(元)", 100),
        ("研发投入(万元)", 1_000_000),
        ("研发费用(万元)", 1_000_000),
    ),
}
COUNT_FIELDS: dict[str, tuple[str, ...]] = {
    "patents": ("patents", "patent_count", "专利", "专利数", "有效专利数", "专利数量"),
    "employees": ("employees", "staff", "从业人数", "员工人数", "参保人数", "职工人数"),
}
GROWTH_HEADERS = ("growth", "revenue_growth", "营收增长率", "营业收入增长率", "增长率")
FOUNDED_HEADERS = ("founded_year", "founded", "成立年份", "成立日期", "成立时间")
LEADER_HEADERS = ("leader", "is_leader", "链主", "龙头", "链主企业", "龙头企业", "链主/龙头")
# Yes/no columns that stand for a tag; their tag name is added to the tags text when the cell says yes.
TAG_FLAG_HEADERS: dict[str, tuple[str, ...]] = {
    "专精特新": ("专精特新", "专精特新企业", "specialized"),
    "高新": ("高新", "高新技术企业", "高企", "high_tech"),
    "上市": ("上市", "上市企业", "上市公司", "listed"),
}
# Words that say "no" in a yes/no cell; anything else that is not empty says yes (是, 1, true, 链主 …).
NO_WORDS = ("", "0", "false", "no", "n", "f", "否", "无", "不是", "非")
# The tags the ranking knows, with the words that show them in the tags text.
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "专精特新": ("专精特新", "小巨人"),
    "高新": ("高新", "高企"),
    "上市": ("上市",),
    "独角兽": ("独角兽",),
    "瞪羚": ("瞪羚",),
}
LEADER_WORDS = ("链主", "龙头")

SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _key(header: str) -> str:
    key = header.strip().lower().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", key)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Population:
    """A population file, the typed relation DuckDB reads it as (sql), and the raw reader expression."""

    path: Path
    label: str
    sql: str
    fields: tuple[str, ...]
    reader: str

    def has(self, field: str) -> bool:
        """Whether the file carries this enterprise field (district, revenue_fen …)."""
        return field in self.fields


def _reader_sql(path: Path, fmt: str) -> str:
    source = _literal(str(path))
    if fmt == "parquet":
        return f"read_parquet({source})"
    if fmt == "csv":
        # Every column as text, as screening wrote it; the node list is split on ; below.
        return f"read_csv({source}, header = true, all_varchar = true)"
    return f"read_json({source}, format = 'newline_delimited')"


def describe(connection: duckdb.DuckDBPyConnection, path: Path, label: str) -> tuple[str, dict[str, str]]:
    """The reader SQL for a file and its columns with their DuckDB types; PopulationError if unreadable."""
    if not path.is_file():
        raise PopulationError(f"{label}文件不存在：{path}")
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise PopulationError(
            f"{label}文件类型 {path.suffix or '（无扩展名）'} 不支持：应为 lianzhang screen 输出的 "
            ".parquet、.csv 或 .jsonl"
        )
    reader = _reader_sql(path, fmt)
    try:
        rows = connection.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PopulationError(f"无法读取{label}文件 {path.name}：{first}") from None
    return reader, {str(row[0]): str(row[1]) for row in rows}


def _find(columns: dict[str, str], headers: Sequence[str]) -> str | None:
    by_key = {_key(c): c for c in reversed(list(columns))}
    for header in headers:
        found = by_key.get(_key(header))
        if found is not None:
            return found
    return None


NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
NUMERIC_TYPES += ("UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def _text(column: str, types: dict[str, str]) -> str:
    if types[column] == "VARCHAR":
        return f"NULLIF(TRIM({_quote(column)}), '')"
    return f"CAST({_quote(column)} AS VARCHAR)"


def _number(column: str, types: dict[str, str]) -> str:
    if types[column].startswith(NUMERIC_TYPES):
        return f"CAST({_quote(column)} AS DOUBLE)"
    # Most cells are plain numbers; only the rest pay for removing separators, spaces and % signs.
    text = _text(column, types)
    cleaned = f"regexp_replace({text}, '[,，\\s%]', '', 'g')"
    return f"COALESCE(TRY_CAST({text} AS DOUBLE), TRY_CAST({cleaned} AS DOUBLE))"


def _flag(column: str, types: dict[str, str]) -> str:
    if types[column] == "BOOLEAN":
        return f"COALESCE({_quote(column)}, false)"
    return f"(lower(COALESCE({_text(column, types)}, '')) IN ('true', '1', 't'))"


def _yes(column: str, types: dict[str, str]) -> str:
    if types[column] == "BOOLEAN":
        return f"COALESCE({_quote(column)}, false)"
    words = ", ".join(_literal(w) for w in NO_WORDS)
    return f"(COALESCE(lower({_text(column, types)}), '') NOT IN ({words}))"


def population_sql(path: Path, label: str, connection: duckdb.DuckDBPyConnection) -> Population:
    """The typed relation for a screening output; PopulationError names a missing column or bad file.

    Columns: id, name, on_chain (is_ai_chain, or a node when the file has no such column), nodes (list),
    primary_node, confidence, needs_review, district,
    revenue_fen, rd_fen, patents, employees, growth, founded_year, tags, leader.
    """
    reader, columns = describe(connection, path, label)
    listing = "、".join(columns) or "（无）"
    id_column = _find(columns, ("id",))
    nodes_column = _find(columns, ("nodes",))
    missing = [name for name, found in (("id", id_column), ("nodes", nodes_column)) if found is None]
    if missing:
        raise PopulationError(
            f"{label}文件 {path.name} 缺少列 {'、'.join(missing)}（应为 lianzhang screen 的输出）；"
            f"文件中的列：{listing}"
        )
    assert id_column is not None and nodes_column is not None
    if columns[nodes_column] == "VARCHAR[]":
        nodes = _quote(nodes_column)
    elif columns[nodes_column].endswith("[]"):
        nodes = f"CAST({_quote(nodes_column)} AS VARCHAR[])"
    else:
        # CSV output joins the nodes with semicolons.
        nodes = (
            f"list_filter(string_split(COALESCE({_text(nodes_column, columns)}, ''), ';'), lambda n: n <> '')"
        )
    select = [f"{_text(id_column, columns)} AS id"]
    fields: list[str] = []
    name = _find(columns, ("name",))
    select.append(f"COALESCE({_text(name, columns)}, '') AS name" if name else "'' AS name")
    ai = _find(columns, ("is_ai_chain",))
    select.append(f"{nodes} AS nodes")
    # A chain enterprise is what screening said (is_ai_chain), even without a specific node; reading
    # that one flag also spares the totals from decoding every node list.
    on_chain = _flag(ai, columns) if ai is not None else f"len({nodes}) > 0"
    select.append(f"{on_chain} AS on_chain")
    primary = _find(columns, ("primary_node",))
    select.append(f"{_text(primary, columns)} AS primary_node" if primary else f"{nodes}[1] AS primary_node")
    confidence = _find(columns, ("confidence",))
    select.append(
        f"COALESCE({_number(confidence, columns)}, 0.5) AS confidence" if confidence else "0.5 AS confidence"
    )
    review = _find(columns, ("needs_review",))
    select.append(f"{_flag(review, columns)} AS needs_review" if review else "false AS needs_review")
    for field, headers in TEXT_FIELDS.items():
        if field == "tags":
            continue
        column = _find(columns, headers)
        select.append(f"{_text(column, columns)} AS {field}" if column else f"NULL::VARCHAR AS {field}")
        if column:
            fields.append(field)
    for field, options in MONEY_FIELDS.items():
        expression = "NULL::BIGINT"
        for header, factor in options:
            column = _find(columns, (header,))
            if column is not None:
                expression = f"CAST(round({_number(column, columns)} * {factor}) AS BIGINT)"
                fields.append(field)
                break
        select.append(f"{expression} AS {field}")
    for field, headers in COUNT_FIELDS.items():
        column = _find(columns, headers)
        select.append(
            f"CAST(round({_number(column, columns)}) AS BIGINT) AS {field}"
            if column
            else f"NULL::BIGINT AS {field}"
        )
        if column:
            fields.append(field)
    growth = _find(columns, GROWTH_HEADERS)
    if growth is not None:
        fields.append("growth")
        select.append(
            f"CASE WHEN {_text(growth, columns)} LIKE '%\\%%' ESCAPE '\\' "
            f"THEN {_number(growth, columns)} / 100 ELSE {_number(growth, columns)} END AS growth"
        )
    else:
        select.append("NULL::DOUBLE AS growth")
    founded = _find(columns, FOUNDED_HEADERS)
    if founded is not None:
        fields.append("founded_year")
        select.append(
            f"TRY_CAST(regexp_extract({_text(founded, columns)}, '(\\d{{4}})', 1) AS INTEGER) AS founded_year"
        )
    else:
        select.append("NULL::INTEGER AS founded_year")
    tag_parts = []
    tags = _find(columns, TEXT_FIELDS["tags"])
    if tags is not None:
        tag_parts.append(f"COALESCE({_text(tags, columns)}, '')")
    for tag, headers in TAG_FLAG_HEADERS.items():
        column = _find(columns, headers)
        if column is not None:
            tag_parts.append(f"CASE WHEN {_yes(column, columns)} THEN {_literal(';' + tag)} ELSE '' END")
    leader = _find(columns, LEADER_HEADERS)
    if leader is not None:
        tag_parts.append(f"CASE WHEN {_yes(leader, columns)} THEN ';链主' ELSE '' END")
    if tag_parts:
        fields.append("tags")
        tags_sql = " || ".join(tag_parts)
    else:
        tags_sql = "''"
    select.append(f"{tags_sql} AS tags")
    if tag_parts:
        fields.append("leader")
    leader_test = " OR ".join(f"({tags_sql}) LIKE {_literal('%' + w + '%')}" for w in LEADER_WORDS)
    select.append(f"({leader_test}) AS leader")
    sql = f"SELECT {', '.join(select)} FROM {reader}"
    return Population(path=path, label=label, sql=sql, fields=tuple(dict.fromkeys(fields)), reader=reader)


def tag_sql(tag: str, column: str = "tags") -> str:
    """SQL that is true when the tags text shows this tag."""
    return "(" + " OR ".join(f"{column} LIKE {_literal('%' + w + '%')}" for w in TAG_WORDS[tag]) + ")"


def node_case(values: dict[str, Any], variable: str = "n", default: str = "NULL") -> str:
    """A CASE expression mapping node ids to SQL literals (numbers as given), for use inside lambdas."""
    if not values:
        return default
    arms = " ".join(f"WHEN {_literal(node)} THEN {value}" for node, value in values.items())
    return f"CASE {variable} {arms} ELSE {default} END"


def literal(text: str) -> str:
    """A SQL string literal."""
    return _literal(text)


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection (threads: DuckDB's default is every core)."""
    connection = duckdb.connect(":memory:")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    return connection
