from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "lianzhang.enterprises"
    verbose_name = "企业库与项目库"
