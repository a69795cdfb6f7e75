"""Page routes of the planning app: the hub, then each feature's routes (one namespace, ``planning:``)."""

from django.urls import path

from planning import views
from planning.districts import urls as districts_urls
from planning.population import urls as population_urls
from planning.projection import urls as projection_urls
from planning.resilience import urls as resilience_urls

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    *projection_urls.urlpatterns,
    *population_urls.urlpatterns,
    *resilience_urls.urlpatterns,
    *districts_urls.urlpatterns,
]
