"""How fast the chain map page renders for a city of --enterprises registry enterprises, with a baseline.

    .venv/bin/python benchmarks/chain_map.py --enterprises 50000

Builds (once, cached under --cache) a platform database with the demo registry of that size — the same
loader as `lianzhang demo`: enterprises, tags, yearly figures and the classifier's node assignments —
then requests the map page once cold (the aggregates are cached until the registry changes), then the
page, its JSON twin, a filtered and compared map and a node's detail as the
chain office, --runs times each, through Django's test client (the whole view and template, no
network), and prints median and p95 milliseconds. The baseline computes the same per-node and
district × node counts by loading every node assignment with its enterprise into Python.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    """Build or reuse the database, time the pages and the baseline, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lianzhang-bench"))
    args = parser.parse_args()

    folder = args.cache / f"map-{args.enterprises}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["LIANZHANG_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lianzhang.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)
    from django.contrib.auth import get_user_model

    from lianzhang.accounts.models import Role
    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.accounts.services import NewUser, create_user
    from lianzhang.demo.loader import ensure_demo
    from lianzhang.enterprises.models import Enterprise, NodeAssignment

    if Enterprise.objects.count() < args.enterprises:
        started = time.perf_counter()
        ensure_demo(n_enterprises=args.enterprises, seed=2023)
        print(f"built the registry in {time.perf_counter() - started:.0f} s ({folder})")
    user = get_user_model().objects.filter(username="bench-chain").first()
    if user is None:
        user = create_user(
            SYSTEM, NewUser(username="bench-chain", password="bench-password-1", role=Role.CHAIN_OFFICE)
        )
    client = Client()
    client.force_login(user)
    enterprises = Enterprise.objects.count()
    assignments = NodeAssignment.objects.count()
    engine = settings.DATABASES["default"]["ENGINE"]
    print(f"registry: {enterprises:,} enterprises, {assignments:,} node assignments ({engine})")

    district = Enterprise.objects.values_list("division_id", flat=True).first()[:6]
    other = (
        Enterprise.objects.exclude(division__code__startswith=district)
        .values_list("division_id", flat=True)
        .first()
        or district
    )[:6]
    from django.core.cache import cache

    # The process's first request pays for loading templates and URL maps: make it before measuring.
    client.get("/chains/")
    cache.clear()
    started = time.perf_counter()
    client.get("/chains/")
    print(f"map page, cold (first after a registry change): {(time.perf_counter() - started) * 1000:,.0f} ms")
    pages = {
        "map page": "/chains/",
        "map JSON": "/chains/?format=json",
        "map, 芯/器/端 lens": "/chains/?lens=segment",
        "map, district + comparison": f"/chains/?district={district}&compare={other}",
        "node detail": "/chains/nodes/vision/",
    }
    for label, url in pages.items():
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{url}: HTTP {response.status_code}")
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        median = statistics.median(times)
        print(f"{label:<28} median {median:7.1f} ms   p95 {p95:7.1f} ms   ({len(response.content):,} bytes)")

    started = time.perf_counter()
    per_node: dict[str, set[int]] = {}
    heat: dict[tuple[str, str], set[int]] = {}
    for a in NodeAssignment.objects.select_related("enterprise"):
        per_node.setdefault(a.node, set()).add(a.enterprise_id)
        heat.setdefault((a.enterprise.division_id[:6], a.node), set()).add(a.enterprise_id)
    baseline = (time.perf_counter() - started) * 1000
    print(f"baseline (every assignment loaded into Python, counts only): {baseline:,.0f} ms")
    print("target: map page < 1,000 ms")


if __name__ == "__main__":
    main()
