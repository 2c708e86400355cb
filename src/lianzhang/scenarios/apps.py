from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "lianzhang.scenarios"
    verbose_name = "场景招募与供需对接"
