"""Administrative divisions (province → city → county → town/street) that records refer to."""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    """One administrative division, keyed by its national statistical code."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "区县"
        TOWN = "town", "镇街"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    full_name = models.CharField("全称", max_length=120)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def city_code(self) -> str:
        """The 4-digit city prefix of this division."""
        return self.code[:4]
