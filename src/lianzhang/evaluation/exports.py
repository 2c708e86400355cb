"""Excel export of an evaluation run: one sheet each for results, weights, inputs, sensitivity, provenance."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lianzhang.evaluation.engine import Framework
from lianzhang.evaluation.models import EvaluationRun

BOLD = Font(bold=True)


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for column in ws.columns:
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(50, max(8, width * 1.6))


def run_workbook(
    run: EvaluationRun,
    fw: Framework,
    provenance: list[tuple[str, str]],
    variance_sources: list[tuple[str, float]],
) -> bytes:
    """Build the workbook bytes."""
    result, inputs = run.result, run.inputs
    names = inputs["names"]
    pillars = [p for p in fw.pillars]
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        "评价结果",
        [
            "排名",
            "编号",
            "名称",
            "得分",
            "排名区间（下）",
            "排名区间（上）",
            "排名中位数",
            "成熟度等级",
            "等级依据",
        ]
        + [f"{p.name}得分" for p in pillars],
        [
            [
                e["rank"],
                e["id"],
                names.get(e["id"], e["id"]),
                round(e["score"], 4),
                *e["rank_interval"],
                e.get("median_rank"),
                e.get("maturity", {}).get("level", ""),
                e.get("maturity", {}).get("rule", ""),
                *[round(e["pillar_scores"][p.id], 4) for p in pillars],
            ]
            for e in result["entities"]
        ],
    )
    weights = result["weights"]
    rows = []
    for p in pillars:
        rows.append([p.id, p.name, "支柱", round(weights["pillars"][p.id], 6), ""])
        for ind in p.indicators:
            rows.append(
                [
                    ind.id,
                    ind.name,
                    f"指标（{p.name}）",
                    round(weights["indicators"][ind.id], 6),
                    f"{'越大越好' if ind.direction == 'benefit' else '越小越好'}；{ind.unit}；"
                    f"{'平台计算' if ind.source == 'computed' else '导入'}；缺失规则 {ind.missing}",
                ]
            )
    for matrix, figures in (result.get("consistency") or {}).items():
        rows.append(
            [
                matrix,
                "AHP 一致性",
                "λmax / CI / CR",
                figures["cr"],
                f"λmax={figures['lambda_max']}, CI={figures['ci']}, CR={figures['cr']}",
            ]
        )
    _sheet(wb, "权重", ["编号", "名称", "层级", "权重", "说明"], rows)
    _sheet(
        wb,
        "输入数据",
        ["编号", "名称", *inputs["indicators"]],
        [
            [ident, names.get(ident, ident), *row]
            for ident, row in zip(inputs["ids"], inputs["values"], strict=True)
        ],
    )
    sens = result.get("sensitivity") or {}
    _sheet(
        wb,
        "敏感性",
        ["变动", "对象", "平均名次变化", "最大名次变化"],
        [
            [label, row["id"], row[key]["mean_shift"], row[key]["max_shift"]]
            for part, changes in (
                ("indicators", ("drop", "half", "plus_half")),
                ("pillars", ("half", "plus_half")),
            )
            for row in sens.get(part, [])
            for key, label in (
                (k, {"drop": "去掉该指标", "half": "权重减半", "plus_half": "权重增加一半"}[k])
                for k in changes
            )
        ]
        + [
            [
                f"改用 {m['normalisation']}/{m['aggregation']}/{m['ranking']}",
                "方法",
                m["mean_shift"],
                m["max_shift"],
            ]
            for m in sens.get("methods", [])
        ]
        + [[f"蒙特卡洛：{label}", "一阶敏感性指数", value, ""] for label, value in variance_sources],
    )
    _sheet(wb, "来源", ["项目", "内容"], [list(item) for item in provenance])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
