"""Page routes for measures (names start with measure-)."""

from django.urls import path

from planning.measures import views

urlpatterns = [
    path("massnahmen/", views.measure_index, name="measure-index"),
    path("massnahmen/neu/", views.measure_create, name="measure-create"),
    path("massnahmen/istwerte-import/", views.actuals_import, name="measure-actuals-import"),
    path("massnahmen/ziele-und-kennzahlen.<str:fmt>", views.goals_export, name="measure-goals-export"),
    path("massnahmen/<int:measure_id>/", views.measure_detail, name="measure-detail"),
    path("massnahmen/<int:measure_id>/bearbeiten/", views.measure_edit, name="measure-edit"),
    path("massnahmen/<int:measure_id>/status/", views.measure_status, name="measure-status"),
    path("massnahmen/<int:measure_id>/loeschen/", views.measure_delete, name="measure-delete"),
    path("massnahmen/<int:measure_id>/wirkungen/", views.effect_add, name="measure-effect-add"),
    path(
        "massnahmen/<int:measure_id>/wirkungen/<int:effect_id>/loeschen/",
        views.effect_delete,
        name="measure-effect-delete",
    ),
    path("massnahmen/<int:measure_id>/kennzahlen/", views.indicator_add, name="measure-indicator-add"),
    path(
        "massnahmen/<int:measure_id>/kennzahlen/<int:indicator_id>/ist/",
        views.actual_add,
        name="measure-actual-add",
    ),
    path(
        "strategien/<int:strategy_id>/als-massnahme/",
        views.measure_from_strategy,
        name="measure-from-strategy",
    ),
]
