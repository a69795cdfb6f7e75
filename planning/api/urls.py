"""REST endpoints of the planning app, mounted under /api/v1/: each feature's routes."""

from planning.districts.api import urls as districts
from planning.population.api import urls as population
from planning.projection.api import urls as projection
from planning.resilience.api import urls as resilience

urlpatterns = [
    *population.urlpatterns,
    *projection.urlpatterns,
    *resilience.urlpatterns,
    *districts.urlpatterns,
]
