"""Page routes for coproduction (names start with coproduction-)."""

from django.urls import path

from planning.coproduction import views

urlpatterns = [
    path("koproduktion/", views.coproduction_index, name="coproduction-index"),
    path("koproduktion/parameter/", views.parameters, name="coproduction-parameters"),
    path("koproduktion/partner/", views.partners, name="coproduction-partners"),
    path("koproduktion/<int:facility_id>/", views.facility_detail, name="coproduction-facility"),
    path(
        "koproduktion/<int:facility_id>/vergleich.pdf", views.facility_pdf, name="coproduction-facility-pdf"
    ),
    path("koproduktion/<int:facility_id>/modelle/", views.model_add, name="coproduction-model-add"),
    path(
        "koproduktion/<int:facility_id>/modelle/<int:model_id>/quellen/",
        views.source_add,
        name="coproduction-source-add",
    ),
    path(
        "koproduktion/<int:facility_id>/modelle/<int:model_id>/als-massnahme/",
        views.model_to_measure,
        name="coproduction-model-measure",
    ),
]
