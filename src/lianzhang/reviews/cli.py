"""`lianzhang review assign` and `lianzhang subsidy allocate`: the engines on files, no database needed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

review_app = typer.Typer(help="专家评审：回避计算与评审分配。", no_args_is_help=True)
subsidy_app = typer.Typer(help="择优支持：按规则计算补助。", no_args_is_help=True)

T = TypeVar("T")


def _fail(message: str, code: int = 2) -> None:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(code)


def _yearly(award: dict[str, Any], places: int | None, yearly: int | None) -> dict[str, Any]:
    """Say the count limit as the programme states it (per year), not as the places left for this run."""
    if places is not None and places != yearly:
        award["rule"] = award["rule"].replace(
            f"本年支持数量已满 {places} 家", f"本年支持数量已满 {yearly} 家（含本年已获支持的企业）"
        )
    return award


def _read_jsonl(path: Path, parse: Callable[[Any, str], T]) -> list[T]:
    """Parse every line of a JSONL file, stopping at the first bad line with its number and field."""
    from lianzhang.reviews.engine.records import InputError

    if not path.is_file():
        _fail(f"文件不存在：{path}")
    out: list[T] = []
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path.name} 第 {number} 行"
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    _fail(f"{where}：不是合法的 JSON（{exc.msg}，第 {exc.colno} 列）")
                try:
                    out.append(parse(data, where))
                except InputError as exc:
                    _fail(str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"读取 {path} 失败：{exc}")
    return out


def _parse_declines(values: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        app_id, sep, expert_id = value.partition(":")
        if not sep or not app_id or not expert_id:
            _fail(f"--decline 应写成 申请id:专家id，实为 {value!r}")
        pairs.append((app_id, expert_id))
    return pairs


@review_app.command("assign")
def assign_command(
    experts: Annotated[
        Path, typer.Option(help="专家 JSONL：id、name、org、fields、text，可选 related_enterprises")
    ],
    applications: Annotated[
        Path, typer.Option(help="申请 JSONL：id、title、text、applicant_org，可选 fields、district")
    ],
    per_app: Annotated[int, typer.Option("--per-app", help="每项申请的评审专家人数 K")],
    max_load: Annotated[int, typer.Option("--max-load", help="每位专家至多评审的申请数 M")],
    mode: Annotated[str, typer.Option(help="draw 随机抽取（可由种子复现）或 optimal 亲和度最优")] = "optimal",
    seed: Annotated[
        int | None, typer.Option(help="随机种子（抽取模式；不填则随机生成并在结果中记录）")
    ] = None,
    same_district: Annotated[bool, typer.Option("--same-district", help="本批加严：同区专家回避")] = False,
    decline: Annotated[
        list[str] | None, typer.Option(help="专家谢绝，写成 申请id:专家id，可重复；同一种子重抽替补")
    ] = None,
    with_conflicts: Annotated[
        bool, typer.Option("--with-conflicts", help="输出中列出每条回避及原因")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """分配评审专家：从不跨越回避关系，每位专家不超过 M 项，尽可能每项 K 人，做不到时说明原因。"""
    from lianzhang.reviews.engine import MODES, ConflictRules, InputError, assign
    from lianzhang.reviews.engine.records import application_from_dict, expert_from_dict

    if mode not in MODES:
        _fail(f"--mode 应为 {' 或 '.join(MODES)}，实为 {mode!r}")
    pool = _read_jsonl(experts, expert_from_dict)
    apps = _read_jsonl(applications, application_from_dict)
    try:
        result = assign(
            pool,
            apps,
            per_app=per_app,
            max_load=max_load,
            mode=mode,
            seed=seed,
            rules=ConflictRules(same_district=same_district),
            declined=_parse_declines(decline or []),
        )
    except InputError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.to_dict(with_conflicts=with_conflicts), ensure_ascii=False))
        return
    label = "随机抽取" if result.mode == "draw" else "亲和度最优"
    typer.echo(
        f"{label}（种子 {result.seed}）：{len(apps)} 项申请、{len(pool)} 位专家，"
        f"分配 {len(result.assignments)} 人次，"
        f"回避 {result.conflicts_avoided} 对，未满 {per_app} 人的申请 {len(result.unassigned)} 项"
    )
    for a in result.assignments:
        typer.echo(f"{a.application}\t{a.expert}\t{a.affinity:.3f}\t{a.reason}")
    for s in result.unassigned:
        typer.secho(f"{s.application}：{s.reason}", fg="yellow")


@subsidy_app.command("allocate")
def allocate_command(
    programme: Annotated[
        Path, typer.Option(help="补助项目 YAML：比例、每家每年上限、年度家数、总预算、条件")
    ],
    applications: Annotated[
        Path,
        typer.Option(
            help="申请表 CSV 或 XLSX：applicant_id、name、cost_fen 或 cost_yuan、score 或 rank、district、"
            "nodes、tags、founded_year，可选 granted_fen/granted_yuan"
        ),
    ],
    optimal: Annotated[bool, typer.Option("--optimal", help="同时计算最优组合并说明与按排名的差异")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """按规则计算补助：每家的金额（分）、所用规则与是否获支持；按排名依次支持直到家数或预算用完。"""
    from lianzhang.reviews.engine.money import format_yuan
    from lianzhang.reviews.engine.subsidy import (
        ApplicantsError,
        ProgrammeError,
        allocate_by_rank,
        allocate_optimal,
        explain_difference,
        load_programme,
        read_applicants_csv,
        read_applicants_xlsx,
    )

    for path in (programme, applications):
        if not path.is_file():
            _fail(f"文件不存在：{path}")
    try:
        plan = load_programme(programme.read_text(encoding="utf-8-sig"))
    except ProgrammeError as exc:
        _fail(f"{programme.name}：{exc}")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"读取 {programme} 失败：{exc}")
    try:
        if applications.suffix.lower() == ".xlsx":
            applicants = read_applicants_xlsx(applications.read_bytes())
        else:
            applicants = read_applicants_csv(applications.read_text(encoding="utf-8-sig"))
    except ApplicantsError as exc:
        for err in exc.errors[:50]:
            typer.secho(f"{applications.name} {err}", fg="red", err=True)
        _fail(f"申请表有 {len(exc.errors)} 处错误，未计算")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"读取 {applications} 失败：{exc}")
    yearly_count = plan.max_count
    # The programme's count is per year; enterprises the table says were granted something this year
    # already hold a place, so the run has the rest for the others.
    holders = {a.id for a in applicants if a.granted_fen}
    if yearly_count is not None and holders:
        plan = dataclasses.replace(plan, max_count=max(0, yearly_count - len(holders)))
    result = allocate_by_rank(plan, applicants)
    data: dict[str, Any] = {
        "programme": {
            "id": plan.id,
            "name": plan.name,
            "year": plan.year,
            "rate": plan.rate_label,
            "cap_per_enterprise_fen": plan.cap_fen,
            "max_count": yearly_count,
            "budget_fen": plan.budget_fen,
        },
        "summary": result.summary(),
        "allocations": [_yearly(a.to_dict(), plan.max_count, yearly_count) for a in result.awards],
    }
    if optimal:
        best = allocate_optimal(plan, applicants)
        data["optimal"] = {
            "summary": best.summary(),
            "allocations": [_yearly(a.to_dict(), plan.max_count, yearly_count) for a in best.awards],
            "difference": explain_difference(result, best),
        }
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    summary = data["summary"]
    typer.echo(
        f"{plan.name}（{plan.year}）：{summary['applicants']} 份申请，符合条件 {summary['eligible_count']}，"
        f"支持 {summary['funded_count']} 家，共 {format_yuan(result.total_fen)} 元"
    )
    for award in data["allocations"]:
        mark = "✓" if award["funded"] else "·"
        typer.echo(
            f"{mark} {award['order']:>4} {award['applicant_id']}\t"
            f"{format_yuan(award['amount_fen']):>14} 元\t{award['rule']}"
        )
    if optimal:
        typer.echo(data["optimal"]["difference"]["text"])
