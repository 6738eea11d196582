"""Full-text search over evidence documents (see common.search for how it works)."""

from __future__ import annotations

from common.search import FullTextIndex

DOCUMENTS = FullTextIndex(
    table="evidence_evidencedocument",
    columns=(("title", "A"), ("authors_text", "B"), ("abstract", "B"), ("text", "C")),
    lookup_indexes=(
        # What the library's count and facets read of each matching document
        # (evidence.filters), and of each case a matching document is linked to.
        (
            "evidence_document_facets_idx",
            "evidence_evidencedocument",
            "id, status, document_type, evaluation_design, evidence_rating, text_status, "
            "publication_date, publisher",
        ),
        ("evidence_project_stage_idx", "cases_project", "id, status, deleted_at, stage"),
    ),
)
