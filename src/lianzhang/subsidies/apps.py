from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "lianzhang.subsidies"
    verbose_name = "择优支持"
