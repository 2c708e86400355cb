"""`lianzhang chain`: weak links and the investment-attraction list from two `lianzhang screen` outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

chain_app = typer.Typer(help="产业链薄弱环节分析与精准招商清单。", no_args_is_help=True)

Local = Annotated[
    Path, typer.Option("--local", help="本地企业名录：lianzhang screen 的输出（.parquet、.csv 或 .jsonl）")
]
Reference = Annotated[
    Path, typer.Option("--reference", help="参照名录（全省或全国）：lianzhang screen 的输出，建议 Parquet")
]
ChainId = Annotated[str, typer.Option("--chain", help="产业链 id")]
District = Annotated[str | None, typer.Option(help="只看本地名录中该区划（代码前缀）的企业")]
AsJson = Annotated[bool, typer.Option("--json", help="输出 JSON")]


def _fail(message: str) -> None:
    typer.secho(f"错误：{message}", fg="red", err=True)
    raise typer.Exit(1)


def _run(local: Path, reference: Path, chain: str, district: str | None, top: int) -> Any:
    from lianzhang.chains.engine import PopulationError, analyse_files

    try:
        return analyse_files(local, reference, chain_id=chain, top=top, district=district)
    except PopulationError as exc:
        _fail(str(exc))
    except KeyError as exc:
        _fail(f"未知的产业链 {chain}：{exc.args[0] if exc.args else ''}")


@chain_app.command("gaps")
def gaps_command(
    local: Local,
    reference: Reference,
    chain: ChainId = "ai",
    district: District = None,
    as_json: AsJson = False,
) -> None:
    """逐个节点比较本地与参照名录：企业数、占比、区位商、营收/研发/专利/增长、链主、供给覆盖，给出薄弱度与说明。

    --json 输出节点列表，每个节点含 id、local_count、reference_count、location_quotient、weak_score、
    explanation 以及其余数字；"中间强两头弱"的判断写在相应节点的 two_ends_weak 与说明中。
    """
    analysis = _run(local, reference, chain, district, 0)
    report = analysis.report
    if as_json:
        typer.echo(json.dumps([n.to_dict() for n in report.nodes], ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"本地 {report.local_total:,} 家（链上 {report.local_chain:,} 家），"
        f"参照 {report.reference_total:,} 家（链上 {report.reference_chain:,} 家）"
    )
    for node in sorted(report.nodes, key=lambda n: -n.weak_score):
        lq = "—" if node.location_quotient is None else f"{node.location_quotient:.2f}"
        counts = f"本地 {node.local_count:>7,}  参照 {node.reference_count:>9,}"
        typer.echo(f"{node.weak_score:5.1f}  {node.id:<14} {counts}  区位商 {lq:>5}  {node.explanation}")
    for pattern in report.patterns:
        typer.echo(pattern.explanation)


@chain_app.command("targets")
def targets_command(
    local: Local,
    reference: Reference,
    top: Annotated[int, typer.Option("--top", min=1, help="清单长度")] = 50,
    chain: ChainId = "ai",
    district: District = None,
    as_json: AsJson = False,
) -> None:
    """为薄弱环节排出外地招商对象：契合度、实力、与本地链主的上下游关联，各附一句理由；只列非本地企业。

    --json 输出按得分排序的列表，每项含 id、name、node、score、reason 以及各项分数。
    """
    analysis = _run(local, reference, chain, district, top)
    if as_json:
        typer.echo(json.dumps([c.to_dict() for c in analysis.candidates], ensure_ascii=False, indent=2))
        return
    if not analysis.candidates:
        typer.echo("没有薄弱环节或参照名录中没有可招引的外地企业。")
        return
    for place, candidate in enumerate(analysis.candidates, start=1):
        typer.echo(
            f"{place:>3}. {candidate.score:5.1f}  {candidate.name}（{candidate.id}）  {candidate.reason}"
        )


def _platform() -> None:
    """Configure Django and bring the database up to date (commands that write to the platform)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianzhang.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


@chain_app.command("import-reference")
def import_reference_command(
    file: Annotated[
        Path, typer.Argument(help="参照名录：lianzhang screen 的输出（.parquet、.csv 或 .jsonl）")
    ],
    name: Annotated[str, typer.Option("--name", help="参照名录名称，如“全省人工智能企业（2024）”")],
    chain: ChainId = "ai",
) -> None:
    """把参照名录导入平台数据目录（保存为 Parquet，不进入业务数据库），供薄弱环节分析使用。"""
    _platform()
    from django.core.exceptions import ValidationError

    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.chains.services import import_reference

    try:
        reference = import_reference(SYSTEM, file, name, chain_id=chain)
    except ValidationError as exc:
        _fail("；".join(exc.messages))
    typer.echo(f"已导入参照名录“{reference.name}”：{reference.records:,} 家，链上 {reference.on_chain:,} 家")


@chain_app.command("analyse")
def analyse_command(
    reference: Annotated[int | None, typer.Option(help="参照名录编号，默认最近导入的一个")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="清单长度")] = 50,
    chain: ChainId = "ai",
) -> None:
    """用平台企业库对照参照名录做薄弱环节分析，保存结果与招商清单（页面直接读取）。"""
    _platform()
    from django.core.exceptions import ValidationError

    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.chains.models import ReferencePopulation
    from lianzhang.chains.services import run_analysis

    chosen = reference or ReferencePopulation.objects.filter(chain=chain).values_list("pk", flat=True).first()
    if chosen is None:
        _fail("尚未导入参照名录：先运行 lianzhang chain import-reference")
    try:
        analysis = run_analysis(SYSTEM, chosen, top=top, chain_id=chain)
    except ValidationError as exc:
        _fail("；".join(exc.messages))
    weak = [n["name"] for n in analysis.report["nodes"] if n["weak"]]
    typer.echo(
        f"分析完成（{analysis.seconds:.1f} 秒）：薄弱环节 {len(weak)} 个（{'、'.join(weak) or '无'}），"
        f"招商对象 {len(analysis.candidates)} 家"
    )
