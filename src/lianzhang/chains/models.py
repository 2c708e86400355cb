"""Reference populations, the investment-attraction pipeline (招商线索) and 招商大使 referrals."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel

STAGES = (
    ("lead", "线索"),
    ("contact", "接触"),
    ("negotiation", "洽谈"),
    ("signed", "签约"),
    ("landed", "落地"),
    ("dropped", "放弃"),
)
# The forward path; 放弃 may be chosen from any stage before 落地.
STAGE_ORDER = ("lead", "contact", "negotiation", "signed", "landed")


class ReferencePopulation(models.Model):
    """An imported reference registry (province or nation, screened), kept as a Parquet file, not as rows."""

    chain = models.CharField("产业链", max_length=40, default="ai")
    name = models.CharField("名称", max_length=120)
    file = models.CharField("Parquet 文件（数据目录下的相对路径）", max_length=300)
    records = models.BigIntegerField("企业数")
    on_chain = models.BigIntegerField("链上企业数")
    fields = models.CharField("携带字段（逗号分隔）", max_length=300, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="导入人"
    )

    class Meta:
        verbose_name = "参照名录"
        verbose_name_plural = "参照名录"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Candidate(VersionedModel):
    """An outside enterprise being attracted: one row per enterprise and chain, one district team at once."""

    Stage = models.TextChoices("Stage", {code.upper(): (code, label) for code, label in STAGES})

    chain = models.CharField("产业链", max_length=40, default="ai")
    external_id = models.CharField("统一社会信用代码或参照编号", max_length=40)
    name = models.CharField("企业名称", max_length=200)
    node = models.CharField("补链环节", max_length=40)
    score = models.FloatField("推荐得分", default=0.0)
    reason = models.CharField("推荐理由", max_length=500, blank=True)
    team = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="attraction_candidates",
        verbose_name="负责区",
    )
    stage = models.CharField("阶段", max_length=12, choices=Stage.choices, default="lead", db_index=True)
    note = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="建档人"
    )

    class Meta:
        verbose_name = "招商对象"
        verbose_name_plural = "招商对象"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "external_id"], name="one_candidate_per_enterprise")
        ]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    """One step of a candidate's pipeline, or a hand-over to another district team."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="history")
    from_stage = models.CharField("原阶段", max_length=12, blank=True)
    to_stage = models.CharField("新阶段", max_length=12)
    from_team = models.CharField("原负责区", max_length=12, blank=True)
    to_team = models.CharField("新负责区", max_length=12, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "招商阶段变更"
        verbose_name_plural = "招商阶段变更"
        ordering = ["at", "id"]


class Referral(models.Model):
    """A 招商大使 referral: who referred which candidate, and what came of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "跟进中"
        SIGNED = "signed", "已签约"
        LANDED = "landed", "已落地"
        DECLINED = "declined", "未成功"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="referrals")
    ambassador = models.CharField("招商大使", max_length=60)
    organisation = models.CharField("所在单位", max_length=120, blank=True)
    referred_on = models.DateField("推荐日期")
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default="pending")
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "招商大使推荐"
        verbose_name_plural = "招商大使推荐"
        ordering = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.ambassador} → {self.candidate}"


class GapAnalysis(models.Model):
    """A stored run of the weak-link analysis of the registry against a reference, and its candidate list.

    Pages read the stored figures, so the map and the tables open at once; a new run replaces nothing.
    """

    chain = models.CharField("产业链", max_length=40, default="ai")
    reference = models.ForeignKey(ReferencePopulation, on_delete=models.CASCADE, verbose_name="参照名录")
    local_records = models.PositiveIntegerField("本地企业数")
    report = models.JSONField("分析结果", default=dict)
    candidates = models.JSONField("招商清单", default=list)
    seconds = models.FloatField("耗时（秒）", default=0.0)
    created_at = models.DateTimeField("分析时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="分析人"
    )

    class Meta:
        verbose_name = "薄弱环节分析"
        verbose_name_plural = "薄弱环节分析"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.chain} {self.created_at:%Y-%m-%d %H:%M}"
