from django.urls import path

from planning import urls_projection, urls_resilience, views
from planning.districts import urls as urls_districts

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    *urls_projection.urlpatterns,
    *urls_resilience.urlpatterns,
    *urls_districts.urlpatterns,
]
