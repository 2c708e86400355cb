"""择优支持: subsidy programmes as data, their applications, and allocation runs (money in fen)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel
from lianzhang.reviews.engine.money import format_yuan

# Eligibility keys stored in Programme.eligibility; the same names as the engine's Eligibility.
ELIGIBILITY_KEYS = (
    "districts",
    "nodes_any",
    "tags_any",
    "tags_all",
    "tags_none",
    "min_age_years",
    "max_age_years",
    "min_score",
)


def money_words(fen: int) -> str:
    """An amount as people write it in a rule: '200万元', '1,234.50元'."""
    if fen % 1_000_000 == 0 and fen >= 1_000_000:
        return f"{fen // 1_000_000:,}万元"
    return f"{format_yuan(fen)}元"


def rate_words(rate_bp: int) -> str:
    """Basis points as a percentage: 3000 → '30%', 1250 → '12.5%'."""
    whole, part = divmod(rate_bp, 100)
    return f"{whole}%" if not part else f"{whole}.{part:02d}".rstrip("0") + "%"


def rule_words(rate_bp: int, cap_fen: int | None, max_count: int | None, budget_fen: int | None) -> str:
    """A programme's money rule in words, as the policy documents write it."""
    parts = [f"按成本的{rate_words(rate_bp)}"]
    if cap_fen is not None:
        parts.append(f"单家每年不超过{money_words(cap_fen)}")
    if max_count is not None:
        parts.append(f"每年最多{max_count}家")
    if budget_fen is not None:
        parts.append(f"总预算{money_words(budget_fen)}")
    return "，".join(parts)


class Programme(VersionedModel):
    """A subsidy programme: the rate, the caps and the conditions, one year at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        OPEN = "open", "受理中"
        CLOSED = "closed", "已结束"

    class WhenShort(models.TextChoices):
        PARTIAL = "partial", "按预算余额支持（通常做法）"
        SKIP = "skip", "跳过，继续支持后面金额放得下的申请"
        STOP = "stop", "停止分配"

    class Objective(models.TextChoices):
        SCORE = "score", "入选申请得分之和最大"
        COUNT = "count", "支持家数最多"

    name = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    basis = models.TextField("政策依据", blank=True)
    rate_bp = models.PositiveIntegerField("补助比例（基点，3000 = 30%）")
    cap_fen = models.BigIntegerField("单家每年上限（分）", null=True, blank=True)
    max_count = models.PositiveIntegerField("每年最多支持家数", null=True, blank=True)
    budget_fen = models.BigIntegerField("年度总预算（分）", null=True, blank=True)
    eligibility = models.JSONField("申报条件", default=dict, blank=True)
    when_short = models.CharField(
        "预算余额不足全额时", max_length=10, choices=WhenShort.choices, default=WhenShort.PARTIAL
    )
    objective = models.CharField(
        "最优组合的目标", max_length=10, choices=Objective.choices, default=Objective.SCORE
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="主管部门",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "择优支持项目"
        verbose_name_plural = "择优支持项目"
        ordering = ["-year", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    @property
    def rate_label(self) -> str:
        """'30%' or '12.5%'."""
        return rate_words(self.rate_bp)

    @property
    def rule_text(self) -> str:
        """The money rule in words: 按成本的30%，单家每年不超过200万元，每年最多10家，总预算1,500万元."""
        return rule_words(self.rate_bp, self.cap_fen, self.max_count, self.budget_fen)

    @property
    def eligibility_text(self) -> str:
        """The conditions in words ('不限' when there are none)."""
        rules = self.eligibility or {}
        parts = []
        if rules.get("districts"):
            parts.append(f"所在区划属于 {'、'.join(rules['districts'])}")
        if rules.get("nodes_any"):
            parts.append(f"产业链节点含 {'、'.join(rules['nodes_any'])} 之一")
        if rules.get("tags_any"):
            parts.append(f"标签含 {'、'.join(rules['tags_any'])} 之一")
        if rules.get("tags_all"):
            parts.append(f"同时具有标签 {'、'.join(rules['tags_all'])}")
        if rules.get("tags_none"):
            parts.append(f"不带标签 {'、'.join(rules['tags_none'])}")
        if rules.get("min_age_years") is not None:
            parts.append(f"成立满 {rules['min_age_years']} 年")
        if rules.get("max_age_years") is not None:
            parts.append(f"成立不超过 {rules['max_age_years']} 年")
        if rules.get("min_score") is not None:
            parts.append(f"评审得分不低于 {rules['min_score']}")
        return "；".join(parts) or "不限"


class Application(VersionedModel):
    """One application of a registry enterprise to a programme: its eligible cost and review result."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="applications")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="subsidy_applications"
    )
    title = models.CharField("申报事项", max_length=200, blank=True)
    cost_fen = models.BigIntegerField("费用（分）")
    score = models.DecimalField("评审得分", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("评审排名", null=True, blank=True)
    source = models.CharField("来源", max_length=60, default="导入")
    # Set when a confirmed run decided this application; later runs leave it alone.
    decided_run = models.ForeignKey(
        "AllocationRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="decided"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "补助申报"
        verbose_name_plural = "补助申报"
        ordering = ["programme_id", "rank", "-score", "id"]
        indexes = [models.Index(fields=["programme", "decided_run"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.title or self.programme}"


class AllocationRun(VersionedModel):
    """One allocation of a programme: a preview until confirmed, then it counts against the caps."""

    class Mode(models.TextChoices):
        RANK = "rank", "按排名依次支持"
        OPTIMAL = "optimal", "最优组合"

    class Status(models.TextChoices):
        PREVIEW = "preview", "试算"
        CONFIRMED = "confirmed", "已确认"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="runs")
    programme_version = models.PositiveIntegerField("项目版本")
    mode = models.CharField("分配方式", max_length=10, choices=Mode.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PREVIEW)
    params = models.JSONField("计算参数", default=dict)
    result = models.JSONField("每个申报的结果", default=list)
    summary = models.JSONField("合计", default=dict)
    difference = models.JSONField("与另一种方式的差别", default=dict)
    # A fingerprint of the applications and earlier grants the run used; confirming checks it again.
    basis = models.CharField("输入指纹", max_length=64)
    total_fen = models.BigIntegerField("支持总额（分）", default=0)
    funded_count = models.PositiveIntegerField("支持家数", default=0)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("计算时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    notice_start = models.DateField("公示开始日期", null=True, blank=True)
    objection_deadline = models.DateField("异议截止日期", null=True, blank=True)

    class Meta:
        verbose_name = "分配结果"
        verbose_name_plural = "分配结果"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_mode_display()} #{self.pk}"

    @property
    def rule_text(self) -> str:
        """The money rule the run was computed with (the programme may have been edited since)."""
        p = self.params
        return rule_words(p["rate_bp"], p.get("cap_fen"), p.get("max_count"), p.get("budget_fen"))

    @property
    def total_yuan(self) -> str:
        """The total paid, in yuan as people write it."""
        return format_yuan(self.total_fen)

    @property
    def funded_rows(self) -> list[dict]:
        """The result rows that are paid, in rank order."""
        return [r for r in self.result if r.get("funded")]
