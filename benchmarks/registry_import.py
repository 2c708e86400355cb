"""Measure the registry's speed and memory: demo build, import, export and page latency.

Prints records per second and peak memory, each next to a baseline measured in the same run:
import is compared with a bare bulk insert of the same rows (the floor the database allows), pages with
the lightest logged-in page (/me/). Run: `.venv/bin/python benchmarks/registry_import.py [--rows N]`.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _setup(data_dir: Path) -> None:
    os.environ["LIANZHANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianzhang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label: str, fn: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label:44} {seconds:8.2f} s  {count / seconds:10.0f} records/s  peak RSS {_peak_mb():7.0f} MB")
    return seconds


def _empty_registry(*, parks: bool = False) -> None:
    from lianzhang.accounts.models import Profile
    from lianzhang.enterprises.models import Enterprise, Park, Project

    Profile.objects.filter(enterprise__isnull=False).delete()
    Project.objects.all().delete()
    Enterprise.objects.all().delete()  # cascades figures, nodes and tags
    if parks:
        Park.objects.all().delete()


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000, help="enterprises in the demo and import files")
    args = parser.parse_args()
    _setup(Path(tempfile.mkdtemp(prefix="lianzhang-bench-")))

    from django.db import transaction
    from django.test import Client

    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.demo.loader import ensure_demo
    from lianzhang.enterprises import services, tabular
    from lianzhang.enterprises.models import Enterprise

    _timed(
        f"demo build ({args.rows} enterprises, users)",
        lambda: ensure_demo(n_enterprises=args.rows),
        args.rows,
    )

    csv = io.BytesIO()
    count = services.export_enterprises(SYSTEM, None, csv, "csv")
    xlsx = io.BytesIO()
    _timed("export to xlsx", lambda: services.export_enterprises(SYSTEM, None, xlsx, "xlsx"), count)
    print(f"{'':44} csv {len(csv.getvalue()) / 1e6:.1f} MB, xlsx {len(xlsx.getvalue()) / 1e6:.1f} MB")

    def reimport() -> None:
        report = services.import_enterprises(SYSTEM, io.BytesIO(csv.getvalue()), "all.csv", max_bytes=1 << 30)
        assert report.applied and report.created == 0, f"{len(report.errors)} errors"

    _timed("re-import unchanged csv (validate + upsert)", reimport, count)

    rows = list(Enterprise.objects.values())
    _empty_registry()

    def fresh_import() -> None:
        report = services.import_enterprises(SYSTEM, io.BytesIO(csv.getvalue()), "all.csv", max_bytes=1 << 30)
        assert report.applied and report.created == count, f"{len(report.errors)} errors"

    importing = _timed("import csv into empty registry", fresh_import, count)
    _empty_registry()

    def baseline() -> None:
        with transaction.atomic():
            Enterprise.objects.bulk_create(
                [Enterprise(**{k: v for k, v in r.items() if k != "id"}) for r in rows]
            )

    floor = _timed("baseline: bare bulk insert of the same rows", baseline, count)
    extra = "validation, classification, audit, figures, tags"
    print(f"{'':44} import costs {importing / floor:.1f}× the bare insert ({extra})")

    parse = _timed(
        "baseline: parse + validate only (no database)",
        lambda: tabular.read_enterprise_file(io.BytesIO(csv.getvalue()), "all.csv", lambda t: (t, None)),
        count,
    )
    del parse

    _empty_registry(parks=True)
    ensure_demo(n_enterprises=args.rows)
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="chain"))
    first = Enterprise.objects.order_by("pk").first()
    pages = [
        "/me/",
        "/dashboard/",
        "/enterprises/",
        "/enterprises/?node=vision&tag=高新技术企业",
        f"/enterprises/{first.pk}/",
        "/projects/",
        "/api/enterprises",
        "/api/dashboard",
    ]
    for url in pages:
        client.get(url)  # warm caches
        samples = []
        for _ in range(10):
            start = time.perf_counter()
            status = client.get(url).status_code
            samples.append((time.perf_counter() - start) * 1000)
        print(f"page {url:48} median {statistics.median(samples):7.1f} ms  (status {status})")
    print(f"peak RSS {_peak_mb():.0f} MB; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
