"""REST endpoints of the swot app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from swot.api import views

router = SimpleRouter()
router.register(
    r"municipalities/(?P<slug>[-a-zA-Z0-9_]+)/swot/boards", views.BoardViewSet, basename="swot-board"
)
router.register(
    r"municipalities/(?P<slug>[-a-zA-Z0-9_]+)/swot/measures", views.MeasureViewSet, basename="swot-measure"
)

urlpatterns = [
    path("swot/join/", views.guest_join, name="swot-guest-join"),
    *router.urls,
]
