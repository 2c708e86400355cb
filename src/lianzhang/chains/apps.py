from django.apps import AppConfig


class ChainsConfig(AppConfig):
    name = "lianzhang.chains"
    verbose_name = "产业链图谱与精准招商"
