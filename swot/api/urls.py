"""REST endpoints of the swot app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from swot.api import views

router = SimpleRouter()
router.register(
    r"municipalities/(?P<slug>[-a-zA-Z0-9_]+)/swot/boards", views.BoardViewSet, basename="swot-board"
)
router.register(
    r"municipalities/(?P<slug>[-a-zA-Z0-9_]+)/swot/measures", views.MeasureViewSet, basename="swot-measure"
)

urlpatterns = router.urls
