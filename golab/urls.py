from django.contrib import admin
from django.urls import include, path

from golab import views

urlpatterns = [
    path("", views.home, name="home"),
    path("glossary/", views.glossary, name="glossary"),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
    path("", include("evidence.urls")),
]
