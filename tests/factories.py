"""Small records for view, permission and visibility tests (factory_boy), so that only the
tests about data fidelity need the real INDIGO snapshot."""

from __future__ import annotations

import factory

from cases.models import (
    DeliveryLocation,
    IntermediaryService,
    Investment,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    OutcomePayment,
    OutcomePaymentCommitment,
    OutcomePricing,
    Pipeline,
    PipelineStage,
    PipelineState,
    PolicySector,
    Project,
    ProjectOutcomeFund,
    Result,
    ServiceProvision,
    Stage,
)
from cases.services import refresh_derived_fields
from common.models import PublicationStatus
from evidence.models import (
    DocumentAuthor,
    DocumentCountry,
    DocumentPolicyArea,
    DocumentProject,
    DocumentType,
    EvidenceDocument,
    ProjectSource,
    Relation,
    Section,
    SectionCitation,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    indigo_id = factory.Sequence(lambda n: f"INDIGO-ORG-9{n:03d}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    status = PublicationStatus.PUBLISHED


class OutcomeFundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeFund

    indigo_id = factory.Sequence(lambda n: f"INDIGO-FUND-9{n:03d}")
    name = factory.Sequence(lambda n: f"Outcome fund {n}")
    status = PublicationStatus.PUBLISHED


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    indigo_id = factory.Sequence(lambda n: f"INDIGO-POJ-9{n:03d}")
    name = factory.Sequence(lambda n: f"Project {n}")
    stage = Stage.IMPLEMENTATION
    policy_sector = PolicySector.HOMELESSNESS
    status = PublicationStatus.PUBLISHED


class PipelineFactory(factory.django.DjangoModelFactory):
    """A published project in development, in Kenya and Uganda, for health and WASH."""

    class Meta:
        model = Pipeline

    indigo_id = factory.Sequence(lambda n: f"INDIGO-PL-9{n:03d}")
    name = factory.Sequence(lambda n: f"Pipeline project {n}")
    state = PipelineState.CURRENT
    stage = PipelineStage.EARLY
    sector_health = True
    sector_wash = True
    instrument_impact_bond = True
    countries = "KE,UG"
    expected_launch = "Q2 - 2026 or later"
    expected_launch_year = 2026
    social_challenge = "Clean water for rural schools"
    status = PublicationStatus.PUBLISHED


class _ProjectRowFactory(factory.django.DjangoModelFactory):
    """A row of one of a project's INDIGO tables."""

    class Meta:
        abstract = True

    project = factory.SubFactory(ProjectFactory)
    position = factory.Sequence(lambda n: n)


class DeliveryLocationFactory(_ProjectRowFactory):
    class Meta:
        model = DeliveryLocation

    name = "Manchester"
    country = "GB"


class OutcomeMetricFactory(_ProjectRowFactory):
    class Meta:
        model = OutcomeMetric

    local_id = factory.Sequence(lambda n: f"outcomemetric{n}")
    definition = factory.Sequence(lambda n: f"Outcome {n}: sustained tenancy for six months")


class OutcomePricingFactory(_ProjectRowFactory):
    class Meta:
        model = OutcomePricing

    currency = "GBP"
    price_per_unit = 1500


class ResultFactory(_ProjectRowFactory):
    class Meta:
        model = Result

    outcomes_achieved = 40


class OutcomePaymentFactory(_ProjectRowFactory):
    class Meta:
        model = OutcomePayment

    currency = "GBP"
    amount = 60_000


class _RoleFactory(_ProjectRowFactory):
    """An organisation in one of its roles in a project (see cases.roles)."""

    class Meta:
        abstract = True

    organisation = factory.SubFactory(OrganisationFactory)
    organisation_ref = factory.LazyAttribute(lambda row: row.organisation.indigo_id)


class OutcomePaymentCommitmentFactory(_RoleFactory):
    class Meta:
        model = OutcomePaymentCommitment


class InvestmentFactory(_RoleFactory):
    class Meta:
        model = Investment


class ServiceProvisionFactory(_RoleFactory):
    class Meta:
        model = ServiceProvision


class IntermediaryServiceFactory(_RoleFactory):
    class Meta:
        model = IntermediaryService


class ProjectOutcomeFundFactory(_ProjectRowFactory):
    class Meta:
        model = ProjectOutcomeFund

    fund = factory.SubFactory(OutcomeFundFactory)
    fund_ref = factory.LazyAttribute(lambda row: row.fund.indigo_id)


class EvidenceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceDocument

    title = factory.Sequence(lambda n: f"Evaluation report {n}")
    document_type = DocumentType.EVALUATION_REPORT
    publication_date = "2020"
    status = PublicationStatus.PUBLISHED


class DocumentProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentProject

    document = factory.SubFactory(EvidenceDocumentFactory)
    project = factory.SubFactory(ProjectFactory)
    relation = Relation.EVALUATION_OF


class DocumentAuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentAuthor

    document = factory.SubFactory(EvidenceDocumentFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Author{n}, Alex")


class DocumentPolicyAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentPolicyArea

    document = factory.SubFactory(EvidenceDocumentFactory)
    policy_area = PolicySector.HOMELESSNESS


class DocumentCountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentCountry

    document = factory.SubFactory(EvidenceDocumentFactory)
    country = "GB"


class ProjectSourceFactory(_ProjectRowFactory):
    """An INDIGO source row: a project citing a document."""

    class Meta:
        model = ProjectSource

    document = factory.SubFactory(EvidenceDocumentFactory)
    local_id = factory.Sequence(lambda n: f"source{n}")
    name = factory.LazyAttribute(lambda row: row.document.title)


class SectionCitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectionCitation

    source = factory.SubFactory(ProjectSourceFactory)
    section = Section.DATES


def varied_projects(n: int) -> list[Project]:
    """n published projects spread over the facets and ranges, each delivered somewhere and
    with an organisation in each role, half with results; and one draft."""
    stages, sectors, countries = list(Stage), list(PolicySector), ["GB", "US", "PT"]
    payer, provider = OrganisationFactory(), OrganisationFactory()
    projects = [
        ProjectFactory(
            stage=stages[i % len(stages)],
            policy_sector=sectors[i % len(sectors)],
            service_start=f"{2012 + i % 10}-0{i % 9 + 1}",
            capital_usd=1_000_000 * (i + 1) if i % 3 else None,
            intervention=f"Employment support, cohort {i}",
        )
        for i in range(n)
    ]
    projects.append(ProjectFactory(status=PublicationStatus.DRAFT, intervention="Employment"))
    for i, project in enumerate(projects):
        DeliveryLocationFactory(project=project, country=countries[i % len(countries)])
        OutcomePaymentCommitmentFactory(project=project, organisation=payer)
        InvestmentFactory(project=project)
        ServiceProvisionFactory(project=project, organisation=provider)
        if i % 2:
            ResultFactory(project=project)
    refresh_derived_fields(project_ids=[project.pk for project in projects])
    return projects[:-1]
