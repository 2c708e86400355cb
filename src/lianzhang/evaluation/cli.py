"""`lianzhang evaluate`: score, rank and place entities from a framework file and a CSV of indicators."""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

Normalisation = Enum("Normalisation", {v: v for v in ("minmax", "zscore", "rank", "vector")}, type=str)
Weighting = Enum(
    "Weighting", {v: v for v in ("equal", "manual", "ahp", "entropy", "critic", "pca")}, type=str
)
Aggregation = Enum("Aggregation", {v: v for v in ("arithmetic", "geometric")}, type=str)
Ranking = Enum("Ranking", {v: v for v in ("weighted_sum", "topsis")}, type=str)


def _value(choice: Enum | None) -> str | None:
    return None if choice is None else str(choice.value)


def evaluate_command(
    framework: Annotated[str, typer.Option(help="评价框架 YAML 文件，或内置框架名 district / enterprise")],
    data: Annotated[
        Path, typer.Option(help="CSV：每行一个评价对象，首列 id，其后每个指标一列", dir_okay=False)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（默认输出表格）")] = False,
    normalisation: Annotated[Normalisation | None, typer.Option(help="标准化方法（覆盖框架设置）")] = None,
    weighting: Annotated[Weighting | None, typer.Option(help="赋权方法（覆盖框架设置）")] = None,
    aggregation: Annotated[Aggregation | None, typer.Option(help="合成方法（覆盖框架设置）")] = None,
    ranking: Annotated[Ranking | None, typer.Option(help="排序方法：加权求和或 TOPSIS")] = None,
    seed: Annotated[int | None, typer.Option(help="蒙特卡洛随机种子（同一种子结果相同）", min=0)] = None,
    draws: Annotated[
        int | None, typer.Option(help="蒙特卡洛抽样次数（0 表示不做不确定性分析）", min=0)
    ] = None,
    allow_inconsistent: Annotated[
        bool, typer.Option("--allow-inconsistent", help="允许一致性比率 CR > 0.1 的 AHP 判断矩阵")
    ] = False,
    sensitivity: Annotated[bool, typer.Option(help="输出敏感性分析")] = True,
) -> None:
    """综合评价：标准化、赋权、合成、排序，并给出排名区间（蒙特卡洛第 5–95 百分位）与成熟度等级。"""
    from lianzhang.evaluation.engine import (
        DataError,
        FrameworkError,
        InconsistentJudgements,
        evaluate,
        load_framework,
        read_table,
        with_overrides,
    )

    try:
        fw = load_framework(framework)
        table = read_table(data, fw)
        method = with_overrides(
            fw.method,
            normalisation=_value(normalisation),
            weighting=_value(weighting),
            aggregation=_value(aggregation),
            ranking=_value(ranking),
            seed=seed,
            draws=draws,
            allow_inconsistent=True if allow_inconsistent else None,
        )
        if method.weighting == "ahp" and fw.ahp is None:
            raise FrameworkError(["使用 AHP 赋权时框架须有顶层 ahp 矩阵"])
        result = evaluate(fw, table.ids, table.values, method, table.row_labels, with_sensitivity=sensitivity)
    except (FrameworkError, DataError, InconsistentJudgements) as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    out = result.to_dict()
    out["data"] = {
        "file": data.name,
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
        "rows": len(table.ids),
        "ignored_columns": table.ignored_columns,
    }
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    _print_table(out)


def _print_table(out: dict[str, Any]) -> None:
    fw, method = out["framework"], out["method"]
    typer.echo(
        f"{fw['name']}（{fw['id']} v{fw['version']}）  标准化 {method['normalisation']}  "
        f"赋权 {method['weighting']}  合成 {method['aggregation']}  排序 {method['ranking']}  "
        f"种子 {method['seed']}  抽样 {method['draws']}"
    )
    if out.get("consistency_ratio") is not None:
        typer.echo(f"AHP 一致性比率 CR = {out['consistency_ratio']:.4f}")
    typer.echo(f"{'排名':>4}  {'对象':<16} {'得分':>10}  {'排名区间':<11} 等级")
    for e in out["entities"]:
        lo, hi = e["rank_interval"]
        level = e.get("maturity", {}).get("level", "")
        typer.echo(f"{e['rank']:>4}  {e['id']:<16} {e['score']:>10.2f}  {f'{lo}–{hi}':<11} {level}")
    for warning in out["warnings"]:
        typer.secho(warning, fg="yellow", err=True)
