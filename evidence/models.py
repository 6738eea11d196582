"""Evidence documents and how they back case studies.

This is the minimum the INDIGO import needs: a document (de-duplicated by URL), the INDIGO
source and document rows that cite it for a project, and the project sections each source
backs (INDIGO's ``(Source ID's)`` columns). The evidence library builds on it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cases.models import (
    IndigoRow,
    PartialDateField,
    Project,
    PublicationStatus,
    choice_check,
)


class DocumentType(models.TextChoices):
    EVALUATION_REPORT = "evaluation-report", "Evaluation report"
    ACADEMIC_ARTICLE = "academic-article", "Academic article"
    POLICY_REPORT = "policy-report", "Policy report"
    CASE_STUDY = "case-study", "Case study"
    GUIDANCE = "guidance-or-toolkit", "Guidance or toolkit"
    CONTRACT = "contract-or-legal", "Contract or legal document"
    NEWS = "news-or-press-release", "News or press release"
    DATA_SET = "data-set", "Data set"
    WEBSITE = "website", "Website"
    CORRESPONDENCE = "correspondence", "Correspondence"
    OTHER = "other", "Other"


class DocumentQuerySet(models.QuerySet):
    def published(self) -> DocumentQuerySet:
        return self.filter(status=PublicationStatus.PUBLISHED)


class EvidenceDocument(models.Model):
    """A report, article, web page or other source about one or more outcomes contracts."""

    # "url:<address>" for documents with an address (so one URL is one document), otherwise
    # "source:<project id>:<position>" for the INDIGO entry it came from.
    key = models.CharField(max_length=2100, editable=False)
    title = models.TextField(blank=True)
    url = models.TextField("URL", blank=True)
    document_type = models.CharField(
        max_length=40, choices=DocumentType.choices, default=DocumentType.OTHER
    )
    publisher = models.TextField(blank=True)
    publication_date = PartialDateField()
    status = models.CharField(
        max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    # The metadata as the last import wrote it, so a curator's edit is not overwritten.
    import_baseline = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="evidence_document_key_unique"),
            choice_check("evidence_document", "document_type", DocumentType),
            choice_check("evidence_document", "status", PublicationStatus),
        ]

    def __str__(self) -> str:
        return self.title or self.url or f"Document {self.pk}"


class ProjectSource(IndigoRow):
    """A row of projects_sources.csv: a source INDIGO cites for a project's data."""

    parent_field = "project"
    indigo_file = "projects_sources.csv"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField()
    document = models.ForeignKey(
        EvidenceDocument, on_delete=models.PROTECT, related_name="project_sources"
    )
    local_id = models.CharField("Id", max_length=255, blank=True)
    name = models.TextField("Name", blank=True)
    source_type = models.CharField("Type", max_length=255, blank=True)
    publishing_organisations = models.TextField("Publishing Organisations", blank=True)
    url = models.TextField("URL", blank=True)
    archive_url = models.TextField("Archive URL", blank=True)
    publication_date = PartialDateField("Publication Date")
    publication_date_text = models.TextField(blank=True)
    accessed_date = PartialDateField("Accessed Date")
    accessed_date_text = models.TextField(blank=True)
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="project_source_project_position_unique"
            ),
        ]


class ProjectDocument(IndigoRow):
    """A row of projects_documents.csv: a document about a project."""

    parent_field = "project"
    indigo_file = "projects_documents.csv"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveIntegerField()
    document = models.ForeignKey(
        EvidenceDocument, on_delete=models.PROTECT, related_name="project_documents"
    )
    title = models.TextField("Title", blank=True)
    url = models.TextField("URL", blank=True)
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="project_document_project_position_unique"
            ),
        ]


class Section(models.TextChoices):
    """The sections of a project that INDIGO cites sources for."""

    STAGE = "stage", "Stage of development"
    DATES = "dates", "Dates"
    JURISDICTION = "jurisdiction", "Jurisdiction"
    FINANCE = "finance", "Overall project finance"
    INVESTMENT_DETAILS = "investment-details", "Investment details"
    PURPOSE = "purpose", "Purpose and classifications"
    BENEFICIARIES = "beneficiaries", "Service and beneficiaries"
    COVID = "covid", "Changes due to COVID-19"


class SectionCitation(models.Model):
    """Provenance: a project's section is backed by one of its sources."""

    source = models.ForeignKey(ProjectSource, on_delete=models.CASCADE, related_name="citations")
    section = models.CharField(max_length=40, choices=Section.choices)

    class Meta:
        ordering = ["source", "section"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "section"], name="section_citation_source_section_unique"
            ),
            models.CheckConstraint(
                condition=Q(section__in=Section.values), name="section_citation_section_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()} ← {self.source}"
