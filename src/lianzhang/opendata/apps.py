from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "lianzhang.opendata"
    verbose_name = "数据开放"
