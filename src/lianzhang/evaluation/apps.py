"""Django app for indicator frameworks, evaluation runs and imported indicator values."""

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lianzhang.evaluation"
    label = "evaluation"
    verbose_name = "综合评价"
