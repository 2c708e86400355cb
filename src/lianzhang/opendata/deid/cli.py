"""`lianzhang deid scan` and `lianzhang deid apply`: find identifiers in a table, de-identify by policy."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

deid_app = typer.Typer(help="数据脱敏：识别个人信息、按策略处理、k-匿名校验与复扫。", no_args_is_help=True)

InputFile = Annotated[Path, typer.Argument(help="CSV（UTF-8 或 GB18030）、XLSX、JSON 或 JSONL 文件")]


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr driven by (done, total) callbacks."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield report


def _fail(message: str, code: int = 2) -> None:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(code)


@deid_app.command("scan")
def scan_command(
    file: InputFile,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（默认输出文字摘要）")] = False,
) -> None:
    """逐列识别身份证号、手机号、银行卡号等直接标识符与出生日期、性别等准标识符。"""
    from lianzhang.opendata.deid.scan import scan_file
    from lianzhang.opendata.deid.tables import TableError

    try:
        with _progress("扫描") as progress:
            result = scan_file(file, progress)
    except TableError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    typer.echo(f"共 {result['rows']} 行，发现 {result['total_findings']} 处直接标识符")
    for column in result["columns"]:
        if column["types"]:
            found = "、".join(f"{k} {n}" for k, n in column["types"].items())
            typer.echo(f"  {column['name']}：{found}")
    for quasi in result["quasi_identifiers"]:
        typer.echo(f"  {quasi['name']}：准标识符（{quasi['kind']}）")


@deid_app.command("apply")
def apply_command(
    file: InputFile,
    policy: Annotated[Path, typer.Option("--policy", help="脱敏策略 YAML")],
    output: Annotated[Path, typer.Option("--output", help="输出文件（格式由扩展名决定）")],
    report: Annotated[Path, typer.Option("--report", help="脱敏报告 JSON")],
) -> None:
    """按策略逐列删除、掩码、假名化、泛化，做 k-匿名校验并复扫；仍含直接标识符时拒绝输出（退出码 1）。"""
    from lianzhang.opendata.deid.policy import PolicyError, load_policy
    from lianzhang.opendata.deid.process import RefusedError, apply_policy
    from lianzhang.opendata.deid.tables import TableError, read_header, table_format

    try:
        table_format(output)
        rules = load_policy(policy, read_header(file))
        with _progress("脱敏") as progress:
            result: dict[str, Any] = apply_policy(file, rules, output, progress)
    except (TableError, PolicyError) as exc:
        _fail(str(exc))
    except RefusedError as exc:
        result = exc.args[0]
        _write_report(report, result)
        remaining = "；".join(
            f"{col}：{'、'.join(f'{k} {n}' for k, n in types.items())}"
            for col, types in result["verification"]["direct_identifiers_remaining"].items()
        )
        _fail(f"拒绝输出：处理后仍检出直接标识符（{remaining}），未写入 {output}。报告见 {report}", code=1)
    _write_report(report, result)
    k = result["k_anonymity"]
    typer.echo(f"已写入 {output}：{result['rows_written']} 行；报告 {report}")
    if not k["satisfied"]:
        typer.secho(
            f"注意：未满足 {k['k']}-匿名（{k['violating_rows']} 行所在组合少于 {k['k']} 行，"
            f"最高重识别概率 {k['residual_risk']['max_reidentification_probability']}）",
            fg="yellow", err=True,
        )


def _write_report(path: Path, result: dict[str, Any]) -> None:
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
