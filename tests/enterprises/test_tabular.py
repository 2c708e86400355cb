"""Reading and writing enterprise registry files (.csv and .xlsx)."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from lianzhang.codes import make_credit_code
from lianzhang.enterprises import tabular
from lianzhang.enterprises.records import KNOWN_TAGS, EnterpriseRecord, YearFigures
from lianzhang.enterprises.tabular import (
    COLUMNS,
    FORMULA_REASON,
    HEADERS,
    FileRejected,
    ParseResult,
    RowError,
    error_report_bytes,
    read_enterprise_file,
    template_bytes,
    write_enterprise_file,
)

CODE_A = "91440300708461136T"
DIVISIONS = {"440305": "南山区", "440304": "福田区"}
NAMES = {name: code for code, name in DIVISIONS.items()}
SRC = Path(__file__).resolve().parents[2] / "src"


def resolve(text: str) -> tuple[str | None, str | None]:
    """A stand-in for the registry's division lookup: accepts a code or a name."""
    if text in DIVISIONS:
        return text, None
    if text in NAMES:
        return NAMES[text], None
    return None, f"未知区划「{text}」"


def code(i: int) -> str:
    return make_credit_code(f"91440300{i:09d}")


def row(**values: object) -> list[object]:
    """A data row in the order of HEADERS, by column key; unnamed columns are empty."""
    return [values.get(col.key, "") for col in COLUMNS]


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", header: list[str] | None = None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header or list(HEADERS))
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def read_csv(data: bytes, **kwargs: object) -> ParseResult:
    return read_enterprise_file(io.BytesIO(data), "企业.csv", resolve, **kwargs)


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


def errors_at(result: ParseResult) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in result.errors}


def reason(result: ParseResult, row_no: int, column: str) -> str:
    matches = [e.reason for e in result.errors if e.row == row_no and e.column == column]
    assert matches, f"no error at row {row_no} column {column}: {result.errors}"
    return matches[0]


# --- valid files -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_valid_csv_is_read_in_each_supported_encoding(encoding):
    data = csv_bytes(
        [
            row(
                credit_code=CODE_A,
                name="深圳示例智能科技有限公司",
                division_code="南山区",
                short_name="示例智能",
                founded_on="2019/3/5",
                registered_capital_fen="1000",
                tags="高新技术企业、专精特新",
                year="2023",
                revenue_fen="5000",
                employees="120",
                patents="15",
            ),
            row(credit_code=code(2), name="福田算法有限公司", division_code="440304"),
        ],
        encoding,
    )
    result = read_csv(data)
    assert result.ok, result.errors
    assert result.total_rows == 2
    first, second = result.records
    assert first == EnterpriseRecord(
        credit_code=CODE_A,
        name="深圳示例智能科技有限公司",
        division_code="440305",
        short_name="示例智能",
        founded_on=date(2019, 3, 5),
        registered_capital_fen=1_000_0000_00,
        tags=["高新技术企业", "专精特新"],
        figures=[YearFigures(2023, revenue_fen=5000_0000_00, employees=120, patents=15)],
        source_row=2,
    )
    assert second.division_code == "440304"
    assert second.figures == []
    assert second.source_row == 3


def test_xlsx_with_title_rows_and_real_date_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "名录.xlsx",
        [
            ["2023 年人工智能企业名录"],
            ["填报单位：南山区科技局", None, None, "填报日期：2024-01-10"],
            list(HEADERS),
            row(
                credit_code=CODE_A,
                name="示例科技",
                division_code=440305,
                founded_on=datetime(2019, 3, 5),
                registered_capital_fen=1200.5,
                year=2023,
                revenue_fen=0.1 + 0.2,
                employees=120,
            ),
            [],
            row(credit_code=code(7), name="第二家", division_code="福田区", founded_on="2020年1月2日"),
            row(credit_code="bad", name="第三家", division_code="福田区"),
        ],
    )
    result = read_enterprise_file(path, "名录.xlsx", resolve)
    assert result.total_rows == 3
    first, second = result.records
    assert first.source_row == 4
    assert first.founded_on == date(2019, 3, 5)
    assert first.division_code == "440305"
    assert first.registered_capital_fen == 1200_5000_00  # 1200.5 万元
    # 0.1 + 0.2 is stored as 0.30000000000000004; Excel shows 0.3 and so do we.
    assert first.figures == [YearFigures(2023, revenue_fen=3000_00, employees=120)]
    assert second.source_row == 6
    assert second.founded_on == date(2020, 1, 2)
    assert errors_at(result) == {(7, "统一社会信用代码*")}


def test_header_spelling_is_tolerated():
    header = [
        "统一社会信用代码",
        " 企业 名称 * ",
        "所在区划",
        "注册资本（万元）",
        "营业收入 (元)",
        "年度",
        "备注",
    ]
    data = csv_bytes([[CODE_A, "示例", "南山区", "１２００", "3000000", "2023", "随便写"]], header=header)
    result = read_csv(data)
    assert result.ok, result.errors
    record = result.records[0]
    assert record.registered_capital_fen == 1200_0000_00
    assert record.figures[0].revenue_fen == 3_000_000_00


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03-05", date(2019, 3, 5)),
        ("2019/3/5", date(2019, 3, 5)),
        ("2019年3月5日", date(2019, 3, 5)),
        ("20190305", date(2019, 3, 5)),
        ("2019/3/5 0:00", date(2019, 3, 5)),
    ],
)
def test_date_forms(text, expected):
    result = read_csv(
        csv_bytes([row(credit_code=CODE_A, name="甲", division_code="南山区", founded_on=text)])
    )
    assert result.ok, result.errors
    assert result.records[0].founded_on == expected


@pytest.mark.parametrize(
    ("header", "cell", "fen"),
    [
        ("注册资本(万元)", "1200", 1200 * 10_000 * 100),
        ("注册资本(万元)", "1200万元", 1200 * 10_000 * 100),
        ("注册资本(万元)", "1200万", 1200 * 10_000 * 100),
        ("注册资本(万元)", "1.2亿元", 120_000_000 * 100),
        ("注册资本(万元)", "3,000,000元", 3_000_000 * 100),
        ("注册资本(万元)", "３，０００．５元", 3000_50),
        ("注册资本(万元)", "0.000001", 1),
        ("注册资本(元)", "3000000", 3_000_000 * 100),
        ("注册资本(元)", "0.1", 10),
        ("注册资本(元)", "¥12.34", 1234),
        ("注册资本（亿元）", "0.5", 50_000_000 * 100),
        ("注册资本(千元)", "1.5", 1500_00),
        ("注册资本(万元)", "123456789012.345678", 123456789012345678),
    ],
)
def test_money_units_give_exact_fen(header, cell, fen):
    data = csv_bytes(
        [[CODE_A, "甲", "南山区", cell]], header=["统一社会信用代码*", "企业名称*", "所在区划*", header]
    )
    result = read_csv(data)
    assert result.ok, result.errors
    assert result.records[0].registered_capital_fen == fen


@pytest.mark.parametrize(
    ("header", "cell", "why"),
    [
        ("注册资本(万元)", "-5", "负数"),
        ("注册资本(元)", "0.001", "精确到分"),
        ("注册资本(万元)", "0.0000001", "精确到分"),
        ("注册资本(万元)", "一千万", "无法识别"),
        ("注册资本(万元)", "1,2345", "无法识别"),
        ("注册资本(万元)", "1.2E+07", "科学计数法"),
        ("注册资本(万元)", "1200美元", "无法识别"),
    ],
)
def test_bad_money_is_a_row_error(header, cell, why):
    data = csv_bytes(
        [[CODE_A, "甲", "南山区", cell]], header=["统一社会信用代码*", "企业名称*", "所在区划*", header]
    )
    result = read_csv(data)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(2, header, cell)]
    assert why in result.errors[0].reason


def test_unknown_unit_in_header_rejects_the_file():
    data = csv_bytes(
        [[CODE_A, "甲", "南山区", "1"]],
        header=["统一社会信用代码*", "企业名称*", "所在区划*", "营业收入(美元)"],
    )
    with pytest.raises(FileRejected, match="单位「美元」"):
        read_csv(data)


# --- row errors --------------------------------------------------------------------------------


def test_each_kind_of_row_error_is_reported_with_row_and_column():
    future = (date.today() + timedelta(days=1)).isoformat()
    next_year = str(date.today().year + 1)
    bad_code = CODE_A[:-1] + "U"
    data = csv_bytes(
        [
            row(credit_code=bad_code, name="甲", division_code="南山区"),  # 2
            row(credit_code=code(3), name="  ", division_code="南山区"),  # 3
            row(credit_code=code(4), name="丙", division_code="火星区"),  # 4
            row(credit_code=code(5), name="丁", division_code="南山区", founded_on="2019-02-30"),  # 5
            row(credit_code=code(6), name="戊", division_code="南山区", founded_on=future),  # 6
            row(
                credit_code=code(7),
                name="己",
                division_code="南山区",
                year="2023",
                employees="12.5",
                patents="-3",
            ),  # 7
            row(credit_code=code(8), name="庚", division_code="南山区", year="1900"),  # 8
            row(credit_code=code(9), name="辛", division_code="南山区", year=next_year),  # 9
            row(credit_code=code(10), name="壬", division_code="南山区", tags="专精特新、网红企业"),  # 10
            row(credit_code=code(11), name="名" * 201, division_code="南山区"),  # 11
            row(credit_code=code(12), name="癸", division_code="南山区", revenue_fen="100"),  # 12
            row(credit_code="", name="", division_code="", short_name="只有简称"),  # 13
            row(credit_code=code(14), name="子", division_code="南山区", founded_on="去年"),  # 14
            row(credit_code="9144030070846113I6", name="丑", division_code="南山区"),  # 15
        ]
    )
    result = read_csv(data)
    assert not result.ok
    assert result.total_rows == 14
    assert result.records == []
    assert errors_at(result) == {
        (2, "统一社会信用代码*"),
        (3, "企业名称*"),
        (4, "所在区划*"),
        (5, "成立日期"),
        (6, "成立日期"),
        (7, "从业人员"),
        (7, "专利数"),
        (8, "年度"),
        (9, "年度"),
        (10, "标签"),
        (11, "企业名称*"),
        (12, "年度"),
        (13, "统一社会信用代码*"),
        (13, "企业名称*"),
        (13, "所在区划*"),
        (14, "成立日期"),
        (15, "统一社会信用代码*"),
    }
    assert "校验位" in reason(result, 2, "统一社会信用代码*")
    assert reason(result, 3, "企业名称*") == "必填项为空"
    assert reason(result, 4, "所在区划*") == "未知区划「火星区」"
    assert "不存在" in reason(result, 5, "成立日期")
    assert "晚于今天" in reason(result, 6, "成立日期")
    assert "整数" in reason(result, 7, "从业人员")
    assert "负数" in reason(result, 7, "专利数")
    assert "1949" in reason(result, 8, "年度")
    tag_reason = reason(result, 10, "标签")
    assert "网红企业" in tag_reason and all(tag in tag_reason for tag in KNOWN_TAGS)
    assert "200" in reason(result, 11, "企业名称*")
    assert "年度" in reason(result, 12, "年度")
    assert "非法字符" in reason(result, 15, "统一社会信用代码*")
    bad = next(e for e in result.errors if e.row == 2)
    assert bad.value == bad_code


def test_valid_rows_are_kept_next_to_bad_ones():
    data = csv_bytes(
        [
            row(credit_code=CODE_A, name="甲", division_code="南山区"),
            row(credit_code=code(2), name="乙", division_code="无此区"),
        ]
    )
    result = read_csv(data)
    assert [r.name for r in result.records] == ["甲"]
    assert errors_at(result) == {(3, "所在区划*")}


def test_tags_accept_every_separator_and_drop_repeats():
    data = csv_bytes(
        [
            row(
                credit_code=CODE_A,
                name="甲",
                division_code="南山区",
                tags="高新技术企业,专精特新；瞪羚;小巨人，链主、瞪羚",
            )
        ]
    )
    result = read_csv(data)
    assert result.ok, result.errors
    assert result.records[0].tags == ["高新技术企业", "专精特新", "瞪羚", "小巨人", "链主"]


def test_duplicate_credit_codes_point_back_to_the_first_row():
    data = csv_bytes(
        [
            row(credit_code=CODE_A, name="甲", division_code="南山区"),  # 2
            row(credit_code=code(2), name="乙", division_code="南山区"),  # 3
            row(credit_code=CODE_A.lower(), name="甲二", division_code="南山区"),  # 4
            row(credit_code=CODE_A, name="甲三", division_code="无此区"),  # 5
        ]
    )
    result = read_csv(data)
    assert [r.name for r in result.records] == ["甲", "乙"]
    dupes = [e for e in result.errors if e.column == "统一社会信用代码*"]
    assert [(e.row, e.reason) for e in dupes] == [(4, "与第 2 行重复"), (5, "与第 2 行重复")]
    assert errors_at(result) == {(4, "统一社会信用代码*"), (5, "统一社会信用代码*"), (5, "所在区划*")}


def test_formula_cells_in_xlsx_are_refused_not_evaluated(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [
            list(HEADERS),
            row(
                credit_code=CODE_A,
                name='=CONCAT("示例","科技")',
                division_code="南山区",
                year=2023,
                revenue_fen="=1+2",
            ),
            row(credit_code=code(2), name="乙", division_code="南山区"),
        ],
    )
    result = read_enterprise_file(path, "f.xlsx", resolve)
    assert errors_at(result) == {(2, "企业名称*"), (2, "营业收入(万元)")}
    assert {e.reason for e in result.errors} == {FORMULA_REASON}
    assert {e.value for e in result.errors} == {'=CONCAT("示例","科技")', "=1+2"}
    assert [r.name for r in result.records] == ["乙"]


def test_formula_like_csv_cells_are_refused_but_negative_numbers_are_numbers():
    data = csv_bytes(
        [
            row(credit_code=CODE_A, name="=1+2", division_code="南山区"),  # 2
            row(credit_code=code(2), name="+SUM(A1)", division_code="南山区"),  # 3
            row(credit_code=code(3), name="@SUM(A1)", division_code="南山区"),  # 4
            row(credit_code=code(4), name="-A1", division_code="南山区"),  # 5
            row(credit_code=code(5), name="戊", division_code="南山区", registered_capital_fen="-5"),  # 6
            row(credit_code=code(6), name="-(1)", division_code="南山区"),  # 7
            row(credit_code=code(7), name="- 人工智能", division_code="南山区"),  # 8
        ]
    )
    result = read_csv(data)
    formula_rows = {e.row for e in result.errors if e.reason == FORMULA_REASON}
    assert formula_rows == {2, 3, 4, 5, 7}
    assert "负数" in reason(result, 6, "注册资本(万元)")
    assert [r.name for r in result.records] == ["- 人工智能"]


def test_error_values_in_xlsx_are_row_errors(tmp_path):
    path = tmp_path / "e.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADERS))
    sheet.append(row(credit_code=CODE_A, name="甲", division_code="南山区"))
    sheet["G2"].value = "#N/A"
    sheet["G2"].data_type = "e"
    workbook.save(path)
    result = read_enterprise_file(path, "e.xlsx", resolve)
    assert errors_at(result) == {(2, "注册资本(万元)")}


def test_numeric_credit_code_cell_gets_a_useful_hint(tmp_path):
    path = write_xlsx(
        tmp_path / "n.xlsx",
        [list(HEADERS), row(credit_code=9.14403007084611e17, name="甲", division_code="南山区")],
    )
    result = read_enterprise_file(path, "n.xlsx", resolve)
    assert "文本格式" in reason(result, 2, "统一社会信用代码*")


# --- whole-file problems -----------------------------------------------------------------------


def test_missing_required_column_names_it_and_lists_found_columns():
    data = csv_bytes([[CODE_A, "甲"]], header=["统一社会信用代码*", "企业名称*", "备注"])
    with pytest.raises(FileRejected) as excinfo:
        read_csv(data)
    message = str(excinfo.value)
    assert "缺少必填列：所在区划*" in message
    assert "统一社会信用代码*、企业名称*、备注" in message


def test_header_further_down_than_ten_rows_is_not_found(tmp_path):
    rows: list[list[object]] = [[f"说明第 {i} 行"] for i in range(10)]
    rows += [list(HEADERS), row(credit_code=CODE_A, name="甲", division_code="南山区")]
    path = write_xlsx(tmp_path / "deep.xlsx", rows)
    with pytest.raises(FileRejected, match="缺少必填列"):
        read_enterprise_file(path, "deep.xlsx", resolve)


def test_same_column_twice_is_refused():
    data = csv_bytes(
        [[CODE_A, "甲", "南山区", "1"]], header=["统一社会信用代码*", "企业名称*", "所在区划*", "企业名称"]
    )
    with pytest.raises(FileRejected, match="同一列"):
        read_csv(data)


@pytest.mark.parametrize(
    "data",
    [
        "统一社会信用代码*,企业名称*,所在区划*\n91440300708461136T,示例,南山区\n".encode("utf-16"),
        "统一社会信用代码*,企业名称*,所在区划*\n".encode("utf-16-le"),
        random.Random(7).randbytes(4096),
    ],
    ids=["utf-16", "utf-16-no-bom", "random-bytes"],
)
def test_undecodable_csv_names_the_supported_encodings(data):
    with pytest.raises(FileRejected) as excinfo:
        read_csv(data)
    assert "UTF-8" in str(excinfo.value) and "GB18030" in str(excinfo.value)


@pytest.mark.parametrize("filename", ["企业.txt", "企业.xls", "企业", "企业.json"])
def test_unsupported_extensions_are_refused(filename):
    with pytest.raises(FileRejected, match="xlsx"):
        read_enterprise_file(io.BytesIO(b"a,b\n"), filename, resolve)


@pytest.mark.parametrize("filename", ["空.csv", "空.xlsx"])
def test_empty_file_is_refused(filename):
    with pytest.raises(FileRejected, match="文件为空"):
        read_enterprise_file(io.BytesIO(b""), filename, resolve)


def test_csv_with_only_a_bom_is_empty():
    with pytest.raises(FileRejected, match="文件为空"):
        read_csv(b"\xef\xbb\xbf\r\n")


def test_fifty_megabyte_file_is_refused_quickly_without_reading_it(tmp_path):
    path = tmp_path / "big.xlsx"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no need to write 50 MB to make the test
    started = time.perf_counter()
    with pytest.raises(FileRejected, match="文件过大"):
        read_enterprise_file(path, "big.xlsx", resolve)
    with path.open("rb") as fh, pytest.raises(FileRejected, match="文件过大"):
        read_enterprise_file(fh, "big.csv", resolve)
    assert time.perf_counter() - started < 1.0


def test_unseekable_upload_stops_reading_past_the_limit():
    class Endless(io.RawIOBase):
        """A stream that cannot tell its size, like a chunked upload."""

        def __init__(self) -> None:
            self.served = 0

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def tell(self) -> int:
            raise OSError("not seekable")

        def readinto(self, buffer) -> int:  # type: ignore[override]
            n = len(buffer)
            buffer[:n] = b"a" * n
            self.served += n
            return n

    stream = Endless()
    with pytest.raises(FileRejected, match="文件过大"):
        read_enterprise_file(stream, "big.csv", resolve, max_bytes=3 * 1024 * 1024)  # type: ignore[arg-type]
    assert stream.served <= 5 * 1024 * 1024


def test_corrupt_xlsx_is_refused(tmp_path):
    with pytest.raises(FileRejected, match="损坏"):
        read_enterprise_file(io.BytesIO(random.Random(1).randbytes(2000)), "x.xlsx", resolve)
    good = io.BytesIO()
    write_enterprise_file([EnterpriseRecord(CODE_A, "甲", "440305")], good, "xlsx")
    truncated = good.getvalue()[: len(good.getvalue()) // 2]
    with pytest.raises(FileRejected, match="损坏"):
        read_enterprise_file(io.BytesIO(truncated), "x.xlsx", resolve)
    # A CSV renamed to .xlsx is the commonest "corrupt workbook" in practice.
    with pytest.raises(FileRejected, match="损坏"):
        read_enterprise_file(io.BytesIO(csv_bytes([])), "x.xlsx", resolve)


def test_workbook_uploaded_as_csv_gets_a_clear_message():
    good = io.BytesIO()
    write_enterprise_file([], good, "xlsx")
    with pytest.raises(FileRejected, match="扩展名"):
        read_csv(good.getvalue())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_too_many_rows_is_refused(fmt, tmp_path):
    records = [EnterpriseRecord(code(i), f"企业{i}", "440305") for i in range(6)]
    path = tmp_path / f"rows.{fmt}"
    write_enterprise_file(records, path, fmt)
    with pytest.raises(FileRejected, match="最多 5 行"):
        read_enterprise_file(path, path.name, resolve, max_rows=5)
    assert read_enterprise_file(path, path.name, resolve, max_rows=6).total_rows == 6


# --- export, round trips, templates ------------------------------------------------------------


def sample_records() -> list[EnterpriseRecord]:
    return [
        EnterpriseRecord(
            credit_code=CODE_A,
            name="深圳示例智能科技有限公司",
            division_code="440305",
            short_name="示例智能",
            address='南山区科技园 1 号, "A" 座',
            founded_on=date(2019, 3, 5),
            registered_capital_fen=123,
            business_scope="人工智能软件开发；\n计算机视觉系统集成",
            products="工业视觉检测",
            tags=["高新技术企业", "专精特新"],
            park="南山智园",
            figures=[
                YearFigures(2022, revenue_fen=1),
                YearFigures(
                    2023,
                    revenue_fen=5_000_000_000,
                    rd_spend_fen=123456789012345678,
                    employees=120,
                    patents=0,
                    ai_revenue_fen=99,
                ),
            ],
        ),
        EnterpriseRecord(credit_code=code(2), name="福田算法有限公司", division_code="440304"),
        EnterpriseRecord(
            credit_code=code(3),
            name="年度无数据公司",
            division_code="440305",
            registered_capital_fen=10**17,
            figures=[YearFigures(2021)],
        ),
    ]


def comparable(records: list[EnterpriseRecord]) -> list[EnterpriseRecord]:
    """Records as export keeps them: no source row, only the latest year's figures."""
    out = []
    for r in records:
        latest = [max(r.figures, key=lambda f: f.year)] if r.figures else []
        out.append(dataclasses.replace(r, source_row=None, figures=latest))
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("labelled", [False, True], ids=["codes", "names"])
def test_export_then_import_round_trips(fmt, labelled, tmp_path):
    records = sample_records()
    path = tmp_path / f"out.{fmt}"
    count = write_enterprise_file(records, path, fmt, DIVISIONS.__getitem__ if labelled else None)
    assert count == 3
    result = read_enterprise_file(path, path.name, resolve)
    assert result.ok, result.errors
    assert comparable(result.records) == comparable(records)
    assert [r.source_row for r in result.records] == [2, 3, 4]


def test_csv_export_is_utf8_with_bom_and_money_in_wan_yuan():
    buffer = io.BytesIO()
    write_enterprise_file(sample_records(), buffer, "csv")
    data = buffer.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines[0] == list(HEADERS)
    first = dict(zip(HEADERS, lines[1], strict=True))
    assert first["注册资本(万元)"] == "0.000123"
    assert first["研发投入(万元)"] == "123456789012.345678"
    assert first["营业收入(万元)"] == "5000"
    assert first["成立日期"] == "2019-03-05"
    assert first["标签"] == "高新技术企业、专精特新"
    assert first["年度"] == "2023"
    assert first["专利数"] == "0"


def test_xlsx_export_writes_real_dates_and_numbers(tmp_path):
    path = tmp_path / "out.xlsx"
    write_enterprise_file(sample_records(), path, "xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[1]] == list(HEADERS)
    values = dict(zip(HEADERS, (c for c in sheet[2]), strict=True))
    assert values["成立日期"].is_date
    assert values["营业收入(万元)"].value == 5000
    # More digits than Excel keeps in a number: written as text so none are lost.
    assert values["研发投入(万元)"].value == "123456789012.345678"


INJECTIONS = ['=HYPERLINK("http://x","点击")', "+86 755 1234", "-人工智能", "@SUM(A1)", "'=已转义", "''+x"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_escaped_on_export_and_restored_on_import(fmt, tmp_path):
    records = [
        EnterpriseRecord(code(i), name=text, division_code="440305", address=text, products=text)
        for i, text in enumerate(INJECTIONS, start=1)
    ]
    path = tmp_path / f"inj.{fmt}"
    write_enterprise_file(records, path, fmt)
    if fmt == "csv":
        cells = [line[1] for line in csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline=""))][1:]
    else:
        sheet = openpyxl.load_workbook(path).worksheets[0]
        assert all(c.data_type == "s" for c in sheet["B"][1:])
        cells = [c.value for c in sheet["B"][1:]]
    assert cells == ["'" + text for text in INJECTIONS]
    result = read_enterprise_file(path, path.name, resolve)
    assert result.ok, result.errors
    assert [(r.name, r.address, r.products) for r in result.records] == [(t, t, t) for t in INJECTIONS]


def test_text_with_a_plain_leading_apostrophe_is_kept():
    data = csv_bytes([row(credit_code="'" + CODE_A, name="'甲'", division_code="南山区")])
    result = read_csv(data)
    assert result.ok, result.errors
    assert (result.records[0].credit_code, result.records[0].name) == (CODE_A, "'甲'")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_empty_export_reads_back_as_an_empty_valid_file(fmt):
    buffer = io.BytesIO()
    assert write_enterprise_file([], buffer, fmt) == 0
    result = read_enterprise_file(io.BytesIO(buffer.getvalue()), f"e.{fmt}", resolve)
    assert (result.ok, result.records, result.total_rows) == (True, [], 0)


def test_xlsx_template_has_every_column_and_a_filled_in_guide():
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes("xlsx")))
    data, guide = workbook.worksheets
    assert [c.value for c in data[1]] == list(HEADERS)
    assert data.max_row == 1
    assert guide.title == "填写说明"
    guide_text = "\n".join(str(c.value) for r in guide.iter_rows() for c in r if c.value is not None)
    for col in COLUMNS:
        assert col.header in guide_text
        assert col.help and col.help in guide_text
    for tag in KNOWN_TAGS:
        assert tag in guide_text
    assert "必填" in guide_text and "万元" in guide_text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_re_reads_as_an_empty_valid_file(fmt):
    data = template_bytes(fmt)
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.decode("utf-8-sig").strip().split(",") == list(HEADERS)
    result = read_enterprise_file(io.BytesIO(data), f"模板.{fmt}", resolve)
    assert (result.ok, result.records, result.total_rows) == (True, [], 0)


def test_filled_in_template_is_imported(tmp_path):
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes("xlsx")))
    workbook.worksheets[0].append(row(credit_code=CODE_A, name="甲", division_code="南山区", tags="瞪羚"))
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    result = read_enterprise_file(path, "filled.xlsx", resolve)
    assert result.ok, result.errors
    assert result.records[0].tags == ["瞪羚"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_error_report_lists_every_error_and_escapes_formulas(fmt):
    errors = [RowError(2, "企业名称*", FORMULA_REASON, "=1+2"), RowError(5, "标签", "未知标签", "网红")]
    data = error_report_bytes(errors, fmt)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        rows = [["" if c.value is None else str(c.value) for c in r] for r in sheet.iter_rows()]
    assert rows == [
        ["行号", "列", "原因", "原值"],
        ["2", "企业名称*", FORMULA_REASON, "'=1+2"],
        ["5", "标签", "未知标签", "网红"],
    ]


def test_the_module_imports_without_django():
    code_ = "import lianzhang.enterprises.tabular, sys; assert 'django' not in sys.modules"
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code_], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_column_spec_is_the_single_source_of_headers():
    assert tuple(c.header for c in COLUMNS) == HEADERS
    assert [c.key for c in COLUMNS if c.required] == ["credit_code", "name", "division_code"]
    assert len({c.key for c in COLUMNS}) == len(COLUMNS)
    assert tabular.DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_tags_written_in_traditional_are_the_same_tags():
    traditional = "專精特新、高新技術企業、上市"
    data = csv_bytes([row(credit_code=CODE_A, name="甲", division_code="南山区", tags=traditional)])
    result = read_csv(data)
    assert result.ok, result.errors
    assert result.records[0].tags == ["专精特新", "高新技术企业", "上市"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read_like_comma_separated_ones(delimiter: str):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(list(HEADERS))
    writer.writerow(row(credit_code=CODE_A, name="甲, 乙合伙", division_code="南山区", tags="专精特新,瞪羚"))
    result = read_csv(buffer.getvalue().encode("utf-8"))
    assert result.ok, result.errors
    assert (result.records[0].name, result.records[0].tags) == ("甲, 乙合伙", ["专精特新", "瞪羚"])
