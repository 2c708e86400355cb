"""Importing and exporting the enterprise registry through the service and the import page."""

from __future__ import annotations

import csv
import io
import random
import time
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import actor_for
from lianzhang.enterprises import services
from lianzhang.enterprises.models import Enterprise, EnterpriseYear, Park
from lianzhang.enterprises.tabular import COLUMNS, FORMULA_REASON, HEADERS
from tests.conftest import credit_code

pytestmark = pytest.mark.django_db

IMPORT_URL = "/enterprises/import/"
ERRORS_URL = "/enterprises/import/errors.xlsx"
PARK = "天河智慧城人工智能产业园"


def row(**values: object) -> list[object]:
    """One data row in the order of the import headers, by column key; unnamed columns stay empty."""
    return [values.get(col.key, "") for col in COLUMNS]


def good_rows() -> list[list[object]]:
    """Three valid rows: two in 天河区 (one in a park, with figures in 万元 and 亿元), one in 白云区."""
    return [
        row(
            credit_code=credit_code("440106", 101),
            name="天河星图智能科技有限公司",
            division_code="440106",
            short_name="星图智能",
            founded_on="2018-06-01",
            registered_capital_fen="500",
            tags="高新技术企业、专精特新",
            park=PARK,
            year="2023",
            revenue_fen="1200",
            rd_spend_fen="1.5亿元",
            employees="85",
            patents="12",
        ),
        row(credit_code=credit_code("440106", 102), name="天河语联科技有限公司", division_code="天河区"),
        row(credit_code=credit_code("440111", 103), name="白云智造装备有限公司", division_code="440111002"),
    ]


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", header: list[str] | None = None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header if header is not None else list(HEADERS))
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADERS))
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(actor, data: bytes, filename: str = "企业.csv", **kwargs) -> services.ImportReport:
    return services.import_enterprises(actor, io.BytesIO(data), filename, **kwargs)


def db_state() -> tuple:
    """Everything an import could write: counts, plus each enterprise's code, name and version."""
    return (
        Enterprise.objects.count(),
        EnterpriseYear.objects.count(),
        AuditEntry.objects.count(),
        tuple(Enterprise.objects.order_by("credit_code").values_list("credit_code", "name", "version")),
    )


def upload(client, data: bytes, filename: str, mode: str = "all"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(filename, data), "mode": mode})


@pytest.fixture
def park(db) -> Park:
    # Parks have no service function yet; they are reference data maintained in the admin.
    return Park.objects.create(name=PARK, division_id="440106")


@pytest.fixture
def chain(personas):
    return personas["chain_office"]


# --- valid files --------------------------------------------------------------------------------


def test_valid_csv_creates_enterprises_with_figures_in_fen_tags_and_park(chain, park) -> None:
    report = run_import(chain.actor, csv_bytes(good_rows()))

    assert report.ok and report.applied
    assert (report.total_rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    star = Enterprise.objects.get(credit_code=credit_code("440106", 101))
    assert star.short_name == "星图智能"
    assert star.division_id == "440106"
    assert star.park == park
    assert star.registered_capital_fen == 500 * 10_000 * 100
    assert sorted(t.name for t in star.tags.all()) == ["专精特新", "高新技术企业"]
    year = star.years.get()
    assert (year.year, year.revenue_fen, year.rd_spend_fen) == (2023, 1200 * 10_000 * 100, 150_000_000 * 100)
    assert (year.employees, year.patents) == (85, 12)
    # A district given by name is stored as its code.
    assert Enterprise.objects.get(credit_code=credit_code("440106", 102)).division_id == "440106"


def test_import_writes_one_audit_entry_per_created_enterprise(chain, park) -> None:
    run_import(chain.actor, csv_bytes(good_rows()))

    entries = AuditEntry.objects.filter(model="enterprises.enterprise", action="create", username="chain")
    assert entries.count() == 3
    star = Enterprise.objects.get(credit_code=credit_code("440106", 101))
    entry = entries.get(object_id=str(star.pk))
    assert entry.user_id == chain.actor.user_id
    assert entry.changes["name"] == "天河星图智能科技有限公司"
    assert sorted(entry.changes["tags"]) == ["专精特新", "高新技术企业"]


def test_reimporting_the_same_file_changes_nothing(chain, park) -> None:
    data = csv_bytes(good_rows())
    run_import(chain.actor, data)
    before = db_state()

    report = run_import(chain.actor, data)

    assert report.applied
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert db_state() == before


def test_reimport_with_a_changed_cell_updates_that_enterprise_and_logs_the_diff(chain, park) -> None:
    run_import(chain.actor, csv_bytes(good_rows()))
    rows = good_rows()
    rows[1][HEADERS.index("主要产品")] = "智能语音客服"
    rows[0][HEADERS.index("营业收入(万元)")] = "1300"

    report = run_import(chain.actor, csv_bytes(rows))

    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    talker = Enterprise.objects.get(credit_code=credit_code("440106", 102))
    assert talker.products == "智能语音客服"
    entry = AuditEntry.objects.filter(action="update", object_id=str(talker.pk)).get()
    assert entry.changes == {"products": ["", "智能语音客服"]}
    star = Enterprise.objects.get(credit_code=credit_code("440106", 101))
    figures = AuditEntry.objects.filter(action="update", object_id=str(star.pk)).get().changes["figures.2023"]
    assert figures[0]["revenue_fen"] == 1_200_000_000
    assert figures[1]["revenue_fen"] == 1_300_000_000


def test_gb18030_csv_is_accepted_and_keeps_rare_characters(chain) -> None:
    name = "广州𠀀䶮智能科技有限公司"  # 𠀀 and 䶮 are outside GBK: GB18030 uses four bytes for them
    rows = [row(credit_code=credit_code("440106", 104), name=name, division_code="天河区")]

    report = run_import(chain.actor, csv_bytes(rows, "gb18030"))

    assert report.ok and report.created == 1
    assert Enterprise.objects.get(credit_code=credit_code("440106", 104)).name == name


# --- all or nothing -----------------------------------------------------------------------------


def bad_checksum_rows() -> list[list[object]]:
    rows = good_rows()
    good_code = credit_code("440106", 105)
    bad_code = good_code[:-1] + ("0" if good_code[-1] != "0" else "1")
    rows.insert(1, row(credit_code=bad_code, name="校验位错误有限公司", division_code="440106"))
    return rows  # the bad row is spreadsheet row 3 (the header is row 1)


def test_one_bad_row_among_good_ones_imports_nothing_and_names_row_column_reason(chain, park) -> None:
    before = db_state()

    report = run_import(chain.actor, csv_bytes(bad_checksum_rows()))

    assert not report.applied
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert [(e.row, e.column) for e in report.errors] == [(3, "统一社会信用代码*")]
    assert "校验位错误" in report.errors[0].reason
    assert db_state() == before


def test_skip_invalid_imports_the_good_rows_and_lists_exactly_the_skipped_rows(chain, park) -> None:
    rows = bad_checksum_rows()
    rows.append(row(credit_code=credit_code("440106", 106), name="未知区划有限公司", division_code="火星区"))

    report = run_import(chain.actor, csv_bytes(rows), skip_invalid=True)

    assert report.applied
    assert report.skipped_rows == [3, 6]
    assert report.created == 3
    assert set(Enterprise.objects.values_list("credit_code", flat=True)) >= {
        credit_code("440106", 101),
        credit_code("440106", 102),
        credit_code("440111", 103),
    }
    assert not Enterprise.objects.filter(name__in=["校验位错误有限公司", "未知区划有限公司"]).exists()


# --- bad input: a clear message and an unchanged database --------------------------------------


def _rejects_file(chain, data: bytes, filename: str, expected: str) -> None:
    before = db_state()
    report = run_import(chain.actor, data, filename)
    assert not report.applied
    assert expected in report.file_error, report.file_error
    assert db_state() == before


def test_utf16_csv_is_refused_with_an_encoding_message(chain) -> None:
    _rejects_file(chain, csv_bytes(good_rows(), "utf-16"), "企业.csv", "无法识别 CSV 文件的编码")


def test_random_bytes_are_refused_as_csv_and_as_xlsx(chain) -> None:
    noise = random.Random(7).randbytes(64 * 1024)
    _rejects_file(chain, noise, "企业.csv", "无法识别 CSV 文件的编码")
    _rejects_file(chain, noise, "企业.xlsx", "无法打开 xlsx 文件")


def test_missing_required_column_is_refused_naming_the_column(chain) -> None:
    header = [h for h in HEADERS if h != "所在区划*"]
    rows = [[v for h, v in zip(HEADERS, r, strict=True) if h != "所在区划*"] for r in good_rows()]
    _rejects_file(chain, csv_bytes(rows, header=header), "企业.csv", "缺少必填列：所在区划*")


def _rejects_rows(chain, data: bytes, filename: str, expected: list[tuple[int, str, str]]) -> None:
    before = db_state()
    report = run_import(chain.actor, data, filename)
    assert not report.applied
    found = [(e.row, e.column, e.reason) for e in report.errors]
    assert len(found) == len(expected), found
    for (row_no, column, reason), (f_row, f_column, f_reason) in zip(expected, found, strict=True):
        assert (f_row, f_column) == (row_no, column)
        assert reason in f_reason
    assert db_state() == before


def test_unknown_division_is_a_row_error(chain, park) -> None:
    rows = [*good_rows(), row(credit_code=credit_code("440106", 107), name="某公司", division_code="999999")]
    _rejects_rows(chain, csv_bytes(rows), "企业.csv", [(5, "所在区划*", "未找到区划代码")])


def test_duplicate_rows_inside_the_file_are_reported_against_the_first(chain, park) -> None:
    rows = good_rows()
    rows.append(list(rows[1]))
    _rejects_rows(chain, csv_bytes(rows), "企业.csv", [(5, "统一社会信用代码*", "与第 3 行重复")])


def test_formula_cell_in_xlsx_is_refused(chain, park) -> None:
    rows = good_rows()
    rows[2][HEADERS.index("注册资本(万元)")] = "=SUM(1,2)"
    data = xlsx_bytes(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cell = sheet.cell(row=4, column=HEADERS.index("注册资本(万元)") + 1)
    assert cell.data_type == "f"  # openpyxl stored a real formula, not text
    _rejects_rows(chain, data, "企业.xlsx", [(4, "注册资本(万元)", FORMULA_REASON)])


def test_hyperlink_formula_in_csv_is_refused(chain, park) -> None:
    rows = good_rows()
    rows[0][HEADERS.index("企业名称*")] = '=HYPERLINK("http://evil.example/","点此领取补贴")'
    _rejects_rows(chain, csv_bytes(rows), "企业.csv", [(2, "企业名称*", FORMULA_REASON)])


def big_csv(path: Path, megabytes: int = 50) -> Path:
    """A well-formed CSV of the given size, so that only its size can be the reason to refuse it."""
    line = ",".join(str(v) for v in good_rows()[1]).encode() + b"\r\n"
    body = line * (megabytes * 1024 * 1024 // len(line) + 1)
    path.write_bytes(",".join(HEADERS).encode() + b"\r\n" + body)
    return path


def test_a_50_mb_file_is_refused_by_size_before_parsing(chain, tmp_path) -> None:
    path = big_csv(tmp_path / "企业.csv")
    before = db_state()

    started = time.perf_counter()
    by_path = services.import_enterprises(chain.actor, path, path.name)
    with path.open("rb") as handle:
        by_stream = services.import_enterprises(chain.actor, handle, path.name)
    elapsed = time.perf_counter() - started

    for report in (by_path, by_stream):
        assert "文件过大（50.0 MB），上限为 20 MB" in report.file_error
        assert not report.applied
    assert elapsed < 1.0, f"refusing by size took {elapsed:.2f} s"
    assert db_state() == before


def test_the_import_page_refuses_uploads_over_max_upload_bytes(chain, tmp_path, settings) -> None:
    settings.MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    data = big_csv(tmp_path / "企业.csv", megabytes=3).read_bytes()
    before = db_state()

    response = upload(chain.client, data, "企业.csv")

    assert response.status_code == 200
    assert "上限为 2 MB" in response.content.decode()
    assert db_state() == before


def test_the_import_page_refuses_a_50_mb_upload(chain, tmp_path) -> None:
    data = big_csv(tmp_path / "企业.csv").read_bytes()
    before = db_state()

    response = upload(chain.client, data, "企业.csv")

    assert "文件过大（50.0 MB）" in response.content.decode()
    assert db_state() == before


# --- who may import -----------------------------------------------------------------------------


def test_district_officer_cannot_import_rows_of_another_district(personas) -> None:
    before = db_state()

    report = run_import(personas["district"].actor, csv_bytes(good_rows()[1:]))

    assert not report.applied
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(3, "所在区划*", "不在您的管辖范围内")]
    assert db_state() == before


def test_district_officer_cannot_update_an_enterprise_registered_elsewhere(personas, enterprise_b) -> None:
    # The row claims 天河区, but the credit code belongs to an enterprise of 白云区.
    rows = [row(credit_code=enterprise_b.credit_code, name="改名有限公司", division_code="440106")]
    before = db_state()

    report = run_import(personas["district"].actor, csv_bytes(rows))

    assert [(e.row, e.reason) for e in report.errors] == [(2, "该企业已登记在其他辖区")]
    assert db_state() == before


def test_district_officer_imports_rows_of_its_own_district(personas) -> None:
    report = run_import(personas["district"].actor, csv_bytes(good_rows()[1:2]))
    assert report.applied and report.created == 1


@pytest.mark.parametrize("role", ["enterprise_a", "expert", "department", "anonymous"])
def test_roles_without_the_import_right_cannot_import(personas, role) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied):
        run_import(personas[role].actor, csv_bytes(good_rows()[1:2]))
    response = upload(personas[role].client, csv_bytes(good_rows()[1:2]), "企业.csv")
    assert response.status_code in {302, 403}
    assert db_state() == before


# --- the import page ----------------------------------------------------------------------------


def test_import_page_imports_a_valid_upload(chain, park) -> None:
    response = upload(chain.client, xlsx_bytes(good_rows()), "企业.xlsx")

    body = response.content.decode()
    assert "导入完成" in body
    assert "新增 3" in body
    assert Enterprise.objects.filter(credit_code=credit_code("440111", 103)).exists()


def test_import_page_shows_the_error_table_and_offers_the_error_report(chain, park) -> None:
    before = db_state()

    response = upload(chain.client, csv_bytes(bad_checksum_rows()), "企业.csv")

    body = response.content.decode()
    assert "文件有错误，未导入任何数据" in body
    assert 'id="import-errors"' in body
    assert "校验位错误" in body
    assert ERRORS_URL in body
    assert db_state() == before

    report = chain.client.get(ERRORS_URL)
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["行号", "列", "原因", "原值"]
    assert len(rows) == 2
    assert rows[1][:2] == [3, "统一社会信用代码*"]
    assert "校验位错误" in rows[1][2]


def test_import_page_in_skip_mode_lists_the_skipped_rows(chain, park) -> None:
    response = upload(chain.client, csv_bytes(bad_checksum_rows()), "企业.csv", mode="skip")

    body = response.content.decode()
    assert "导入完成" in body
    assert "跳过 1 行（行号：3）" in body
    assert Enterprise.objects.filter(credit_code=credit_code("440106", 101)).exists()


def test_import_page_shows_file_errors(chain) -> None:
    response = upload(chain.client, csv_bytes(good_rows(), "utf-16"), "企业.csv")
    body = response.content.decode()
    assert "文件未导入" in body
    assert "无法识别 CSV 文件的编码" in body


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_downloaded_template_reimports_as_an_empty_valid_file(chain, fmt) -> None:
    template = chain.client.get(f"/enterprises/import/template.{fmt}")
    assert template.status_code == 200
    before = db_state()

    report = run_import(chain.actor, template.content, f"模板.{fmt}")
    response = upload(chain.client, template.content, f"模板.{fmt}")

    assert report.ok and report.applied
    assert (report.total_rows, report.created) == (0, 0)
    assert "导入完成" in response.content.decode()
    assert db_state() == before


# --- export -------------------------------------------------------------------------------------


def exported_codes(content: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == list(HEADERS)
    return [r[0] for r in rows[1:]]


def test_export_filtered_by_district_returns_only_that_district(chain, enterprise_a, enterprise_b) -> None:
    run_import(chain.actor, csv_bytes(good_rows()[1:]))  # one more in 天河区, one more in 白云区

    response = chain.client.get("/enterprises/export.csv?division=440106")

    assert response.status_code == 200
    assert sorted(exported_codes(response.content)) == sorted(
        [enterprise_a.credit_code, credit_code("440106", 102)]
    )


def test_district_officer_export_is_limited_to_its_district(personas, enterprise_a) -> None:
    response = personas["district"].client.get("/enterprises/export.csv")
    assert exported_codes(response.content) == [enterprise_a.credit_code]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_of_demo_data_changes_nothing(db, fmt) -> None:
    from lianzhang.demo.loader import ensure_demo

    ensure_demo(n_enterprises=120, seed=11)
    actor = actor_for(get_user_model().objects.get(username="chain"))
    buffer = io.BytesIO()
    exported = services.export_enterprises(actor, None, buffer, fmt)
    before = db_state()

    report = run_import(actor, buffer.getvalue(), f"名录.{fmt}")

    assert report.ok, report.errors[:5]
    assert exported == Enterprise.objects.count() >= 120
    assert (report.created, report.updated, report.unchanged) == (0, 0, exported)
    assert db_state() == before


# --- known gaps in the pages --------------------------------------------------------------------


def test_error_report_after_a_clean_import_no_longer_lists_old_errors(chain, park) -> None:
    upload(chain.client, csv_bytes(bad_checksum_rows()), "旧文件.csv")
    upload(chain.client, csv_bytes(good_rows()), "新文件.csv")

    sheet = openpyxl.load_workbook(io.BytesIO(chain.client.get(ERRORS_URL).content)).active

    assert list(sheet.iter_rows(values_only=True)) == [("行号", "列", "原因", "原值")]


@pytest.mark.parametrize("url", ["/enterprises/import/template.pdf", "/enterprises/export.pdf"])
def test_unknown_download_format_is_not_found(chain, url) -> None:
    chain.client.raise_request_exception = False
    assert chain.client.get(url).status_code == 404
