"""Users' roles and places, government departments, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lianzhang.common.versioning import VersionedModel


class Role(models.TextChoices):
    """The platform's roles (DESIGN.md: users and roles); the public is the anonymous visitor."""

    CHAIN_OFFICE = "chain_office", "链长办"
    DEPARTMENT = "department", "部门"
    DISTRICT = "district", "区/镇街"
    ENTERPRISE = "enterprise", "企业"
    EXPERT = "expert", "专家"
    ADMIN = "admin", "平台管理员"


class Department(VersionedModel):
    """A government department of a city (市科技局, 市工信局 …); aliases make one record of many spellings."""

    name = models.CharField("名称", max_length=80)
    short_name = models.CharField("简称", max_length=40, blank=True)
    aliases = models.TextField("别名（每行一个）", blank=True)
    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name="所属区划")

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="department_unique_name_per_city")
        ]
        ordering = ["city_id", "name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Profile(models.Model):
    """What a user is on the platform: role, and the district, department or enterprise it speaks for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    display_name = models.CharField("姓名", max_length=60, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name="负责区划"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, verbose_name="所属部门"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True, verbose_name="所属企业"
    )
    chains = models.CharField("负责产业链（逗号分隔）", max_length=200, default="ai", blank=True)

    class Meta:
        verbose_name = "用户档案"
        verbose_name_plural = "用户档案"

    def __str__(self) -> str:
        return f"{self.user.username}（{self.get_role_display()}）"


class AuditEntry(models.Model):
    """One create, update, delete or workflow action: who, when, on what, and what changed."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    username = models.CharField("用户", max_length=150, blank=True)
    role = models.CharField("角色", max_length=20, blank=True)
    action = models.CharField("操作", max_length=30)
    model = models.CharField("对象类型", max_length=60, db_index=True)
    object_id = models.CharField("对象编号", max_length=40, db_index=True)
    object_repr = models.CharField("对象", max_length=200)
    changes = models.JSONField("变更", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"
