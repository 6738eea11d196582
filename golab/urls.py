from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from golab import downloads, feeds, oai, second_factor, views, wellknown
from golab.insights import views as insights
from golab.sitemaps import SITEMAPS, robots_txt

SITEMAP_INDEX = {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}

urlpatterns = [
    path("", views.home, name="home"),
    path("glossary/", views.glossary, name="glossary"),
    path("health/", views.health, name="health"),
    path(".well-known/security.txt", wellknown.security_txt, name="security-txt"),
    path("policy-areas/<slug:slug>/", views.policy_area_detail, name="policy-area-detail"),
    path("insights/", insights.insights, name="insights"),
    path("insights/evidence/", insights.evidence_gap_map, name="insights-evidence"),
    path("insights/prices/", insights.price_benchmarks, name="insights-prices"),
    path(
        "insights/prices/export.csv",
        insights.price_benchmarks_csv,
        name="insights-prices-csv",
    ),
    path("insights/<slug:slug>.csv", insights.insights_csv, name="insights-csv"),
    path("compare/", insights.compare, name="compare"),
    path("compare/export.csv", insights.compare_csv, name="compare-csv"),
    path("oai", oai.endpoint, name="oai"),
    path("feeds/cases/", feeds.CaseFeed(), name="feed-cases"),
    path("feeds/evidence/", feeds.EvidenceFeed(), name="feed-evidence"),
    path("sitemap.xml", sitemap_views.index, SITEMAP_INDEX, name="sitemap-index"),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("downloads/", downloads.downloads_page, name="downloads"),
    path("downloads/<str:name>", downloads.download_file, name="download-file"),
    path("admin/second-factor/", include(second_factor.urlpatterns)),
    path("admin/", admin.site.urls),
    path("api/", include("golab.api")),
    path("", include("cases.urls")),
    path("", include("evidence.urls")),
]

# A database outage met outside a view (say, by the session middleware) is a 503 too.
handler500 = "golab.outage.server_error"
