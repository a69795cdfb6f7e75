from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("auftraege/<int:job_id>/", views.job_detail, name="job-detail"),
    path("kommunen/<slug:slug>/", views.municipality_overview, name="municipality-overview"),
    path("kommunen/<slug:slug>/selbsttest/", views.selftest_start, name="selftest-start"),
]
