"""`lianzhang classify`: classify JSONL records (id, text, optional name) and write one JSON line each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

# Files smaller than this finish before a progress bar would be any help.
PROGRESS_MIN_BYTES = 1_000_000


def _result_record(record_id: Any, result: Any) -> dict[str, Any]:
    data = result.to_dict()
    return {
        "id": record_id,
        "is_ai_chain": data["is_ai_chain"],
        "nodes": data["nodes"],
        "national_2018": data["national_2018"],
        "confidence": data["confidence"],
        "evidence": data["evidence"],
        "needs_review": data["needs_review"],
        "scores": data["scores"],
        "excluded": data["excluded"],
    }


def _parse(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """Return (record, None) or (None, reason) for one input line."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"不是合法的 JSON（{exc.msg}，第 {exc.colno} 列）"
    if not isinstance(data, dict):
        return None, "应为 JSON 对象"
    if data.get("id") in (None, ""):
        return None, "缺少 id"
    text = data.get("text")
    if not isinstance(text, str):
        return None, "缺少 text 或 text 不是字符串"
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        return None, "name 应为字符串"
    return data, None


def _loose_id(line: str) -> Any:
    """The id of a rejected line when it has one, so the error record can be matched to its input."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    return data.get("id") if isinstance(data, dict) else None


def classify_stream(
    source: TextIO,
    sink: TextIO,
    *,
    chain_id: str = "ai",
    on_error: Any = None,
    on_progress: Any = None,
) -> tuple[int, int]:
    """Classify each JSONL line of source into sink; return (classified, bad) counts."""
    from lianzhang.classify.engine import Classifier, get_classifier
    from lianzhang.taxonomy import get_chain

    classifier: Classifier = get_classifier(get_chain(chain_id) if chain_id != "ai" else None)
    good = bad = 0
    pending = 0
    for number, line in enumerate(source, start=1):
        if on_progress is not None:
            # Report in batches: updating a progress bar per line would cost more than classifying.
            pending += len(line.encode("utf-8"))
            if number % 2000 == 0:
                on_progress(pending)
                pending = 0
        if not line.strip():
            continue
        record, problem = _parse(line)
        if record is None:
            bad += 1
            if on_error is not None:
                on_error(number, problem)
            # The error record keeps output and input aligned line for line.
            sink.write(
                json.dumps({"id": _loose_id(line), "line": number, "error": problem}, ensure_ascii=False)
                + "\n"
            )
            continue
        result = classifier.classify(record["text"], record.get("name"))
        sink.write(json.dumps(_result_record(record["id"], result), ensure_ascii=False) + "\n")
        good += 1
    if on_progress is not None and pending:
        on_progress(pending)
    return good, bad


def classify_command(
    input: Annotated[Path, typer.Option("--input", "-i", help="输入 JSONL：每行含 id、text，可选 name")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出 JSONL：每行一条分类结果")],
    chain: Annotated[str, typer.Option(help="产业链 id")] = "ai",
    progress: Annotated[bool, typer.Option(help="大文件在标准错误上显示进度条")] = True,
) -> None:
    """按产业链为企业分类：读取 JSONL（id、text、name），输出是否属于产业链、节点、国家分类代码与证据。

    坏行（不是合法 JSON、缺少 id 或 text）在标准错误上报告行号，并在输出中写一条
    {"id": 原 id 或 null, "line": 行号, "error": 原因} 的错误记录；空行跳过，其余输出与输入逐行对应。
    """
    from rich.console import Console

    from lianzhang.taxonomy import TaxonomyError

    err = Console(stderr=True)
    if not input.is_file():
        err.print(f"[red]输入文件不存在：{input}[/red]")
        raise typer.Exit(2)
    try:
        from lianzhang.taxonomy import get_chain

        get_chain(chain)
    except TaxonomyError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None

    def report(number: int, problem: str | None) -> None:
        err.print(f"第 {number} 行：{problem}", markup=False, highlight=False)

    size = input.stat().st_size
    show = progress and size >= PROGRESS_MIN_BYTES
    try:
        with (
            input.open(encoding="utf-8", errors="replace", newline=None) as source,
            output.open("w", encoding="utf-8") as sink,
        ):
            if show:
                from rich.progress import (
                    BarColumn,
                    DownloadColumn,
                    Progress,
                    TextColumn,
                    TimeRemainingColumn,
                )

                with Progress(
                    TextColumn("分类"),
                    BarColumn(),
                    DownloadColumn(),
                    TimeRemainingColumn(),
                    console=err,
                    transient=True,
                ) as bar:
                    task = bar.add_task("classify", total=size)
                    good, bad = classify_stream(
                        source,
                        sink,
                        chain_id=chain,
                        on_error=report,
                        on_progress=lambda n: bar.advance(task, n),
                    )
            else:
                good, bad = classify_stream(source, sink, chain_id=chain, on_error=report)
    except OSError as exc:
        err.print(f"[red]读写文件失败：{exc}[/red]")
        raise typer.Exit(2) from None
    err.print(f"已分类 {good} 条，坏行 {bad} 条 → {output}", highlight=False)
    if bad and not good:
        raise typer.Exit(1)
