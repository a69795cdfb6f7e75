"""REST routes of scenarios and projections, mounted under /api/v1/."""

from django.urls import path

from planning.projection.api.views import (
    ProjectionBatchView,
    ScenarioDetailView,
    ScenarioListView,
    ScenarioResultsView,
    ScenarioRunView,
)

_BASE = "municipalities/<slug:slug>/"
urlpatterns = [
    path(f"{_BASE}scenarios/", ScenarioListView.as_view(), name="api-scenario-list"),
    path(f"{_BASE}scenarios/<int:scenario_id>/", ScenarioDetailView.as_view(), name="api-scenario-detail"),
    path(f"{_BASE}scenarios/<int:scenario_id>/run/", ScenarioRunView.as_view(), name="api-scenario-run"),
    path(
        f"{_BASE}scenarios/<int:scenario_id>/results/",
        ScenarioResultsView.as_view(),
        name="api-scenario-results",
    ),
    path("projection-batch/", ProjectionBatchView.as_view(), name="api-projection-batch"),
]
