"""The roles an organisation plays in a project, declared once: each role's table, its
parameter name, and how pages name it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from cases.models import (
    IntermediaryService,
    Investment,
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


ROLES = [
    Role(
        "outcome_payer",
        "Outcome payer",
        "Outcome payers",
        OutcomePaymentCommitment,
        "outcome_payment_commitments",
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
