from django.contrib import admin
from django.urls import include, path

from golab import oai, views

urlpatterns = [
    path("", views.home, name="home"),
    path("glossary/", views.glossary, name="glossary"),
    path("health/", views.health, name="health"),
    path("policy-areas/<slug:slug>/", views.policy_area_detail, name="policy-area-detail"),
    path("oai", oai.endpoint, name="oai"),
    path("admin/", admin.site.urls),
    path("api/", include("golab.api")),
    path("", include("cases.urls")),
    path("", include("evidence.urls")),
]
