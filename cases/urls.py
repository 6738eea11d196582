from django.urls import path, re_path

from cases import facet_views, views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/facets/<slug:name>/", facet_views.case_facet, name="case-facet"),
    re_path(r"^cases/export\.(?P<fmt>csv|xlsx|json)$", views.case_download, name="case-download"),
    re_path(
        r"^cases/outcome-metrics\.(?P<fmt>csv|xlsx|json)$",
        views.outcome_metric_download,
        name="outcome-metric-download",
    ),
    path("cases/<str:indigo_id>/", views.case_detail, name="case-detail"),
    path("organisations/<str:indigo_id>/", views.organisation_detail, name="organisation-detail"),
    path("funds/<str:indigo_id>/", views.fund_detail, name="fund-detail"),
    path("policy-areas/", views.policy_area_list, name="policy-area-list"),
    path("pipeline/", views.pipeline_list, name="pipeline-list"),
    path("pipeline/<str:indigo_id>/", views.pipeline_detail, name="pipeline-detail"),
]
