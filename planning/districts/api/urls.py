"""REST routes of the districts feature (mounted by planning/api/urls.py under /api/v1/)."""

from planning.districts.api.views import urlpatterns

__all__ = ["urlpatterns"]
