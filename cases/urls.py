from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/<str:indigo_id>/", views.case_detail, name="case-detail"),
    path("organisations/<str:indigo_id>/", views.organisation_detail, name="organisation-detail"),
    path("funds/<str:indigo_id>/", views.fund_detail, name="fund-detail"),
    path("policy-areas/", views.policy_area_list, name="policy-area-list"),
]
