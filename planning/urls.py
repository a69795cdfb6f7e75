from django.urls import path

from planning import urls_projection, urls_resilience, views

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    *urls_projection.urlpatterns,
    *urls_resilience.urlpatterns,
]
