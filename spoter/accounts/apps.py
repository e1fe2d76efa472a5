from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "spoter.accounts"
    label = "accounts"
    verbose_name = "Accounts"
