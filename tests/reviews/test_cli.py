"""`lianzhang review assign` and `lianzhang subsidy allocate`: the contracts on files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lianzhang.cli import app

EXPERTS = [
    {"id": "e1", "name": "张", "org": "华南理工大学", "fields": ["vision"], "text": "计算机视觉 缺陷检测"},
    {"id": "e2", "name": "李", "org": "甲视觉科技有限公司", "fields": ["vision"], "text": "工业视觉"},
    {"id": "e3", "name": "王", "org": "中山大学", "fields": ["nlp"], "text": "自然语言处理"},
    {
        "id": "e4",
        "name": "赵",
        "org": "广东工业大学",
        "fields": ["vision"],
        "text": "视觉",
        "related_enterprises": ["a1"],
    },
]
APPLICATIONS = [
    {"id": "a1", "title": "视觉质检", "text": "外壳缺陷检测", "applicant_org": "甲视觉科技股份有限公司"},
    {"id": "a2", "title": "客服问答", "text": "智能客服 自然语言", "applicant_org": "乙软件有限公司"},
]


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_review_assign_prints_the_contract_and_keeps_conflicted_experts_out(tmp_path: Path) -> None:
    args = ["review", "assign", "--experts", str(jsonl(tmp_path / "E.jsonl", EXPERTS))]
    args += ["--applications", str(jsonl(tmp_path / "A.jsonl", APPLICATIONS)), "--per-app", "2"]
    result = CliRunner().invoke(app, [*args, "--max-load", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"assignments", "unassigned", "conflicts_avoided"}
    pairs = {(a["application"], a["expert"]) for a in data["assignments"]}
    # e2 works for the applicant (same company, other legal form); e4 is linked to a1 in the registry.
    assert not pairs & {("a1", "e2"), ("a1", "e4")}
    assert data["conflicts_avoided"] == 2
    assert all({"application", "expert", "affinity", "reason"} <= set(a) for a in data["assignments"])


def test_a_bad_expert_line_is_named_and_nothing_is_printed(tmp_path: Path) -> None:
    experts = tmp_path / "E.jsonl"
    experts.write_text('{"id": "e1", "fields": ["vision"]}\n{"id": \n', encoding="utf-8")
    args = ["review", "assign", "--experts", str(experts), "--applications"]
    args += [str(jsonl(tmp_path / "A.jsonl", APPLICATIONS)), "--per-app", "1", "--max-load", "1", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "E.jsonl 第 2 行" in result.stderr and result.stdout == ""


def test_subsidy_allocate_gives_each_applicant_its_amount_in_fen_and_rule(tmp_path: Path) -> None:
    programme = tmp_path / "P.yaml"
    programme.write_text("rate: 0.3\ncap_per_enterprise_yuan: 2000000\nmax_count: 1\n", encoding="utf-8")
    table = tmp_path / "A.csv"
    table.write_text("applicant_id,name,cost_yuan,score\nA,甲,5200000,90\nB,乙,100000,80\n", encoding="utf-8")
    args = ["subsidy", "allocate", "--programme", str(programme), "--applications", str(table), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = {a["applicant_id"]: a for a in json.loads(result.stdout)["allocations"]}
    assert (rows["A"]["amount_fen"], rows["A"]["funded"]) == (156_000_000, True)
    assert (rows["B"]["amount_fen"], rows["B"]["funded"]) == (0, False)
    assert "1,560,000" in rows["A"]["rule"] and "已满 1 家" in rows["B"]["rule"]


def test_subsidy_allocate_counts_enterprises_granted_earlier_in_the_yearly_limit(tmp_path: Path) -> None:
    programme = tmp_path / "P.yaml"
    programme.write_text("rate: 0.3\ncap_per_enterprise_yuan: 2000000\nmax_count: 2\n", encoding="utf-8")
    table = tmp_path / "A.csv"
    table.write_text(
        "applicant_id,cost_yuan,score,granted_yuan\nA,1000000,90,300000\nB,1000000,80,0\nC,1000000,70,0\n",
        encoding="utf-8",
    )
    args = ["subsidy", "allocate", "--programme", str(programme), "--applications", str(table), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    rows = {a["applicant_id"]: a for a in out["allocations"]}
    # Two places a year: A holds one already, so only B gets the other.
    assert [k for k, a in rows.items() if a["funded"]] == ["A", "B"]
    assert "本年支持数量已满 2 家（含本年已获支持的企业）" in rows["C"]["rule"]
    assert out["programme"]["max_count"] == 2
