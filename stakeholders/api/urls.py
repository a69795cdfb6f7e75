"""REST endpoints of the stakeholders app, mounted under /api/v1/."""

urlpatterns: list = []
