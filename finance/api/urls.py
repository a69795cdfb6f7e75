"""REST endpoints of the finance app, mounted under /api/v1/ (see docs/api.md, "Budget")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from finance.api import views

PREFIX = r"municipalities/(?P<slug>[-\w]+)/budget"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register(f"{PREFIX}/datasets", views.DatasetViewSet, basename="budget-dataset")
router.register(f"{PREFIX}/versions", views.VersionViewSet, basename="budget-version")
router.register(f"{PREFIX}/lines", views.LineViewSet, basename="budget-line")
router.register(f"{PREFIX}/profiles", views.ProfileViewSet, basename="budget-profile")
router.register(f"{PREFIX}/uploads", views.UploadViewSet, basename="budget-upload")

urlpatterns = [
    path("municipalities/<slug:slug>/budget/preview/", views.PreviewView.as_view(), name="budget-preview"),
    *router.urls,
]
