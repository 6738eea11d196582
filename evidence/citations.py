"""Citing evidence documents: APA and Harvard text, BibTeX, RIS, CSL-JSON and JSON-LD.

Documents must come with their authors prefetched (``for_list()`` / ``for_detail()``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString

from common.citations import bibtex_escape, json_ld_script
from common.partial_dates import partial_date_from_db
from evidence.models import AuthorKind, DocumentType, EvidenceDocument

BIBTEX_TYPES: dict[str, str] = {
    DocumentType.ACADEMIC_ARTICLE: "article",
    DocumentType.EVALUATION_REPORT: "techreport",
    DocumentType.POLICY_REPORT: "techreport",
    DocumentType.CASE_STUDY: "techreport",
}
RIS_TYPES: dict[str, str] = {
    DocumentType.ACADEMIC_ARTICLE: "JOUR",
    DocumentType.EVALUATION_REPORT: "RPRT",
    DocumentType.POLICY_REPORT: "RPRT",
    DocumentType.CASE_STUDY: "RPRT",
    DocumentType.GUIDANCE: "RPRT",
    DocumentType.CONTRACT: "LEGAL",
    DocumentType.NEWS: "NEWS",
    DocumentType.DATA_SET: "DATA",
    DocumentType.WEBSITE: "ELEC",
}
CSL_TYPES: dict[str, str] = {
    DocumentType.ACADEMIC_ARTICLE: "article-journal",
    DocumentType.EVALUATION_REPORT: "report",
    DocumentType.POLICY_REPORT: "report",
    DocumentType.CASE_STUDY: "report",
    DocumentType.GUIDANCE: "report",
    DocumentType.NEWS: "article-newspaper",
    DocumentType.DATA_SET: "dataset",
    DocumentType.WEBSITE: "webpage",
    DocumentType.CONTRACT: "legislation",
}


def _authors(document: EvidenceDocument) -> list[tuple[str, str, str]]:
    """(kind, family, given) for each author, in order."""
    result = []
    for author in document.authors.all():
        if author.kind == AuthorKind.ORGANISATION or "," not in author.name:
            result.append(("organisation", author.name.strip(), ""))
        else:
            family, given = (part.strip() for part in author.name.split(",", 1))
            result.append(("person", family, given))
    return result


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in given.replace("-", " ").split() if part)


def _year(document: EvidenceDocument) -> str:
    return document.publication_date[:4] if document.publication_date else ""


def _link(document: EvidenceDocument) -> str:
    if document.doi:
        return f"https://doi.org/{document.doi}"
    return document.url


def apa(document: EvidenceDocument) -> str:
    names = [
        f"{family}, {_initials(given)}" if kind == "person" else family
        for kind, family, given in _authors(document)
    ]
    if len(names) > 1:
        who = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        who = names[0] if names else document.publisher
    year = _year(document) or "n.d."
    parts = [f"{who} ({year})." if who else f"({year}).", f"{document.title}."]
    if document.publisher and document.publisher != who:
        parts.append(f"{document.publisher}.")
    if _link(document):
        parts.append(_link(document))
    return " ".join(parts)


def harvard(document: EvidenceDocument) -> str:
    names = [
        f"{family}, {_initials(given)}" if kind == "person" else family
        for kind, family, given in _authors(document)
    ]
    if len(names) > 1:
        who = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        who = names[0] if names else document.publisher
    year = _year(document) or "n.d."
    text = f"{who} ({year}) {document.title}." if who else f"{document.title} ({year})."
    if document.publisher and document.publisher != who:
        text += f" {document.publisher}."
    if _link(document):
        text += f" Available at: {_link(document)}"
    return text


def bibtex_entry(document: EvidenceDocument) -> str:
    entry_type = BIBTEX_TYPES.get(document.document_type, "misc")
    authors = " and ".join(
        f"{bibtex_escape(family)}, {bibtex_escape(given)}"
        if kind == "person"
        else "{" + bibtex_escape(family) + "}"
        for kind, family, given in _authors(document)
    )
    fields = [("title", bibtex_escape(document.title or "Untitled"))]
    if authors:
        fields.append(("author", authors))
    if _year(document):
        fields.append(("year", _year(document)))
    if document.publisher:
        key = (
            "journal"
            if entry_type == "article"
            else "institution"
            if entry_type == "techreport"
            else "publisher"
        )
        fields.append((key, bibtex_escape(document.publisher)))
    if document.doi:
        fields.append(("doi", bibtex_escape(document.doi)))
    if document.url:
        fields.append(("url", document.url.replace("{", "%7B").replace("}", "%7D")))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{golab_evidence_{document.pk},\n{body}\n}}\n"


def bibtex(documents: Iterable[EvidenceDocument]) -> str:
    return "\n".join(bibtex_entry(document) for document in documents)


def _ris_value(text: str) -> str:
    return " ".join(text.split())


def ris_entry(document: EvidenceDocument) -> str:
    lines = [f"TY  - {RIS_TYPES.get(document.document_type, 'GEN')}"]
    for kind, family, given in _authors(document):
        lines.append(
            f"AU  - {_ris_value(family + (', ' + given if kind == 'person' and given else ''))}"
        )
    lines.append(f"TI  - {_ris_value(document.title or 'Untitled')}")
    if _year(document):
        lines.append(f"PY  - {_year(document)}")
    if document.publisher:
        lines.append(f"PB  - {_ris_value(document.publisher)}")
    if document.doi:
        lines.append(f"DO  - {_ris_value(document.doi)}")
    if document.url:
        lines.append(f"UR  - {_ris_value(document.url)}")
    if document.abstract:
        lines.append(f"AB  - {_ris_value(document.abstract)}")
    if document.language:
        lines.append(f"LA  - {_ris_value(document.language)}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def ris(documents: Iterable[EvidenceDocument]) -> str:
    return "\n".join(ris_entry(document) for document in documents)


def csl_json(document: EvidenceDocument, url: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"golab-evidence-{document.pk}",
        "type": CSL_TYPES.get(document.document_type, "document"),
        "title": document.title,
        "URL": document.url or url,
    }
    authors = []
    for kind, family, given in _authors(document):
        authors.append(
            {"family": family, "given": given} if kind == "person" else {"literal": family}
        )
    if authors:
        item["author"] = authors
    parsed = partial_date_from_db(document.publication_date) if document.publication_date else None
    if parsed:
        item["issued"] = {"date-parts": [[p for p in (parsed.year, parsed.month, parsed.day) if p]]}
    if document.doi:
        item["DOI"] = document.doi
    if document.publisher:
        item["publisher"] = document.publisher
    if document.abstract:
        item["abstract"] = document.abstract
    if document.language:
        item["language"] = document.language
    return item


def json_ld(document: EvidenceDocument, url: str) -> SafeString:
    kind = (
        "ScholarlyArticle" if document.document_type == DocumentType.ACADEMIC_ARTICLE else "Report"
    )
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": url,
        "url": url,
        "name": document.title,
    }
    authors = [
        {
            "@type": "Person",
            "familyName": family,
            "givenName": given,
            "name": f"{given} {family}".strip(),
        }
        if kind_ == "person"
        else {"@type": "Organization", "name": family}
        for kind_, family, given in _authors(document)
    ]
    if authors:
        data["author"] = authors
    if document.publication_date:
        data["datePublished"] = document.publication_date
    if document.publisher:
        data["publisher"] = {"@type": "Organization", "name": document.publisher}
    if document.abstract:
        data["abstract"] = document.abstract
    if document.doi:
        data["identifier"] = f"https://doi.org/{document.doi}"
    if document.url:
        data["sameAs"] = document.url
    if document.language:
        data["inLanguage"] = document.language
    return json_ld_script(data)
