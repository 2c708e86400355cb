"""JSON twins of the evaluation pages (same services, same permission checks)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lianzhang.accounts.permissions import actor_for
from lianzhang.evaluation import services
from lianzhang.evaluation.engine import framework_to_data
from lianzhang.evaluation.models import EvaluationFramework, EvaluationRun

router = Router(tags=["综合评价"])


class FrameworkOut(Schema):
    key: str
    name: str
    entity: str
    version: int


class FrameworkIn(Schema):
    yaml: str
    note: str = ""
    base_number: int


class RunIn(Schema):
    framework: str
    year: int
    city: str = "4401"
    normalisation: str | None = None
    weighting: str | None = None
    aggregation: str | None = None
    ranking: str | None = None
    seed: int | None = None
    draws: int | None = None
    allow_inconsistent: bool | None = None


class RunOut(Schema):
    id: int
    framework: str
    framework_version: int
    year: int
    scope: str
    created_by: str | None
    created_at: str


def _framework_out(stored: EvaluationFramework) -> dict:
    return {"key": stored.key, "name": stored.name, "entity": stored.entity, "version": stored.current.number}


def _run_out(run: EvaluationRun) -> dict:
    return {
        "id": run.pk,
        "framework": run.framework_version.framework.key,
        "framework_version": run.framework_version.number,
        "year": run.year,
        "scope": run.scope_id,
        "created_by": run.created_by.get_username() if run.created_by else None,
        "created_at": run.created_at.isoformat(),
    }


def _run_detail(actor, pk: int) -> dict:
    run = services.get_run(actor, pk)
    names = run.inputs["names"]
    result = dict(run.result)
    result["entities"] = [{**e, "name": names.get(e["id"], e["id"])} for e in result["entities"]]
    comparison = services.compare(actor, pk)
    other = comparison["other"]
    return {
        **_run_out(run),
        "result": result,
        "inputs": run.inputs,
        "provenance": dict(services.provenance(run)),
        "comparison": {
            "run": other.pk if other else None,
            "year": other.year if other else None,
            "rows": comparison["rows"],
        },
    }


@router.get("/evaluation/frameworks", response=list[FrameworkOut], url_name="evaluation_frameworks")
def framework_list(request: HttpRequest):
    """Every evaluation framework with its current version number."""
    return [_framework_out(f) for f in services.list_frameworks(actor_for(request.user))]


@router.get("/evaluation/frameworks/{key}", url_name="evaluation_framework")
def framework_detail(request: HttpRequest, key: str) -> dict:
    """A framework's current definition (YAML and parsed), with its version history."""
    stored = services.get_framework(actor_for(request.user), key)
    current = stored.current
    return {
        **_framework_out(stored),
        "yaml": current.yaml_text,
        "sha256": current.sha256,
        "definition": framework_to_data(services.parsed(current)),
        "versions": [
            {"number": v.number, "note": v.note, "sha256": v.sha256, "created_at": v.created_at.isoformat()}
            for v in stored.versions.all()
        ],
    }


@router.put("/evaluation/frameworks/{key}", response=FrameworkOut, url_name="evaluation_framework_save")
def framework_save(request: HttpRequest, key: str, payload: FrameworkIn):
    """Save new YAML as the next version (422 with every problem when invalid)."""
    actor = actor_for(request.user)
    services.save_framework(actor, key, payload.yaml, payload.note, payload.base_number)
    return _framework_out(services.get_framework(actor, key))


@router.get("/evaluation/runs", response=list[RunOut], url_name="evaluation_runs")
def run_list(request: HttpRequest, framework: str = ""):
    """Recent evaluation runs, newest first."""
    return [_run_out(r) for r in services.list_runs(actor_for(request.user), framework)]


@router.post("/evaluation/runs", response={201: dict}, url_name="evaluation_run_create")
def run_create(request: HttpRequest, payload: RunIn):
    """Run an evaluation; the answer is the stored result with provenance."""
    actor = actor_for(request.user)
    overrides = payload.dict(exclude={"framework", "year", "city"}, exclude_none=True)
    run = services.run_evaluation(actor, payload.framework, payload.year, payload.city, overrides)
    return Status(201, _run_detail(actor, run.pk))


@router.get("/evaluation/runs/{int:pk}", url_name="evaluation_run")
def run_detail(request: HttpRequest, pk: int) -> dict:
    """One run: per-entity results, weights, consistency, sensitivity, inputs, provenance, comparison."""
    return _run_detail(actor_for(request.user), pk)


@router.post("/evaluation/values", url_name="evaluation_values_import")
def values_import(request: HttpRequest, file: File[UploadedFile], entity: Form[str], year: Form[int]) -> dict:
    """Import reported indicator values from CSV (all rows or none)."""
    report = services.import_values(actor_for(request.user), entity, year, file.read(), file.name or "")
    return {"values": report.values, "entities": report.entities, "indicators": report.indicators}
