"""Small records for view, permission and visibility tests (factory_boy), so that only the
tests about data fidelity need the real INDIGO snapshot."""

from __future__ import annotations

import factory

from cases.models import DeliveryLocation, Organisation, OutcomeFund, PolicySector, Project, Stage
from common.models import PublicationStatus
from evidence.models import DocumentProject, DocumentType, EvidenceDocument, Relation


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


class DeliveryLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryLocation

    project = factory.SubFactory(ProjectFactory)
    position = factory.Sequence(lambda n: n)
    name = "Manchester"
    country = "GB"


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
