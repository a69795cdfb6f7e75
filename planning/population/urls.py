"""Page routes for population (names start with population-)."""

from django.urls import path

from planning.population import views

urlpatterns = [
    path("bevoelkerung/", views.population_index, name="population-index"),
    path("bevoelkerung/import/", views.population_import, name="population-import"),
    path("bevoelkerung/bewegungen/", views.population_movements_import, name="population-movements-import"),
    path("bevoelkerung/eingabe/", views.population_entry, name="population-entry"),
    path("bevoelkerung/projektion/", views.population_project, name="population-project"),
    path("bevoelkerung/<int:series_id>/", views.population_series, name="population-series"),
    path(
        "bevoelkerung/<int:series_id>/loeschen/",
        views.population_series_delete,
        name="population-series-delete",
    ),
]
