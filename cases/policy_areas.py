"""Short introductions to the policy areas used to group outcomes-based contracts.

Each entry is keyed by the policy area's slug and gives a commissioner a two- or three-sentence
overview: what outcomes contracts in the area typically aim to achieve, and what kinds of
outcomes are typically paid for.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django_countries import countries

from cases.models import (
    DeliveryLocation,
    Pipeline,
    PipelineSector,
    PolicySector,
    Project,
    capital_aggregates,
    capital_note,
)

INTRODUCTIONS: dict[str, str] = {
    "employment-and-training": (
        "Outcomes contracts in employment and training aim to help people who face barriers to"
        " work, such as young people not in education, employment or training, people with"
        " disabilities or long-term health conditions, and long-term unemployed adults, to find and"
        " keep jobs. Payments are typically made for starting a job and for sustaining it over set"
        " periods, such as 13 or 26 weeks, and sometimes for gaining qualifications or entering"
        " training."
    ),
    "child-and-family-welfare": (
        "Outcomes contracts in child and family welfare usually fund intensive support for families"
        " under strain, or for children in or on the edge of care, with the aim of keeping children"
        " safely at home or finding them stable placements. Typical payments reward avoided or"
        " shortened care placements, moves to family-based or permanent placements, adoption, and"
        " improvements in school attendance, behaviour or wellbeing."
    ),
    "health": (
        "Outcomes contracts in health often focus on prevention and on managing long-term"
        " conditions, for example supporting people with diabetes or other chronic illnesses,"
        " improving mental health, or increasing access to screening, treatment and maternal care."
        " Outcomes paid for include measured improvements in health or wellbeing, reduced use of"
        " emergency and hospital services, and, in development settings, the uptake or quality of"
        " health services."
    ),
    "homelessness": (
        "Outcomes contracts on homelessness typically support people who are sleeping rough or who"
        " have repeated or long-term experience of homelessness, often alongside complex needs such"
        " as poor mental health or substance misuse. Payments are usually made for moving into and"
        " sustaining stable accommodation over set periods, and sometimes for related outcomes such"
        " as engaging with health services, entering work or reduced contact with the justice"
        " system."
    ),
    "education": (
        "Outcomes contracts in education aim to improve children's and young people's learning and"
        " their progress through school, college and into further study or work. Typical outcomes"
        " paid for include improvements in literacy and numeracy or other measured learning gains,"
        " attendance and enrolment, passing exams or qualifications, and, in development settings,"
        " getting out-of-school children, especially girls, into education."
    ),
    "criminal-justice": (
        "Outcomes contracts in criminal justice mostly aim to reduce reoffending by supporting"
        " people leaving prison or on community sentences, or to divert young people away from"
        " crime and custody. Payments are typically linked to reductions in the number or frequency"
        " of reconvictions compared with a baseline or comparison group, and sometimes to"
        " stepping-stone outcomes such as stable housing or employment."
    ),
    "agriculture-and-environment": (
        "Outcomes contracts in agriculture and the environment are less common, and are mostly"
        " found in low- and middle-income countries or in conservation projects. They typically pay"
        " for improved farm yields, productivity or incomes for smallholder farmers, or for"
        " measurable environmental results such as restored land, protected habitats or improved"
        " water quality."
    ),
    "poverty-reduction": (
        "Outcomes contracts in poverty reduction aim to raise household incomes and resilience,"
        " often in low- and middle-income countries, through support such as livelihoods"
        " programmes, enterprise development, savings and financial inclusion. Outcomes paid for"
        " typically include increases in income or consumption, growth of small businesses, and"
        " households graduating out of extreme poverty."
    ),
}


# The pipeline's own policy sectors (pipelines.csv asks Yes/No for each) that fall within
# each of the case studies' policy areas: where a commissioner finds what is being prepared.
PIPELINE_SECTORS: dict[str, list[str]] = {
    PolicySector.EMPLOYMENT: [PipelineSector.EMPLOYMENT],
    PolicySector.CHILD_FAMILY: [PipelineSector.EARLY_CHILDHOOD],
    PolicySector.HEALTH: [PipelineSector.HEALTH, PipelineSector.WASH],
    PolicySector.HOMELESSNESS: [],
    PolicySector.EDUCATION: [PipelineSector.EDUCATION, PipelineSector.EARLY_CHILDHOOD],
    PolicySector.CRIMINAL_JUSTICE: [PipelineSector.CRIMINAL_JUSTICE],
    PolicySector.AGRICULTURE_ENVIRONMENT: [
        PipelineSector.AGRICULTURE,
        PipelineSector.ENVIRONMENT,
    ],
    PolicySector.POVERTY_REDUCTION: [PipelineSector.SOCIAL_PROTECTION],
}


def pipeline_link(area: PolicySector) -> dict[str, Any] | None:
    """The published pipeline projects in ``area`` (any of its pipeline sectors): how many,
    the sectors, and the ``/pipeline/`` URL that lists them (one query)."""
    sectors = PIPELINE_SECTORS.get(area.value, [])
    if not sectors:
        return None
    condition = Q()
    for sector in sectors:
        condition |= Q(**{f"sector_{sector}": True})
    return {
        "count": Pipeline.objects.published().filter(condition).count(),
        "sectors": [PipelineSector(s).label for s in sectors],
        "url": "/pipeline/?" + urlencode([("policy_area", s) for s in sectors]),
    }


def area_summary(area: PolicySector) -> dict[str, Any]:
    """What a policy area's page says from the case data: totals, countries and the latest
    contracts (``projects``: the area's published projects, for what other apps add: the
    evidence, and the price and results aggregates /insights/ uses)."""
    projects = Project.objects.published().filter(policy_sector=area.value)
    totals = projects.aggregate(
        count=Count("pk"),
        users=Sum("service_users_targeted"),
        **capital_aggregates(),
        complete=Count("pk", filter=Q(stage="complete")),
        with_results=Count("pk", filter=Q(has_results=True)),
    )
    country_counts = [
        (code, countries.name(code) or code, n)
        for code, n in DeliveryLocation.objects.filter(project__in=projects.values("pk"))
        .exclude(country="")
        .order_by()
        .values_list("country")
        .annotate(n=Count("project", distinct=True))
        .order_by("-n", "country")
    ]
    latest = list(
        projects.order_by(F("launch_year").desc(nulls_last=True), "indigo_id").only(
            "indigo_id", "name", "stage", "policy_sector", "launch_year"
        )[:10]
    )
    return {
        "area": area,
        "capital_note": capital_note(totals),
        "projects": projects,
        "introduction": INTRODUCTIONS.get(area.value, ""),
        "totals": totals,
        "countries": country_counts,
        "latest": latest,
        "list_url": "/cases/?" + urlencode({"policy_area": area.value}),
        "pipeline": pipeline_link(area),
    }
