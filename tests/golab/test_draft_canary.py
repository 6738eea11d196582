"""Draft canary: records the public must not see carry a unique word in every text field, are
joined to the published records a visitor does see, and an anonymous crawl of every public
page, search, facet, export, citation and file download must never show them.

The private records are a draft, a withdrawn and a soft-deleted (published, ``deleted_at``
set) project and a draft evidence document; a published project also once was a draft with
its own word, which its public change log must not show. Besides the words, each private
record has facet values no published record has (stage, policy area, country, year, type,
design, rating, and a capital and a user count), so a leak through a count or a facet shows
as a value that should not be there.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, models
from django.utils import timezone

from cases.models import (
    DeliveryLocation,
    IntermediaryService,
    Investment,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    OutcomePaymentCommitment,
    OutcomePricing,
    Pipeline,
    PipelineStage,
    PolicySector,
    Project,
    ProjectOutcomeFund,
    Result,
    ServiceProvision,
    Stage,
)
from cases.search import PROJECTS
from cases.services import refresh_derived_fields
from common.models import PublicationStatus
from evidence.models import (
    DocumentAuthor,
    DocumentCountry,
    DocumentPolicyArea,
    DocumentProject,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    ProjectDocument,
    ProjectSource,
    Relation,
    Section,
    SectionCitation,
)
from evidence.search import DOCUMENTS
from evidence.services import index_file, refresh_authors_text, refresh_evaluation_flags
from tests.evidence.pdfs import make_pdf

pytestmark = pytest.mark.django_db

MAX_PAGES = 1500
PUBLISHED = PublicationStatus.PUBLISHED
# Lower-case letters only, so that every search tokeniser keeps each one a single word.
DRAFT_PROJECT = "canarydraftproj"
WITHDRAWN_PROJECT = "canarywithdrawnproj"
DELETED_PROJECT = "canarydeletedproj"
DRAFT_DOCUMENT = "canarydraftdoc"
DRAFT_HISTORY = "canarydrafthistory"
DRAFT_ORGANISATION = "canarydraftorg"
DRAFT_FUND = "canarydraftfund"
DRAFT_PIPELINE = "canarydraftpipeline"
WITHDRAWN_PIPELINE = "canarywithdrawnpipeline"
TOKENS = [
    DRAFT_PROJECT, WITHDRAWN_PROJECT, DELETED_PROJECT, DRAFT_DOCUMENT, DRAFT_HISTORY,
    DRAFT_ORGANISATION, DRAFT_FUND, DRAFT_PIPELINE, WITHDRAWN_PIPELINE,
]  # fmt: skip
# A count no published record has, so a leak into a total or a range shows it.
CANARY_NUMBER = 987654321


def _fill(model: type[models.Model], token: str, **values) -> models.Model:
    """A saved row of ``model`` with ``token`` in every free-text column (every Char or Text
    field without choices that the token fits; code columns such as currency, country and
    partial dates are too short for it), and ``values`` for the rest."""
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not field.choices
            and field.name not in values
            and not field.primary_key
            and (field.max_length is None or field.max_length >= len(token))
        ):
            values[field.name] = token
    return model.objects.create(**values)


def _private_project(
    token, indigo_id, *, organisation, fund, document, stage, sector, country, year, **extra
) -> Project:
    project = _fill(
        Project,
        token,
        indigo_id=indigo_id,
        stage=stage,
        policy_sector=sector,
        service_start=f"{year}-03",
        outcomes_contract_signed=f"{year}-01",
        capital_currency="USD",
        capital_amount=CANARY_NUMBER,
        capital_usd=CANARY_NUMBER,
        service_users_targeted=CANARY_NUMBER,
        service_users_actual=CANARY_NUMBER,
        **extra,
    )
    # One row in every INDIGO table of the project, joined to the published organisation,
    # fund and document wherever the row can point at one.
    targets = {Organisation: organisation, OutcomeFund: fund, EvidenceDocument: document}
    for relation in Project._meta.related_objects:
        model = relation.related_model
        if getattr(model, "parent_field", None) != "project":
            continue
        values: dict[str, object] = {"project": project}
        for field in model._meta.concrete_fields:
            if field.name == "position":
                values["position"] = 0
            elif field.name == "country":
                values["country"] = country
            elif field.is_relation and field.related_model in targets:
                values[field.name] = targets[field.related_model]
        row = _fill(model, token, **values)
        if model is ProjectSource:
            for section in Section.values:
                SectionCitation.objects.create(source=row, section=section)
    DocumentProject.objects.create(
        document=document, project=project, relation=Relation.EVALUATION_OF
    )
    DocumentProject.objects.create(document=document, project=project, relation=Relation.ABOUT)
    return project


def _keys_clear_of_the_marker_years() -> None:
    """On PostgreSQL sequences outlive each test's rollback, so after enough tests a row made
    here could get the key 1901 (a draft document did: its OAI identifier then "leaked" the
    draft project's year). Every table of the data starts its keys at 100,000 instead."""
    if connection.vendor != "postgresql":
        return  # SQLite's key counters roll back with each test: keys here stay small
    with connection.cursor() as cursor:
        for app in ("cases", "evidence"):
            for model in apps.get_app_config(app).get_models():
                if not isinstance(model._meta.pk, models.AutoField):
                    continue
                cursor.execute(
                    "SELECT setval(s, GREATEST(100000, nextval(s))) "
                    "FROM pg_get_serial_sequence(%s, %s) AS s WHERE s IS NOT NULL",
                    [model._meta.db_table, model._meta.pk.column],
                )


@pytest.fixture
def world(settings, tmp_path) -> dict[str, object]:
    settings.MEDIA_ROOT = tmp_path / "media"
    _keys_clear_of_the_marker_years()
    payer = Organisation.objects.create(
        indigo_id="INDIGO-ORG-0001", name="Published Payer Council", status=PUBLISHED
    )
    investor = Organisation.objects.create(
        indigo_id="INDIGO-ORG-0002", name="Published Investor Trust", status=PUBLISHED
    )
    fund = OutcomeFund.objects.create(
        indigo_id="INDIGO-FUND-0001", name="Published Outcomes Fund", status=PUBLISHED
    )
    alpha = Project.objects.create(
        indigo_id="INDIGO-POJ-0001",
        name="Published Alpha Bond",
        stage=Stage.IMPLEMENTATION,
        policy_sector=PolicySector.HOMELESSNESS,
        service_start="2015-04",
        summary="<p>A published bond about tenancies.</p>",
        intervention="Housing first support",
        status=PUBLISHED,
    )
    # Drafted with words of its own, then published: its change log shows only what
    # changed while it was published.
    beta = Project.objects.create(
        indigo_id="INDIGO-POJ-0002",
        name=f"Beta {DRAFT_HISTORY} working title",
        summary=f"<p>{DRAFT_HISTORY} notes from drafting.</p>",
        stage=Stage.CONTRACTED,
        policy_sector=PolicySector.HEALTH,
        service_start="2018-09",
        status=PublicationStatus.DRAFT,
    )
    beta.name, beta.summary = "Published Beta Bond", "<p>Health outcomes.</p>"
    beta.status = PUBLISHED
    beta.save()
    beta.intervention = "Social prescribing"
    beta.save()
    for position, project in enumerate([alpha, beta]):
        DeliveryLocation.objects.create(project=project, position=0, name="Leeds", country="GB")
        OutcomePaymentCommitment.objects.create(
            project=project, position=0, organisation=payer, organisation_ref=payer.indigo_id
        )
        project.investments.create(
            position=0, organisation=investor, organisation_ref=investor.indigo_id
        )
        ProjectOutcomeFund.objects.create(
            project=project, position=0, fund=fund, fund_ref=fund.indigo_id
        )
        for n in range(2):
            OutcomeMetric.objects.create(
                project=project,
                position=n,
                local_id=f"metric{n}",
                definition=f"Outcome {n} of bond {position}",
            )
        OutcomePricing.objects.create(
            project=project,
            position=0,
            outcome_metric_ref="metric0",
            currency="GBP",
            price_per_unit=1500,
            price_per_unit_usd=1900,
        )
        Result.objects.create(project=project, position=0, outcome_metric_ref="metric0")

    evaluation = EvidenceDocument.objects.create(
        title="Published evaluation of the Alpha Bond",
        document_type=DocumentType.EVALUATION_REPORT,
        publication_date="2019-05",
        publisher="Published Research Unit",
        abstract="Tenancies were sustained.",
        evaluation_design=EvaluationDesign.QUASI_EXPERIMENTAL,
        evidence_rating=3,
        url="https://example.org/alpha-evaluation.pdf",
        status=PUBLISHED,
    )
    evaluation.file.save("upload.pdf", ContentFile(make_pdf("Alpha tenancy findings")), save=False)
    index_file(evaluation)
    evaluation.save()
    DocumentAuthor.objects.create(document=evaluation, position=0, name="Smith, Jane")
    refresh_authors_text(evaluation)
    DocumentPolicyArea.objects.create(document=evaluation, policy_area=PolicySector.HOMELESSNESS)
    DocumentCountry.objects.create(document=evaluation, country="GB")
    DocumentProject.objects.create(
        document=evaluation, project=alpha, relation=Relation.EVALUATION_OF
    )
    source = ProjectSource.objects.create(
        project=alpha, position=0, document=evaluation, local_id="source1", name="Alpha report"
    )
    SectionCitation.objects.create(source=source, section=Section.DATES)

    links = {"organisation": payer, "fund": fund, "document": evaluation}
    draft = _private_project(
        DRAFT_PROJECT,
        "INDIGO-POJ-9001",
        stage=Stage.SERVICE_DELIVERY_COMPLETE,
        sector=PolicySector.POVERTY_REDUCTION,
        country="AQ",
        year=1901,
        status=PublicationStatus.DRAFT,
        **links,
    )
    withdrawn = _private_project(
        WITHDRAWN_PROJECT,
        "INDIGO-POJ-9002",
        stage=Stage.SERVICE_DELIVERY_COMPLETE,
        sector=PolicySector.AGRICULTURE_ENVIRONMENT,
        country="BV",
        year=1902,
        status=PublicationStatus.WITHDRAWN,
        **links,
    )
    deleted = _private_project(
        DELETED_PROJECT,
        "INDIGO-POJ-9003",
        stage=Stage.COMPLETE,
        sector=PolicySector.EDUCATION,
        country="HM",
        year=1903,
        status=PUBLISHED,
        **links,
    )
    Project.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    draft_document = _fill(
        EvidenceDocument,
        DRAFT_DOCUMENT,
        document_type=DocumentType.DATA_SET,
        publication_date="1904",
        evaluation_design=EvaluationDesign.RCT,
        evidence_rating=5,
        status=PublicationStatus.DRAFT,
    )
    draft_document.file.save(
        "upload.pdf", ContentFile(make_pdf(f"{DRAFT_DOCUMENT} findings")), save=False
    )
    draft_document.save()
    _fill(DocumentAuthor, DRAFT_DOCUMENT, document=draft_document, position=0)
    DocumentPolicyArea.objects.create(
        document=draft_document, policy_area=PolicySector.CRIMINAL_JUSTICE
    )
    DocumentCountry.objects.create(document=draft_document, country="TF")
    for relation in Relation.values:
        DocumentProject.objects.create(document=draft_document, project=alpha, relation=relation)
    # Published projects' own INDIGO rows may cite a draft document: the rows are public,
    # the document is not.
    ProjectSource.objects.create(
        project=beta, position=0, document=draft_document, local_id="source1", name="Beta source"
    )
    ProjectDocument.objects.create(
        project=beta, position=0, document=draft_document, title="Beta document"
    )

    # A draft organisation and a draft fund (made in the admin, not yet published) with parts
    # in a published project: the project is public, their names are not.
    draft_organisation = _fill(
        Organisation, DRAFT_ORGANISATION, indigo_id="INDIGO-ORG-9001", status="draft"
    )
    draft_fund = _fill(OutcomeFund, DRAFT_FUND, indigo_id="INDIGO-FUND-9001", status="draft")
    for model in (OutcomePaymentCommitment, Investment, ServiceProvision, IntermediaryService):
        model.objects.create(
            project=alpha,
            position=5,
            organisation=draft_organisation,
            organisation_ref=draft_organisation.indigo_id,
        )
    ProjectOutcomeFund.objects.create(
        project=alpha, position=5, fund=draft_fund, fund_ref=draft_fund.indigo_id
    )

    # The pipeline: one published project in development, a draft and a withdrawn one (with
    # a stage, a sector and a country of their own).
    published_pipeline = Pipeline.objects.create(
        indigo_id="INDIGO-PL-0001",
        name="Published Pipeline Scheme",
        stage=PipelineStage.EARLY,
        sector_health=True,
        instrument_impact_bond=True,
        countries="GB",
        expected_launch="Q2 2026",
        expected_launch_year=2026,
        status=PUBLISHED,
    )
    private_pipelines = [
        _fill(
            Pipeline,
            token,
            indigo_id=indigo_id,
            stage=PipelineStage.SCOPING,
            sector_energy=True,
            instrument_guarantee=True,
            countries="AQ",
            expected_launch="1901",
            expected_launch_year=1901,
            max_outcome_payment=CANARY_NUMBER,
            service_users_targeted=CANARY_NUMBER,
            status=status,
        )
        for token, indigo_id, status in [
            (DRAFT_PIPELINE, "INDIGO-PL-9001", PublicationStatus.DRAFT),
            (WITHDRAWN_PIPELINE, "INDIGO-PL-9002", PublicationStatus.WITHDRAWN),
        ]
    ]

    refresh_derived_fields()
    refresh_evaluation_flags()
    return {
        "published_pipeline": published_pipeline,
        "private_pipelines": private_pipelines,
        "private_parties": [draft_organisation, draft_fund],
        "organisations": [payer, investor],
        "fund": fund,
        "published_projects": [alpha, beta],
        "private_projects": [draft, withdrawn, deleted],
        "evaluation": evaluation,
        "draft_document": draft_document,
    }


# ---------------------------------------------------------------------------------------------
# What must never show, and where each comes from (for the failure message).

CANARIES: dict[str, str] = {
    **{token: f"text of {token}" for token in TOKENS},
    "INDIGO-POJ-9001": "draft project's id",
    "INDIGO-POJ-9002": "withdrawn project's id",
    "INDIGO-POJ-9003": "deleted project's id",
    "INDIGO-ORG-9001": "draft organisation's id",
    "INDIGO-FUND-9001": "draft fund's id",
    "INDIGO-PL-9001": "draft pipeline project's id",
    "INDIGO-PL-9002": "withdrawn pipeline project's id",
    "Antarctica": "draft project's country",
    "Bouvet Island": "withdrawn project's country",
    "Heard Island": "deleted project's country",
    "French Southern": "draft document's country",
    str(CANARY_NUMBER): "private projects' capital or users",
    f"{CANARY_NUMBER:,}": "private projects' capital or users",
    "987.7 million": "private projects' capital",
}
CANARY_YEARS: dict[str, str] = {
    r"\b1901\b": "draft project's year",
    r"\b1902\b": "withdrawn project's year",
    r"\b1903\b": "deleted project's year",
    r"\b1904\b": "draft document's year",
}
# Facet values only private records have. A facet lists a value with a count when some
# result has it (or, with a count of 0, when it is chosen).
CANARY_FACETS: dict[tuple[str, str], str] = {
    ("stage", Stage.SERVICE_DELIVERY_COMPLETE): "draft and withdrawn projects' stage",
    ("stage", Stage.COMPLETE): "deleted project's stage",
    ("project_stage", Stage.SERVICE_DELIVERY_COMPLETE): "draft and withdrawn projects' stage",
    ("project_stage", Stage.COMPLETE): "deleted project's stage",
    ("policy_area", PolicySector.POVERTY_REDUCTION): "draft project's policy area",
    ("policy_area", PolicySector.AGRICULTURE_ENVIRONMENT): "withdrawn project's policy area",
    ("policy_area", PolicySector.EDUCATION): "deleted project's policy area",
    ("policy_area", PolicySector.CRIMINAL_JUSTICE): "draft document's policy area",
    ("country", "AQ"): "draft project's country",
    ("country", "BV"): "withdrawn project's country",
    ("country", "HM"): "deleted project's country",
    ("country", "TF"): "draft document's country",
    ("type", DocumentType.DATA_SET): "draft document's type",
    ("design", EvaluationDesign.RCT): "draft document's design",
    ("rating", "5"): "draft document's rating",
    ("stage", PipelineStage.SCOPING): "private pipeline projects' stage",
    ("policy_area", "energy"): "private pipeline projects' sector",
    ("instrument", "guarantee"): "private pipeline projects' instrument",
}
_FACET_VALUE = re.compile(
    r'name="(?P<name>\w+)" value="(?P<value>[^"]*)"[^>]*>\s*<label[^>]*>[^<]*'
    r'<span class="count">\((?P<count>[\d,]+)\)'
)


def facet_counts(html: str) -> dict[tuple[str, str], str]:
    return {(m["name"], m["value"]): m["count"] for m in _FACET_VALUE.finditer(html)}


def _leaks(text: str) -> list[str]:
    lowered = text.casefold()
    found = [f"{c!r} ({why})" for c, why in CANARIES.items() if c.casefold() in lowered]
    found += [f"/{p}/ ({why})" for p, why in CANARY_YEARS.items() if re.search(p, text)]
    found += [
        f"facet {name}={value} counts {count} ({CANARY_FACETS[name, value]})"
        for (name, value), count in facet_counts(text).items()
        if (name, value) in CANARY_FACETS and count != "0"
    ]
    return found


# ---------------------------------------------------------------------------------------------
# The crawler


class _Links(HTMLParser):
    """Same-site links of a page: anchors, and each value a GET form offers (facet checkboxes
    and radios, select options), as the URL choosing that value alone gives."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.form_action: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in {"a", "area"} and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            get = a.get("method", "get").lower() == "get"
            self.form_action = (a.get("action") or "") if get else None
        elif self.form_action is None:
            return
        elif tag == "input" and a.get("type") in {"checkbox", "radio"} and a.get("name"):
            if a.get("value"):
                query = urlencode({a["name"]: a["value"]})
                self.links.append(f"{self.form_action}?{query}")
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and a.get("value"):
            self.links.append(f"{self.form_action}?{urlencode({self.select: a['value']})}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form_action = None
        elif tag == "select":
            self.select = None


def _same_site(base: str, href: str) -> str | None:
    parts = urlsplit(urljoin(f"http://testserver{base}", href))
    if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
        return None
    if parts.path.startswith(("/admin/", "/static/", "/media/")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _body(response) -> str:
    # A download is read to its end, which closes it as the test client does (closing it by
    # hand would signal the request's end and close the test's database connection).
    data = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + data.decode("utf-8", errors="replace")


def crawl(client, seeds: list[str]) -> dict[str, tuple[int, str]]:
    """Status and headers+body of every URL reached from ``seeds``, breadth first."""
    queue, seen = deque(seeds), set(seeds)
    pages: dict[str, tuple[int, str]] = {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        text = _body(response)
        pages[url] = (response.status_code, text)
        found: list[str] = []
        if response.status_code in {301, 302, 303, 307, 308}:
            found.append(response["Location"])
        elif response.get("Content-Type", "").startswith("text/html"):
            parser = _Links()
            parser.feed(text)
            found = parser.links
        for href in found:
            target = _same_site(url, href)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def _seeds(world) -> list[str]:
    evaluation = world["evaluation"]
    seeds = [
        "/",
        "/cases/",
        "/evidence/",
        "/evidence/ratings/",
        "/policy-areas/",
        "/glossary/",
        "/insights/",
        "/insights/evidence/",
        "/insights/prices/",
        "/pipeline/",
        world["published_pipeline"].get_absolute_url(),
        "/health/",
        "/robots.txt",
        "/sitemap.xml",
        *(f"/policy-areas/{area}/" for area in PolicySector.values),
        *(o.get_absolute_url() for o in world["organisations"]),
        world["fund"].get_absolute_url(),
        *(p.get_absolute_url() for p in world["published_projects"]),
        "/compare/?cases=" + ",".join(p.indigo_id for p in world["published_projects"][:4]),
        evaluation.get_absolute_url(),
        f"/evidence/{evaluation.pk}/file/",
        *(f"/evidence/{evaluation.pk}/cite.{fmt}" for fmt in ("bib", "ris", "json")),
        *(f"/evidence/export.{fmt}" for fmt in ("bib", "ris", "json")),
    ]
    # Searches for each word, cut short (search matches prefixes, and the cut word echoed
    # back in the search box is not the word itself), and each private facet value.
    for token in TOKENS:
        for path in (
            "/cases/",
            "/evidence/",
            "/evidence/export.bib",
            "/evidence/export.ris",
            "/pipeline/",
        ):
            seeds.append(f"{path}?{urlencode({'q': token[:-1]})}")
    for params in [
        {"stage": Stage.SERVICE_DELIVERY_COMPLETE},
        {"stage": Stage.COMPLETE},
        {"policy_area": PolicySector.POVERTY_REDUCTION},
        {"country": "AQ"},
        {"launch_year_min": 1900, "launch_year_max": 1910},
        {"capital_min": CANARY_NUMBER - 1},
        {"users_min": CANARY_NUMBER - 1},
        {"outcome_payer": "INDIGO-ORG-0001", "per_page": 100},
    ]:
        seeds.append(f"/cases/?{urlencode(params)}")
        seeds.append(f"/insights/?{urlencode(params)}")  # its charts link their CSVs
        seeds.append(f"/insights/evidence/?{urlencode(params)}")
        seeds.append(f"/insights/prices/?{urlencode(params)}")
    for params in [
        {"stage": PipelineStage.SCOPING},
        {"policy_area": "energy"},
        {"instrument": "guarantee"},
        {"country": "AQ"},
        {"launch_year_min": 1900, "launch_year_max": 1910},
        {"q": "canary", "per_page": 100},
    ]:
        seeds.append(f"/pipeline/?{urlencode(params)}")
    for params in [
        {"project_stage": Stage.SERVICE_DELIVERY_COMPLETE},
        {"project_stage": Stage.COMPLETE},
        {"type": DocumentType.DATA_SET},
        {"design": EvaluationDesign.RCT},
        {"rating": 5},
        {"country": "TF"},
        {"policy_area": PolicySector.CRIMINAL_JUSTICE},
        {"year_min": 1900, "year_max": 1910},
    ]:
        for path in ("/evidence/", "/evidence/export.bib", "/evidence/export.ris"):
            seeds.append(f"{path}?{urlencode(params)}")
    # Every value of a case-list facet (the page behind a long facet's "Show all" link).
    for name in ("country", "outcome_payer", "investor", "service_provider", "stage"):
        seeds.append(f"/cases/facets/{name}/")
        seeds += [f"/cases/facets/{name}/?{urlencode({'find': t[:-1]})}" for t in TOKENS]
    return seeds + _api_seeds(seeds) + _harvest_seeds(seeds, world)


API_LISTS = ["cases", "organisations", "funds", "outcome-metrics", "evidence"]
# The API's lists of withdrawn ids name the records that were public and are no longer (the
# withdrawn and the soft-deleted project), and nothing else of them.
WITHDRAWN_LISTS = {"/api/v1/cases/withdrawn/": ["INDIGO-POJ-9002", "INDIGO-POJ-9003"]}


def _api_seeds(seeds: list[str]) -> list[str]:
    """The API and the downloads, whole and with each search and filter of the pages."""
    found = ["/api/v1/", "/api/schema/", "/api/docs/"]
    for name in API_LISTS:
        found += [f"/api/v1/{name}/", f"/api/v1/{name}/withdrawn/"]
    for seed in seeds:
        path, _, query = seed.partition("?")
        if path == "/cases/" and query:
            found += [f"/api/v1/{name}/?{query}" for name in ("cases", "outcome-metrics")]
            found += [f"/cases/{kind}.{fmt}?{query}" for kind in ("export", "outcome-metrics")
                      for fmt in ("csv", "xlsx", "json")]  # fmt: skip
        elif path == "/evidence/" and query:
            found += [f"/api/v1/evidence/?{query}", f"/evidence/export.csv?{query}"]
    return found


def _harvest_seeds(seeds: list[str], world) -> list[str]:
    """The feeds (whole and with each search and filter of the pages), the sitemap's sections,
    the downloads page, every OAI-PMH verb and set, and GetRecord of every record, private
    ones included (a withdrawn or deleted one is a bare "deleted" header)."""
    from golab.oai import BY_KEY, identifier
    from golab.sitemaps import SITEMAPS

    found = ["/feeds/cases/", "/feeds/evidence/", "/downloads/"]
    found += [f"/sitemap-{section}.xml" for section in SITEMAPS]
    for seed in seeds:
        path, _, query = seed.partition("?")
        if path in ("/cases/", "/evidence/") and query:
            found.append(f"/feeds{path}?{query}")
    found += [f"/oai?verb={verb}" for verb in ("Identify", "ListMetadataFormats", "ListSets")]
    for verb in ("ListIdentifiers", "ListRecords"):
        for spec in ["case", "evidence", *(f"policy-area:{area}" for area in PolicySector.values)]:
            found.append(
                f"/oai?{urlencode({'verb': verb, 'metadataPrefix': 'oai_dc', 'set': spec})}"
            )
        found.append(f"/oai?verb={verb}&metadataPrefix=oai_dc")
    records = [*world["published_projects"], *world["private_projects"]]
    records += [world["evaluation"], world["draft_document"]]
    for record in records:
        kind = BY_KEY["case" if isinstance(record, Project) else "evidence"]
        params = {"verb": "GetRecord", "metadataPrefix": "oai_dc"}
        found.append(f"/oai?{urlencode({**params, 'identifier': identifier(kind, record.pk)})}")
    return found


def _private_urls(world) -> list[str]:
    document = world["draft_document"]
    return [
        *(p.get_absolute_url() for p in world["private_projects"]),
        *(
            f"/compare/?cases={world['published_projects'][0].indigo_id},{p.indigo_id}"
            for p in world["private_projects"]
        ),
        *(p.get_absolute_url() for p in world["private_parties"]),
        *(p.get_absolute_url() for p in world["private_pipelines"]),
        document.get_absolute_url(),
        f"/evidence/{document.pk}/file/",
        *(f"/evidence/{document.pk}/cite.{fmt}" for fmt in ("bib", "ris", "json")),
        *(f"/api/v1/cases/{p.indigo_id}/" for p in world["private_projects"]),
        *(
            f"/api/v1/{kind}/{p.indigo_id}/"
            for kind, p in zip(("organisations", "funds"), world["private_parties"], strict=True)
        ),
        f"/api/v1/evidence/{document.pk}/",
        *(
            f"/api/v1/outcome-metrics/{pk}/"
            for pk in OutcomeMetric.objects.filter(
                project__in=world["private_projects"]
            ).values_list("pk", flat=True)
        ),
    ]


def test_canaries_are_findable_were_they_public(world):
    """The crawl below proves something only if the private records would be found were
    they not filtered out: so search is checked here on the unfiltered tables."""
    for token in (DRAFT_PROJECT, WITHDRAWN_PROJECT, DELETED_PROJECT):
        found = PROJECTS.search(Project.objects.all(), token[:-1])
        assert [p.name for p in found] == [token]
    found = DOCUMENTS.search(EvidenceDocument.objects.all(), DRAFT_DOCUMENT[:-1])
    assert [d.title for d in found] == [DRAFT_DOCUMENT]
    assert world["draft_document"].file and world["evaluation"].text_status == "extracted"
    deleted = world["private_projects"][2]
    assert Project.objects.filter(pk=deleted.pk, status=PUBLISHED).exists()


def test_no_public_url_shows_a_private_record(client, world, settings, result_cache):
    settings.API_RATE_LIMIT = ""  # the crawl asks the API more often than a client may
    pages = crawl(client, _seeds(world) + _private_urls(world))
    # The page cache is on, as in production: the popular pages once more, from the cache.
    for url in ("/", "/cases/", "/evidence/", "/policy-areas/", "/insights/", "/pipeline/"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "hit", url
        assert not _leaks(response.content.decode()), url
    for url, ids in WITHDRAWN_LISTS.items():
        status, text = pages[url]
        assert status == 200 and all(f'"id":"{i}"' in text for i in ids), text
        for indigo_id in ids:
            text = text.replace(f'"id":"{indigo_id}"', "")
        pages[url] = (status, text)

    errors = [f"{url} -> {status}" for url, (status, _text) in pages.items() if status >= 500]
    assert not errors, "server errors:\n" + "\n".join(errors)
    not_404 = [url for url in _private_urls(world) if pages[url][0] != 404]
    assert not not_404, f"private records' own URLs answer other than 404: {not_404}"
    leaks = {url: found for url, (_status, text) in pages.items() if (found := _leaks(text))}
    assert not leaks, "private records show on public URLs:\n" + "\n".join(
        f"{url}: {', '.join(found)}" for url, found in sorted(leaks.items())
    )

    # The published world was crawled and shows, its change log included.
    ok = {url for url, (status, _text) in pages.items() if status == 200}
    for record in [
        *world["published_projects"],
        *world["organisations"],
        world["fund"],
        world["evaluation"],
    ]:
        assert record.get_absolute_url() in ok
    assert "Published Alpha Bond" in pages["/cases/"][1]
    assert "Published Pipeline Scheme" in pages["/pipeline/"][1]
    assert world["published_pipeline"].get_absolute_url() in ok
    beta = pages[world["published_projects"][1].get_absolute_url()][1]
    assert "changed from “–” to “Social prescribing”" in beta
    # The facet check reads the facets as rendered.
    assert facet_counts(pages["/cases/"][1])["stage", Stage.IMPLEMENTATION] == "1"
    evidence_facets = facet_counts(pages["/evidence/"][1])
    assert evidence_facets["design", EvaluationDesign.QUASI_EXPERIMENTAL] == "1"
    assert "Published evaluation of the Alpha Bond" in pages["/evidence/"][1]
    # The API and the downloads were read too.
    assert "Published Alpha Bond" in pages["/api/v1/cases/"][1]
    assert "Published Alpha Bond" in pages["/cases/export.csv"][1]
    assert "Published evaluation" in pages["/api/v1/evidence/"][1]
    assert len(pages) < MAX_PAGES, "the crawl was cut short: raise MAX_PAGES"


def test_bulk_downloads_hold_no_private_record(client, world):
    """The .zip of INDIGO CSVs and the SQLite file (built as the cron job builds them), read
    inside: every CSV and every row of the database."""
    import sqlite3
    import zipfile

    from golab.downloads import CSV_ZIP, SQLITE, build_downloads, downloads_dir

    build_downloads()
    texts: dict[str, str] = {}
    with zipfile.ZipFile(downloads_dir() / CSV_ZIP) as archive:
        for name in archive.namelist():
            texts[f"{CSV_ZIP}/{name}"] = archive.read(name).decode()
    database = sqlite3.connect(downloads_dir() / SQLITE)
    try:
        texts[SQLITE] = "\n".join(database.iterdump())
    finally:
        database.close()
    pages = crawl(client, ["/downloads/", f"/downloads/{CSV_ZIP}", f"/downloads/{SQLITE}"])
    assert {status for status, _text in pages.values()} == {200}
    texts["/downloads/"] = pages["/downloads/"][1]
    leaks = {name: found for name, text in texts.items() if (found := _leaks(text))}
    assert not leaks, "private records in the downloads:\n" + "\n".join(
        f"{name}: {', '.join(found)}" for name, found in sorted(leaks.items())
    )
    assert "Published Alpha Bond" in texts[f"{CSV_ZIP}/projects.csv"]
    assert "Published evaluation of the Alpha Bond" in texts[SQLITE]
