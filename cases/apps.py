from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


def _install_search_index(sender, using, **kwargs):
    from django.db import connections

    from cases.search import PIPELINES, PROJECTS

    PROJECTS.install(connections[using])
    PIPELINES.install(connections[using])


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Case studies"

    def ready(self) -> None:
        from cases import parties
        from cases.checks import check_indigo_layout

        # The projects' party flags follow every save and delete of a role row or location.
        parties.connect()

        # Schema that migrations cannot keep (see cases.search): reinstalled after each migrate.
        post_migrate.connect(_install_search_index, sender=self)
        checks.register(check_indigo_layout, checks.Tags.models)
