"""`lianzhang match`: rank suppliers for scenario demands from two JSONL files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # the engine (numpy, bm25s) loads only when the command runs, not with every CLI call
    from lianzhang.scenarios.engine.matching import Record


class InputError(ValueError):
    """A line of an input file is unusable; the message names file, line, field and reason."""


def _optional_text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}：字段 {key} 应为字符串")
    return value


def read_records(path: Path, kind: str) -> tuple[list[Record], dict[str, Any]]:
    """Read demands (kind "scenario") or suppliers ("supplier") and each id as written (string or number);
    raise InputError at the first bad line."""
    from lianzhang.scenarios.engine.matching import Record

    label_field = "title" if kind == "scenario" else "name"
    records: list[Record] = []
    raw_ids: dict[str, Any] = {}
    seen: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(f"文件不存在：{path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取 {path}：{exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name} 第 {number} 行"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}：不是合法的 JSON（{exc.msg}，第 {exc.colno} 列）") from None
        if not isinstance(data, dict):
            raise InputError(f"{where}：应为 JSON 对象")
        raw_id = data.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or str(raw_id) == "":
            raise InputError(f"{where}：缺少字段 id（应为非空字符串或整数）")
        record_id = str(raw_id)
        if record_id in seen:
            raise InputError(f"{where}：字段 id 的值 {record_id} 与第 {seen[record_id]} 行重复")
        seen[record_id] = number
        raw_ids[record_id] = raw_id
        if not isinstance(data.get("text"), str):
            raise InputError(
                f"{where}：缺少字段 text" if "text" not in data else f"{where}：字段 text 应为字符串"
            )
        text = data["text"]
        label = _optional_text(data, label_field, where)
        if not (text.strip() or label.strip()):
            raise InputError(f"{where}：字段 text 为空（{label_field} 也为空，无从匹配）")
        nodes = data.get("nodes") or []
        if not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes):
            raise InputError(f"{where}：字段 nodes 应为字符串列表")
        place = _optional_text(data, "location", where)
        cases = data.get("cases")
        if cases is not None and (isinstance(cases, bool) or not isinstance(cases, int) or cases < 0):
            raise InputError(f"{where}：字段 cases 应为非负整数")
        records.append(Record(record_id, text, title=label, nodes=tuple(nodes), place=place, cases=cases))
    return records, raw_ids


def match_files(scenarios: Path, suppliers: Path, top: int) -> dict[str, list[dict[str, Any]]]:
    """Rank the suppliers for each demand of two files: {scenario id: [{supplier, score, reason}]}.

    Supplier ids come back as written in the input (a number stays a number)."""
    from lianzhang.scenarios.engine import rank_suppliers

    demands, _ = read_records(scenarios, "scenario")
    offers, supplier_ids = read_records(suppliers, "supplier")
    ranked = rank_suppliers(demands, offers, top=top)
    return {
        demand_id: [{"supplier": supplier_ids[m.id], "score": m.score, "reason": m.reason} for m in matches]
        for demand_id, matches in ranked.items()
    }


def match_command(
    scenarios: Annotated[Path, typer.Option("--scenarios", help="场景需求 JSONL：每行含 id、title、text")],
    suppliers: Annotated[Path, typer.Option("--suppliers", help="供给方 JSONL：每行含 id、name、text")],
    top: Annotated[int, typer.Option("--top", min=1, max=1000, help="每个场景返回的供给方数量")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON：场景 id → [{supplier, score, reason}]")
    ] = False,
) -> None:
    """为每个场景需求给供给方排序：能力对口、产业链节点、全文相关、就近与案例，并给出每条匹配的理由。

    可选字段：nodes（节点 id 列表）、location（所在地）、cases（落地案例数）。
    坏行报告文件、行号、字段与原因，不输出任何结果。
    """
    try:
        result = match_files(scenarios, suppliers, top)
    except InputError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for demand_id, matches in result.items():
        typer.echo(f"场景 {demand_id}")
        for rank, m in enumerate(matches, start=1):
            typer.echo(f"  {rank:>2}. {m['supplier']}  {m['score']:.3f}  {m['reason']}")
