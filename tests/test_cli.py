"""The `lianzhang` command, run as a user runs it: a separate process on its own SQLite file."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from lianzhang.enterprises.tabular import HEADERS
from tests.conftest import credit_code

DB_NAME = "lianzhang.sqlite3"
COMMANDS = ("demo", "serve", "createuser", "import", "export")
DEMO_LOGINS = ("chain", "dept", "district", "district2", "enterprise", "expert", "admin")
EXECUTABLE = Path(sys.executable).with_name("lianzhang")


def lianzhang(data_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the command with its own data folder (so its own SQLite file) and plain, wide output."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(LIANZHANG_DATA_DIR=str(data_dir), LIANZHANG_ENV="development", COLUMNS="200", NO_COLOR="1")
    command = [str(EXECUTABLE)] if EXECUTABLE.exists() else [sys.executable, "-m", "lianzhang.cli"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=data_dir
    )


def failed_cleanly(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """Assert a clean failure (exit code, no traceback) and return everything the command printed."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in result.stderr, result.stderr
    return output


def query(data_dir: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(data_dir / DB_NAME) as db:
        return db.execute(sql, params).fetchall()


def count(data_dir: Path, table: str) -> int:
    return query(data_dir, f"SELECT COUNT(*) FROM {table}")[0][0]


def clone(source: Path, target: Path) -> Path:
    """Copy a data folder's database so that a test can write to it without disturbing others."""
    target.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if (source / f"{DB_NAME}{suffix}").exists():
            shutil.copy(source / f"{DB_NAME}{suffix}", target / f"{DB_NAME}{suffix}")
    return target


def registry_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows([[r.get(h, "") for h in HEADERS] for r in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


GOOD_ROWS = [
    {
        "统一社会信用代码*": credit_code("440106", 301),
        "企业名称*": "命令行导入甲有限公司",
        "所在区划*": "440106",
    },
    {
        "统一社会信用代码*": credit_code("440111", 302),
        "企业名称*": "命令行导入乙有限公司",
        "所在区划*": "白云区",
        "年度": "2023",
        "营业收入(万元)": "1.2亿元",
    },
]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """An empty, migrated data folder (migration loads the division tables, so do it once)."""
    data_dir = tmp_path_factory.mktemp("migrated")
    result = lianzhang(data_dir, "migrate")
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture
def fresh(migrated, tmp_path) -> Path:
    return clone(migrated, tmp_path / "data")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    data_dir = tmp_path_factory.mktemp("demo")
    yield data_dir, lianzhang(data_dir, "demo", "--no-serve", "--enterprises", "200", timeout=300)


# --- help ---------------------------------------------------------------------------------------


def test_help_lists_and_explains_every_command(tmp_path) -> None:
    result = lianzhang(tmp_path, "--help")

    assert result.returncode == 0, result.stderr
    explained = dict(re.findall(r"^\W*([a-z]+)\s{2,}(\S.*?)\s*\W*$", result.stdout, flags=re.MULTILINE))
    for command in COMMANDS:
        assert command in explained, f"{command} missing from --help:\n{result.stdout}"
        assert re.search(r"[\u4e00-\u9fff]", explained[command]), f"{command} has no explanation"
    assert "演示" in explained["demo"]
    assert "导入" in explained["import"] and "导出" in explained["export"]


@pytest.mark.parametrize("group", ["import", "export"])
def test_import_and_export_help_list_the_enterprises_command(tmp_path, group) -> None:
    result = lianzhang(tmp_path, group, "--help")
    assert result.returncode == 0
    assert re.search(r"enterprises\s+\S*(导入|导出)企业", result.stdout), result.stdout


# --- demo ---------------------------------------------------------------------------------------


def test_demo_builds_the_database_and_prints_the_persona_logins(demo_run) -> None:
    data_dir, result = demo_run

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "企业 200 家" in result.stdout
    assert "均为虚构" in result.stdout
    assert "密码均为 lianzhang-demo" in result.stdout
    for login in DEMO_LOGINS:
        assert re.search(rf"^\s+{login}\s", result.stdout, flags=re.MULTILINE), f"no login {login}"
    assert count(data_dir, "enterprises_enterprise") == 200
    users = {u for (u,) in query(data_dir, "SELECT username FROM auth_user")}
    assert set(DEMO_LOGINS) <= users


def test_demo_run_again_keeps_the_existing_data(demo_run, tmp_path) -> None:
    data_dir = clone(demo_run[0], tmp_path / "again")
    result = lianzhang(data_dir, "demo", "--no-serve", "--enterprises", "50")
    assert result.returncode == 0, result.stderr
    assert "演示数据已存在：企业 200 家" in result.stdout
    assert count(data_dir, "enterprises_enterprise") == 200


# --- import -------------------------------------------------------------------------------------


def test_import_of_a_bad_file_exits_1_naming_row_column_reason_and_writes_nothing(fresh, tmp_path) -> None:
    bad_code = GOOD_ROWS[0]["统一社会信用代码*"][:-1] + "0"
    rows = [GOOD_ROWS[1], {**GOOD_ROWS[0], "统一社会信用代码*": bad_code}]
    path = registry_csv(tmp_path / "bad.csv", rows)

    output = failed_cleanly(lianzhang(fresh, "import", "enterprises", str(path)))

    assert "第 3 行 [统一社会信用代码*] 统一社会信用代码校验位错误" in output
    assert "未导入" in output
    assert count(fresh, "enterprises_enterprise") == 0
    assert count(fresh, "accounts_auditentry") == 0


def test_import_writes_an_error_report_when_asked(fresh, tmp_path) -> None:
    path = registry_csv(tmp_path / "bad.csv", [{**GOOD_ROWS[0], "所在区划*": "火星区"}])
    report = tmp_path / "errors.xlsx"

    failed_cleanly(lianzhang(fresh, "import", "enterprises", str(path), "--errors-out", str(report)))

    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "原因", "原值")
    assert rows[1][:2] == (2, "所在区划*") and rows[1][3] == "火星区"


def test_import_of_a_valid_file_creates_the_enterprises(fresh, tmp_path) -> None:
    path = registry_csv(tmp_path / "good.csv", GOOD_ROWS)

    result = lianzhang(fresh, "import", "enterprises", str(path))

    assert result.returncode == 0, result.stderr
    assert "已导入：共 2 行，新增 2" in result.stdout
    stored = query(fresh, "SELECT credit_code, division_id FROM enterprises_enterprise ORDER BY credit_code")
    assert stored == sorted(
        [(GOOD_ROWS[0]["统一社会信用代码*"], "440106"), (GOOD_ROWS[1]["统一社会信用代码*"], "440111")]
    )
    assert query(fresh, "SELECT revenue_fen FROM enterprises_enterpriseyear") == [(120_000_000 * 100,)]

    again = lianzhang(fresh, "import", "enterprises", str(path))
    assert "新增 0，更新 0，无变化 2" in again.stdout


def test_dry_run_checks_without_writing(fresh, tmp_path) -> None:
    path = registry_csv(tmp_path / "good.csv", GOOD_ROWS)
    result = lianzhang(fresh, "import", "enterprises", str(path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "校验完成（未写入）" in result.stdout
    assert count(fresh, "enterprises_enterprise") == 0


def test_import_refuses_unreadable_files_cleanly(fresh, tmp_path) -> None:
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(
        registry_csv(tmp_path / "x.csv", GOOD_ROWS).read_text(encoding="utf-8").encode("utf-16")
    )
    assert "无法识别 CSV 文件的编码" in failed_cleanly(lianzhang(fresh, "import", "enterprises", str(utf16)))

    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert "另存为 .xlsx" in failed_cleanly(lianzhang(fresh, "import", "enterprises", str(xls)))

    missing = failed_cleanly(lianzhang(fresh, "import", "enterprises", str(tmp_path / "nope.csv")), code=2)
    assert "nope.csv" in missing
    assert count(fresh, "enterprises_enterprise") == 0


# --- export -------------------------------------------------------------------------------------


def test_export_filtered_by_district_writes_only_that_district(demo_run, tmp_path) -> None:
    data_dir = demo_run[0]
    target = tmp_path / "out.xlsx"

    result = lianzhang(data_dir, "export", "enterprises", str(target), "--division", "440106")

    assert result.returncode == 0, result.stderr
    expected = query(
        data_dir, "SELECT COUNT(*) FROM enterprises_enterprise WHERE division_id LIKE '440106%'"
    )[0][0]
    assert expected > 0
    assert f"已导出 {expected} 家企业" in result.stdout
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    divisions = [r[HEADERS.index("所在区划*")] for r in rows[1:]]
    assert len(divisions) == expected
    assert all(str(d).startswith("440106") for d in divisions)


def test_export_refuses_an_unknown_format_cleanly(fresh, tmp_path) -> None:
    output = failed_cleanly(lianzhang(fresh, "export", "enterprises", str(tmp_path / "out.pdf")))
    assert ".xlsx 或 .csv" in output
    assert not (tmp_path / "out.pdf").exists()


def test_export_works_on_a_fresh_data_folder(tmp_path) -> None:
    data_dir = tmp_path / "new"
    data_dir.mkdir()
    target = tmp_path / "empty.csv"

    result = lianzhang(data_dir, "export", "enterprises", str(target))

    assert result.returncode == 0, result.stderr
    assert "已导出 0 家企业" in result.stdout
    assert target.read_text(encoding="utf-8-sig").splitlines() == [",".join(HEADERS)]


# --- createuser ---------------------------------------------------------------------------------


def test_createuser_makes_a_district_officer(fresh) -> None:
    result = lianzhang(
        fresh, "createuser", "tianhe", "--role", "district", "--region", "440106", "--password", "tianhe-2024"
    )

    assert result.returncode == 0, result.stderr
    assert "已创建用户 tianhe" in result.stdout
    profile = query(
        fresh,
        "SELECT p.role, p.region_id FROM accounts_profile p JOIN auth_user u ON u.id = p.user_id "
        "WHERE u.username = ?",
        "tianhe",
    )
    assert profile == [("district", "440106")]


def test_createuser_works_on_a_fresh_data_folder(tmp_path) -> None:
    data_dir = tmp_path / "new"
    data_dir.mkdir()
    result = lianzhang(
        data_dir, "createuser", "chief", "--role", "chain_office", "--password", "chief-2024-pw"
    )
    assert result.returncode == 0, result.stderr
    assert query(data_dir, "SELECT username FROM auth_user") == [("chief",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss"], "未知角色 'boss'"),
        (["--role", "district", "--region", "449999"], "未知的区划代码 449999"),
        (["--role", "district"], "区/镇街用户必须指定负责区划"),
        (["--role", "enterprise", "--enterprise", "91440106MA00000011"], "未登记的企业"),
        (["--role", "department", "--department", "火星市科技局"], "未登记的部门"),
    ],
)
def test_createuser_refuses_bad_input_with_a_clear_message(fresh, args, message) -> None:
    output = failed_cleanly(lianzhang(fresh, "createuser", "someone", *args, "--password", "someone-2024"))
    assert message in output
    assert count(fresh, "auth_user") == 0


def test_createuser_refuses_a_weak_password_and_a_taken_name(fresh) -> None:
    weak = failed_cleanly(
        lianzhang(fresh, "createuser", "expert1", "--role", "expert", "--password", "short")
    )
    assert "too short" in weak or "太短" in weak
    assert (
        lianzhang(fresh, "createuser", "expert1", "--role", "expert", "--password", "expert-2024").returncode
        == 0
    )
    taken = failed_cleanly(
        lianzhang(fresh, "createuser", "expert1", "--role", "expert", "--password", "expert-2024")
    )
    assert "已存在" in taken
    assert count(fresh, "auth_user") == 1


def test_import_plan_creates_a_draft_for_review_and_refuses_bad_files(tmp_path: Path) -> None:
    from lianzhang.plans.demo import DEMO_PLAN

    plan_file = tmp_path / "行动方案.txt"
    plan_file.write_text(DEMO_PLAN, encoding="utf-8")
    result = lianzhang(tmp_path, "import", "plan", str(plan_file), "--city-code", "4401")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "任务 5 项" in result.stdout and "/review/" in result.stdout
    assert query(tmp_path, "SELECT status, title FROM plans_plan") == [
        ("draft", "广州市人工智能产业链提质增效三年行动方案（2025—2027年）")
    ]
    bad = tmp_path / "notes.rtf"
    bad.write_text("x", encoding="utf-8")
    assert "不支持的文件类型" in failed_cleanly(lianzhang(tmp_path, "import", "plan", str(bad)))
    unknown_city = failed_cleanly(
        lianzhang(tmp_path, "import", "plan", str(plan_file), "--city-code", "9999")
    )
    assert "未知的城市区划代码" in unknown_city
    assert query(tmp_path, "SELECT count(*) FROM plans_plan") == [(1,)]
