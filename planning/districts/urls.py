"""Page routes of the districts feature (names district-/districts-), under planung/sozialraeume/."""

from django.urls import path

from planning.districts import views

urlpatterns: list = [
    path("sozialraeume/", views.district_map, name="districts-map"),
    path("sozialraeume/import/", views.districts_import, name="districts-import"),
    path(
        "sozialraeume/import/grenzen/", views.districts_import_boundaries, name="districts-import-boundaries"
    ),
    path(
        "sozialraeume/import/indikatoren/",
        views.districts_import_indicators,
        name="districts-import-indicators",
    ),
    path("sozialraeume/indikatoren/", views.indicators, name="district-indicators"),
    path("sozialraeume/indikatoren/neu/", views.indicator_edit, name="district-indicator-create"),
    path(
        "sozialraeume/indikatoren/<int:indicator_id>/", views.indicator_edit, name="district-indicator-edit"
    ),
    path("sozialraeume/angebote/", views.offers, name="district-offers"),
    path("sozialraeume/angebote/neu/", views.offer_edit, name="district-offer-create"),
    path("sozialraeume/angebote/<int:offer_id>/", views.offer_edit, name="district-offer-edit"),
    path("sozialraeume/angebote/<int:offer_id>/loeschen/", views.offer_delete, name="district-offer-delete"),
    path("sozialraeume/bedarf-und-angebot/", views.needs, name="districts-needs"),
    path("sozialraeume/<int:district_id>/", views.district_detail, name="district-detail"),
    path("sozialraeume/<int:district_id>/verknuepfen/", views.district_link, name="district-link"),
]
