"""REST endpoints of the planning app, mounted under /api/v1/."""

from planning.api import projection, resilience
from planning.districts.api import urls as districts

urlpatterns = [*projection.urlpatterns, *resilience.urlpatterns, *districts.urlpatterns]
