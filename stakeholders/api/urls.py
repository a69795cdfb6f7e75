"""REST endpoints of the stakeholders app, mounted under /api/v1/ (see docs/api.md, "Stakeholders")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from stakeholders.api import views

PREFIX = r"municipalities/(?P<slug>[-\w]+)"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register(f"{PREFIX}/stakeholders", views.StakeholderViewSet, basename="stakeholder")
router.register(
    f"{PREFIX}/stakeholder-relationships", views.RelationshipViewSet, basename="stakeholder-relationship"
)
router.register(
    f"{PREFIX}/stakeholder-engagements", views.EngagementViewSet, basename="stakeholder-engagement"
)

urlpatterns = [
    path("municipalities/<slug:slug>/stakeholder-grid/", views.GridView.as_view(), name="stakeholder-grid"),
    path(
        "municipalities/<slug:slug>/stakeholder-network/",
        views.NetworkView.as_view(),
        name="stakeholder-network",
    ),
    path(
        "municipalities/<slug:slug>/stakeholder-resources/",
        views.ResourcesView.as_view(),
        name="stakeholder-resources",
    ),
    *router.urls,
]
