from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "lianzhang.plans"
    verbose_name = "规划任务与进展"
