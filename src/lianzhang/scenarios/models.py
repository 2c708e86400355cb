"""Scenario demands (场景需求) and their lifecycle, 揭榜 applications, supplier profiles, notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel


class Scenario(VersionedModel):
    """An application scenario a manufacturer, department or district wants solved; money in fen."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        REVIEWED = "reviewed", "已审核"
        PUBLISHED = "published", "已发布（揭榜中）"
        SELECTED = "selected", "已遴选"
        CONTRACTED = "contracted", "已签约"
        ACCEPTED = "accepted", "已验收"
        DEMONSTRATION = "demonstration", "示范场景"
        WITHDRAWN = "withdrawn", "已退回"

    title = models.CharField("场景名称", max_length=200)
    description = models.TextField("需求描述")
    domain = models.CharField("领域", max_length=40, blank=True)
    nodes = models.CharField("产业链节点（逗号分隔）", max_length=300, blank=True)
    division = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所在区划")
    owner_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scenarios",
        verbose_name="需求企业",
    )
    owner_name = models.CharField("需求方", max_length=200)
    budget_fen = models.BigIntegerField("预算（分）", null=True, blank=True)
    deadline = models.DateField("揭榜截止", null=True, blank=True)
    requirements = models.TextField("技术要求", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    review_note = models.TextField("审核意见", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)

    class Meta:
        verbose_name = "场景需求"
        verbose_name_plural = "场景需求"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "division"])]

    def __str__(self) -> str:
        return self.title

    @property
    def node_list(self) -> list[str]:
        """Node ids as a list."""
        return [n.strip() for n in self.nodes.split(",") if n.strip()]


class Milestone(models.Model):
    """An implementation milestone of a contracted scenario."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("里程碑", max_length=200)
    due_on = models.DateField("计划完成", null=True, blank=True)
    done_on = models.DateField("实际完成", null=True, blank=True)

    class Meta:
        verbose_name = "实施里程碑"
        verbose_name_plural = "实施里程碑"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Application(VersionedModel):
    """揭榜: a supplier's solution for a published scenario, and its selection score."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已揭榜"
        SELECTED = "selected", "中选"
        NOT_SELECTED = "not_selected", "未中选"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="applications")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="scenario_applications"
    )
    solution = models.TextField("解决方案")
    price_fen = models.BigIntegerField("报价（分）", null=True, blank=True)
    score = models.PositiveSmallIntegerField("遴选得分", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField("揭榜时间", auto_now_add=True)

    class Meta:
        verbose_name = "揭榜申请"
        verbose_name_plural = "揭榜申请"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "enterprise"], name="one_application_per_enterprise")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.scenario}"


class SupplierProfile(VersionedModel):
    """What a registry enterprise can supply: products, solutions, cases; checked by the chain office."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="supplier_profile"
    )
    products = models.TextField("产品", blank=True)
    solutions = models.TextField("解决方案", blank=True)
    cases = models.TextField("应用案例", blank=True)
    case_count = models.PositiveIntegerField("落地案例数", default=0)
    certifications = models.TextField("资质认证", blank=True)
    nodes = models.CharField("产业链节点（逗号分隔）", max_length=300, blank=True)
    checked = models.BooleanField("链长办已核验", default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField("核验时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "供给能力档案"
        verbose_name_plural = "供给能力档案"
        ordering = ["enterprise__name"]

    def __str__(self) -> str:
        return f"{self.enterprise}的供给能力"

    @property
    def text(self) -> str:
        """The text the matching engine reads."""
        return "。".join(t for t in (self.products, self.solutions, self.cases, self.certifications) if t)


class Notification(models.Model):
    """An in-platform message to an enterprise, e.g. a published scenario that fits its profile."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="notifications"
    )
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    message = models.CharField("内容", max_length=500)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read = models.BooleanField("已读", default=False)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message[:40]


class Cooperation(VersionedModel):
    """技术对接 (专栏5): a local manufacturer's AI need served by an AI supplier, with its cost in fen."""

    manufacturer = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="cooperations_as_manufacturer"
    )
    supplier = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="cooperations_as_supplier"
    )
    scenario = models.ForeignKey(Scenario, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    cost_fen = models.BigIntegerField("合作费用（分）")
    description = models.TextField("合作内容", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "技术对接合作"
        verbose_name_plural = "技术对接合作"
        ordering = ["year", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.manufacturer} × {self.supplier}（{self.year}）"


class SupplyNeed(VersionedModel):
    """供应链对接: a component or manufacturing-service need, to be matched with local manufacturers."""

    title = models.CharField("需求名称", max_length=200)
    description = models.TextField("需求描述")
    requester = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="supply_needs",
        verbose_name="需求企业",
    )
    quantity = models.CharField("数量与规格", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "供应链需求"
        verbose_name_plural = "供应链需求"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
