"""REST routes of population series, mounted under /api/v1/."""

from django.urls import path

from planning.population.api.views import (
    PopulationDetailView,
    PopulationListView,
    PopulationMovementsView,
    PopulationProjectView,
)

_BASE = "municipalities/<slug:slug>/"
urlpatterns = [
    path(f"{_BASE}population/", PopulationListView.as_view(), name="api-population-list"),
    path(f"{_BASE}population/movements/", PopulationMovementsView.as_view(), name="api-population-movements"),
    path(f"{_BASE}population/projection/", PopulationProjectView.as_view(), name="api-population-project"),
    path(f"{_BASE}population/<int:series_id>/", PopulationDetailView.as_view(), name="api-population-detail"),
]
