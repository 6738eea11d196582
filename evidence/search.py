"""Full-text search over evidence documents (see common.search for how it works)."""

from __future__ import annotations

from common.search import FullTextIndex

DOCUMENTS = FullTextIndex(
    table="evidence_evidencedocument",
    columns=(("title", "A"), ("authors_text", "B"), ("abstract", "B"), ("text", "C")),
)
