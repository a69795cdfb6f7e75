"""The REST API's URL list: one router module per app, mounted under /api/v1/."""

from django.urls import include, path

api_urlpatterns = [
    path("", include("core.api.urls")),
    path("", include("finance.api.urls")),
    path("", include("planning.api.urls")),
    path("", include("swot.api.urls")),
    path("", include("stakeholders.api.urls")),
]
