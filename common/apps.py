from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The shared bottom layer: what every app uses and no app owns. It imports no app."""

    name = "common"
    verbose_name = "Shared"
