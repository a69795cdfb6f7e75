"""REST routes of measures, mounted under /api/v1/."""

from django.urls import path

from planning.measures.api.views import (
    ActualsImportView,
    EffectCreateView,
    IndicatorCreateView,
    MeasureDetailView,
    MeasureListView,
)

_BASE = "municipalities/<slug:slug>/measures/"
urlpatterns = [
    path(_BASE, MeasureListView.as_view(), name="api-measure-list"),
    path(f"{_BASE}actuals-import/", ActualsImportView.as_view(), name="api-measure-actuals-import"),
    path(f"{_BASE}<int:measure_id>/", MeasureDetailView.as_view(), name="api-measure-detail"),
    path(f"{_BASE}<int:measure_id>/effects/", EffectCreateView.as_view(), name="api-measure-effects"),
    path(
        f"{_BASE}<int:measure_id>/indicators/", IndicatorCreateView.as_view(), name="api-measure-indicators"
    ),
]
