"""Speed of the review platform path at the issue's size: 2,000 applications × 10,000 experts × 3 each.

    .venv/bin/python benchmarks/review_platform.py [--applications 2000] [--experts 10000]
        [--per-app 3] [--max-load 3] [--one-by-one]

Builds a throwaway SQLite database and times each step a chain office takes, through the services:
import the expert pool from an Excel sheet, create a round, add the applications, pass the formal
check, compute conflicts, assign (optimal, then draw) and open scoring; then the round page and an
expert's 我的评审 page through the test client. Each step prints wall and CPU seconds, queries and peak
RSS. The baseline in the same run is the pure engine on the same inputs (records built once, no
database), so the platform overhead is the difference.

The registry itself (enterprises, their chain nodes and projects) is written in bulk and not measured:
it is the input, not the review path. Related persons go through `add_related_person`, timed.
`--one-by-one` adds the applications and passes their formal check with one service call each, as
the page's per-row forms do; the default uses the round-wide `add_applications` and
`formal_check_many`.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
FIELD_WORDS = ["模式识别", "机器学习", "控制工程", "芯片设计", "数据治理", "语音信号", "自然语言", "机器人学"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华强伟芳敏静丽军勇杰涛磊洋艳娟霞刚平辉"


def _setup(data_dir: Path) -> None:
    os.environ["LIANZHANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianzhang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Steps:
    """Times steps (wall, CPU, SQL queries, peak RSS) and keeps them for the summary."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, bool]] = []

    def run(self, label: str, fn: Callable[[], T], *, platform: bool = True) -> T:
        from django.db import connection

        queries = 0

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            wall, cpu = time.perf_counter(), time.process_time()
            out = fn()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"  {label:52} {wall:7.2f} s wall {cpu:7.2f} s CPU {queries:7,} queries  peak {_peak_mb():.0f} MB"
        )
        sys.stdout.flush()
        self.rows.append((label, wall, platform))
        return out


def _name(rng: random.Random, k: int) -> str:
    return rng.choice(SURNAMES) + GIVEN[k % len(GIVEN)] + GIVEN[(k // len(GIVEN)) % len(GIVEN)] + str(k)


def _registry(n: int, rng: random.Random) -> list[Any]:
    """N enterprises in Guangzhou towns, each with a chain node or two and one project (bulk)."""
    from lianzhang.codes import make_credit_code
    from lianzhang.common.chains import platform_chain
    from lianzhang.enterprises.models import Enterprise, NodeAssignment, Project
    from lianzhang.regions.models import Region

    towns = list(
        Region.objects.filter(level=Region.Level.TOWN, code__startswith="4401").values_list("pk", flat=True)
    )
    nodes = list(platform_chain().nodes)
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(
            credit_code=make_credit_code(f"91440100MA{k:07d}"),
            name=f"企业{k}智能科技有限公司",
            division_id=rng.choice(towns),
            business_scope="人工智能应用软件开发",
        )
        for k in range(n)
    )
    NodeAssignment.objects.bulk_create(
        NodeAssignment(enterprise=e, node=node) for e in enterprises for node in rng.sample(nodes, 2)
    )
    return Project.objects.bulk_create(
        Project(
            enterprise=e,
            name=f"{e.name}产业化项目",
            type="industrialisation",
            budget_fen=rng.randrange(1_000_000, 50_000_000) * 100,
            description=" ".join(rng.sample(FIELD_WORDS, 3)),
            submitted_on="2025-03-01",
        )
        for e in enterprises
    )


def _expert_rows(m: int, orgs: list[str], rng: random.Random) -> list[list[Any]]:
    from lianzhang.common.chains import platform_chain

    nodes = list(platform_chain().nodes)
    return [
        [
            _name(rng, k),
            rng.choice(orgs),
            rng.choice(["教授", "研究员", "正高级工程师", "副教授"]),
            "、".join(rng.sample(nodes, 3)),
            "、".join(rng.sample(FIELD_WORDS, 2)),
            "",
            "从事" + "、".join(rng.sample(FIELD_WORDS, 3)) + "研究",
            "是",
            "2025-01-01",
            "2030-12-31",
            "在库",
            "",
            "",
            "",
        ]
        for k in range(m)
    ]


def _workbook(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    from lianzhang.reviews.imports import COLUMNS

    book = Workbook(write_only=True)
    sheet = book.create_sheet("专家库")
    sheet.append([h for h, _, _, _ in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _related_persons(enterprises: list[Any], rows: list[list[Any]], rng: random.Random) -> list[tuple]:
    """Three persons per enterprise; one in ten is an expert of the pool (name and organisation)."""
    out = []
    for k, e in enumerate(enterprises):
        for role in ("legal_rep", "shareholder", "key_staff"):
            if rng.random() < 0.1:
                name, org = rows[rng.randrange(len(rows))][:2]
            else:
                name, org = f"人员{k}{role}", ""
            out.append((e.pk, name, role, org))
    return out


def _get(client: Any, url: str) -> tuple[int, int]:
    response = client.get(url)
    return response.status_code, len(response.content)


def main() -> None:
    """Build the data, run every step and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--experts", type=int, default=10000)
    parser.add_argument("--per-app", type=int, default=3)
    parser.add_argument("--max-load", type=int, default=3)
    parser.add_argument("--one-by-one", action="store_true", help="add and check one application per call")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="lianzhang-review-bench-"))
    _setup(data_dir)
    try:
        _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(args: argparse.Namespace) -> None:
    """Every step, on the database `_setup` made."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from lianzhang.accounts.models import Role
    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.accounts.services import NewUser, create_user
    from lianzhang.reviews import assignment_services, bridge, engine, pool_services, services
    from lianzhang.reviews.models import Assignment, Conflict, Expert, ReviewRound

    rng = random.Random(11)
    n, m = args.applications, args.experts
    print(
        f"{n:,} applications × {m:,} experts, {args.per_app} reviewers each, "
        f"at most {args.max_load} per expert"
    )
    steps = Steps()
    projects = steps.run("registry in bulk (input, not measured)", lambda: _registry(n, rng), platform=False)
    enterprises = [p.enterprise for p in projects]
    orgs = [f"第{k}研究院" for k in range(300)] + [e.name for e in enterprises[: n // 4]]
    rows = _expert_rows(m, orgs, rng)
    data = steps.run(f"expert workbook, {m:,} rows (input)", lambda: _workbook(rows), platform=False)
    persons = _related_persons(enterprises, rows, rng)

    def add_persons() -> None:
        for enterprise_id, name, role, org in persons:
            pool_services.add_related_person(SYSTEM, enterprise_id, name, role, org)

    steps.run(f"add_related_person × {len(persons):,}", add_persons)
    done = steps.run("import_experts (Excel)", lambda: pool_services.import_experts(SYSTEM, data))
    assert done["created"] == m, done

    round_ = services.create_round(
        SYSTEM,
        services.RoundInput(
            name="性能测试批次", per_app=args.per_app, max_load=args.max_load, mode=ReviewRound.Mode.OPTIMAL
        ),
    )

    def add_all() -> None:
        for p in projects:
            services.add_application(SYSTEM, round_.pk, "project", p.pk)

    if args.one_by_one or not hasattr(services, "add_applications"):
        steps.run(f"add_application × {n:,} (one call each)", add_all)
    else:
        steps.run(
            f"add_applications ({n:,} projects)",
            lambda: services.add_applications(SYSTEM, round_.pk, "project", [p.pk for p in projects]),
        )
    round_.refresh_from_db()
    round_ = steps.run("start_check", lambda: services.start_check(SYSTEM, round_.pk, round_.version))
    app_ids = list(round_.applications.values_list("pk", flat=True))
    if args.one_by_one or not hasattr(services, "formal_check_many"):

        def check_all() -> None:
            for pk in app_ids:
                services.formal_check(SYSTEM, pk, True)

        steps.run(f"formal_check × {n:,} (one call each)", check_all)
    else:
        steps.run(
            f"formal_check_many ({n:,} applications)",
            lambda: services.formal_check_many(SYSTEM, round_.pk, app_ids, True),
        )
    round_.refresh_from_db()
    round_ = steps.run(
        "open_assignment (stores conflicts)",
        lambda: services.open_assignment(SYSTEM, round_.pk, round_.version),
    )
    print(f"    {Conflict.objects.filter(round=round_).count():,} conflicts stored")
    steps.run("compute_conflicts (recompute)", lambda: services.compute_conflicts(SYSTEM, round_.pk))

    # Baseline: the engine alone on the same inputs, records built once outside the timing.
    experts = list(bridge.eligible_experts().order_by("pk"))
    apps = bridge.reviewable(round_)
    e_experts, e_apps = bridge.to_engine_experts(experts), bridge.to_engine_applications(apps)
    rules = bridge.rules_of(round_)
    engine.assign(e_experts[:50], e_apps[:5], per_app=1, max_load=1, rules=rules)  # loads the solver
    for mode in ("optimal", "draw"):
        result = steps.run(
            f"engine.assign {mode} alone (baseline)",
            lambda mode=mode: engine.assign(
                e_experts,
                e_apps,
                per_app=args.per_app,
                max_load=args.max_load,
                mode=mode,
                seed=7,
                rules=rules,
            ),
            platform=False,
        )
        engine_s = steps.rows[-1][1]
        result = steps.run(
            f"run_assignment {mode}",
            lambda mode=mode: assignment_services.run_assignment(SYSTEM, round_.pk, mode, seed=7),
        )
        platform_s = steps.rows[-1][1]
        print(
            f"    {len(result.assignments):,} assignments, {len(result.unassigned)} short; "
            f"platform overhead {platform_s - engine_s:.2f} s over the engine"
        )
    steps.run("verify_draw", lambda: assignment_services.verify_draw(SYSTEM, round_.pk))
    round_.refresh_from_db()
    round_ = steps.run(
        "open_scoring", lambda: assignment_services.open_scoring(SYSTEM, round_.pk, round_.version)
    )

    office = create_user(
        SYSTEM, NewUser(username="bench-chain", password="bench-password-1", role=Role.CHAIN_OFFICE)
    )
    expert_user = create_user(
        SYSTEM, NewUser(username="bench-expert", password="bench-password-1", role=Role.EXPERT)
    )
    busiest = Assignment.objects.filter(application__round=round_).order_by("pk").first().expert
    Expert.objects.filter(pk=busiest.pk).update(user=expert_user)
    office_client, expert_client = (
        Client(raise_request_exception=False),
        Client(raise_request_exception=False),
    )
    office_client.force_login(get_user_model().objects.get(pk=office.pk))
    expert_client.force_login(get_user_model().objects.get(pk=expert_user.pk))
    url = f"/reviews/rounds/{round_.pk}/"
    for attempt in ("first", "again"):
        status, size = steps.run(f"GET round page ({attempt})", lambda: _get(office_client, url))
        print(f"    HTTP {status}, {size / 1024:,.0f} KB")
    status, size = steps.run("GET round page, ?verify=1", lambda: _get(office_client, url + "?verify=1"))
    print(f"    HTTP {status}, {size / 1024:,.0f} KB")
    status, size = steps.run("GET 我的评审 (expert)", lambda: _get(expert_client, "/reviews/mine/"))
    print(f"    HTTP {status}, {size / 1024:,.0f} KB")

    setup = [
        s
        for label, s, p in steps.rows
        if p and not label.startswith(("GET", "run_assignment draw", "verify"))
    ]
    engine_opt = next(s for label, s, _ in steps.rows if label.startswith("engine.assign optimal"))
    print(
        f"round set-up through optimal assignment on the platform: {sum(setup):.1f} s "
        f"(engine alone {engine_opt:.1f} s of it is the floor); peak RSS {_peak_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
