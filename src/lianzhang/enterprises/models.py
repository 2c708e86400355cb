"""The enterprise registry (企业库), parks and the project registry (项目库)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel
from lianzhang.enterprises.records import PROJECT_STATUSES, PROJECT_TYPES


class Tag(models.Model):
    """A recognition an enterprise holds: 高新技术企业, 专精特新, 链主 …"""

    name = models.CharField("标签", max_length=30, unique=True)

    class Meta:
        verbose_name = "企业标签"
        verbose_name_plural = "企业标签"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Park(VersionedModel):
    """An industrial park or base (产业园) and the chain nodes it focuses on."""

    name = models.CharField("园区名称", max_length=120, unique=True)
    division = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所在区划")
    description = models.TextField("简介", blank=True)
    focus_nodes = models.CharField("主导环节（节点编号，逗号分隔）", max_length=300, blank=True)

    class Meta:
        verbose_name = "产业园区"
        verbose_name_plural = "产业园区"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Enterprise(VersionedModel):
    """A registered enterprise; money in fen."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=200, db_index=True)
    short_name = models.CharField("简称", max_length=60, blank=True)
    division = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所在区划")
    address = models.CharField("地址", max_length=300, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    registered_capital_fen = models.BigIntegerField("注册资本（分）", null=True, blank=True)
    business_scope = models.TextField("经营范围", blank=True)
    products = models.TextField("主要产品", blank=True)
    tags = models.ManyToManyField(Tag, blank=True, verbose_name="标签")
    park = models.ForeignKey(Park, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="所在园区")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]
        indexes = [models.Index(fields=["division", "name"])]

    def __str__(self) -> str:
        return self.name


class EnterpriseYear(models.Model):
    """One year's figures of an enterprise (money in fen)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("年度")
    revenue_fen = models.BigIntegerField("营业收入（分）", null=True, blank=True)
    rd_spend_fen = models.BigIntegerField("研发投入（分）", null=True, blank=True)
    employees = models.PositiveIntegerField("从业人员", null=True, blank=True)
    patents = models.PositiveIntegerField("专利数", null=True, blank=True)
    ai_revenue_fen = models.BigIntegerField("人工智能营业收入（分）", null=True, blank=True)

    class Meta:
        verbose_name = "年度数据"
        verbose_name_plural = "年度数据"
        ordering = ["enterprise_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="one_figure_row_per_year")]


class NodeAssignment(models.Model):
    """Where an enterprise sits on a chain: node, how it was decided, and the evidence."""

    class Source(models.TextChoices):
        AUTO = "auto", "自动识别"
        MANUAL = "manual", "人工认定"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="nodes")
    chain = models.CharField("产业链", max_length=40, default="ai")
    node = models.CharField("节点", max_length=40, db_index=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.AUTO)
    confidence = models.FloatField("置信度", default=0.0)
    evidence = models.JSONField("依据", default=list, blank=True)
    is_primary = models.BooleanField("主环节", default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="确认人"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "产业链节点归属"
        verbose_name_plural = "产业链节点归属"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "chain", "node"], name="one_assignment_per_node")
        ]
        ordering = ["-is_primary", "-confidence"]


class Project(VersionedModel):
    """A project in the project registry (项目库) with its workflow state."""

    # Member name → (stored value, label); the codes and labels are defined once in records.py.
    Status = models.TextChoices("Status", {code.upper(): (code, label) for code, label in PROJECT_STATUSES})
    Type = models.TextChoices("Type", {code.upper(): (code, label) for code, label in PROJECT_TYPES})

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField("项目名称", max_length=200)
    type = models.CharField("项目类型", max_length=30, choices=Type.choices)
    budget_fen = models.BigIntegerField("总投资（分）")
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default="submitted", db_index=True
    )
    description = models.TextField("项目简介", blank=True)
    submitted_on = models.DateField("申报日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["-submitted_on", "name"]

    def __str__(self) -> str:
        return self.name


class ProjectStatusChange(models.Model):
    """One step of a project's workflow history."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    at = models.DateTimeField("时间")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    comment = models.CharField("意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "项目状态变更"
        verbose_name_plural = "项目状态变更"
        ordering = ["at", "id"]


class ChainClassification(models.Model):
    """The latest automatic classification of an enterprise on a chain, and the chain office's review."""

    class Review(models.TextChoices):
        PENDING = "pending", "待复核"
        NOT_NEEDED = "not_needed", "无需复核"
        CONFIRMED = "confirmed", "已确认"
        CORRECTED = "corrected", "已更正"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="classifications")
    chain = models.CharField("产业链", max_length=40, default="ai")
    chain_version = models.CharField("分类体系版本", max_length=40)
    is_ai_chain = models.BooleanField("属于产业链")
    national_2018 = models.CharField("国家分类（2018）", max_length=10)
    confidence = models.FloatField("置信度")
    result = models.JSONField("识别结果", default=dict)
    review = models.CharField("复核", max_length=12, choices=Review.choices, db_index=True)
    classified_at = models.DateTimeField("识别时间")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="复核人"
    )
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "产业链识别结果"
        verbose_name_plural = "产业链识别结果"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "chain"], name="one_classification_per_chain")
        ]


class CuratedExample(models.Model):
    """A reviewed decision kept as a labelled example: the text, the engine's answer and the right one."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.SET_NULL, null=True, blank=True)
    chain = models.CharField("产业链", max_length=40, default="ai")
    chain_version = models.CharField("分类体系版本", max_length=40)
    name = models.CharField("企业名称", max_length=200)
    text = models.TextField("文本")
    is_ai_chain = models.BooleanField("属于产业链")
    nodes = models.CharField("节点（逗号分隔，主环节在前）", max_length=300, blank=True)
    national_2018 = models.CharField("国家分类（2018）", max_length=10)
    engine_nodes = models.CharField("引擎结果节点", max_length=300, blank=True)
    engine_is_ai_chain = models.BooleanField("引擎判定属于产业链")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    decided_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "人工标注样例"
        verbose_name_plural = "人工标注样例"
        ordering = ["-decided_at"]


class RelatedPerson(models.Model):
    """A person registered against an enterprise (legal representative, shareholder, key staff).

    Expert review uses these to find conflicts of interest (回避) by name.
    """

    class Role(models.TextChoices):
        LEGAL_REP = "legal_rep", "法定代表人"
        SHAREHOLDER = "shareholder", "股东"
        KEY_STAFF = "key_staff", "核心人员"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="related_persons")
    name = models.CharField("姓名", max_length=60, db_index=True)
    role = models.CharField("身份", max_length=16, choices=Role.choices)
    organisation = models.CharField("所在单位", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "关联人员"
        verbose_name_plural = "关联人员"
        ordering = ["enterprise_id", "role", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"
