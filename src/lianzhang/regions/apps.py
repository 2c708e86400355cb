from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "lianzhang.regions"
    verbose_name = "行政区划"
