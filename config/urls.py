"""Top-level URLs: pages per app, the admin, accounts and the REST API under /api/v1/."""

from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api import api_urlpatterns

urlpatterns = [
    path("favicon.ico", lambda request: redirect(static_url("img/favicon.svg"))),
    path("admin/", admin.site.urls),
    path("accounts/", include("core.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_urlpatterns)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("kommunen/<slug:slug>/haushalt/", include("finance.urls")),
    path("kommunen/<slug:slug>/planung/", include("planning.urls")),
    path("kommunen/<slug:slug>/swot/", include("swot.urls")),
    path("kommunen/<slug:slug>/akteure/", include("stakeholders.urls")),
    path("", include("core.urls")),
]

# MEDIA_ROOT (uploaded budget files, SWOT exports) is never served as such, not even with DEBUG: every
# file is delivered by a view that checks the municipality membership (finance version source, SWOT
# export download).
