from django.apps import AppConfig


class GolabConfig(AppConfig):
    name = "golab"
    verbose_name = "Site"
