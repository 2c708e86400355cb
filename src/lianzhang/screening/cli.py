"""`lianzhang screen`: classify every record of a registry file (CSV, XLSX, Parquet, JSONL) in chunks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lianzhang.screening.readers import DEFAULT_CHUNK_ROWS

ENGINES = ("local", "spark")


class _RichReporter:
    """Progress bar and notes on stderr."""

    def __init__(self, console: Any, show: bool) -> None:
        self.console = console
        self.show = show
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int | None, unit: str) -> None:
        if not self.show or self.bar is not None:
            return
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("筛查"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]:,} 条"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("screen", total=total, rows=0)

    def update(self, position: int, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=position, rows=rows)

    def note(self, message: str) -> None:
        self.console.print(message, markup=False, highlight=False)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def screen_command(
    input: Annotated[
        Path, typer.Argument(help="企业名录文件：.csv（UTF-8 或 GB18030）、.xlsx、.parquet 或 .jsonl")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="结果文件：.parquet、.jsonl 或 .csv")],
    engine: Annotated[
        str, typer.Option(help="local：本机多进程；spark：Apache Spark（pandas UDF）")
    ] = "local",
    workers: Annotated[
        int | None, typer.Option(min=1, help="工作进程数（spark 引擎为 local[N] 的 N），默认 CPU 核数")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(help="编号列；默认依次找 id、统一社会信用代码、credit_code")
    ] = None,
    text_column: Annotated[
        str | None, typer.Option(help="文本列；默认依次找 text、经营范围、business_scope")
    ] = None,
    name_column: Annotated[
        str | None, typer.Option(help='企业名称列；默认找 name、企业名称；"" 表示不用')
    ] = None,
    products_column: Annotated[
        str | None, typer.Option(help='主要产品列，拼接在文本之后；默认找 主要产品、products；"" 表示不用')
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="CSV 编码；默认自动识别 UTF-8 / GB18030")] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help="每个分块的行数（断点续跑以分块为单位）")] = (
        DEFAULT_CHUNK_ROWS
    ),
    restart: Annotated[bool, typer.Option("--restart", help="丢弃已有的断点与结果，从头开始")] = False,
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master，默认 local[N]；集群如 spark://host:7077、yarn")
    ] = None,
    progress: Annotated[bool, typer.Option(help="在标准错误上显示进度条")] = True,
) -> None:
    """批量筛查企业名录：逐条判定是否属于人工智能产业链、所属节点、国家分类（2018）与依据。

    分块流式读写，内存占用与文件大小无关；中断后重新运行同一命令即从断点继续，已完成的任务重跑时直接返回。
    输出字段：id、name、is_ai_chain、nodes（CSV 中以 ; 连接）、primary_node、national_2018、confidence、
    needs_review、evidence（JSON 字符串）、chain_version；输入中的其他列（区划、营收、研发投入、专利、
    标签、链主等）以文本原样接在其后，空单元格为缺失值。
    """
    from rich.console import Console

    from lianzhang.screening import InputError, Interrupted, screen_file

    # Soft wrap: a message cut at 80 columns in a log file or CI output is harder to read and to grep.
    err = Console(stderr=True, soft_wrap=True)
    if engine not in ENGINES:
        err.print(f"[red]未知的引擎 {engine}：应为 local 或 spark[/red]", highlight=False)
        raise typer.Exit(1)
    reporter = _RichReporter(err, progress)
    try:
        summary = screen_file(
            input,
            output,
            engine=engine,  # type: ignore[arg-type]
            workers=workers,
            id_column=id_column,
            text_column=text_column,
            name_column=name_column,
            products_column=products_column,
            encoding=encoding,
            chunk_rows=chunk_rows,
            restart=restart,
            spark_master=spark_master,
            reporter=reporter,
        )
    except InputError as exc:
        reporter.stop()
        err.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from None
    except (Interrupted, KeyboardInterrupt) as exc:
        reporter.stop()
        reason = str(exc) if isinstance(exc, Interrupted) else "已中断"
        err.print(f"[yellow]{reason}；重新运行同一命令即可从断点继续[/yellow]", highlight=False)
        raise typer.Exit(130 if isinstance(exc, KeyboardInterrupt) else 1) from None
    except OSError as exc:
        reporter.stop()
        err.print(f"[red]读写文件失败：{exc}[/red]", highlight=False)
        raise typer.Exit(1) from None
    reporter.stop()
    if summary.already_done:
        err.print(
            f"结果已是最新（输入文件与分类规则都没有变化），无需重跑：{summary.output}"
            f"（{summary.rows:,} 条，其中属于产业链 {summary.on_chain:,} 条）",
            highlight=False,
        )
        return
    rate = summary.rows / summary.seconds if summary.seconds else 0.0
    resumed = f"，其中 {summary.resumed_chunks} 块沿用上次的结果" if summary.resumed_chunks else ""
    skipped = f"；跳过坏行 {summary.bad_lines} 行" if summary.bad_lines else ""
    err.print(
        f"已筛查 {summary.rows:,} 条，属于产业链 {summary.on_chain:,} 条 → {summary.output}"
        f"（{summary.chunks} 个分块{resumed}；{summary.seconds:.1f} 秒，{rate:,.0f} 条/秒{skipped}）",
        highlight=False,
    )


def main() -> None:
    """Run the command on its own (python -m lianzhang.screening.cli)."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(screen_command)
    app()


if __name__ == "__main__":
    main()
