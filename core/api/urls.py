from rest_framework.routers import DefaultRouter

from core.api import views

router = DefaultRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = router.urls
