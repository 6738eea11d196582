from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_search_index(sender, using, **kwargs):
    from django.db import connections

    from evidence.search import DOCUMENTS

    DOCUMENTS.install(connections[using])


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence library"

    def ready(self) -> None:
        post_migrate.connect(_install_search_index, sender=self)
