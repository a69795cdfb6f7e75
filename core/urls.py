from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("auftraege/<int:job_id>/", views.job_detail, name="job-detail"),
    path("hilfe/glossar/", views.glossary, name="glossary"),
    path("verwaltung/", views.administration, name="administration"),
    path("verwaltung/kommunen/neu/", views.municipality_create, name="municipality-create"),
    path("einladung/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("kommunen/<slug:slug>/", views.municipality_overview, name="municipality-overview"),
    path("kommunen/<slug:slug>/selbsttest/", views.selftest_start, name="selftest-start"),
    path("kommunen/<slug:slug>/verwaltung/", views.municipality_admin, name="municipality-admin"),
    path("kommunen/<slug:slug>/verwaltung/einladen/", views.invitation_create, name="invitation-create"),
    path(
        "kommunen/<slug:slug>/verwaltung/einladungen/<int:invitation_id>/widerrufen/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "kommunen/<slug:slug>/verwaltung/mitglieder/<int:membership_id>/rolle/",
        views.membership_role,
        name="membership-role",
    ),
    path(
        "kommunen/<slug:slug>/verwaltung/mitglieder/<int:membership_id>/deaktivieren/",
        views.membership_deactivate,
        name="membership-deactivate",
    ),
    path("kommunen/<slug:slug>/protokoll/", views.audit_log, name="audit-log"),
]
