"""Login, logout, password change and reset (Django's views, our templates)."""

from django.urls import include, path

urlpatterns = [
    path("", include("django.contrib.auth.urls")),
]
