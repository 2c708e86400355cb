"""Expert pool (专家库), review rounds, conflicts (回避), assignments, scores, decisions and 公示."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel


class PlainTextJSON(json.JSONEncoder):
    """Stores Chinese as written rather than as \\u escapes, so that text search finds it (SQLite)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class Expert(VersionedModel):
    """One reviewer of the pool, kept by the chain office; an expert user edits their own profile."""

    class Status(models.TextChoices):
        ACTIVE = "active", "在库"
        SUSPENDED = "suspended", "暂停"
        RETIRED = "retired", "退出"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert_record",
        verbose_name="登录账号",
    )
    name = models.CharField("姓名", max_length=60, db_index=True)
    organisation = models.CharField("工作单位", max_length=200)
    title = models.CharField("职称", max_length=60, blank=True)
    nodes = models.JSONField("产业链节点", default=list, blank=True, encoder=PlainTextJSON)
    disciplines = models.JSONField("学科专业", default=list, blank=True, encoder=PlainTextJSON)
    district = models.CharField("所在区县代码", max_length=12, blank=True)
    profile = models.TextField("专业简介", blank=True)
    available = models.BooleanField("可接受评审", default=True)
    term_start = models.DateField("聘期开始", null=True, blank=True)
    term_end = models.DateField("聘期结束", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACTIVE)
    declared_conflicts = models.JSONField(
        "申报回避（单位或企业名称）", default=list, blank=True, encoder=PlainTextJSON
    )
    max_load = models.PositiveSmallIntegerField("每轮评审上限", null=True, blank=True)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"

    @property
    def fields(self) -> list[str]:
        """Chain nodes and disciplines together: what assignment matches on."""
        return [*self.nodes, *self.disciplines]


class ReviewRound(VersionedModel):
    """One review batch: its criteria, assignment settings, recorded seed and its workflow state."""

    class Kind(models.TextChoices):
        PROJECT = "project", "项目评审"
        SCENARIO_BID = "scenario_bid", "场景揭榜评审"
        COOPERATION = "cooperation", "技术对接补助评审"

    class Mode(models.TextChoices):
        DRAW = "draw", "随机抽取"
        OPTIMAL = "optimal", "亲和度最优"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        CHECKING = "checking", "形式审查"
        ASSIGNING = "assigning", "分配专家"
        SCORING = "scoring", "专家评分"
        CLOSED = "closed", "评分结束"
        DECIDED = "decided", "已决定"
        NOTICED = "noticed", "公示中"
        FINAL = "final", "已定案"

    name = models.CharField("评审名称", max_length=200)
    kind = models.CharField("评审类型", max_length=16, choices=Kind.choices, default=Kind.PROJECT)
    criteria = models.JSONField("评分表", default=list)
    per_app = models.PositiveSmallIntegerField("每项专家人数", default=5)
    max_load = models.PositiveSmallIntegerField("每位专家上限", default=5)
    mode = models.CharField("分配方式", max_length=10, choices=Mode.choices, default=Mode.DRAW)
    seed = models.BigIntegerField("随机种子", null=True, blank=True)
    draw_inputs = models.JSONField("分配时的专家与申请", default=dict, blank=True)
    same_district = models.BooleanField("同区回避", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    objection_deadline = models.DateField("异议截止", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    assigned_at = models.DateTimeField("分配时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束评分时间", null=True, blank=True)
    noticed_on = models.DateField("公示日期", null=True, blank=True)
    finalised_at = models.DateTimeField("定案时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审批次"
        verbose_name_plural = "评审批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ReviewApplication(models.Model):
    """One application in a round: a registry project, a scenario bid or a 技术对接 claim."""

    class Check(models.TextChoices):
        PENDING = "pending", "待审查"
        PASSED = "passed", "通过"
        FAILED = "failed", "不通过"

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="applications")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="review_applications"
    )
    title = models.CharField("申报名称", max_length=200)
    text = models.TextField("申报内容", blank=True)
    fields = models.JSONField("领域", default=list, blank=True)
    requested_fen = models.BigIntegerField("申请金额（分）", null=True, blank=True)
    source_kind = models.CharField("来源", max_length=16, choices=ReviewRound.Kind.choices)
    source_id = models.PositiveIntegerField("来源编号")
    check_status = models.CharField("形式审查", max_length=10, choices=Check.choices, default=Check.PENDING)
    check_reason = models.CharField("审查意见", max_length=500, blank=True)
    added_late = models.BooleanField("分配后补入", default=False)
    score = models.DecimalField("综合得分", max_digits=6, decimal_places=2, null=True, blank=True)
    reviewers = models.PositiveSmallIntegerField("有效评分人数", default=0)
    dropped = models.JSONField("去掉的最高分与最低分", default=list, blank=True)
    disagreement = models.BooleanField("分歧较大", default=False)
    method = models.CharField("计分说明", max_length=300, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "评审申请"
        verbose_name_plural = "评审申请"
        ordering = ["round_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "source_kind", "source_id"], name="review_application_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Conflict(models.Model):
    """A computed reason why an expert may not review an application (recomputed, never edited)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="conflicts")
    application = models.ForeignKey(ReviewApplication, on_delete=models.CASCADE, related_name="conflicts")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField("类型", max_length=20)
    reason = models.CharField("原因", max_length=500)
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)

    class Meta:
        verbose_name = "回避关系"
        verbose_name_plural = "回避关系"
        ordering = ["application_id", "expert_id", "kind"]

    def __str__(self) -> str:
        return self.reason


class Assignment(models.Model):
    """One expert on one application, with the affinity and the reason the engine gave."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "待评分"
        DECLINED = "declined", "已谢绝"
        SUBMITTED = "submitted", "已提交"

    class Origin(models.TextChoices):
        INITIAL = "initial", "首次分配"
        REDRAW = "redraw", "重抽替补"

    application = models.ForeignKey(ReviewApplication, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    affinity = models.FloatField("亲和度", default=0.0)
    reason = models.CharField("分配理由", max_length=500)
    origin = models.CharField("来源", max_length=10, choices=Origin.choices, default=Origin.INITIAL)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    declined_reason = models.CharField("谢绝原因", max_length=300, blank=True)
    created_at = models.DateTimeField("分配时间", auto_now_add=True)

    class Meta:
        verbose_name = "评审分配"
        verbose_name_plural = "评审分配"
        ordering = ["application_id", "-affinity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} → {self.application.title}"


class Score(models.Model):
    """One expert's score sheet for one assignment."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="score")
    values = models.JSONField("分项得分", default=dict)
    total = models.DecimalField("总分（百分制）", max_digits=6, decimal_places=2)
    comment = models.TextField("评审意见")
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"

    def __str__(self) -> str:
        return f"{self.assignment}：{self.total}"


class Decision(models.Model):
    """The chain office's decision on one application."""

    application = models.OneToOneField(ReviewApplication, on_delete=models.CASCADE, related_name="decision")
    approved = models.BooleanField("通过")
    note = models.CharField("说明", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", auto_now=True)

    class Meta:
        verbose_name = "评审决定"
        verbose_name_plural = "评审决定"

    def __str__(self) -> str:
        return f"{self.application}：{'通过' if self.approved else '不通过'}"


class Objection(models.Model):
    """An objection filed during the public notice (公示), and how the chain office resolved it."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="objections")
    application = models.ForeignKey(
        ReviewApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="objections"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField("异议内容")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    resolution = models.TextField("处理结果", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
