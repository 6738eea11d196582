"""The roles an organisation plays in a project, declared once: each role's table, its
parameter name, and how pages name it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from cases.models import (
    IntermediaryService,
    Investment,
    OutcomePayment,
    OutcomePaymentCommitment,
    ServiceProvision,
)


@dataclass(frozen=True)
class Role:
    key: str  # the list's parameter and the facet's name
    label: str
    plural: str
    model: type[models.Model]
    related: str  # the project's rows of this role: ``getattr(project, role.related)``
    facet: bool = True  # offered as a filter of the case list
    # Other tables that name an organisation in this role: (model, its organisation field,
    # the project's related name). An outcome payer may appear only in outcome payments.
    also: tuple[tuple[type[models.Model], str, str], ...] = ()

    def sources(self) -> list[tuple[type[models.Model], str]]:
        """Every (table, organisation field) that names a party in this role."""
        return [(self.model, "organisation"), *((m, f) for m, f, _r in self.also)]


ROLES = [
    Role(
        "outcome_payer",
        "Outcome payer",
        "Outcome payers",
        OutcomePaymentCommitment,
        "outcome_payment_commitments",
        also=((OutcomePayment, "payer", "outcome_payments"),),
    ),
    Role("investor", "Investor", "Investors", Investment, "investments"),
    Role(
        "service_provider",
        "Service provider",
        "Service providers",
        ServiceProvision,
        "service_provisions",
    ),
    Role(
        "intermediary",
        "Intermediary",
        "Intermediaries",
        IntermediaryService,
        "intermediary_services",
        facet=False,
    ),
]
BY_KEY = {role.key: role for role in ROLES}
ROLE_MODELS = [role.model for role in ROLES]
