"""The open data catalogue: datasets, their de-identified releases and files, data requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]


class Dataset(VersionedModel):
    """A dataset a department opens: its metadata; public once one of its releases is published."""

    class Licence(models.TextChoices):
        CC_BY = "cc-by-4.0", "署名 4.0 国际（CC BY 4.0）"
        CC0 = "cc0-1.0", "公有领域贡献（CC0 1.0）"
        ODC_BY = "odc-by-1.0", "开放数据共享署名许可（ODC-By 1.0）"
        GOV_OPEN = "gov-open", "政府数据开放许可（无条件开放，注明来源）"
        GOV_CONDITIONAL = "gov-conditional", "政府数据有条件开放（按协议使用）"

    class Frequency(models.TextChoices):
        ONCE = "once", "一次性"
        DAILY = "daily", "每日"
        WEEKLY = "weekly", "每周"
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        YEARLY = "yearly", "每年"
        IRREGULAR = "irregular", "不定期"

    title = models.CharField("数据集名称", max_length=200)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="datasets", verbose_name="发布部门"
    )
    description = models.TextField("描述")
    licence = models.CharField("许可协议", max_length=20, choices=Licence.choices, default=Licence.GOV_OPEN)
    update_frequency = models.CharField(
        "更新频率", max_length=12, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    tags = models.CharField("标签（逗号分隔）", max_length=300, blank=True)
    nodes = models.CharField("产业链节点（逗号分隔）", max_length=300, blank=True)
    schema = models.JSONField("字段说明", default=list, blank=True)  # [{"name", "type", "description"}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("最近发布", null=True, blank=True)

    class Meta:
        verbose_name = "开放数据集"
        verbose_name_plural = "开放数据集"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        """Tags as a list."""
        return _split(self.tags)

    @property
    def node_list(self) -> list[str]:
        """Chain node ids as a list."""
        return _split(self.nodes)


class Release(VersionedModel):
    """One version of a dataset on its way from a raw upload to a published, de-identified file."""

    class Status(models.TextChoices):
        DRAFT = "draft", "上传中"
        SCANNED = "scanned", "已识别"
        PROCESSED = "processed", "已脱敏处理"
        SUBMITTED = "submitted", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已退回"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="releases")
    label = models.CharField("版本号", max_length=40)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    source_name = models.CharField("原始文件名", max_length=200)
    source_format = models.CharField("原始格式", max_length=8)
    # Relative to the open data folder; never below a served path. Emptied once the raw file is deleted.
    raw_path = models.CharField("原始文件位置", max_length=300, blank=True)
    processed_path = models.CharField("处理后文件位置", max_length=300, blank=True)
    processed_sha256 = models.CharField("处理后文件 SHA-256", max_length=64, blank=True)
    scan_report = models.JSONField("识别报告", default=dict, blank=True)
    policy = models.JSONField("脱敏策略", default=dict, blank=True)  # never holds the secret
    processing_report = models.JSONField("处理与核验报告", default=dict, blank=True)
    notes = models.TextField("说明", blank=True)
    review_note = models.TextField("审批意见", blank=True)
    preparer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="上传人",
    )
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    # Written by the scanner and the processor while they run (queryset updates, outside the version lock).
    progress_stage = models.CharField("进行中的步骤", max_length=12, blank=True)
    progress_done = models.BigIntegerField("已处理（字节）", default=0)
    progress_total = models.BigIntegerField("总量（字节）", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据集版本"
        verbose_name_plural = "数据集版本"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "dataset"])]
        constraints = [models.UniqueConstraint(fields=["dataset", "label"], name="one_release_per_label")]

    def __str__(self) -> str:
        return f"{self.dataset} {self.label}"

    @property
    def progress_percent(self) -> int:
        """Share of the current step done, in percent."""
        return min(100, self.progress_done * 100 // self.progress_total) if self.progress_total else 0


class Resource(models.Model):
    """A downloadable file of a published release (CSV, XLSX or JSON), checked again before it was kept."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="resources")
    format = models.CharField("格式", max_length=8, choices=Format.choices)
    path = models.CharField("文件位置", max_length=300)
    size = models.BigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    rows = models.PositiveIntegerField("行数")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据资源文件"
        verbose_name_plural = "数据资源文件"
        ordering = ["release", "format"]
        constraints = [models.UniqueConstraint(fields=["release", "format"], name="one_resource_per_format")]

    def __str__(self) -> str:
        return f"{self.release} ({self.format})"


class DataRequest(VersionedModel):
    """数据需求: an enterprise asks a department for data; the department answers, declines or fulfils it."""

    class Status(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"
        DECLINED = "declined", "暂不开放"
        FULFILLED = "fulfilled", "已开放"

    title = models.CharField("需求名称", max_length=200)
    description = models.TextField("需要的数据")
    purpose = models.TextField("用途")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="data_requests", verbose_name="提请部门"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="data_requests",
        verbose_name="需求企业",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("答复", blank=True)
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name="对应数据集",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据需求"
        verbose_name_plural = "数据需求"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return self.title
