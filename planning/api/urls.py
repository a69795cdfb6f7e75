"""REST endpoints of the planning app, mounted under /api/v1/."""

from planning.api import projection, resilience

urlpatterns = [*projection.urlpatterns, *resilience.urlpatterns]
