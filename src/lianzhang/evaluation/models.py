"""Stored frameworks (every edit a new version), imported indicator values and evaluation runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel


class EntityKind(models.TextChoices):
    DISTRICT = "district", "区"
    ENTERPRISE = "enterprise", "企业"


class EvaluationFramework(VersionedModel):
    """A named framework; its content lives in immutable versions so every run can cite the one it used."""

    key = models.CharField("框架编号", max_length=60, unique=True)
    name = models.CharField("名称", max_length=120)
    entity = models.CharField("评价对象", max_length=12, choices=EntityKind.choices)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价框架"
        verbose_name_plural = "评价框架"
        ordering = ["entity", "key"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> FrameworkVersion:
        """The newest version."""
        return self.versions.order_by("-number").first()


class FrameworkVersion(models.Model):
    """One saved state of a framework's YAML; never changed after it is written."""

    framework = models.ForeignKey(EvaluationFramework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    yaml_text = models.TextField("框架定义（YAML）")
    sha256 = models.CharField("内容摘要", max_length=64)
    note = models.CharField("修改说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = "框架版本"
        verbose_name_plural = "框架版本"
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} 第 {self.number} 版"


class IndicatorValue(models.Model):
    """An imported indicator value (reported by a district or department) for one entity and year."""

    entity = models.CharField("对象类型", max_length=12, choices=EntityKind.choices)
    entity_key = models.CharField("对象编号", max_length=40)
    year = models.PositiveSmallIntegerField("年度")
    indicator = models.CharField("指标编号", max_length=48)
    value = models.FloatField("数值")
    source_name = models.CharField("来源文件", max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "导入指标值"
        verbose_name_plural = "导入指标值"
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "entity_key", "year", "indicator"], name="indicator_value_unique"
            )
        ]
        indexes = [models.Index(fields=["entity", "year"])]

    def __str__(self) -> str:
        return f"{self.entity_key} {self.year} {self.indicator}={self.value:g}"


class EvaluationRun(models.Model):
    """One evaluation with everything needed to reproduce it: framework version, data snapshot, method."""

    framework_version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="runs")
    year = models.PositiveSmallIntegerField("数据年度")
    scope = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="评价范围")
    inputs = models.JSONField("输入数据", default=dict)
    data_sha256 = models.CharField("数据摘要", max_length=64)
    result = models.JSONField("结果", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("运行时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价结果"
        verbose_name_plural = "评价结果"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.framework_version.framework.name}（{self.year} 年，{self.scope.name}）"
