from django.apps import AppConfig


class EmpatyConfig(AppConfig):
    name = "empaty"
