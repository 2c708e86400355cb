"""`lianzhang plan …`: parse plan documents into tasks, targets and rules from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

plan_app = typer.Typer(
    help="规划/行动计划文件：解析任务分工、量化目标和政策参数。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMPARATOR_WORDS = {">": "超过", ">=": "不低于", "~": "约", "<=": "不超过", "<": "低于", "=": ""}


@plan_app.callback()
def _plan() -> None:
    """规划/行动计划文件：解析任务分工、量化目标和政策参数。"""


@plan_app.command()
def parse(
    file: Annotated[
        Path, typer.Argument(help="规划文件：.txt、.docx 或 .pdf（简体或繁体）", show_default=False)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（任务、目标、规则）")] = False,
    city: Annotated[
        str | None, typer.Option(help="部门目录所用城市：guangzhou、dongguan、zhongshan（默认按正文判断）")
    ] = None,
) -> None:
    """解析一份规划文件：编号任务及牵头/配合单位、量化目标、补贴等政策参数。"""
    from lianzhang.plans.departments import default_directory
    from lianzhang.plans.engine import parse_file
    from lianzhang.plans.reader import DocumentError

    directory = default_directory()
    if city is not None and city not in directory.cities:
        _fail(f"未知的城市 {city}，可选：{', '.join(directory.cities)}")
    try:
        result = parse_file(file, city=city, directory=directory)
    except DocumentError as exc:
        _fail(str(exc))
    except Exception as exc:  # a malformed file must not end in a traceback
        _fail(f"无法解析 {file}：{type(exc).__name__}: {exc}")
    data = result.to_dict()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(_summary(data))


def _summary(data: dict) -> str:
    lines = [f"文件：{data['path']}"]
    if data.get("title"):
        lines.append(f"标题：{data['title']}")
    if data.get("period"):
        lines.append(f"期限：{data['period']['start']}—{data['period']['end']}年")
    lines.append(f"\n任务 {len(data['tasks'])} 项：")
    for task in data["tasks"]:
        lead = "、".join(task["lead"]) or "（未写明）"
        line = f"  {task['number']}  {task['title']}  牵头：{lead}"
        if task["cooperating"]:
            line += f"  配合：{'、'.join(task['cooperating'])}"
        lines.append(line)
    lines.append(f"\n量化目标 {len(data['targets'])} 项：")
    for target in data["targets"]:
        word = _COMPARATOR_WORDS.get(target["comparator"], target["comparator"])
        amount = f"{word}{target['value']}{target['unit']}"
        if target.get("value_max") is not None:
            amount = f"{target['value']}—{target['value_max']}{target['unit']}"
        deadline = f"（{target['deadline']}年）" if target.get("deadline") else ""
        lines.append(f"  {target['metric']}：{amount}{deadline}  ← {target['text']}")
    lines.append(f"\n政策参数 {len(data['rules'])} 项：")
    for rule in data["rules"]:
        word = _COMPARATOR_WORDS.get(rule["comparator"], rule["comparator"])
        lines.append(f"  {rule['parameter']}：{word}{rule['value']}{rule['unit']}  ← {rule['text']}")
    if data.get("unknown_departments"):
        lines.append(f"\n待确认的部门名称：{'、'.join(data['unknown_departments'])}")
    return "\n".join(lines)


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)
