from django.urls import path

from stakeholders import views

app_name = "stakeholders"
urlpatterns = [
    path("", views.index, name="index"),
    path("neu/", views.create, name="create"),
    path("raster/", views.grid, name="grid"),
    path("netzwerk/", views.network_page, name="network"),
    path("ressourcen/", views.resources, name="resources"),
    path("export/", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:batch_id>/", views.import_preview, name="import-preview"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.edit, name="edit"),
    path("<int:pk>/einschaetzen/", views.assess, name="assess"),
    path("<int:pk>/verknuepfen/", views.link, name="link"),
    path("<int:pk>/kontakt/", views.engage, name="engage"),
    path("<int:pk>/loeschen/", views.delete, name="delete"),
    path("<int:pk>/auskunft.<str:fmt>", views.person_record, name="person-record"),
    path("<int:pk>/anonymisieren/", views.erase, name="erase"),
    path("beziehungen/<int:relationship_id>/entfernen/", views.unlink, name="unlink"),
    path("kontakte/<int:engagement_id>/erledigt/", views.engagement_done, name="engagement-done"),
]
