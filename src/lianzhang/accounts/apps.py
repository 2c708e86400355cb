from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lianzhang.accounts"
    verbose_name = "用户与权限"
