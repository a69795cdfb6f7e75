from django.urls import path

from finance import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("daten/", views.data, name="data"),
    path("import/", views.upload, name="upload"),
    path("import/<int:upload_id>/", views.upload_detail, name="upload-detail"),
    path("import/<int:upload_id>/vorschau/", views.upload_preview, name="upload-preview"),
    path("import/<int:upload_id>/verwerfen/", views.upload_delete, name="upload-delete"),
    path("versionen/<int:version_id>/quelle/", views.version_source, name="version-source"),
    path("versionen/<int:version_id>/standard-datensatz/", views.version_ohh, name="version-ohh"),
    path("versionen/<int:version_id>/fiscal-data-package/", views.version_fdp, name="version-fdp"),
    path("versionen/<int:version_id>/loeschen/", views.version_delete, name="version-delete"),
    path("versionen/<int:version_id>/status/", views.version_status, name="version-status"),
    path("datensaetze/<int:dataset_id>/loeschen/", views.dataset_delete, name="dataset-delete"),
    path("importprofile/<int:profile_id>/loeschen/", views.profile_delete, name="profile-delete"),
]
