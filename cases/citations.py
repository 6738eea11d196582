"""How to cite a case study: plain text, BibTeX and schema.org JSON-LD."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from cases.models import Project
from common.citations import bibtex_escape, json_ld_script

AUTHOR = "Government Outcomes Lab"
DATASET = "INDIGO Impact Bond Dataset"


def citation_text(project: Project, url: str) -> str:
    year = project.updated_at.year
    name = project.name or project.indigo_id
    return (
        f"{AUTHOR} ({year}). {name} [{project.indigo_id}]. {DATASET}, University of Oxford. "
        f"{settings.SITE_NAME}. {url}"
    )


def bibtex(project: Project, url: str) -> str:
    key = project.indigo_id.lower().replace("-", "_")
    fields = [
        ("title", bibtex_escape(project.name or project.indigo_id)),
        ("author", "{" + AUTHOR + "}"),
        ("year", str(project.updated_at.year)),
        ("howpublished", r"\url{" + url + "}"),
        ("note", bibtex_escape(f"{DATASET}, {project.indigo_id}")),
        ("organization", "University of Oxford"),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def json_ld(project: Project, url: str, countries: list[str]) -> SafeString:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": project.name or project.indigo_id,
        "identifier": project.indigo_id,
        "description": strip_tags(project.summary or project.intervention or project.name)[:500],
        "dateModified": project.updated_at.date().isoformat(),
        "isPartOf": {"@type": "Dataset", "name": DATASET},
        "creator": {"@type": "Organization", "name": AUTHOR},
        "keywords": [k for k in ["impact bond", project.get_policy_sector_display()] if k],
    }
    if countries:
        data["spatialCoverage"] = [{"@type": "Place", "name": name} for name in countries]
    if project.launch_year:
        data["temporalCoverage"] = f"{project.launch_year}/.."
    return json_ld_script(data)
