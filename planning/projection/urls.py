"""Page routes for projections (names start with projection-, scenario-, room-)."""

from django.urls import path

from planning.projection import views

urlpatterns = [
    path("projektion/", views.projection_index, name="projection-index"),
    path("projektion/vergleich/", views.projection_compare, name="projection-compare"),
    path("projektion/altersprofile/", views.projection_profiles, name="projection-profiles"),
    path(
        "projektion/altersprofile/<int:profile_id>/loeschen/",
        views.projection_profile_delete,
        name="projection-profile-delete",
    ),
    path("projektion/alle-kommunen/", views.projection_batch, name="projection-batch"),
    path("szenarien/neu/", views.scenario_create, name="scenario-create"),
    path("szenarien/<int:scenario_id>/", views.scenario_detail, name="scenario-detail"),
    path("szenarien/<int:scenario_id>/bearbeiten/", views.scenario_edit, name="scenario-edit"),
    path("szenarien/<int:scenario_id>/berechnen/", views.scenario_run, name="scenario-run"),
    path("szenarien/<int:scenario_id>/loeschen/", views.scenario_delete, name="scenario-delete"),
    path("szenarien/<int:scenario_id>/export.<str:fmt>", views.scenario_export, name="scenario-export"),
    path("handlungsspielraum/", views.room_index, name="room-index"),
    path("handlungsspielraum/aufgabenart/", views.room_task_type, name="room-task-type"),
]
