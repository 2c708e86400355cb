"""The `lianzhang` command: run the platform, load the demo, manage users, import and export."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from lianzhang.chains.cli import chain_app
from lianzhang.classify.cli import classify_command
from lianzhang.evaluation.cli import evaluate_command
from lianzhang.opendata.deid.cli import deid_app
from lianzhang.plans.cli import plan_app
from lianzhang.reviews.cli import review_app, subsidy_app
from lianzhang.scenarios.cli import match_command
from lianzhang.screening.cli import screen_command

app = typer.Typer(
    help="链长：人工智能产业链公共服务平台。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="从文件导入数据。", no_args_is_help=True)
export_app = typer.Typer(help="导出数据到文件。", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(plan_app, name="plan")
app.add_typer(review_app, name="review")
app.add_typer(subsidy_app, name="subsidy")
app.add_typer(chain_app, name="chain")
app.add_typer(deid_app, name="deid")
CLASSIFY_HELP = "按人工智能产业链为企业文本分类（JSONL 进，JSONL 出），给出节点、国家分类与依据。"
app.command("classify", help=CLASSIFY_HELP)(classify_command)
SCREEN_HELP = "批量筛查企业名录（CSV、XLSX、Parquet、JSONL），分块流式、可续跑；--engine spark 用 Spark。"
app.command("screen", help=SCREEN_HELP)(screen_command)
MATCH_HELP = "为场景需求匹配供给方（JSONL 进，JSON 出）：能力对口、产业链节点与全文相关，给出每条匹配的理由。"
app.command("match", help=MATCH_HELP)(match_command)
EVALUATE_HELP = "综合评价与择优排序：按框架 YAML 与指标 CSV 计算得分、排名、支柱得分、排名区间与成熟度等级。"
app.command("evaluate", help=EVALUATE_HELP)(evaluate_command)

Host = Annotated[str, typer.Option(help="监听地址")]
Port = Annotated[int, typer.Option(help="监听端口")]


def _django() -> None:
    """Configure Django once, for commands that need the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianzhang.settings")
    import django

    from lianzhang.config import ConfigError

    try:
        django.setup()
    except ConfigError as exc:
        typer.secho(f"配置错误：{exc}", fg="red", err=True)
        raise typer.Exit(2) from None


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _serve(host: str, port: int, threads: int) -> None:
    import waitress

    from lianzhang.wsgi import application

    typer.echo(f"平台已启动：http://{host}:{port}/  （Ctrl+C 停止）")
    waitress.serve(application, host=host, port=port, threads=threads, ident="lianzhang")


@app.command()
def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    reset: Annotated[bool, typer.Option(help="删除已有演示数据库后重建")] = False,
    enterprises: Annotated[int, typer.Option(help="合成企业数量")] = 3000,
    seed: Annotated[int, typer.Option(help="随机种子（同一种子生成相同数据）")] = 2023,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只建库，不启动服务")] = False,
) -> None:
    """建立本地 SQLite 演示库、载入合成演示数据、为每个角色创建演示账号并启动服务。"""
    os.environ["LIANZHANG_DEMO_BANNER"] = "true"
    if reset and not os.environ.get("DATABASE_URL"):
        data_dir = Path(os.environ.get("LIANZHANG_DATA_DIR", "var"))
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"lianzhang.sqlite3{suffix}").unlink(missing_ok=True)
    _django()
    _migrate()
    from lianzhang.demo.loader import DEMO_PASSWORD, ensure_demo

    with _progress("载入演示数据") as progress:
        summary = ensure_demo(n_enterprises=enterprises, seed=seed, progress=progress)
    typer.echo(summary.describe())
    typer.echo(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
    for username, role, scope in summary.logins:
        typer.echo(f"  {username:14} {role:8} {scope}")
    if not no_serve:
        _serve(host, port, threads=8)


@app.command()
def serve(
    host: Host = "127.0.0.1", port: Port = 8000, threads: Annotated[int, typer.Option(help="工作线程数")] = 8
) -> None:
    """迁移数据库（如需要）并启动平台服务。"""
    _django()
    _migrate()
    _serve(host, port, threads)


@app.command()
def migrate() -> None:
    """建立或升级数据库表结构。"""
    _django()
    _migrate()
    typer.echo("数据库已是最新结构")


@app.command()
def createuser(
    username: Annotated[str, typer.Argument(help="登录名")],
    role: Annotated[str, typer.Option(help="角色：chain_office/department/district/enterprise/expert/admin")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="密码")
    ],
    region: Annotated[str, typer.Option(help="区/镇街用户负责的区划代码，如 440106")] = "",
    enterprise: Annotated[str, typer.Option(help="企业用户所属企业的统一社会信用代码")] = "",
    department: Annotated[str, typer.Option(help="部门用户所属部门名称，如 广州市科学技术局")] = "",
    name: Annotated[str, typer.Option(help="姓名")] = "",
) -> None:
    """创建平台用户并指定角色与范围。"""
    _django()
    _migrate()  # on a fresh data folder the tables do not exist yet
    from django.core.exceptions import ValidationError

    from lianzhang.accounts.models import Department
    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.accounts.services import NewUser, create_user
    from lianzhang.enterprises.models import Enterprise
    from lianzhang.regions.models import Region

    if region and not Region.objects.filter(pk=region).exists():
        # Checked here because an unknown code would otherwise only fail as a foreign-key error at commit.
        _fail(f"未知的区划代码 {region}")
    enterprise_id = (
        Enterprise.objects.filter(credit_code=enterprise.upper()).values_list("pk", flat=True).first()
    )
    if enterprise and enterprise_id is None:
        _fail(f"未登记的企业 {enterprise}")
    department_id = Department.objects.filter(name=department).values_list("pk", flat=True).first()
    if department and department_id is None:
        _fail(f"未登记的部门 {department}")
    try:
        create_user(
            SYSTEM,
            NewUser(
                username=username,
                password=password,
                role=role,
                display_name=name,
                region_code=region or None,
                department_id=department_id,
                enterprise_id=enterprise_id,
            ),
        )
    except ValidationError as exc:
        _fail("；".join(exc.messages))
    typer.echo(f"已创建用户 {username}（{role}）")


@import_app.command("enterprises")
def import_enterprises(
    file: Annotated[Path, typer.Argument(help=".xlsx 或 .csv 文件", exists=True, dir_okay=False)],
    skip_invalid: Annotated[bool, typer.Option(help="跳过出错的行，导入其余行（默认整批不导入）")] = False,
    dry_run: Annotated[bool, typer.Option(help="只校验，不写入")] = False,
    errors_out: Annotated[Path | None, typer.Option(help="把错误报告写到此文件（.xlsx 或 .csv）")] = None,
) -> None:
    """导入企业：逐行校验，按统一社会信用代码新增或更新；有错误时默认整批不导入。"""
    _django()
    _migrate()
    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.enterprises import services, tabular

    with file.open("rb") as handle, _progress("写入企业库") as progress:
        report = services.import_enterprises(
            SYSTEM,
            handle,
            file.name,
            apply=not dry_run,
            skip_invalid=skip_invalid,
            max_bytes=10 * 1024 * 1024 * 1024,  # the command line has no upload limit
            progress=progress,
        )
    if report.file_error:
        _fail(report.file_error)
    for err in report.errors[:50]:
        typer.secho(f"第 {err.row} 行 [{err.column}] {err.reason}：{err.value}", fg="yellow", err=True)
    if len(report.errors) > 50:
        typer.secho(f"……另有 {len(report.errors) - 50} 处错误", fg="yellow", err=True)
    if errors_out and report.errors:
        fmt = "csv" if errors_out.suffix.lower() == ".csv" else "xlsx"
        errors_out.write_bytes(tabular.error_report_bytes(report.errors, fmt))
        typer.echo(f"错误报告已写入 {errors_out}")
    state = "已导入" if report.applied else ("校验完成（未写入）" if dry_run and report.ok else "未导入")
    typer.echo(
        f"{state}：共 {report.total_rows} 行，新增 {report.created}，更新 {report.updated}，"
        f"无变化 {report.unchanged}，出错 {len(report.skipped_rows)} 行"
    )
    if report.errors and not report.applied:
        raise typer.Exit(1)


@import_app.command("plan")
def import_plan(
    file: Annotated[Path, typer.Argument(help="规划文件：.txt、.docx 或 .pdf", exists=True, dir_okay=False)],
    city_code: Annotated[
        str | None, typer.Option(help="规划所属城市的区划代码，如 4401（默认按正文判断）")
    ] = None,
) -> None:
    """导入一份规划文件为草稿：在平台“规划督办”中对照原文核对、修改并确认。"""
    _django()
    _migrate()
    from django.core.exceptions import ValidationError

    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.plans import services

    try:
        plan = services.import_plan(SYSTEM, file, file.name, city_code=city_code, max_bytes=200 * 1024 * 1024)
    except ValidationError as exc:
        _fail("；".join(exc.messages))
    unknown = services.unknown_departments(plan)
    typer.echo(
        f"已导入草稿规划 {plan.pk}：{plan.title}（{plan.city.name}），任务 {plan.tasks.count()} 项，"
        f"目标 {plan.targets.count()} 项，政策参数 {plan.rules.count()} 项"
    )
    if unknown:
        typer.echo(f"待确认的部门名称：{'、'.join(unknown)}")
    typer.echo(f"请在 /plans/{plan.pk}/review/ 核对后确认。")


@export_app.command("enterprises")
def export_enterprises(
    file: Annotated[Path, typer.Argument(help="输出文件（.xlsx 或 .csv）")],
    q: Annotated[str, typer.Option(help="关键词")] = "",
    division: Annotated[str, typer.Option(help="区划代码前缀，如 440106")] = "",
    node: Annotated[str, typer.Option(help="产业链节点编号，如 vision")] = "",
    tag: Annotated[str, typer.Option(help="标签，如 专精特新")] = "",
) -> None:
    """导出企业名录（可按关键词、区划、节点、标签筛选），格式由文件扩展名决定。"""
    fmt = file.suffix.lower().lstrip(".")
    if fmt not in {"xlsx", "csv"}:
        _fail("输出文件扩展名必须是 .xlsx 或 .csv")
    _django()
    _migrate()
    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.enterprises.services import EnterpriseFilter, export_enterprises

    with file.open("wb") as handle:
        flt = EnterpriseFilter(q=q, division=division, node=node, tag=tag)
        count = export_enterprises(SYSTEM, flt, handle, fmt)  # type: ignore[arg-type]
    typer.echo(f"已导出 {count} 家企业到 {file}")


@app.command("settings")
def show_settings() -> None:
    """列出平台读取的全部环境变量、默认值与说明。"""
    from lianzhang.config import describe_settings

    typer.echo(describe_settings())


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, driven by (done, total) callbacks from the services."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def _fail(message: str) -> None:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(1)


if __name__ == "__main__":
    app()
