"""Evidence documents and how they back case studies.

This is the minimum the INDIGO import needs: a document (de-duplicated by URL), the INDIGO
source and document rows that cite it for a project, and the project sections each source
backs (INDIGO's ``(Source ID's)`` columns). The evidence library builds on it.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from cases.models import (
    FundDocument,
    IndigoRow,
    OrganisationSource,
    PolicySector,
    Project,
    published_project_q,
)
from common.models import (
    CountryField,
    PartialDateField,
    PublicationStatus,
    Publishable,
    choice_check,
)


class DocumentType(models.TextChoices):
    EVALUATION_REPORT = "evaluation-report", "Evaluation report"
    ACADEMIC_ARTICLE = "academic-article", "Research article or book"
    POLICY_REPORT = "policy-report", "Government or policy document"
    CASE_STUDY = "case-study", "Case study"
    GUIDANCE = "guidance-or-toolkit", "Guidance or toolkit"
    CONTRACT = "contract-or-legal", "Contract"
    NEWS = "news-or-press-release", "News or press release"
    DATA_SET = "data-set", "Dataset"
    WEBSITE = "website", "Website"
    # E-mails, interviews, workshops: real provenance for a case's data, not public
    # evidence. Shown under a case's sources; left out of the library's default view.
    CORRESPONDENCE = "correspondence", "Correspondence or interview"
    OTHER = "other", "Other"


class EvaluationDesign(models.TextChoices):
    RCT = "rct", "Randomised controlled trial"
    QUASI_EXPERIMENTAL = "quasi-experimental", "Quasi-experimental"
    PRE_POST = "pre-post", "Pre-post (before and after)"
    # Kept for designs recorded before "historical comparison" became a quasi-experimental
    # design; the import infers quasi-experimental for it.
    HISTORICAL = "historical-comparison", "Historical comparison"
    OUTCOME_VALIDATION = "outcome-validation", "Validation of outcomes only"
    QUALITATIVE = "qualitative", "Qualitative"
    PROCESS = "process", "Process evaluation"
    OTHER = "other", "Other"


class EvidenceRating(models.IntegerChoices):
    """The strength of an evaluation's evidence that the outcomes were caused by the
    intervention. Criteria on the public page /evidence/ratings/ (evidence.ratings)."""

    DESCRIPTIVE = 1, "1 – Descriptive"
    BEFORE_AFTER = 2, "2 – Before and after"
    COMPARISON = 3, "3 – Comparison group"
    MATCHED = 4, "4 – Matched or quasi-experimental comparison"
    RANDOMISED = 5, "5 – Randomised"


class TextStatus(models.TextChoices):
    NONE = "none", "No file"
    EXTRACTED = "extracted", "Text extracted"
    NO_TEXT = "no-text", "No text in the file (scanned?)"
    UNREADABLE = "unreadable", "File could not be read"
    TRUNCATED = "truncated", "Text extracted in part (limit reached)"


# A document whose file's text is (at least in part) searchable.
SEARCHABLE_TEXT = (TextStatus.EXTRACTED, TextStatus.TRUNCATED)


class Relation(models.TextChoices):
    EVALUATION_OF = "evaluation-of", "Evaluation of"
    SOURCE_FOR = "source-for", "Source for"
    ABOUT = "about", "About"


class DocumentQuerySet(models.QuerySet):
    def published(self) -> DocumentQuerySet:
        return self.filter(status=PublicationStatus.PUBLISHED)

    def in_library(self) -> DocumentQuerySet:
        """The library's default view: published works that are public evidence, so not
        correspondence or interviews (those stay public as a case's sources)."""
        return self.published().exclude(document_type=DocumentType.CORRESPONDENCE)

    def for_list(self) -> DocumentQuerySet:
        """A row of the evidence list: the document and its authors, in two queries."""
        return self.defer("text", "import_baseline").prefetch_related("authors")

    def for_detail(self) -> DocumentQuerySet:
        return self.defer("text", "import_baseline").prefetch_related(
            "authors",
            "policy_areas",
            "countries",
            models.Prefetch(
                "project_links",
                queryset=DocumentProject.objects.filter(published_project_q()).select_related(
                    "project"
                ),
            ),
        )


def document_file_path(instance: EvidenceDocument, filename: str) -> str:
    """Uploads are stored under a generated name, never the one they came with."""
    import uuid

    return f"evidence/{uuid.uuid4().hex}.pdf"


class EvidenceDocument(Publishable):
    """A report, article, web page or other source about one or more outcomes contracts."""

    # The work key the import's clustering gives the citations of this work (equal keys,
    # same work), or "curated:<uuid>" for a work a curator split off. Empty (NULL) for
    # documents curators add here.
    key = models.CharField(  # noqa: DJ001 - NULL, not "", so that unique allows many
        max_length=2100, editable=False, null=True, blank=True
    )
    title = models.TextField(blank=True)
    url = models.TextField("URL", blank=True)
    archive_url = models.TextField("Archive URL", blank=True)
    document_type = models.CharField(
        max_length=40, choices=DocumentType.choices, default=DocumentType.OTHER
    )
    type_basis = models.TextField(
        blank=True, help_text="What the type was inferred from (the import writes it)."
    )
    publisher = models.TextField(blank=True)
    publication_date = PartialDateField()
    abstract = models.TextField(blank=True)
    doi = models.CharField(
        "DOI",
        max_length=255,
        blank=True,
        validators=[RegexValidator(r"^10\.\d{4,9}/\S+$", "A DOI looks like 10.1234/abc-123.")],
    )
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47, e.g. en, es, fr")
    licence = models.CharField(max_length=255, blank=True)
    evaluation_design = models.CharField(
        max_length=30, choices=EvaluationDesign.choices, blank=True
    )
    design_basis = models.TextField(
        blank=True,
        help_text="Where the design was inferred from ('inferred from: …'); blank when a "
        "curator set it or nothing says.",
    )
    design_confirmed = models.BooleanField(
        default=False,
        help_text="A curator confirmed or set the design: imports never change it.",
    )
    evidence_rating = models.PositiveSmallIntegerField(
        choices=EvidenceRating.choices,
        null=True,
        blank=True,
        help_text="Strength of evidence, 1–5; see /evidence/ratings/.",
    )
    file = models.FileField(upload_to=document_file_path, blank=True, max_length=255)
    file_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    text = models.TextField(blank=True, editable=False, help_text="Extracted from the file.")
    text_status = models.CharField(
        max_length=20, choices=TextStatus.choices, default=TextStatus.NONE, editable=False
    )
    # "Surname, A.; Organisation" from the ordered authors, for search and lists.
    authors_text = models.TextField(blank=True, editable=False)
    # The metadata as the last import wrote it, so a curator's edit is not overwritten.
    import_baseline = models.JSONField(default=dict, blank=True, editable=False)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["text", "import_baseline", "authors_text"])

    class Meta:
        ordering = ["title", "pk"]
        permissions = [("publish_evidencedocument", "Can publish and withdraw documents")]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="evidence_document_key_unique"),
            choice_check("evidence_document", "document_type", DocumentType),
            choice_check("evidence_document", "status", PublicationStatus),
            choice_check("evidence_document", "evaluation_design", EvaluationDesign),
            choice_check("evidence_document", "text_status", TextStatus),
            models.CheckConstraint(
                condition=Q(evidence_rating__isnull=True)
                | Q(evidence_rating__in=EvidenceRating.values),
                name="evidence_document_evidence_rating_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or f"Document {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:document-detail", args=[self.pk])

    @property
    def has_searchable_text(self) -> bool:
        return self.text_status in SEARCHABLE_TEXT

    @property
    def year(self) -> str:
        return self.publication_date[:4]

    @property
    def is_correspondence(self) -> bool:
        return self.document_type == DocumentType.CORRESPONDENCE


class AuthorKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class DocumentAuthor(models.Model):
    """An author of a document, in order. A person's name is written "Family, Given"."""

    document = models.ForeignKey(EvidenceDocument, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=AuthorKind.choices, default=AuthorKind.PERSON)

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="document_author_position_unique"
            ),
            choice_check("document_author", "kind", AuthorKind),
        ]

    def __str__(self) -> str:
        return self.name


def is_evaluation_q(prefix: str = "") -> Q:
    """ "This link makes the document an evaluation of the project": it says so, or the
    document is an evaluation report. ``prefix`` reaches the link from another model."""
    lead = f"{prefix}__" if prefix else ""
    return Q(**{f"{lead}relation": Relation.EVALUATION_OF}) | Q(
        **{f"{lead}document__document_type": DocumentType.EVALUATION_REPORT}
    )


class DocumentProjectQuerySet(models.QuerySet["DocumentProject"]):
    def evaluations(self) -> DocumentProjectQuerySet:
        return self.filter(is_evaluation_q())


class DocumentProject(models.Model):
    """A document linked to a case study, and how: it evaluates it, is a source for its
    data, or is about it. Links from the INDIGO files are kept in step by each import."""

    document = models.ForeignKey(
        EvidenceDocument, on_delete=models.CASCADE, related_name="project_links"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence_links")
    relation = models.CharField(max_length=20, choices=Relation.choices)
    from_indigo = models.BooleanField(default=False, editable=False)

    objects = DocumentProjectQuerySet.as_manager()

    class Meta:
        ordering = ["document", "project", "relation"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "project", "relation"], name="document_project_unique"
            ),
            choice_check("document_project", "relation", Relation),
        ]

    def __str__(self) -> str:
        return f"{self.document} – {self.get_relation_display().lower()} – {self.project}"

    @property
    def is_evaluation(self) -> bool:
        return (
            self.relation == Relation.EVALUATION_OF
            or self.document.document_type == DocumentType.EVALUATION_REPORT
        )


class DocumentPolicyArea(models.Model):
    document = models.ForeignKey(
        EvidenceDocument, on_delete=models.CASCADE, related_name="policy_areas"
    )
    policy_area = models.CharField(max_length=40, choices=PolicySector.choices)
    from_indigo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["document", "policy_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "policy_area"], name="document_policy_area_unique"
            ),
            choice_check("document_policy_area", "policy_area", PolicySector),
        ]

    def __str__(self) -> str:
        return self.get_policy_area_display()


class DocumentCountry(models.Model):
    document = models.ForeignKey(
        EvidenceDocument, on_delete=models.CASCADE, related_name="countries"
    )
    country = CountryField()
    from_indigo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["document", "country"]
        verbose_name_plural = "document countries"
        constraints = [
            models.UniqueConstraint(fields=["document", "country"], name="document_country_unique"),
        ]

    def __str__(self) -> str:
        return self.country


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
    # Parsed from the citation as written (``name`` keeps it exactly): the part of the work
    # cited, and the access date the string gives. Set by the import.
    locator = models.CharField(max_length=255, blank=True, editable=False)
    cited_accessed = PartialDateField("Accessed (as cited)", editable=False)

    class Meta:
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="project_source_project_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name[:120] or f"source {self.position + 1}"


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
    locator = models.CharField(max_length=255, blank=True, editable=False)
    cited_accessed = PartialDateField("Accessed (as cited)", editable=False)

    class Meta:
        ordering = ["project", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="project_document_project_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title[:120] or f"document {self.position + 1}"


class OrganisationCitation(models.Model):
    """A row of organisations_sources.csv (kept by the cases app, which cannot know
    evidence) as a citation of a work."""

    row = models.OneToOneField(
        OrganisationSource, on_delete=models.CASCADE, related_name="citation"
    )
    document = models.ForeignKey(
        EvidenceDocument, on_delete=models.PROTECT, related_name="organisation_citations"
    )
    locator = models.CharField(max_length=255, blank=True)
    cited_accessed = PartialDateField("Accessed (as cited)")

    class Meta:
        ordering = ["row"]

    def __str__(self) -> str:
        return self.row.name[:120] or f"organisation source {self.row.position + 1}"


class FundCitation(models.Model):
    """A row of funds_documents.csv (kept by the cases app) as a citation of a work."""

    row = models.OneToOneField(FundDocument, on_delete=models.CASCADE, related_name="citation")
    document = models.ForeignKey(
        EvidenceDocument, on_delete=models.PROTECT, related_name="fund_citations"
    )
    locator = models.CharField(max_length=255, blank=True)
    cited_accessed = PartialDateField("Accessed (as cited)")

    class Meta:
        ordering = ["row"]

    def __str__(self) -> str:
        return self.row.title[:120] or f"fund document {self.row.position + 1}"


class DecisionKind(models.TextChoices):
    MERGE = "merge", "Merged into this work"
    SPLIT = "split", "Split off into this work"


class CitationPin(models.Model):
    """A curator's decision that one INDIGO citation belongs to a work, applied by every
    later import before its own clustering (a merge or a split is never undone by one).

    ``citation_key`` is stable across imports: the file, the owner's INDIGO id and a hash
    of the citation as written (its string and URL), not the row's position."""

    citation_key = models.CharField(max_length=300)
    document = models.ForeignKey(EvidenceDocument, on_delete=models.CASCADE, related_name="pins")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "citation_key"]
        constraints = [
            models.UniqueConstraint(fields=["citation_key"], name="citation_pin_key_unique"),
            choice_check("citation_pin", "kind", DecisionKind),
        ]

    def __str__(self) -> str:
        return f"{self.citation_key} → {self.document_id}"


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
