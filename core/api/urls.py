from django.urls import path
from rest_framework.routers import DefaultRouter

from core.api import tokens, views

router = DefaultRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = [
    path("auth/token/", tokens.token_login, name="auth-token"),
    *router.urls,
]
