"""Case studies and everything INDIGO records about them.

The models mirror the INDIGO data standard's tables one to one (each names its
``indigo_file``), with typed, constrained columns: partial dates keep their precision, money
keeps currency, amount and USD amount, code lists are ``TextChoices`` checked by the
database. Cells that the real snapshots hold as prose where a number or date is expected
keep the parsed value where there is one and the cell as written in a ``*_text`` column.

Organisations' ``Contact - ...`` columns are personal data and have no column here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cases.outcome_kinds import outcome_kind as kind_of_outcome
from common.models import (
    AmountField,
    AsWrittenField,
    CountryField,
    CurrencyField,
    PartialDateField,
    PublicationStatus,
    Publishable,
    SourceIdsField,
    choice_check,
)

# ---------------------------------------------------------------------------------------------
# Code lists (INDIGO 4.x). The value is stored and used in URLs; the label is INDIGO's text.


class Stage(models.TextChoices):
    CONTRACTED = "contracted", "Contracted"
    IMPLEMENTATION = "implementation", "Implementation"
    SERVICE_DELIVERY_COMPLETE = "service-delivery-complete", "Service delivery complete"
    COMPLETE = "complete", "Complete"


class PolicySector(models.TextChoices):
    EMPLOYMENT = "employment-and-training", "Employment and training"
    CHILD_FAMILY = "child-and-family-welfare", "Child and family welfare"
    HEALTH = "health", "Health"
    HOMELESSNESS = "homelessness", "Homelessness"
    EDUCATION = "education", "Education"
    CRIMINAL_JUSTICE = "criminal-justice", "Criminal justice"
    AGRICULTURE_ENVIRONMENT = "agriculture-and-environment", "Agriculture and environment"
    POVERTY_REDUCTION = "poverty-reduction", "Poverty reduction"


class ResultLevel(models.TextChoices):
    OUTCOME = "outcome", "Outcome level"
    PROJECT = "project", "Project level"


class ResultType(models.TextChoices):
    INTERIM = "interim", "Interim"
    FINAL = "final", "Final"


class PaymentType(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTUAL = "actual", "Actual"


# ---------------------------------------------------------------------------------------------
# Bases


class Imported(models.Model):
    """Anything the INDIGO import writes. ``import_baseline`` holds each column as the last
    import wrote it, so a later import can tell a curator's edit from a change at the source."""

    indigo_file: ClassVar[str]
    import_baseline = models.JSONField(default=dict, blank=True, editable=False)
    history = HistoricalRecords(inherit=True, excluded_fields=["import_baseline"])

    class Meta:
        abstract = True


def published_project_q(prefix: str = "project") -> Q:
    """The condition "this project is public" (published and not soft-deleted), for a query
    that reaches projects through ``prefix`` (``""``: on projects themselves). Every query
    across a join to projects uses it, so a soft-deleted project leaks nowhere."""
    lead = f"{prefix}__" if prefix else ""
    return Q(**{f"{lead}status": PublicationStatus.PUBLISHED, f"{lead}deleted_at__isnull": True})


class RecordQuerySet(models.QuerySet):
    def published(self):
        """The only records any public page, search, export or feed may show."""
        published = self.filter(status=PublicationStatus.PUBLISHED)
        if any(f.name == "deleted_at" for f in self.model._meta.fields):
            published = published.filter(deleted_at__isnull=True)
        return published


class IndigoRecord(Imported, Publishable):
    """A record with its own INDIGO id (project, organisation, fund), with a publication
    status: records made here start as drafts; imported ones arrive published and are
    withdrawn (kept, never deleted) when the source stops publishing them."""

    indigo_id = models.CharField("INDIGO id", max_length=32)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        name = getattr(self, "name", "")
        return f"{self.indigo_id} {name}".strip()


class IndigoRow(Imported):
    """A row of a component table, identified by its owner and its place among the owner's rows
    (INDIGO's local ids are neither always present nor unique)."""

    parent_field: ClassVar[str]
    # Each row model declares it (its help text names the owner).
    position: int

    class Meta:
        abstract = True

    def __str__(self) -> str:
        owner_id = getattr(self, f"{self.parent_field}_id")
        return f"{self._meta.verbose_name} {self.position + 1} of #{owner_id}"


# The three kinds of owner. A row model adds its owner's foreign key (named as the owner:
# ``project``, ``organisation`` or ``fund``, with its own related name) and its columns.


class ProjectRow(IndigoRow):
    parent_field = "project"
    position = models.PositiveIntegerField(
        help_text="Order of the row within its project in the INDIGO file."
    )

    class Meta:
        abstract = True
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="%(app_label)s_%(class)s_position_unique"
            ),
        ]


class OrganisationRow(IndigoRow):
    parent_field = "organisation"
    position = models.PositiveIntegerField(
        help_text="Order of the row within its organisation in the INDIGO file."
    )

    class Meta:
        abstract = True
        ordering = ["organisation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "position"], name="%(app_label)s_%(class)s_position_unique"
            ),
        ]


class FundRow(IndigoRow):
    parent_field = "fund"
    position = models.PositiveIntegerField(
        help_text="Order of the row within its fund in the INDIGO file."
    )

    class Meta:
        abstract = True
        ordering = ["fund", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "position"], name="%(app_label)s_%(class)s_position_unique"
            ),
        ]


def capital_aggregates() -> dict[str, Any]:
    """Capital raised in USD, as every total on the site states it: the sum of exact figures
    and how many projects give one, and apart, the projects that give a range (with the
    sums of the ranges' ends). Aggregates, to join a page's own ``aggregate()``."""
    exact = Q(capital_usd__isnull=False)
    ranged = ~exact & (Q(capital_usd_min__isnull=False) | Q(capital_usd_max__isnull=False))
    return {
        "capital_exact": models.Sum("capital_usd"),
        "capital_exact_count": models.Count("pk", filter=exact),
        "capital_range_count": models.Count("pk", filter=ranged),
        "capital_range_min": models.Sum("capital_usd_min", filter=ranged),
        "capital_range_max": models.Sum("capital_usd_max", filter=ranged),
    }


def capital_note(totals: dict[str, Any]) -> str:
    """What a capital total (from ``capital_aggregates()``) sums, in words."""
    count = totals["capital_exact_count"]
    note = f"exact figures of {count} project{'s' if count != 1 else ''}"
    if totals["capital_range_count"]:
        low, high = totals["capital_range_min"], totals["capital_range_max"]
        ends = " – ".join(f"{round(v):,}" if v is not None else "?" for v in (low, high))
        note += f"; {totals['capital_range_count']} more give a range, not included"
        note += f" (USD {ends} in all)"
    return note


class ProjectQuerySet(RecordQuerySet):
    """Projects; page-shaped reads live here."""

    def for_list(self) -> ProjectQuerySet:
        """What a row of the case list shows: one query, plus one for all rows' countries."""
        return self.only(
            "pk",
            "indigo_id",
            "name",
            "stage",
            "policy_sector",
            "launch_year",
            *Project.LAUNCH_DATE_FIELDS,  # which date the launch year comes from
            "capital_raised_usd",
            "capital_usd",
            "capital_usd_min",
            "capital_usd_max",
            "service_users_targeted",
            "status",
        ).prefetch_related(
            models.Prefetch(
                "delivery_locations",
                queryset=DeliveryLocation.objects.only("project_id", "position", "country"),
            )
        )

    def for_detail(self) -> ProjectQuerySet:
        """Everything the case page shows, in one query per related table."""
        with_org = ["organisation"]
        return self.prefetch_related(
            "delivery_locations",
            "outcome_metrics",
            "outcome_pricings",
            "results",
            models.Prefetch(
                "outcome_payments", queryset=OutcomePayment.objects.select_related("payer")
            ),
            models.Prefetch(
                "outcome_payment_commitments",
                queryset=OutcomePaymentCommitment.objects.select_related(*with_org),
            ),
            models.Prefetch("investments", queryset=Investment.objects.select_related(*with_org)),
            models.Prefetch(
                "service_provisions", queryset=ServiceProvision.objects.select_related(*with_org)
            ),
            models.Prefetch(
                "intermediary_services",
                queryset=IntermediaryService.objects.select_related(*with_org),
            ),
            models.Prefetch(
                "project_outcome_funds", queryset=ProjectOutcomeFund.objects.select_related("fund")
            ),
        )

    def headline_figures(self) -> dict[str, Any]:
        """Counts and totals for the home page, in two queries."""
        totals = self.aggregate(
            projects=models.Count("pk"),
            service_users=models.Sum("service_users_targeted"),
            **capital_aggregates(),
        )
        totals["countries"] = (
            DeliveryLocation.objects.filter(project__in=self)
            .exclude(country="")
            .values("country")
            .distinct()
            .count()
        )
        return totals


# The facet columns each facet index ends with, after the area, stage, year and capital in
# the order that index leads with (see Project.Meta.indexes).
FACET_TAIL = [
    "service_users_targeted",
    "has_results",
    "has_evaluation",
    "has_country",
    "has_outcome_payer",
    "has_investor",
    "has_service_provider",
    "id",
]


class Project(IndigoRecord):
    """An impact bond or other outcomes contract: the case study."""

    indigo_file = "projects.csv"

    # Curated, not in INDIGO files.
    summary = models.TextField(blank=True, help_text="Curated narrative summary.")
    lessons = models.TextField("Lessons learned", blank=True)

    # Derived from the columns above and the project's rows, for search and facets
    # (cases.services.refresh_derived_fields); never edited by hand.
    launch_year = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="Year service started (or contract)."
    )
    capital_raised_usd = AmountField(
        editable=False, help_text="Capital raised in USD: exact, else the top of the range."
    )
    has_results = models.BooleanField(default=False, editable=False)
    # Deleting a project in the admin only sets this; a curator can restore it.
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    has_evaluation = models.BooleanField(default=False, editable=False)
    # Whether a published party is named in each role the case list counts, and a country
    # (cases.parties keeps them): its "Not recorded" counts read these from the facet index.
    has_country = models.BooleanField(default=False, editable=False)
    has_outcome_payer = models.BooleanField(default=False, editable=False)
    has_investor = models.BooleanField(default=False, editable=False)
    has_service_provider = models.BooleanField(default=False, editable=False)
    search_text = models.TextField(
        blank=True, editable=False, help_text="What full-text search indexes besides the name."
    )

    name = models.CharField("Impact Bond Name", max_length=1000, blank=True)
    alternative_names = models.TextField("Alternative Names", blank=True)
    stage = models.CharField(
        "Stage of Development", max_length=40, choices=Stage.choices, blank=True
    )
    stage_sources = SourceIdsField("Stage of Development - sources")
    social_investment_prototype = models.BooleanField(
        "Social Investment Prototype", null=True, blank=True
    )
    outcomes_contract_signed = PartialDateField("Dates - Date outcomes contract signed")
    all_contracts_signed = PartialDateField("Dates - Date contracts between all parties signed")
    anticipated_completion = PartialDateField("Dates - Anticipated completion date")
    actual_completion = PartialDateField("Dates - Actual completion date")
    service_start = PartialDateField("Dates - Start date of service provision")
    anticipated_service_end = PartialDateField("Dates - Anticipated end date of service provision")
    actual_service_end = PartialDateField("Dates - Actual end date of service provision")
    anticipated_service_duration = models.CharField(
        "Dates - Anticipated duration of service provision", max_length=255, blank=True
    )
    actual_service_duration = models.CharField(
        "Dates - Actual duration of service provision", max_length=255, blank=True
    )
    dates_sources = SourceIdsField("Dates - sources")
    dates_notes = models.TextField("Dates - (Notes)", blank=True)
    jurisdiction = models.CharField("Jurisdiction - Jurisdiction", max_length=255, blank=True)
    jurisdiction_sources = SourceIdsField("Jurisdiction - sources")
    jurisdiction_notes = models.TextField("Jurisdiction - (Notes)", blank=True)
    capital_currency = CurrencyField(
        "Overall project finance - Total investment commitment - Currency"
    )
    capital_amount_min = AmountField(
        "Overall project finance - Total investment commitment - Amount - Min"
    )
    capital_amount_min_text = AsWrittenField()
    capital_amount = AmountField(
        "Overall project finance - Total investment commitment - Amount - Exact"
    )
    capital_amount_text = AsWrittenField()
    capital_amount_max = AmountField(
        "Overall project finance - Total investment commitment - Amount - Max"
    )
    capital_amount_max_text = AsWrittenField()
    capital_usd_min = AmountField(
        "Overall project finance - Total investment commitment - Amount USD - Min"
    )
    capital_usd_min_text = AsWrittenField()
    capital_usd = AmountField(
        "Overall project finance - Total investment commitment - Amount USD - Exact"
    )
    capital_usd_text = AsWrittenField()
    capital_usd_max = AmountField(
        "Overall project finance - Total investment commitment - Amount USD - Max"
    )
    capital_usd_max_text = AsWrittenField()
    max_outcome_payment_currency = CurrencyField(
        "Overall project finance - Maximum potential outcome payment - Currency"
    )
    max_outcome_payment = AmountField(
        "Overall project finance - Maximum potential outcome payment - Amount"
    )
    max_outcome_payment_text = AsWrittenField()
    max_outcome_payment_usd = AmountField(
        "Overall project finance - Maximum potential outcome payment - Amount USD"
    )
    max_outcome_payment_usd_text = AsWrittenField()
    max_potential_loss = models.TextField(
        "Overall project finance - Maximum potential loss", blank=True
    )
    max_potential_return_type = models.TextField(
        "Overall project finance - Maximum potential return type", blank=True
    )
    max_potential_return = models.TextField(
        "Overall project finance - Maximum potential return", blank=True
    )
    contracting_configuration = models.TextField(
        "Overall project finance - Configuration of the Contracting Parties", blank=True
    )
    investor_repayment = models.TextField(
        "Overall project finance - Investor repayment", blank=True
    )
    outcome_payments_made_currency = CurrencyField(
        "Overall project finance - Total outcome payments made - Currency"
    )
    outcome_payments_made = AmountField(
        "Overall project finance - Total outcome payments made - Amount"
    )
    outcome_payments_made_text = AsWrittenField()
    outcome_payments_made_usd = AmountField(
        "Overall project finance - Total outcome payments made - Amount USD"
    )
    outcome_payments_made_usd_text = AsWrittenField()
    finance_sources = SourceIdsField("Overall project finance - sources")
    finance_notes = models.TextField("Overall project finance - (Notes)", blank=True)
    funds_invested_currency = CurrencyField(
        "Investment Details - Total Funds Invested - Latest - Currency"
    )
    funds_invested = AmountField("Investment Details - Total Funds Invested - Latest - Amount")
    funds_invested_text = AsWrittenField()
    funds_invested_usd = AmountField(
        "Investment Details - Total Funds Invested - Latest - Amount USD"
    )
    funds_invested_usd_text = AsWrittenField()
    funds_invested_date = PartialDateField(
        "Investment Details - Total Funds Invested - Latest - Date"
    )
    irr_target = models.CharField(
        "Investment Details - Internal Rate of Return - Target", max_length=255, blank=True
    )
    irr_latest = models.CharField(
        "Investment Details - Internal Rate of Return - Latest", max_length=255, blank=True
    )
    irr_date = PartialDateField("Investment Details - Internal Rate of Return - Date")
    investment_details_sources = SourceIdsField("Investment Details - sources")
    investment_details_notes = models.TextField("Investment Details - (Notes)", blank=True)
    social_challenge = models.TextField(
        "Purpose and classifications - Social challenge", blank=True
    )
    intervention = models.TextField("Purpose and classifications - Intervention", blank=True)
    policy_sector = models.CharField(
        "Purpose and classifications - Policy sector",
        max_length=40,
        choices=PolicySector.choices,
        blank=True,
    )
    primary_sdg_goal = models.CharField(
        "Purpose and classifications - Primary SDG goal", max_length=255, blank=True
    )
    secondary_sdg_goals = models.CharField(
        "Purpose and classifications - Secondary SDG goals", max_length=255, blank=True
    )
    primary_sdg_target = models.CharField(
        "Purpose and classifications - Primary SDG target", max_length=255, blank=True
    )
    secondary_sdg_targets = models.CharField(
        "Purpose and classifications - Secondary SDG targets", max_length=255, blank=True
    )
    purpose_sources = SourceIdsField("Purpose and classifications - sources")
    purpose_notes = models.TextField("Purpose and classifications - (Notes)", blank=True)
    target_population = models.TextField(
        "Service and beneficiaries - Target population", blank=True
    )
    service_users_targeted = models.BigIntegerField(
        "Service and beneficiaries - Targeted number of unique service users or beneficiaries (total)",
        null=True,
        blank=True,
    )
    targeted_unit_type = models.CharField(
        "Service and beneficiaries - Unit type of targeted service users or beneficiaries",
        max_length=255,
        blank=True,
    )
    targeted_unit_description = models.CharField(
        "Service and beneficiaries - Unit description of targeted service user or beneficiaries",
        max_length=1000,
        blank=True,
    )
    service_users_actual = models.BigIntegerField(
        "Service and beneficiaries - Actual number of unique service users or beneficiaries engaged (total)",
        null=True,
        blank=True,
    )
    actual_unit_type = models.CharField(
        "Service and beneficiaries - Unit type of actual service users or beneficiaries engaged",
        max_length=255,
        blank=True,
    )
    actual_unit_description = models.CharField(
        "Service and beneficiaries - Unit description of actual service user or beneficiaries engaged",
        max_length=255,
        blank=True,
    )
    beneficiaries_sources = SourceIdsField("Service and beneficiaries - sources")
    beneficiaries_notes = models.TextField("Service and beneficiaries - (Notes)", blank=True)
    covid_changes = models.TextField("Changes to project due to COVID-19", blank=True)
    covid_sources = SourceIdsField("Changes to project due to COVID-19 - sources")
    notes = models.TextField("Notes", blank=True)

    objects = ProjectQuerySet.as_manager()

    # The project's dates in the order of a contract's life, with their public labels.
    DATE_FIELDS: ClassVar[dict[str, str]] = {
        "outcomes_contract_signed": "Outcomes contract signed",
        "all_contracts_signed": "All contracts signed",
        "service_start": "Service provision started",
        "anticipated_service_end": "Service provision anticipated to end",
        "actual_service_end": "Service provision ended",
        "anticipated_completion": "Anticipated completion",
        "actual_completion": "Completed",
    }
    # The dates that say when a project launched, the best first (``launch_year``).
    LAUNCH_DATE_FIELDS: ClassVar[tuple[str, ...]] = (
        "service_start",
        "outcomes_contract_signed",
        "all_contracts_signed",
    )

    class Meta:
        ordering = ["indigo_id"]
        permissions = [
            ("publish_project", "Can publish, withdraw and restore projects"),
            ("import_indigo", "Can import INDIGO snapshots"),
            ("view_data_quality", "Can see the data-quality report"),
        ]
        indexes = [
            # /cases/ with a range of years or of capital, and sorted by either: the facet
            # index led by that column, so a range is read from it alone (an index of status and
            # year only made SQLite read 30,000 wide rows for each facet: 750 ms -> 270 ms at
            # 100,000 projects). No index of status with area or stage alone: with one, SQLite
            # read those rows of the wide table (112 ms at 100k) where the facet index takes 20.
            models.Index(
                fields=[
                    *("status", "deleted_at", "launch_year", "capital_raised_usd"),
                    *("policy_sector", "stage", *FACET_TAIL),
                ],
                name="project_facets_by_year_idx",
            ),
            models.Index(
                fields=[
                    *("status", "deleted_at", "capital_raised_usd", "launch_year"),
                    *("policy_sector", "stage", *FACET_TAIL),
                ],
                name="project_facets_by_capital_idx",
            ),
            # /cases/ facet counts (common.facets.count_parts): every facet column of the
            # published projects, so each count reads this index, never the wide rows. The key
            # last: the parts that count in joined tables select the rows' keys, and PostgreSQL
            # keeps no key in an index that does not name it (SQLite has it in every index).
            models.Index(
                fields=[
                    *("status", "deleted_at", "policy_sector", "stage"),
                    *("launch_year", "capital_raised_usd", *FACET_TAIL),
                ],
                name="project_facet_keys_idx",
            ),
            # /cases/ in its default order (by name): the first page is read in index order.
            models.Index(
                fields=["status", "deleted_at", "name", "indigo_id"], name="project_by_name_idx"
            ),
            # The same, partial, for PostgreSQL: it reads no order from an index whose leading
            # column is only said to be NULL, so it sorted every listed case by name (43 ms for
            # a policy area at 100k; 0.4 ms read from this index).
            models.Index(
                fields=["name", "indigo_id"],
                condition=Q(status=PublicationStatus.PUBLISHED, deleted_at__isnull=True),
                name="project_public_by_name_idx",
            ),
            # A case page's related cases, newest first in its policy area: read in index
            # order until six share a country. Partial, on the public cases: PostgreSQL reads
            # no order from an index whose leading column is only said to be NULL.
            models.Index(
                fields=["policy_sector", "-launch_year", "indigo_id"],
                condition=Q(status=PublicationStatus.PUBLISHED, deleted_at__isnull=True),
                name="project_related_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["indigo_id"], name="project_indigo_id_unique"),
            choice_check("project", "status", PublicationStatus),
            choice_check("project", "stage", Stage),
            choice_check("project", "policy_sector", PolicySector),
        ]

    def get_absolute_url(self) -> str:
        return reverse("cases:case-detail", args=[self.indigo_id])

    def has_a_date(self) -> bool:
        return any(getattr(self, name) for name in self.DATE_FIELDS)

    def timeline(self) -> list[dict[str, str]]:
        """The dates known, as ``{"label", "date"}``, earliest first (partial dates sort as
        text; equal dates keep the order of ``DATE_FIELDS``)."""
        events = [
            {"label": label, "date": getattr(self, name)}
            for name, label in self.DATE_FIELDS.items()
        ]
        return sorted((event for event in events if event["date"]), key=lambda e: e["date"])

    def launch_basis(self) -> str:
        """Which date ``launch_year`` comes from, as the page names it (blank: none)."""
        for name in self.LAUNCH_DATE_FIELDS:
            if getattr(self, name):
                return self.DATE_FIELDS[name].lower()
        return ""

    def launch_year_from_dates(self) -> int | None:
        """The year service started, else the year a contract was signed."""
        for name in self.LAUNCH_DATE_FIELDS:
            value = getattr(self, name)
            if value:
                return int(value[:4])
        return None

    def missing_for_publication(self) -> list[str]:
        """The INDIGO priority-1 fields a project needs before it can be published."""
        missing = []
        if not self.name.strip():
            missing.append("name")
        if not self.stage:
            missing.append("stage")
        if not self.delivery_locations.exclude(country="").exists():
            missing.append("country (a delivery location with a country)")
        if not self.policy_sector:
            missing.append("policy sector")
        if not self.has_a_date():
            missing.append("at least one date")
        parties = (
            self.outcome_payment_commitments.exists()
            or self.investments.exists()
            or self.service_provisions.exists()
            or self.intermediary_services.exists()
        )
        if not parties:
            missing.append(
                "at least one party (outcome payer, investor, service provider or intermediary)"
            )
        return missing


class Organisation(IndigoRecord):
    """A party to outcomes contracts: payer, investor, provider, intermediary, evaluator."""

    indigo_file = "organisations.csv"

    name = models.CharField("Name", max_length=255, blank=True)
    trading_name = models.CharField("Trading Name", max_length=255, blank=True)
    translated_name_english = models.CharField(
        "Translated Official Name - English", max_length=255, blank=True
    )
    translated_name_source_language = models.CharField(
        "Translated Official Name - Source Language", max_length=255, blank=True
    )
    description = models.TextField("Description", blank=True)
    jurisdiction = models.CharField("Jurisdiction", max_length=255, blank=True)
    organisation_type = models.CharField("Type", max_length=255, blank=True)
    org_id_primary = models.CharField("ORG-Ids - Primary", max_length=255, blank=True)
    website = models.CharField("Website", max_length=255, blank=True)
    address = models.TextField("Address", blank=True)
    postcode = models.CharField("Postcode", max_length=255, blank=True)
    country = models.CharField("Country", max_length=255, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["indigo_id"]
        constraints = [
            models.UniqueConstraint(fields=["indigo_id"], name="organisation_indigo_id_unique"),
            choice_check("organisation", "status", PublicationStatus),
        ]
        permissions = [("publish_organisation", "Can publish and withdraw organisations")]

    def get_absolute_url(self) -> str:
        return reverse("cases:organisation-detail", args=[self.indigo_id])


class OutcomeFund(IndigoRecord):
    """A fund that pays for outcomes across several projects."""

    indigo_file = "funds.csv"

    name = models.CharField("Fund - Name", max_length=255, blank=True)
    stage = models.CharField("Fund - Stage of Development", max_length=255, blank=True)
    host_institution = models.TextField("Fund - Host institution of Outcome Fund", blank=True)
    mechanism = models.TextField("Fund - Mechanism", blank=True)
    expression_of_interest = PartialDateField("Fund - Dates - Expression of interest")
    launch_date = PartialDateField("Fund - Dates - Launch date")
    anticipated_end = PartialDateField("Fund - Dates - Anticipated End date")
    actual_end = PartialDateField("Fund - Dates - Actual End date")
    dates_notes = models.TextField("Fund - Dates - (Notes)", blank=True)
    purpose = models.TextField("Fund - Purpose and classifications - Purpose", blank=True)
    primary_sdg_goal = models.CharField(
        "Fund - Purpose and classifications - Primary SDG goal", max_length=255, blank=True
    )
    secondary_sdg_goals = models.CharField(
        "Fund - Purpose and classifications - Secondary SDG goals", max_length=255, blank=True
    )
    primary_sdg_target = models.CharField(
        "Fund - Purpose and classifications - Primary SDG target", max_length=255, blank=True
    )
    secondary_sdg_targets = models.CharField(
        "Fund - Purpose and classifications - Secondary SDG targets", max_length=255, blank=True
    )
    purpose_notes = models.TextField("Fund - Purpose and classifications - (Notes)", blank=True)
    target_population = models.TextField(
        "Fund - Service and beneficiaries - Target population", blank=True
    )
    service_users_targeted = models.BigIntegerField(
        "Fund - Service and beneficiaries - Targeted number of unique service users or beneficiaries (total)",
        null=True,
        blank=True,
    )
    service_users_targeted_text = AsWrittenField()
    targeted_unit_type = models.CharField(
        "Fund - Service and beneficiaries - Unit type of targeted service users or beneficiaries",
        max_length=255,
        blank=True,
    )
    targeted_unit_description = models.CharField(
        "Fund - Service and beneficiaries - Unit description of targeted service user or beneficiaries",
        max_length=255,
        blank=True,
    )
    beneficiaries_notes = models.TextField("Fund - Service and beneficiaries - (Notes)", blank=True)
    value_currency = CurrencyField(
        "Fund - Dimensions of Scale - Total Outcome Fund value (outcomes funding) - Currency"
    )
    value_aspiration = AmountField(
        "Fund - Dimensions of Scale - Total Outcome Fund value (outcomes funding) - Aspiration - Amount"
    )
    value_aspiration_text = AsWrittenField()
    value_aspiration_usd = AmountField(
        "Fund - Dimensions of Scale - Total Outcome Fund value (outcomes funding) - Aspiration - Amount USD"
    )
    value_aspiration_usd_text = AsWrittenField()
    value_actual = AmountField(
        "Fund - Dimensions of Scale - Total Outcome Fund value (outcomes funding) - Actual - Amount"
    )
    value_actual_text = AsWrittenField()
    value_actual_usd = AmountField(
        "Fund - Dimensions of Scale - Total Outcome Fund value (outcomes funding) - Actual - Amount USD"
    )
    value_actual_usd_text = AsWrittenField()
    value_notes = models.TextField(
        "Fund - Dimensions of Scale - Total Outcome Fund value (outcomes funding) - (Notes)",
        blank=True,
    )
    investment_currency = CurrencyField(
        "Fund - Dimensions of Scale - Total value of repayable investment linked to Outcome Fund - Currency"
    )
    investment_aspiration = AmountField(
        "Fund - Dimensions of Scale - Total value of repayable investment linked to Outcome Fund - Aspiration - Amount"
    )
    investment_aspiration_text = AsWrittenField()
    investment_aspiration_usd = AmountField(
        "Fund - Dimensions of Scale - Total value of repayable investment linked to Outcome Fund - Aspiration - Amount USD"
    )
    investment_aspiration_usd_text = AsWrittenField()
    investment_actual = AmountField(
        "Fund - Dimensions of Scale - Total value of repayable investment linked to Outcome Fund - Actual - Amount"
    )
    investment_actual_text = AsWrittenField()
    investment_actual_usd = AmountField(
        "Fund - Dimensions of Scale - Total value of repayable investment linked to Outcome Fund - Actual - Amount USD"
    )
    investment_actual_usd_text = AsWrittenField()
    investment_notes = models.TextField(
        "Fund - Dimensions of Scale - Total value of repayable investment linked to Outcome Fund - (Notes)",
        blank=True,
    )
    contracts_aspiration = models.BigIntegerField(
        "Fund - Dimensions of Scale - Number of outcome contracts - Aspiration",
        null=True,
        blank=True,
    )
    contracts_aspiration_text = AsWrittenField()
    contracts_actual = models.BigIntegerField(
        "Fund - Dimensions of Scale - Number of outcome contracts - Actual", null=True, blank=True
    )
    contracts_actual_text = AsWrittenField()
    contracts_notes = models.TextField(
        "Fund - Dimensions of Scale - Number of outcome contracts - (Notes)", blank=True
    )
    funders_aspiration = models.BigIntegerField(
        "Fund - Dimensions of Scale - Number of Contributing Outcome Funders - Aspiration",
        null=True,
        blank=True,
    )
    funders_aspiration_text = AsWrittenField()
    funders_actual = models.BigIntegerField(
        "Fund - Dimensions of Scale - Number of Contributing Outcome Funders - Actual",
        null=True,
        blank=True,
    )
    funders_actual_text = AsWrittenField()
    funders_notes = models.TextField(
        "Fund - Dimensions of Scale - Number of Contributing Outcome Funders - (Notes)", blank=True
    )
    investors_aspiration = models.BigIntegerField(
        "Fund - Dimensions of Scale - Number of independent investor organisations - Aspiration",
        null=True,
        blank=True,
    )
    investors_aspiration_text = AsWrittenField()
    investors_actual = models.BigIntegerField(
        "Fund - Dimensions of Scale - Number of independent investor organisations - Actual",
        null=True,
        blank=True,
    )
    investors_actual_text = AsWrittenField()
    investors_notes = models.TextField(
        "Fund - Dimensions of Scale - Number of independent investor organisations - (Notes)",
        blank=True,
    )
    identifier_scheme = models.CharField("Fund - Identifier Scheme", max_length=255, blank=True)
    identifier = models.CharField("Fund - Identifier", max_length=255, blank=True)
    country = models.CharField("Fund - Country", max_length=255, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["indigo_id"]
        constraints = [
            models.UniqueConstraint(fields=["indigo_id"], name="outcome_fund_indigo_id_unique"),
            choice_check("outcome_fund", "status", PublicationStatus),
        ]
        permissions = [("publish_outcomefund", "Can publish and withdraw outcome funds")]

    def get_absolute_url(self) -> str:
        return reverse("cases:fund-detail", args=[self.indigo_id])


class FundDocument(FundRow):
    """A row of funds_documents.csv."""

    indigo_file = "funds_documents.csv"

    fund = models.ForeignKey("OutcomeFund", on_delete=models.CASCADE, related_name="fund_documents")
    title = models.TextField("Title", blank=True)
    url = models.TextField("URL", blank=True)
    notes = models.TextField("Notes", blank=True)


class FundGeographicArea(FundRow):
    """A row of funds_geographic_areas_for_outcome_payment.csv."""

    indigo_file = "funds_geographic_areas_for_outcome_payment.csv"

    fund = models.ForeignKey(
        "OutcomeFund", on_delete=models.CASCADE, related_name="fund_geographic_areas"
    )
    country = models.CharField("Country", max_length=255, blank=True)


class FundOrganisation(FundRow):
    """A row of funds_organisations.csv."""

    indigo_file = "funds_organisations.csv"

    fund = models.ForeignKey(
        "OutcomeFund", on_delete=models.CASCADE, related_name="fund_organisations"
    )
    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fund_organisations",
        help_text="Set when the referenced record exists.",
    )
    organisation_ref = models.CharField("Organisation ID (as given)", max_length=1000, blank=True)


class OrganisationControl(OrganisationRow):
    """A row of organisations_controlled_by.csv."""

    indigo_file = "organisations_controlled_by.csv"

    organisation = models.ForeignKey(
        "Organisation", on_delete=models.CASCADE, related_name="organisation_controls"
    )
    by_organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation_controls_as_by_organisation",
        help_text="Set when the referenced record exists.",
    )
    by_organisation_ref = models.CharField(
        "By Organisation ID (as given)", max_length=1000, blank=True
    )
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class OrganisationSecondaryId(OrganisationRow):
    """A row of organisations_org-idssecondary.csv."""

    indigo_file = "organisations_org-idssecondary.csv"

    organisation = models.ForeignKey(
        "Organisation", on_delete=models.CASCADE, related_name="organisation_secondary_ids"
    )
    identifier = models.CharField("By Organisation ID", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class OrganisationSource(OrganisationRow):
    """A row of organisations_sources.csv."""

    indigo_file = "organisations_sources.csv"

    organisation = models.ForeignKey(
        "Organisation", on_delete=models.CASCADE, related_name="organisation_sources"
    )
    local_id = models.CharField("Id", max_length=255, blank=True)
    name = models.TextField("Name", blank=True)
    source_type = models.CharField("Type", max_length=255, blank=True)
    publishing_organisations = models.TextField("Publishing Organisations", blank=True)
    url = models.TextField("URL", blank=True)
    archive_url = models.TextField("Archive URL", blank=True)
    publication_date = PartialDateField("Publication Date")
    publication_date_text = AsWrittenField()
    accessed_date = PartialDateField("Accessed Date")
    accessed_date_text = AsWrittenField()


class ProjectOutcomeFund(ProjectRow):
    """A row of projects_outcome_funds.csv."""

    indigo_file = "projects_outcome_funds.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="project_outcome_funds"
    )
    fund = models.ForeignKey(
        "OutcomeFund",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_outcome_funds",
        help_text="Set when the referenced record exists.",
    )
    fund_ref = models.CharField("Id (as given)", max_length=1000, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class OutcomeMetric(ProjectRow):
    """A row of projects_outcome_metrics.csv."""

    indigo_file = "projects_outcome_metrics.csv"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="outcome_metrics")
    local_id = models.CharField("Id", max_length=255, blank=True)
    definition = models.TextField("Outcome Definition", blank=True)
    target_population = models.TextField("Target Population", blank=True)
    service_users_targeted = models.BigIntegerField(
        "Targeted number of service users Or beneficiaries (total)", null=True, blank=True
    )
    service_users_targeted_text = AsWrittenField()
    targeted_unit_type = models.CharField(
        "Unit type of targeted Service users or beneficiaries", max_length=255, blank=True
    )
    targeted_unit_description = models.CharField(
        "Unit description of Service user or beneficiaries", max_length=255, blank=True
    )
    target = models.TextField("Outcome metric target", blank=True)
    other_target = models.TextField("Other target for Meeting outcome metric target", blank=True)
    validation_method = models.TextField("Outcome validation Method", blank=True)
    validation_data_source = models.TextField("Data source for Outcome validation", blank=True)
    policy_sector = models.CharField(
        "Policy sector", max_length=40, choices=PolicySector.choices, blank=True
    )
    primary_sdg_goal = models.CharField("Primary SDG goal", max_length=255, blank=True)
    secondary_sdg_goals = models.CharField("Secondary SDG goals", max_length=255, blank=True)
    primary_sdg_target = models.CharField("Primary SDG target", max_length=255, blank=True)
    secondary_sdg_targets = models.CharField("Secondary SDG targets", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)

    # Derived from the definition (cases.outcome_kinds), for the price benchmarks: set on every
    # save, and by cases.services.refresh_derived_fields after an import; never edited by hand.
    outcome_kind = models.CharField(
        "Kind of outcome", max_length=40, blank=True, editable=False, default=""
    )

    class Meta(ProjectRow.Meta):
        constraints = [
            *ProjectRow.Meta.constraints,
            choice_check("outcome_metric", "policy_sector", PolicySector),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.outcome_kind = kind_of_outcome(self.definition)
        fields = kwargs.get("update_fields")
        if fields is not None and "definition" in fields:
            kwargs["update_fields"] = {*fields, "outcome_kind"}
        super().save(*args, **kwargs)


class OutcomePricing(ProjectRow):
    """A row of projects_outcome_pricings.csv."""

    indigo_file = "projects_outcome_pricings.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="outcome_pricings"
    )
    outcome_metric_ref = models.CharField("Outcome Metric Id", max_length=255, blank=True)
    currency = CurrencyField("Currency")
    price_per_unit = AmountField("Price Per Unit - Amount")
    price_per_unit_text = AsWrittenField()
    price_per_unit_usd = AmountField("Price Per Unit - Amount USD")
    price_per_unit_usd_text = AsWrittenField()
    max_price = AmountField("Maximum Price if all targets achieved - Amount")
    max_price_text = AsWrittenField()
    contracted_increases = models.TextField("Contracted increases to outcome pricing", blank=True)
    description = models.TextField("Price Description", blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class Result(ProjectRow):
    """A row of projects_results.csv."""

    indigo_file = "projects_results.csv"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="results")
    outcome_metric_ref = models.CharField("Outcome Metric Id", max_length=255, blank=True)
    level = models.CharField("Result level", max_length=40, choices=ResultLevel.choices, blank=True)
    result_type = models.CharField(
        "Result type", max_length=40, choices=ResultType.choices, blank=True
    )
    period_start = PartialDateField("Period - Start")
    period_start_text = AsWrittenField()
    period_end = PartialDateField("Period - End")
    period_end_text = AsWrittenField()
    outcomes_achieved = AmountField("Outcomes achieved")
    outcomes_achieved_text = AsWrittenField()
    number_engaged = models.BigIntegerField("Number engaged In impact bond", null=True, blank=True)
    number_engaged_text = AsWrittenField()
    number_positive = models.BigIntegerField(
        "Number with Positive social outcomes", null=True, blank=True
    )
    number_positive_text = AsWrittenField()
    other_description = models.TextField("Other Description of result", blank=True)
    validators = models.TextField("Outcomes validator(s)", blank=True)
    evaluation_documents = models.TextField("Evaluation Documents", blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)
    in_sandboxes = models.CharField("(In Sandboxes)", max_length=255, blank=True)

    class Meta(ProjectRow.Meta):
        constraints = [
            *ProjectRow.Meta.constraints,
            choice_check("result", "level", ResultLevel),
            choice_check("result", "result_type", ResultType),
        ]


class OutcomePayment(ProjectRow):
    """A row of projects_outcome_payments.csv."""

    indigo_file = "projects_outcome_payments.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="outcome_payments"
    )
    payment_plan_ref = models.CharField("Outcome Payment Plan Id", max_length=255, blank=True)
    outcome_metric_ref = models.CharField("Outcome Metric Id", max_length=255, blank=True)
    period_start = PartialDateField("Period - Start")
    period_start_text = AsWrittenField()
    period_end = PartialDateField("Period - End")
    period_end_text = AsWrittenField()
    payer = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcome_payments_as_payer",
        help_text="Set when the referenced record exists.",
    )
    payer_ref = models.CharField("Payer Organisation ID (as given)", max_length=1000, blank=True)
    recipient = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcome_payments_as_recipient",
        help_text="Set when the referenced record exists.",
    )
    recipient_ref = models.CharField(
        "Recipient Organisation ID (as given)", max_length=1000, blank=True
    )
    payment_type = models.CharField("Type", max_length=40, choices=PaymentType.choices, blank=True)
    currency = CurrencyField("Payments - Currency")
    amount = AmountField("Payments - Amount")
    amount_text = AsWrittenField()
    amount_usd = AmountField("Payments - Amount USD")
    amount_usd_text = AsWrittenField()
    in_sandboxes = models.CharField("(In Sandboxes)", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)

    class Meta(ProjectRow.Meta):
        constraints = [
            *ProjectRow.Meta.constraints,
            choice_check("outcome_payment", "payment_type", PaymentType),
        ]
        # /cases/ outcome payer facet: the payers of the listed projects, from this index alone.
        indexes = [models.Index(fields=["project", "payer"], name="outcome_payment_payer_idx")]


class OutcomePaymentPlan(ProjectRow):
    """A row of projects_outcome_payment_plans.csv."""

    indigo_file = "projects_outcome_payment_plans.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="outcome_payment_plans"
    )
    local_id = models.CharField("Outcome Payment Plan Id", max_length=255, blank=True)
    period_start = PartialDateField("Period - Start")
    period_start_text = AsWrittenField()
    period_end = PartialDateField("Period - End")
    period_end_text = AsWrittenField()
    in_sandboxes = models.CharField("(In Sandboxes)", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class OutcomePaymentCommitment(ProjectRow):
    """A row of projects_outcome_payment_commitments.csv."""

    indigo_file = "projects_outcome_payment_commitments.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="outcome_payment_commitments"
    )
    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcome_payment_commitments",
        help_text="Set when the referenced record exists.",
    )
    organisation_ref = models.CharField("Organisation ID (as given)", max_length=1000, blank=True)
    role_category = models.CharField("Organisation Role Category", max_length=255, blank=True)
    max_payment_currency = CurrencyField("Maximum potential Outcome payment - Currency")
    max_payment = AmountField("Maximum potential Outcome payment - Amount")
    max_payment_text = AsWrittenField()
    max_payment_usd = AmountField("Maximum potential Outcome payment - Amount USD")
    max_payment_usd_text = AsWrittenField()
    result_type = models.CharField("Result type", max_length=255, blank=True)
    period_start = PartialDateField("Period - Start")
    period_start_text = AsWrittenField()
    period_end = PartialDateField("Period - End")
    period_end_text = AsWrittenField()
    payments_made_currency = CurrencyField("Total outcome payments made - Currency")
    payments_made = AmountField("Total outcome payments made - Amount")
    payments_made_text = AsWrittenField()
    payments_made_usd = AmountField("Total outcome payments made - Amount USD")
    payments_made_usd_text = AsWrittenField()
    alteration_description = models.TextField(
        "Alterations to payment commitment - Description", blank=True
    )
    alteration_reason = models.TextField("Alterations to payment commitment - Reason", blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)

    class Meta(ProjectRow.Meta):
        # /cases/ outcome payer facet: the parties of the listed projects, from this index alone.
        indexes = [models.Index(fields=["project", "organisation"], name="commitment_org_idx")]


class Investment(ProjectRow):
    """A row of projects_investments.csv."""

    indigo_file = "projects_investments.csv"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="investments")
    local_id = models.CharField("Id", max_length=255, blank=True)
    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="investments",
        help_text="Set when the referenced record exists.",
    )
    organisation_ref = models.CharField("Organisation ID (as given)", max_length=1000, blank=True)
    role_category = models.CharField("Organisation Role Category", max_length=255, blank=True)
    currency = CurrencyField("Investment Commitment - Currency")
    amount_min = AmountField("Investment Commitment - Amount - Min")
    amount_min_text = AsWrittenField()
    amount = AmountField("Investment Commitment - Amount - Exact")
    amount_text = AsWrittenField()
    amount_max = AmountField("Investment Commitment - Amount - Max")
    amount_max_text = AsWrittenField()
    amount_usd_min = AmountField("Investment Commitment - Amount USD - Min")
    amount_usd_min_text = AsWrittenField()
    amount_usd = AmountField("Investment Commitment - Amount USD - Exact")
    amount_usd_text = AsWrittenField()
    amount_usd_max = AmountField("Investment Commitment - Amount USD - Max")
    amount_usd_max_text = AsWrittenField()
    max_potential_loss = models.TextField("Maximum Potential loss", blank=True)
    max_potential_return_type = models.TextField("Maximum Potential Return Type", blank=True)
    max_potential_return = models.TextField("Maximum Potential Return", blank=True)
    investor_repayment = models.TextField("Investor Repayment", blank=True)
    investment_type = models.CharField("Investment Type", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)

    class Meta(ProjectRow.Meta):
        # /cases/ investor facet: the parties of the listed projects, from this index alone.
        indexes = [models.Index(fields=["project", "organisation"], name="investment_org_idx")]


class ServiceProvision(ProjectRow):
    """A row of projects_service_provisions.csv."""

    indigo_file = "projects_service_provisions.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="service_provisions"
    )
    local_id = models.CharField("Id", max_length=255, blank=True)
    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_provisions",
        help_text="Set when the referenced record exists.",
    )
    organisation_ref = models.CharField("Organisation ID (as given)", max_length=1000, blank=True)
    role_category = models.CharField("Organisation Role Category", max_length=255, blank=True)
    intervention = models.TextField("Intervention", blank=True)
    planned_start = PartialDateField("Planned Service - Start")
    planned_start_text = AsWrittenField()
    planned_end = PartialDateField("Planned Service - End")
    planned_end_text = AsWrittenField()
    actual_start = PartialDateField("Actual Service - Start")
    actual_start_text = AsWrittenField()
    actual_end = PartialDateField("Actual Service - End")
    actual_end_text = AsWrittenField()
    alteration_description = models.TextField("Alterations to service - Description", blank=True)
    alteration_reason = models.TextField("Alterations to service - Reason", blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)

    class Meta(ProjectRow.Meta):
        # /cases/ service provider facet: the parties of the listed projects, from this index alone.
        indexes = [
            models.Index(fields=["project", "organisation"], name="service_provision_org_idx")
        ]


class IntermediaryService(ProjectRow):
    """A row of projects_intermediary_services.csv."""

    indigo_file = "projects_intermediary_services.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="intermediary_services"
    )
    organisation = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intermediary_services",
        help_text="Set when the referenced record exists.",
    )
    organisation_ref = models.CharField("Organisation ID (as given)", max_length=1000, blank=True)
    role_category = models.CharField("Organisation Role Category", max_length=255, blank=True)
    other_role_description = models.TextField("Other Role Description", blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class DeliveryLocation(ProjectRow):
    """A row of projects_delivery_locations.csv."""

    indigo_file = "projects_delivery_locations.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="delivery_locations"
    )
    service_provision_ref = models.CharField("Service Provision ID", max_length=255, blank=True)
    name = models.TextField("Location - Name", blank=True)
    postcode = models.CharField("Location - Postcode", max_length=255, blank=True)
    country = CountryField("Location - Country")
    lat = models.DecimalField(
        "Lat/Lng - Lat", max_digits=10, decimal_places=7, null=True, blank=True
    )
    lng = models.DecimalField(
        "Lat/Lng - Lng", max_digits=10, decimal_places=7, null=True, blank=True
    )
    admin_area_name = models.CharField("Adminstrative geography - Name", max_length=255, blank=True)
    admin_area_code_type = models.CharField(
        "Adminstrative geography - Code Type", max_length=255, blank=True
    )
    admin_area_code = models.CharField("Adminstrative geography - Code", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)

    class Meta(ProjectRow.Meta):
        # /cases/ country facet: the countries of the listed projects, from this index alone.
        # The country filter: the projects in a country, from the second (without it,
        # PostgreSQL read every location for each facet's part: 7 ms of each at 100k).
        indexes = [
            models.Index(fields=["project", "country"], name="delivery_location_country_idx"),
            models.Index(fields=["country", "project"], name="location_by_country_idx"),
        ]


class Transaction(ProjectRow):
    """A row of projects_transactions.csv."""

    indigo_file = "projects_transactions.csv"

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="transactions")
    investment_ref = models.CharField("Investment Id", max_length=255, blank=True)
    outcome_metric_ref = models.CharField("Outcome Metric Id", max_length=255, blank=True)
    date = PartialDateField("Date")
    date_text = AsWrittenField()
    sender = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions_as_sender",
        help_text="Set when the referenced record exists.",
    )
    sender_ref = models.CharField("Sending Organisation ID (as given)", max_length=1000, blank=True)
    receiver = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions_as_receiver",
        help_text="Set when the referenced record exists.",
    )
    receiver_ref = models.CharField(
        "Receiving Organisation ID (as given)", max_length=1000, blank=True
    )
    transaction_type = models.CharField("Transaction Type", max_length=255, blank=True)
    currency = CurrencyField("Money - Currency")
    amount = AmountField("Money - Amount")
    amount_text = AsWrittenField()
    amount_usd = AmountField("Money - Amount USD")
    amount_usd_text = AsWrittenField()
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)
    in_sandboxes = models.CharField("(In Sandboxes)", max_length=255, blank=True)


class TechnicalAssistance(ProjectRow):
    """A row of projects_technical_assistances.csv."""

    indigo_file = "projects_technical_assistances.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="technical_assistances"
    )
    local_id = models.CharField("Id", max_length=255, blank=True)
    title = models.TextField("Title", blank=True)
    description = models.TextField("Description", blank=True)
    period_start = PartialDateField("Period Start")
    period_start_text = AsWrittenField()
    period_end = PartialDateField("Period End")
    period_end_text = AsWrittenField()
    funder = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="technical_assistances_as_funder",
        help_text="Set when the referenced record exists.",
    )
    funder_ref = models.CharField("Funding Organisation Id (as given)", max_length=1000, blank=True)
    recipient = models.ForeignKey(
        "Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="technical_assistances_as_recipient",
        help_text="Set when the referenced record exists.",
    )
    recipient_ref = models.CharField(
        "Recipient Organisation Id (as given)", max_length=1000, blank=True
    )
    currency = CurrencyField("Currency")
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class TechnicalAssistanceDetail(ProjectRow):
    """A row of projects_technical_assistance_details.csv."""

    indigo_file = "projects_technical_assistance_details.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="technical_assistance_details"
    )
    technical_assistance_ref = models.CharField(
        "Technical Assistance Id", max_length=255, blank=True
    )
    title = models.TextField("Title", blank=True)
    description = models.TextField("Description", blank=True)
    category = models.CharField("Category", max_length=255, blank=True)
    approach = models.TextField("Approach", blank=True)
    cost_type = models.CharField("Cost Type", max_length=255, blank=True)
    cost = AmountField("Cost of Activities - Amount")
    cost_text = AsWrittenField()
    cost_usd = AmountField("Cost of Activities - Amount USD")
    cost_usd_text = AsWrittenField()
    number_of_days = AmountField("Number of Days")
    number_of_days_text = AsWrittenField()
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class CostRow(ProjectRow):
    """The columns projects_outcome_payer_cost.csv and projects_provider_side_cost.csv share."""

    date = PartialDateField("Date")
    date_text = AsWrittenField()
    phase = models.CharField("Phase of Impact Bond", max_length=255, blank=True)
    cost_classification = models.CharField("Cost Classification", max_length=255, blank=True)
    currency = CurrencyField("Payment - Currency")
    planned = AmountField("Payment - Planned")
    planned_text = AsWrittenField()
    planned_usd = AmountField("Payment - Planned USD")
    planned_usd_text = AsWrittenField()
    actual = AmountField("Payment - Actual")
    actual_text = AsWrittenField()
    actual_usd = AmountField("Payment - Actual USD")
    actual_usd_text = AsWrittenField()
    incurred_by = models.CharField("Cost incurred by", max_length=255, blank=True)
    cost_type = models.CharField("Type", max_length=255, blank=True)
    number_of_days = AmountField("Number of days")
    number_of_days_text = AsWrittenField()
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)

    class Meta(ProjectRow.Meta):
        abstract = True


class OutcomePayerCost(CostRow):
    """A row of projects_outcome_payer_cost.csv."""

    indigo_file = "projects_outcome_payer_cost.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="outcome_payer_costs"
    )


class ProviderSideCost(CostRow):
    """A row of projects_provider_side_cost.csv."""

    indigo_file = "projects_provider_side_cost.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="provider_side_costs"
    )


class GrantReference(ProjectRow):
    """A row of projects_360giving_datas.csv."""

    indigo_file = "projects_360giving_datas.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="grant_references"
    )
    grant_id = models.CharField("Grant ID", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class OpenContractingReference(ProjectRow):
    """A row of projects_open_contracting_datas.csv."""

    indigo_file = "projects_open_contracting_datas.csv"

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="open_contracting_references"
    )
    ocid = models.CharField("OCID", max_length=255, blank=True)
    sources = SourceIdsField("Sources")
    notes = models.TextField("Notes", blank=True)


class ProjectParty(models.Model):
    """Derived, never edited: each published organisation a project names in each role the
    case list counts, once (cases.parties keeps it, as the projects' party flags). The list's
    organisation facets count these rows, a role at a time, instead of reading every role
    table and counting distinct projects: at 100,000 projects the outcome payers' count took
    283 ms from the two role tables and 57-70 ms from here."""

    role = models.CharField(max_length=32)
    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("Organisation", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "project", "organisation"], name="project_party_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.organisation_id} in {self.project_id}"


class ImportRun(models.Model):
    """One applied run of the INDIGO import: when, by whom or which command, from which files,
    and what it changed. (A failed or dry run changes nothing, this table included.)"""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    source = models.CharField(max_length=500, help_text="The folder or .zip imported.")
    files = models.JSONField(default=list)
    run_by = models.CharField(max_length=255, help_text="The user or command that ran it.")
    summary = models.JSONField(default=dict, help_text="Per file: created, updated, ...")
    warnings = models.JSONField(default=list)
    conflicts = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import of {self.source} at {self.started_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------------------
# The pipeline: outcomes-based projects in development (INDIGO's pipelines.csv)


class PipelineState(models.TextChoices):
    CURRENT = "current", "Current"
    LAUNCHED = "launched", "Launched"
    ABANDONED = "abandoned", "Abandoned"


class PipelineStage(models.TextChoices):
    """How far a pipeline project's design has come, earliest first."""

    SCOPING = "scoping", "Scoping"
    EARLY = "early-stage", "Early stage"
    LATE = "late-stage", "Late stage"
    FINAL_NEGOTIATIONS = "final-negotiations", "Final negotiations"


class PipelineSector(models.TextChoices):
    """The policy sectors pipelines.csv asks Yes/No about (one column each): the value names
    the column, ``sector_<value with _>``. INDIGO's pipeline sectors are not the project
    code list (``PolicySector``); ``cases.policy_areas`` maps one onto the other."""

    EMPLOYMENT = "employment", "Employment and private sector development"
    EDUCATION = "education", "Education"
    SOCIAL_PROTECTION = "social_protection", "Social protection"
    CRIMINAL_JUSTICE = "criminal_justice", "Criminal justice"
    HEALTH = "health", "Health"
    AGRICULTURE = "agriculture", "Agriculture"
    ENVIRONMENT = "environment", "Environment and climate change"
    WASH = "wash", "Water, sanitation and hygiene"
    ENERGY = "energy", "Energy"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    EARLY_CHILDHOOD = "early_childhood", "Early childhood education"


class PipelineInstrument(models.TextChoices):
    """The types of instrument pipelines.csv asks Yes/No about: ``instrument_<value>``."""

    IMPACT_BOND = "impact_bond", "Impact bond"
    OUTCOMES_FUND = "outcomes_fund", "Outcomes fund"
    SIINC = "siinc", "Social impact incentives (SIINC)"
    GUARANTEE = "guarantee", "Social impact guarantee"
    PBR = "pbr", "Payment by results (no pre-financing)"
    TECHNICAL_ASSISTANCE = "technical_assistance", "Technical assistance and market building"


def _yes_no(label: str) -> models.BooleanField:
    return models.BooleanField(label, null=True, blank=True)


class PipelineQuerySet(RecordQuerySet):
    def for_list(self) -> PipelineQuerySet:
        """What a row of the pipeline list shows, in one query."""
        return self.only(
            "pk",
            "indigo_id",
            "name",
            "state",
            "stage",
            "countries",
            "location_names",
            "expected_launch",
            "expected_launch_year",
            "status",
            *(f"sector_{value}" for value in PipelineSector.values),
            *(f"instrument_{value}" for value in PipelineInstrument.values),
        )


class Pipeline(IndigoRecord):
    """An outcomes-based project in development (INDIGO's pipeline): what is being prepared,
    where, how far along, with which instruments and for which policy sectors. Yes/No
    columns hold ``True``/``False``/``None`` and, beside each, the cell as written when it is
    not a plain Yes or No (``TBD``)."""

    indigo_file = "pipelines.csv"

    name = models.CharField("Project Name", max_length=1000, blank=True)
    alternative_names = models.TextField("Alternative Names", blank=True)
    state = models.CharField(
        "State of Development", max_length=20, choices=PipelineState.choices, blank=True
    )
    abandoned_reason = models.TextField("State of Development - Reason for abandoned", blank=True)
    state_sources = models.TextField("State of Development - sources", blank=True)
    state_notes = models.TextField("State of Development - (Notes)", blank=True)
    stage = models.CharField(
        "Stage of Development", max_length=20, choices=PipelineStage.choices, blank=True
    )
    stage_sources = models.TextField("Stage of Development - sources", blank=True)
    stage_notes = models.TextField("Stage of Development - (Notes)", blank=True)

    instrument_impact_bond = _yes_no("Type of instrument - Impact Bond")
    instrument_impact_bond_text = AsWrittenField()
    instrument_outcomes_fund = _yes_no("Type of instrument - Outcomes Fund")
    instrument_outcomes_fund_text = AsWrittenField()
    instrument_siinc = _yes_no("Type of instrument - Social Impact Incentives (SIINC)")
    instrument_siinc_text = AsWrittenField()
    instrument_guarantee = _yes_no("Type of instrument - Social Impact Guarantee")
    instrument_guarantee_text = AsWrittenField()
    instrument_pbr = _yes_no("Type of instrument - Payment-by-results (no pre-financing)")
    instrument_pbr_text = AsWrittenField()
    instrument_technical_assistance = _yes_no(
        "Type of instrument - Technical Assistance and Market-building program"
    )
    instrument_technical_assistance_text = AsWrittenField()
    instrument_other = models.TextField("Type of instrument - Other", blank=True)
    instrument_sources = models.TextField("Type of instrument - sources", blank=True)
    instrument_notes = models.TextField("Type of instrument - (Notes)", blank=True)

    larger_programme = _yes_no("Part of a larger outcomes-based financing program?")
    larger_programme_text = AsWrittenField()
    larger_programme_details = models.TextField("Larger program - Details", blank=True)
    larger_programme_sources = models.TextField("Larger program - sources", blank=True)
    larger_programme_notes = models.TextField("Larger program - (Notes)", blank=True)

    expected_launch = models.CharField("Dates - Expected Launch Date", max_length=255, blank=True)
    # Derived from expected_launch (the first year it names), for the filter and facet.
    expected_launch_year = models.PositiveSmallIntegerField(
        "Expected launch year", null=True, blank=True, editable=False
    )
    development_time = models.CharField(
        "Dates - Total expected project development time", max_length=255, blank=True
    )
    expected_length_years = models.CharField(
        "Dates - Expected length of project (years)", max_length=255, blank=True
    )
    design_began = models.CharField(
        "Dates - Project design process began", max_length=255, blank=True
    )
    dates_sources = models.TextField("Dates - sources", blank=True)
    dates_notes = models.TextField("Dates - (Notes)", blank=True)

    rationale = models.TextField("Rationale for using outcome based finance", blank=True)
    rationale_sources = models.TextField("Rationale - sources", blank=True)
    rationale_notes = models.TextField("Rationale - (Notes)", blank=True)
    key_challenges = models.TextField("Key challenges to launch", blank=True)
    key_challenges_sources = models.TextField("Key challenges - sources", blank=True)
    key_challenges_notes = models.TextField("Key challenges - (Notes)", blank=True)

    government_outcomes_funder = _yes_no("Role of the domestic government - Outcomes funder")
    government_outcomes_funder_text = AsWrittenField()
    government_service_provider = _yes_no("Role of the domestic government - Service provider")
    government_service_provider_text = AsWrittenField()
    government_committee_member = _yes_no(
        "Role of the domestic government - Member of project committee"
    )
    government_committee_member_text = AsWrittenField()
    government_no_formal_role = _yes_no("Role of the domestic government - No formal role")
    government_no_formal_role_text = AsWrittenField()
    government_other = models.TextField("Role of the domestic government - Other", blank=True)
    government_sources = models.TextField("Role of the domestic government - sources", blank=True)
    government_notes = models.TextField("Role of the domestic government - (Notes)", blank=True)

    providers_rfp = _yes_no("Service providers identified and selected - Request-for-proposals")
    providers_rfp_text = AsWrittenField()
    providers_direct_contracting = _yes_no(
        "Service providers identified and selected - Direct contracting by outcome "
        "funder/investor/intermediary"
    )
    providers_direct_contracting_text = AsWrittenField()
    providers_provider_led = _yes_no(
        "Service providers identified and selected - Provider-led deal development"
    )
    providers_provider_led_text = AsWrittenField()
    providers_other = models.TextField("Service providers identified - Other", blank=True)
    providers_sources = models.TextField("Service providers - sources", blank=True)
    providers_notes = models.TextField("Service providers - (Notes)", blank=True)

    feasibility_study = _yes_no("Feasibility study")
    feasibility_study_text = AsWrittenField()
    feasibility_sources = models.TextField("Feasibility study - sources", blank=True)
    feasibility_notes = models.TextField("Feasibility study - (Notes)", blank=True)

    financing_debt = _yes_no("Proposed financing instruments - Debt")
    financing_debt_text = AsWrittenField()
    financing_equity = _yes_no("Proposed financing instruments - Equity")
    financing_equity_text = AsWrittenField()
    financing_guarantee = _yes_no("Proposed financing instruments - Guarantee")
    financing_guarantee_text = AsWrittenField()
    financing_grant = _yes_no("Proposed financing instruments - Grant")
    financing_grant_text = AsWrittenField()
    financing_other = models.TextField("Proposed financing instruments - Other", blank=True)
    financing_sources = models.TextField("Proposed financing instruments - sources", blank=True)
    financing_notes = models.TextField("Proposed financing instruments - (Notes)", blank=True)

    ta_grant = _yes_no("Technical assistance grant")
    ta_grant_text = AsWrittenField()
    ta_grant_details = models.TextField("Technical assistance grant - Details", blank=True)
    ta_grant_sources = models.TextField("Technical assistance grant - sources", blank=True)
    ta_grant_notes = models.TextField("Technical assistance grant - (Notes)", blank=True)

    max_outcome_payment_currency = CurrencyField(
        "Estimated Maximum potential outcome payment - Currency"
    )
    max_outcome_payment_currency_text = AsWrittenField()
    max_outcome_payment = AmountField("Estimated Maximum potential outcome payment - Amount")
    max_outcome_payment_text = AsWrittenField()
    finance_sources = models.TextField("Overall project finance - sources", blank=True)
    finance_notes = models.TextField("Overall project finance - (Notes)", blank=True)

    social_challenge = models.TextField(
        "Purpose and classifications - Social/Developmental challenge", blank=True
    )
    intervention_model = models.TextField(
        "Purpose and classifications - Expected intervention model", blank=True
    )
    sector_employment = _yes_no("Policy sector - Employment and private sector development")
    sector_employment_text = AsWrittenField()
    sector_education = _yes_no("Policy sector - Education")
    sector_education_text = AsWrittenField()
    sector_social_protection = _yes_no("Policy sector - Social protection")
    sector_social_protection_text = AsWrittenField()
    sector_criminal_justice = _yes_no("Policy sector - Criminal justice")
    sector_criminal_justice_text = AsWrittenField()
    sector_health = _yes_no("Policy sector - Health")
    sector_health_text = AsWrittenField()
    sector_agriculture = _yes_no("Policy sector - Agriculture")
    sector_agriculture_text = AsWrittenField()
    sector_environment = _yes_no("Policy sector - Environment and climate change")
    sector_environment_text = AsWrittenField()
    sector_wash = _yes_no("Policy sector - Water, Sanitation and Hygiene")
    sector_wash_text = AsWrittenField()
    sector_energy = _yes_no("Policy sector - Energy")
    sector_energy_text = AsWrittenField()
    sector_humanitarian = _yes_no("Policy sector - Humanitarian")
    sector_humanitarian_text = AsWrittenField()
    sector_early_childhood = _yes_no("Policy sector - Early Childhood Education")
    sector_early_childhood_text = AsWrittenField()
    sector_other = models.TextField("Policy sector - Other", blank=True)
    primary_sdg_goal = models.CharField("Primary SDG goal", max_length=255, blank=True)
    secondary_sdg_goals = models.CharField("Secondary SDG goals", max_length=255, blank=True)
    primary_sdg_target = models.CharField("Primary SDG target", max_length=255, blank=True)
    secondary_sdg_targets = models.CharField("Secondary SDG targets", max_length=255, blank=True)
    purpose_sources = models.TextField("Purpose and classifications - sources", blank=True)
    purpose_notes = models.TextField("Purpose and classifications - (Notes)", blank=True)

    target_population = models.TextField("Target population", blank=True)
    service_users_targeted = models.BigIntegerField(
        "Targeted number of unique service users or beneficiaries (total)", null=True, blank=True
    )
    service_users_targeted_text = AsWrittenField()
    targeted_unit_type = models.CharField(
        "Unit type of targeted service users or beneficiaries", max_length=255, blank=True
    )
    targeted_unit_description = models.CharField(
        "Unit description of targeted service user or beneficiaries", max_length=1000, blank=True
    )
    income_low = _yes_no("Country classification - Low-income")
    income_low_text = AsWrittenField()
    income_lower_middle = _yes_no("Country classification - Lower-middle-income")
    income_lower_middle_text = AsWrittenField()
    income_upper_middle = _yes_no("Country classification - Upper-middle-income")
    income_upper_middle_text = AsWrittenField()
    income_high = _yes_no("Country classification - High-income")
    income_high_text = AsWrittenField()
    beneficiaries_sources = models.TextField(
        "Service users and beneficiaries - sources", blank=True
    )
    beneficiaries_notes = models.TextField("Service users and beneficiaries - (Notes)", blank=True)

    notes = models.TextField("Notes", blank=True)
    location_names = models.TextField("Delivery Locations - Name", blank=True)
    countries = models.CharField(
        "Delivery Locations - Country",
        max_length=1000,
        blank=True,
        help_text="ISO 3166-1 alpha-2 codes, separated by commas: KE,TZ,UG.",
    )
    countries_text = AsWrittenField()

    objects = PipelineQuerySet.as_manager()

    class Meta:
        ordering = ["indigo_id"]
        permissions = [("publish_pipeline", "Can publish and withdraw pipeline projects")]
        indexes = [
            # /pipeline/ facets and sorts: published pipeline projects by stage, launch year.
            models.Index(fields=["status", "stage"], name="pipeline_status_stage_idx"),
            models.Index(
                fields=["status", "expected_launch_year"], name="pipeline_status_year_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["indigo_id"], name="pipeline_indigo_id_unique"),
            choice_check("pipeline", "status", PublicationStatus),
            choice_check("pipeline", "state", PipelineState),
            choice_check("pipeline", "stage", PipelineStage),
        ]

    def get_absolute_url(self) -> str:
        return reverse("cases:pipeline-detail", args=[self.indigo_id])

    def country_codes(self) -> list[str]:
        return [code for code in self.countries.split(",") if code]

    def sectors(self) -> list[str]:
        """The labels of the policy sectors this project answers Yes to."""
        return [
            label
            for value, label in PipelineSector.choices
            if getattr(self, f"sector_{value}") is True
        ]

    def instruments(self) -> list[str]:
        return [
            label
            for value, label in PipelineInstrument.choices
            if getattr(self, f"instrument_{value}") is True
        ]
