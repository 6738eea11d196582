"""A case page's evidence: the works about the contract, evaluations and research first.

A case cites its works through its numbered sources (INDIGO's ``projects_sources.csv``,
each linked to its work by the import) and through the links the import derives from
them (``DocumentProject``). The page shows each published work once: evaluations and
research with their design, rating, year, publisher, the sources that cite them (with
their locators) and the results they back (INDIGO's ``Evaluation Documents`` column names
source ids); then other documents by type. Correspondence and interviews are left to the
numbered source list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from common.models import PublicationStatus
from evidence.models import DocumentProject, DocumentType, EvidenceDocument, is_evaluation_q

# Works shown with the evaluations: research is evidence about the contract too.
RESEARCH_TYPES = {DocumentType.EVALUATION_REPORT, DocumentType.ACADEMIC_ARTICLE}


def is_evaluation_or_research(link: DocumentProject) -> bool:
    """The link makes its work evidence on the contract: an evaluation of it, research,
    or a work with an evaluation design. ``evaluation_or_research_q`` says the same."""
    document = link.document
    return bool(
        link.is_evaluation or document.document_type in RESEARCH_TYPES or document.evaluation_design
    )


def evaluation_or_research_q() -> Q:
    """``is_evaluation_or_research`` for a query on links (``DocumentProject``)."""
    return (
        is_evaluation_q()
        | Q(document__document_type__in=RESEARCH_TYPES)
        | ~Q(document__evaluation_design="")
    )


@dataclass
class CitedWork:
    document: EvidenceDocument
    sources: list[Any] = field(default_factory=list)  # the case's ProjectSource rows
    results: list[Any] = field(default_factory=list)  # the case's Result rows it backs


def case_evidence(project: Any, sources: list[Any]) -> dict[str, Any]:
    """``evaluations`` (CitedWork, strongest evidence first) and ``groups`` of other works
    ({label, works}) for ``project``, whose ``sources`` are numbered (``source.number``) as
    the page shows them. One query: the links; sources and results are already loaded."""
    links = list(
        DocumentProject.objects.filter(
            project=project, document__status=PublicationStatus.PUBLISHED
        )
        .select_related("document")
        .defer("document__text", "document__import_baseline")
        .order_by("document__title", "document_id")
    )
    evaluation_ids = {link.document_id for link in links if is_evaluation_or_research(link)}
    works: dict[int, CitedWork] = {}
    for link in links:
        works.setdefault(link.document_id, CitedWork(link.document))
    by_local_id: dict[str, int] = {}
    for source in sources:
        if source.document_id in works:
            works[source.document_id].sources.append(source)
        by_local_id.setdefault(source.local_id.strip().casefold(), source.document_id)
    metric_names = {
        metric.local_id.strip().casefold(): metric.definition
        for metric in project.outcome_metrics.all()
        if metric.local_id.strip()
    }
    for result in project.results.all():
        cited = {
            by_local_id.get(token.strip().casefold())
            for token in result.evaluation_documents.split(",")
            if token.strip()
        }
        for document_id in cited:
            if document_id in works:
                # For the template: which metric the result is for ("" for the project's own).
                result.metric_name = metric_names.get(
                    result.outcome_metric_ref.strip().casefold(), ""
                )
                works[document_id].results.append(result)
    evaluations = sorted(
        (works[pk] for pk in evaluation_ids),
        key=lambda w: (
            -(w.document.evidence_rating or 0),
            -int(w.document.year or 0),
            w.document.title.casefold(),
        ),
    )
    other: dict[str, list[CitedWork]] = defaultdict(list)
    for pk, work in works.items():
        if pk not in evaluation_ids and not work.document.is_correspondence:
            other[work.document.get_document_type_display()].append(work)
    groups = [{"label": label, "works": other[label]} for label in sorted(other)]
    return {"evaluations": evaluations, "groups": groups}
