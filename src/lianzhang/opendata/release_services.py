"""The release workflow: upload → identify (scan) → process by policy → verify → approve by a second
officer → publish after a fresh scan. Every step, refusals included, is audited."""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.enterprises.services import NotFound
from lianzhang.opendata import formats, storage
from lianzhang.opendata.deid.policy import parse_policy
from lianzhang.opendata.deid.process import DIRECT_TYPES, RefusedError, apply_policy
from lianzhang.opendata.deid.scan import direct_findings, scan_file
from lianzhang.opendata.deid.tables import read_header
from lianzhang.opendata.models import Dataset, Release, Resource
from lianzhang.opendata.scope import acts_for
from lianzhang.opendata.services import get_dataset
from lianzhang.opendata.suggest import ACTION_LABELS, TYPE_LABELS, suggest

log = logging.getLogger(__name__)
R = Release.Status
UPLOAD_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
PROCESSABLE = (R.SCANNED, R.PROCESSED, R.REJECTED)
# Beyond this a workbook is slow to write and to scan again, and spreadsheet programs struggle (the
# format's hard limit is 1,048,576 rows): such releases are published as CSV and JSON only.
XLSX_MAX_ROWS = 200_000
PROGRESS_STEP = 0.02  # write progress to the row at most every 2 % of the file


# ------------------------------------------------------------------------------------ reading


def _scoped(actor: Actor) -> QuerySet[Release]:
    qs = Release.objects.select_related("dataset__department", "preparer", "processed_by", "approver")
    if actor.role in {Role.CHAIN_OFFICE, Role.ADMIN}:
        return qs
    if actor.role == Role.DEPARTMENT and actor.department_id:
        return qs.filter(dataset__department_id=actor.department_id)
    return qs.none()


@guarded("data.manage")
def get_release(actor: Actor, pk: int) -> Release:
    """One release of a dataset the actor manages."""
    release = Release.objects.select_related("dataset").filter(pk=pk).first()
    if release is None:
        raise NotFound(f"数据集版本 {pk} 不存在")
    if not acts_for(actor, release.dataset.department_id):
        raise PermissionDenied("只能处理本部门数据集的版本")
    return _scoped(actor).get(pk=pk)


def _prepared_by(actor: Actor, release: Release) -> bool:
    return actor.user_id is not None and actor.user_id in (release.preparer_id, release.processed_by_id)


@guarded("data.manage")
def release_detail(actor: Actor, pk: int) -> dict[str, Any]:
    """A release with its reports, per-column suggestions and the steps this actor may take."""
    from lianzhang.accounts.permissions import allowed

    release = get_release(actor, pk)
    approver = (
        allowed(actor, "data.approve") and not _prepared_by(actor, release) and actor.user_id is not None
    )
    columns = []
    policy = release.policy or {}
    for i, column in enumerate(release.scan_report.get("columns", [])):
        advice = suggest(column, DIRECT_TYPES)
        rule = policy.get("columns", {}).get(column["name"]) if policy else None
        rule = {"action": rule} if isinstance(rule, str) else rule
        columns.append(
            {
                **column,
                "index": i,
                "labels": [(TYPE_LABELS.get(t, t), n, t in DIRECT_TYPES) for t, n in column["types"].items()],
                "advice": advice,
                "rule": {"keep_head": 1, "keep_tail": 1, "band": 10, "to": "", **(rule or advice["rule"])},
                "is_quasi": column["name"] in policy["quasi_identifiers"] if policy else advice["quasi"],
            }
        )
    return {
        "release": release,
        "dataset": release.dataset,
        "columns": columns,
        "report": release.processing_report,
        "policy_k": policy.get("k", 5) if policy else 5,
        "policy_suppress": policy.get("suppress", "") if policy else "values",
        "actions_done": [
            {**a, "label": ACTION_LABELS.get(a["action"], a["action"])}
            for a in release.processing_report.get("actions", [])
        ],
        "own": _prepared_by(actor, release),
        "can_process": release.status in PROCESSABLE and bool(release.raw_path),
        "can_submit": release.status == R.PROCESSED and _k_ok(release.processing_report),
        "can_approve": approver and release.status == R.SUBMITTED,
        "can_publish": approver and release.status == R.APPROVED,
        "can_withdraw": allowed(actor, "data.approve") and release.status == R.PUBLISHED,
        "can_discard": release.status in PROCESSABLE,
    }


@guarded("data.approve")
def approval_queue(actor: Actor) -> QuerySet[Release]:
    """Releases waiting for approval or publication in the actor's departments."""
    return _scoped(actor).filter(status__in=(R.SUBMITTED, R.APPROVED)).order_by("submitted_at", "id")


@guarded("data.manage")
def release_progress(actor: Actor, pk: int) -> dict[str, Any]:
    """How far the running scan or processing step is (bytes read), as the engine reports it."""
    release = get_release(actor, pk)
    return {
        "status": release.status,
        "stage": release.progress_stage,
        "done": release.progress_done,
        "total": release.progress_total,
        "percent": release.progress_percent,
    }


@guarded("data.manage")
def dataset_progress(actor: Actor, dataset_id: int) -> dict[str, Any]:
    """The progress of the dataset's version being scanned, processed or published right now, if any."""
    dataset = get_dataset(actor, dataset_id)
    running = dataset.releases.exclude(progress_stage="").order_by("-pk").first()
    if running is None:
        return {"release": None, "stage": "", "done": 0, "total": 0, "percent": 0}
    return {"release": running.pk, **release_progress(actor, running.pk)}


# ------------------------------------------------------------------------------------ upload and scan


def _progress(release_id: int, stage: str):
    """A callback for the engine that writes progress to the release row now and then."""
    last = [-1.0]

    def report(done: int, total: int) -> None:
        share = done / total if total else 0.0
        if share - last[0] >= PROGRESS_STEP or done >= total:
            last[0] = share
            Release.objects.filter(pk=release_id).update(
                progress_stage=stage, progress_done=done, progress_total=total
            )

    return report


def _save_upload(name: str, chunks: Iterable[bytes], ext: str) -> Path:
    incoming = storage.root() / storage.RAW / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / f"{uuid.uuid4().hex}{ext}"
    limit = settings.OPENDATA_MAX_UPLOAD_BYTES
    size = 0
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ValidationError({"file": f"文件超过 {limit // (1024 * 1024)} MB 上限"})
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": f"{name}：文件为空"})
    return path


@guarded("data.manage")
def upload_release(
    actor: Actor, dataset_id: int, name: str, chunks: Iterable[bytes], label: str = "", notes: str = ""
) -> Release:
    """Store a raw file (never public) as a new version of a dataset and scan it; a file that cannot be
    read as a table leaves nothing behind."""
    dataset = get_dataset(actor, dataset_id)
    ext = Path(name).suffix.lower()
    if ext not in UPLOAD_FORMATS:
        raise ValidationError(
            {"file": f"{name}：不支持的文件类型“{ext or '无扩展名'}”，请上传 CSV、XLSX 或 JSON"}
        )
    label = label.strip()[:40] or f"v{dataset.releases.count() + 1}"
    if dataset.releases.filter(label=label).exists():
        raise ValidationError({"label": f"版本号“{label}”已存在"})
    incoming = _save_upload(name, chunks, ext)
    # The row exists while the scan runs so that its progress can be watched; it is removed on failure.
    try:
        with transaction.atomic():
            release = Release.objects.create(
                dataset=dataset,
                label=label,
                source_name=Path(name).name[:200],
                source_format=UPLOAD_FORMATS[ext],
                preparer_id=actor.user_id,
                notes=notes.strip(),
                progress_stage="scan",
            )
    except IntegrityError:  # the same label uploaded at the same moment by a colleague
        incoming.unlink(missing_ok=True)
        raise ValidationError({"label": f"版本号“{label}”已存在"}) from None
    raw = storage.folder(storage.RAW, release.pk) / f"source{ext}"
    shutil.move(incoming, raw)
    started = time.monotonic()
    try:
        report = scan_file(raw, on_progress=_progress(release.pk, "scan"))
        if not report["rows"]:
            raise ValueError(f"{name}：只有表头，没有数据行")
    except Exception as exc:
        storage.remove_release_folder(storage.RAW, release.pk)
        Release.objects.filter(pk=release.pk).delete()
        if not isinstance(exc, ValueError):
            log.warning("upload of %s could not be scanned", name, exc_info=True)
        raise ValidationError({"file": f"无法读取该文件：{exc}"}) from None
    report["seconds"] = round(time.monotonic() - started, 3)
    with transaction.atomic():
        release.refresh_from_db()
        release.raw_path = storage.relative(raw)
        release.scan_report = report
        release.status = R.SCANNED
        release.progress_stage = ""
        release.save()
        audit.record(
            actor, "create", release, {"dataset": dataset.pk, "label": label, "file": release.source_name}
        )
        audit.record(actor, "scan", release, _scan_summary(report))
    return release


def _scan_summary(report: dict[str, Any]) -> dict[str, Any]:
    """What an audit entry keeps of a scan: counts per column, never the (masked) examples."""
    return {
        "rows": report.get("rows"),
        "total_findings": report.get("total_findings"),
        "found": {c["name"]: c["types"] for c in report.get("columns", []) if c["types"]},
    }


# ------------------------------------------------------------------------------------ process and verify


def _k_ok(report: dict[str, Any]) -> bool:
    return (
        bool(report)
        and report.get("status") == "written"
        and report.get("k_anonymity", {}).get("satisfied", False)
    )


@guarded("data.manage")
def process_release(actor: Actor, pk: int, version: int, policy: dict[str, Any]) -> Release:
    """Apply a per-column policy to the raw file; the output is verified (k-anonymity, rescan) and refused,
    with the report kept and audited, when a direct identifier survives."""
    release = get_release(actor, pk)
    if release.status not in PROCESSABLE:
        raise ValidationError(f"版本当前为“{release.get_status_display()}”，不能重新处理")
    if not release.raw_path:
        raise ValidationError("原始文件已删除，请重新上传")
    if {"secret", "secret_env"} & set(policy):
        raise ValidationError({"policy": "策略中不能填写密钥：假名化密钥由平台为每个数据集单独保管"})
    raw = storage.resolve(release.raw_path)
    try:
        parsed = parse_policy(
            {**policy, "secret": storage.dataset_secret(release.dataset_id)}, read_header(raw)
        )
    except ValueError as exc:
        raise ValidationError({"policy": str(exc)}) from None
    work = storage.folder(storage.WORK, release.pk)
    output = work / "processed.csv"
    output.unlink(missing_ok=True)  # an earlier result must never stand in for this one
    started = time.monotonic()
    refused = None
    try:
        report = apply_policy(raw, parsed, output, on_progress=_progress(release.pk, "apply"))
    except RefusedError as exc:
        report = exc.args[0]
        refused = report["verification"]["direct_identifiers_remaining"]
    except ValueError as exc:
        Release.objects.filter(pk=release.pk).update(progress_stage="")
        raise ValidationError({"policy": str(exc)}) from None
    report["seconds"] = round(time.monotonic() - started, 3)
    with transaction.atomic():
        before = audit.snapshot(release, ["status", "policy"])
        release.version = version
        release.policy = policy
        release.processing_report = report
        release.processed_by_id = actor.user_id
        release.progress_stage = ""
        if refused:
            release.status = R.SCANNED
            release.processed_path = release.processed_sha256 = ""
        else:
            release.status = R.PROCESSED
            release.processed_path = storage.relative(output)
            release.processed_sha256 = storage.sha256(output)
        release.save()
        changes = {
            **audit.diff(before, audit.snapshot(release, ["status", "policy"])),
            "summary": _process_summary(report),
        }
        audit.record(actor, "process_refused" if refused else "process", release, changes)
    if refused:
        raise ValidationError({"policy": "处理结果仍含直接标识符，已拒绝生成文件：" + _describe(refused)})
    return release


def _process_summary(report: dict[str, Any]) -> dict[str, Any]:
    k = report.get("k_anonymity", {})
    return {
        "rows": report.get("rows"),
        "rows_written": report.get("rows_written"),
        "k": k.get("k"),
        "k_satisfied": k.get("satisfied"),
        "min_class_size": k.get("min_class_size"),
        "remaining": report.get("verification", {}).get("direct_identifiers_remaining"),
    }


def _describe(found: dict[str, dict[str, int]]) -> str:
    return "；".join(
        f"列“{column}”" + "、".join(f"{TYPE_LABELS.get(t, t)} {n} 处" for t, n in types.items())
        for column, types in found.items()
    )


# ------------------------------------------------------------------------------------ approval


def _move(
    actor: Actor, release: Release, version: int, frm: tuple[str, ...], to: str, **extra: Any
) -> Release:
    if release.status not in frm:
        raise ValidationError(f"版本当前为“{release.get_status_display()}”，不能改为“{R(to).label}”")
    before = audit.snapshot(release, ["status", "review_note", "approver"])
    release.version = version
    release.status = to
    for name, value in extra.items():
        setattr(release, name, value)
    release.save()
    audit.record(
        actor,
        f"status:{to}",
        release,
        audit.diff(before, audit.snapshot(release, ["status", "review_note", "approver"])),
    )
    return release


@guarded("data.manage")
def submit_release(actor: Actor, pk: int, version: int) -> Release:
    """Send a processed release whose k-anonymity holds to a second officer for approval."""
    release = get_release(actor, pk)
    if release.status == R.PROCESSED and not _k_ok(release.processing_report):
        k = release.processing_report.get("k_anonymity", {})
        raise ValidationError(
            f"k-匿名未满足（最小等价类 {k.get('min_class_size')} 行，要求 k={k.get('k')}）："
            "请泛化准标识符或启用抑制后重新处理"
        )
    with transaction.atomic():
        return _move(actor, release, version, (R.PROCESSED,), R.SUBMITTED, submitted_at=timezone.now())


def _second_officer(actor: Actor, release: Release, step: str, action: str) -> None:
    """Refuse (and audit the refusal) when the actor prepared the release or is not a named user."""
    reason = ""
    if actor.user_id is None:
        reason = f"{step}须由具名工作人员操作"
    elif _prepared_by(actor, release):
        reason = f"不能{step}本人准备的数据版本：须由另一位有审批权的工作人员{step}"
    if reason:
        audit.record(actor, f"{action}_refused", release, {"reason": reason})
        raise PermissionDenied(reason)


@guarded("data.approve")
def approve_release(actor: Actor, pk: int, version: int, note: str = "") -> Release:
    """A second officer approves a submitted release (never its preparer)."""
    release = get_release(actor, pk)
    _second_officer(actor, release, "审批", "approve")
    with transaction.atomic():
        return _move(
            actor,
            release,
            version,
            (R.SUBMITTED,),
            R.APPROVED,
            approver_id=actor.user_id,
            approved_at=timezone.now(),
            review_note=note.strip(),
        )


@guarded("data.approve")
def reject_release(actor: Actor, pk: int, version: int, note: str) -> Release:
    """Return a submitted release to its preparer with the reason."""
    release = get_release(actor, pk)
    if not note.strip():
        raise ValidationError({"note": "退回时请写明原因"})
    _second_officer(actor, release, "审批", "reject")
    with transaction.atomic():
        return _move(actor, release, version, (R.SUBMITTED,), R.REJECTED, review_note=note.strip())


def _refuse_publish(actor: Actor, release: Release, reason: str, details: dict[str, Any]) -> None:
    Release.objects.filter(pk=release.pk).update(progress_stage="")
    audit.record(actor, "publish_refused", release, {"reason": reason, **details})
    raise ValidationError(f"拒绝发布：{reason}")


@guarded("data.approve")
def publish_release(actor: Actor, pk: int, version: int) -> Release:
    """Publish an approved release: only the processed file, scanned afresh (the stored report is not
    trusted); written as CSV, XLSX and JSON, each scanned again; the raw upload is then deleted."""
    release = get_release(actor, pk)
    _second_officer(actor, release, "发布", "publish")
    if release.status != R.APPROVED:
        raise ValidationError(f"版本当前为“{release.get_status_display()}”，批准后才能发布")
    if release.version != version:
        raise ValidationError("该版本已被他人修改，请刷新后重试")
    processed = storage.resolve(release.processed_path) if release.processed_path else None
    if processed is None or not processed.is_file():
        _refuse_publish(actor, release, "处理后的文件不存在", {})
    target = storage.folder(storage.PUBLISHED, release.pk)
    files = {
        "csv": target / "data.csv",
        "xlsx": target / "data.xlsx",
        "json": target / "data.json",
    }
    try:
        try:
            found = direct_findings(scan_file(processed, _progress(release.pk, "publish")), DIRECT_TYPES)
        except ValueError as exc:  # an unreadable file cannot be shown to be clean
            _refuse_publish(actor, release, f"无法重新识别处理后的文件（{exc}）", {})
        if found:
            _refuse_publish(actor, release, "重新识别发现直接标识符：" + _describe(found), {"found": found})
        if storage.sha256(processed) != release.processed_sha256:
            _refuse_publish(
                actor, release, "处理后的文件在核验后被改动", {"expected": release.processed_sha256}
            )
        shutil.copyfile(processed, files["csv"])
        rows = {"csv": formats.csv_rows(files["csv"])}
        if rows["csv"] <= XLSX_MAX_ROWS:
            rows["xlsx"] = formats.csv_to_xlsx(files["csv"], files["xlsx"])
        else:
            del files["xlsx"]
        rows["json"] = formats.csv_to_json(files["csv"], files["json"])
        for fmt in [f for f in files if f != "csv"]:
            found = direct_findings(scan_file(files[fmt]), DIRECT_TYPES)
            if found:
                _refuse_publish(
                    actor,
                    release,
                    f"{fmt.upper()} 文件中发现直接标识符：" + _describe(found),
                    {"found": found},
                )
        with transaction.atomic():
            Resource.objects.bulk_create(
                Resource(
                    release=release,
                    format=fmt,
                    path=storage.relative(path),
                    size=path.stat().st_size,
                    sha256=storage.sha256(path),
                    rows=rows[fmt],
                )
                for fmt, path in files.items()
            )
            now = timezone.now()
            raw_path = release.raw_path
            release = _move(
                actor,
                release,
                version,
                (R.APPROVED,),
                R.PUBLISHED,
                published_at=now,
                progress_stage="",
                raw_path="",
                processed_path="",
            )
            # A queryset update: publishing must not make a colleague's open metadata edit stale.
            Dataset.objects.filter(pk=release.dataset_id).update(published_at=now)
            # A dataset registered without a field description gets the published columns at least.
            Dataset.objects.filter(pk=release.dataset_id, schema=[]).update(
                schema=[{"name": n, "type": "string", "description": ""} for n in read_header(files["csv"])]
            )
            audit.record(
                actor,
                "publish",
                release,
                {
                    "resources": {f: storage.sha256(p) for f, p in files.items()},
                    "raw_deleted": raw_path,
                },
            )
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    # Personal data is no longer needed once the de-identified file is out.
    storage.remove_release_folder(storage.RAW, release.pk)
    storage.remove_release_folder(storage.WORK, release.pk)
    return release


@guarded("data.approve")
def withdraw_release(actor: Actor, pk: int, version: int, note: str) -> Release:
    """Take a published release offline (its files are deleted), e.g. when a problem is reported."""
    release = get_release(actor, pk)
    if not note.strip():
        raise ValidationError({"note": "撤回时请写明原因"})
    with transaction.atomic():
        release = _move(actor, release, version, (R.PUBLISHED,), R.WITHDRAWN, review_note=note.strip())
    storage.remove_release_folder(storage.PUBLISHED, release.pk)
    storage.remove_release_folder(storage.RAW, release.pk)
    storage.remove_release_folder(storage.WORK, release.pk)
    return release


@guarded("data.manage")
def discard_release(actor: Actor, pk: int, version: int, note: str = "") -> Release:
    """Abandon an unpublished release: its raw upload and work files are deleted at once."""
    release = get_release(actor, pk)
    with transaction.atomic():
        release = _move(
            actor,
            release,
            version,
            (R.SCANNED, R.PROCESSED, R.REJECTED),
            R.WITHDRAWN,
            review_note=note.strip() or "已放弃",
            raw_path="",
            processed_path="",
        )
    storage.remove_release_folder(storage.RAW, release.pk)
    storage.remove_release_folder(storage.WORK, release.pk)
    return release
