"""REST routes of coproduction, mounted under /api/v1/."""

from django.urls import path

from planning.coproduction.api.views import FacilityComparisonView, ParameterListView, ShadowWageListView

_BASE = "municipalities/<slug:slug>/"
urlpatterns = [
    path(f"{_BASE}dated-parameters/", ParameterListView.as_view(), name="api-dated-parameters"),
    path(f"{_BASE}shadow-wages/", ShadowWageListView.as_view(), name="api-shadow-wages"),
    path(
        f"{_BASE}facilities/<int:facility_id>/comparison/",
        FacilityComparisonView.as_view(),
        name="api-facility-comparison",
    ),
]
