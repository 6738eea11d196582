"""The case page's values formatted in the view (``cases.views._add_shown_values``, the
parties' amounts, the sources' section refs): shown as before, escaped, and in a number of
queries that does not grow with how often each section is cited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evidence.models import Section
from tests.factories import (
    InvestmentFactory,
    OutcomeMetricFactory,
    OutcomePaymentCommitmentFactory,
    OutcomePricingFactory,
    ProjectFactory,
    ProjectSourceFactory,
    ResultFactory,
    SectionCitationFactory,
)

pytestmark = pytest.mark.django_db


def _page(client, project) -> str:
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_price_with_usd_and_maximum_and_a_price_given_as_text(client):
    project = ProjectFactory()
    metric = OutcomeMetricFactory(project=project, local_id="m1")
    OutcomePricingFactory(
        project=project,
        outcome_metric_ref="m1",
        currency="GBP",
        price_per_unit=Decimal("1500"),
        price_per_unit_usd=Decimal("1905.4"),
        max_price=Decimal("3000.50"),
    )
    OutcomePricingFactory(
        project=project,
        outcome_metric_ref="nowhere",
        price_per_unit=None,
        price_per_unit_text="£1,000 per <b>person</b>",
    )
    html = _page(client, project)
    assert '<dd>GBP 1,500 <span class="usd">(USD 1,905)</span>; at most GBP 3,000.50</dd>' in html
    assert "<code>nowhere</code>: £1,000 per &lt;b&gt;person&lt;/b&gt;</li>" in html
    assert metric.definition in html


def test_long_target_and_long_achieved_text_fold_into_details(client):
    project = ProjectFactory()
    OutcomeMetricFactory(project=project, local_id="m1", target="T" * 401)
    OutcomeMetricFactory(project=project, local_id="m2", target="<i>200</i> people")
    ResultFactory(
        project=project,
        outcome_metric_ref="m2",
        outcomes_achieved=None,
        outcomes_achieved_text="A" * 121 + "\nsecond line",
        period_start="2019-04",
        period_end="2020",
        number_engaged=1200,
        number_positive=None,
        number_positive_text="most",
    )
    html = _page(client, project)
    assert f'<summary>{"T" * 399}…<span class="visually-hidden"> (show all)</span>' in html
    assert f"<p>{'T' * 401}</p></details>" in html
    assert "<dd>&lt;i&gt;200&lt;/i&gt; people</dd>" in html
    assert f"<p>{'A' * 121}<br>second line</p></details>" in html
    assert "<td>April 2019 – 2020</td>" in html
    assert '<td class="num">1,200</td>' in html and '<td class="num">most</td>' in html


def test_result_against_the_metric_target(client):
    project = ProjectFactory()
    OutcomeMetricFactory(project=project, local_id="m1", service_users_targeted=500)
    ResultFactory(project=project, outcome_metric_ref="m1", outcomes_achieved=Decimal("3476"))
    html = _page(client, project)
    assert '<td class="num">3,476 of 500</td>' in html
    assert "<dd>500</dd>" in html


def test_parties_show_amounts_once_formatted(client):
    project = ProjectFactory()
    investor = InvestmentFactory(
        project=project, amount=Decimal("250000"), currency="EUR", role_category="Equity"
    ).organisation
    payer = OutcomePaymentCommitmentFactory(
        project=project, max_payment=Decimal("1200000.5"), max_payment_currency="GBP"
    ).organisation
    html = _page(client, project)
    assert (
        f'<a href="{investor.get_absolute_url()}">{investor.name}</a> <span class="hint">· Equity'
        '</span> <span class="hint">· invested EUR 250,000</span>' in html
    )
    assert f"{payer.name}</a>" in html
    assert '<span class="hint">· up to GBP 1,200,000.50</span>' in html


def test_sections_link_to_the_sources_citing_them(client):
    project = ProjectFactory(stage="implementation")
    first = ProjectSourceFactory(project=project, position=0)
    second = ProjectSourceFactory(project=project, position=1)
    SectionCitationFactory(source=first, section=Section.STAGE)
    SectionCitationFactory(source=second, section=Section.STAGE)
    SectionCitationFactory(source=second, section=Section.FINANCE)
    html = _page(client, project)
    assert (
        '<sup class="refs"><a href="#source-1" aria-label="source 1">[1]</a>'
        '<a href="#source-2" aria-label="source 2">[2]</a></sup>' in html
    )
    assert '<sup class="refs"><a href="#source-2" aria-label="source 2">[2]</a></sup>' in html


@pytest.mark.parametrize("sources", [1, 30])
def test_queries_do_not_grow_with_sources_and_their_sections(
    client, django_assert_num_queries, sources
):
    project = ProjectFactory()
    for position in range(sources):
        source = ProjectSourceFactory(project=project, position=position)
        for section in list(Section)[: 1 + position % len(Section)]:
            SectionCitationFactory(source=source, section=section)
    # 1 project; 2-11 its ten tables; 12 sources with their works and the sections each is
    # cited for; 13 evidence links; 14 the change log (no country: no related cases)
    with django_assert_num_queries(14):
        html = _page(client, project)
    assert f'href="#source-{sources}"' in html
