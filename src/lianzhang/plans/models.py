"""Plans imported from policy documents: targets, tasks with their departments, rules, progress reports."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from lianzhang.common.versioning import VersionedModel

COMPARATOR_CHOICES = [
    (">", "超过"),
    (">=", "不低于"),
    ("=", "达到"),
    ("~", "约"),
    ("<=", "不超过"),
    ("<", "低于"),
]


class Plan(VersionedModel):
    """A plan or action programme read from a document; a draft until the chain office confirms it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待确认"
        CONFIRMED = "confirmed", "已确认"

    title = models.CharField("标题", max_length=300)
    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所属城市")
    # The city's key in plans/data/departments.yaml, empty when the directory has no entry for it.
    directory_city = models.CharField("部门目录城市", max_length=40, blank=True)
    period_start = models.PositiveSmallIntegerField("起始年", null=True, blank=True)
    period_end = models.PositiveSmallIntegerField("截止年", null=True, blank=True)
    source_name = models.CharField("来源文件", max_length=255)
    source_kind = models.CharField("文件类型", max_length=10)
    source_text = models.TextField("原文")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "规划"
        verbose_name_plural = "规划"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        """Whether the plan still waits for confirmation."""
        return self.status == self.Status.DRAFT

    @property
    def start_date(self) -> date | None:
        """1 January of the first plan year."""
        return date(self.period_start, 1, 1) if self.period_start else None

    @property
    def end_date(self) -> date | None:
        """31 December of the last plan year: the deadline of every task without its own."""
        return date(self.period_end, 12, 31) if self.period_end else None


class Target(VersionedModel):
    """A quantified goal of a plan, and what is known of its progress."""

    class Kind(models.TextChoices):
        GOAL = "goal", "本规划目标"
        REPORTED = "reported", "引用其他文件的目标"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    order = models.PositiveIntegerField("顺序", default=0)
    text = models.TextField("原文")
    metric = models.CharField("指标", max_length=200)
    value = models.FloatField("目标值")
    value_max = models.FloatField("目标上限", null=True, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    comparator = models.CharField("比较", max_length=2, choices=COMPARATOR_CHOICES, default=">=")
    deadline = models.DateField("完成期限", null=True, blank=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.GOAL)
    location = models.CharField("所在章节", max_length=60, blank=True)
    baseline_value = models.FloatField("基期值", null=True, blank=True)
    baseline_date = models.DateField("基期日期", null=True, blank=True)
    current_value = models.FloatField("当前值（填报）", null=True, blank=True)
    current_as_of = models.DateField("当前值日期", null=True, blank=True)
    live_key = models.CharField("关联实时数据", max_length=40, blank=True)

    class Meta:
        verbose_name = "量化目标"
        verbose_name_plural = "量化目标"
        ordering = ["plan_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.metric} {self.get_comparator_display()}{self.value:g}{self.unit}"


class TargetReading(models.Model):
    """One entered value of a target, kept so that the chart shows its history."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="readings")
    value = models.FloatField("数值")
    as_of = models.DateField("截至日期")
    note = models.CharField("说明", max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    entered_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        verbose_name = "目标填报值"
        verbose_name_plural = "目标填报值"
        ordering = ["as_of", "id"]


class Task(VersionedModel):
    """A numbered action item of a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveIntegerField("顺序", default=0)
    number = models.CharField("编号", max_length=40, blank=True)
    title = models.CharField("任务", max_length=300)
    text = models.TextField("任务内容", blank=True)
    group = models.CharField("所属板块", max_length=300, blank=True)
    source = models.TextField("原文段落", blank=True)
    source_line = models.PositiveIntegerField("原文行号", null=True, blank=True)
    deadline = models.DateField("完成期限", null=True, blank=True)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["plan_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def effective_deadline(self) -> date | None:
        """The task's own deadline, or the end of its plan's period."""
        return self.deadline or self.plan.end_date


class TaskDepartment(models.Model):
    """A department named on a task, as written, and the department record it stands for once resolved."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头"
        COOPERATING = "cooperating", "配合"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("职责", max_length=12, choices=Role.choices)
    order = models.PositiveIntegerField("顺序", default=0)
    name = models.CharField("原文名称", max_length=80)
    directory_id = models.CharField("部门目录编号", max_length=80, blank=True)
    # The record to create on confirmation when the directory knows the department; empty when unknown.
    resolved_name = models.CharField("目录名称", max_length=80, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_tasks",
        verbose_name="部门",
    )

    class Meta:
        verbose_name = "任务分工"
        verbose_name_plural = "任务分工"
        ordering = ["task_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    @property
    def display_name(self) -> str:
        """The department record's name when resolved, the written name otherwise."""
        return str(self.department) if self.department_id else self.name


class Rule(models.Model):
    """A numeric rule of a plan (a subsidy rate, a cap), kept apart from its goals."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveIntegerField("顺序", default=0)
    text = models.TextField("原文")
    parameters = models.JSONField("参数", default=dict, blank=True)

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["plan_id", "order", "id"]

    def __str__(self) -> str:
        return str(self.parameters.get("parameter") or self.text[:40])


class ProgressReport(models.Model):
    """A department's periodic report on one task (信息通报): how far it is, and what was done."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("报送期", max_length=10)
    period_end = models.DateField("报送期末")
    percent = models.PositiveSmallIntegerField("完成进度（%）", validators=[MaxValueValidator(100)])
    narrative = models.TextField("工作进展")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-period_end", "-submitted_at", "-id"]
        indexes = [models.Index(fields=["task", "department", "period_end"])]

    def __str__(self) -> str:
        return f"{self.task} · {self.department} · {self.period}"


class ReportAttachment(models.Model):
    """A file sent with a progress report; served only through a permission-checked view."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="plans/reports/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "报告附件"
        verbose_name_plural = "报告附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
