"""Pages of the swot app under /kommunen/<slug>/swot/."""

from django.urls import path

from swot import views

app_name = "swot"
urlpatterns = [
    path("", views.index, name="index"),
    path("neu/", views.board_new, name="board-new"),
    path("massnahmen/", views.measures, name="measures"),
    path("beitreten/<str:code>/", views.join, name="join"),
    path("boards/<int:pk>/", views.board, name="board"),
    path("boards/<int:pk>/verlauf/", views.history, name="history"),
    path("boards/<int:pk>/verlauf/wiederherstellen/", views.history_restore, name="history-restore"),
    path("boards/<int:pk>/einladungen/", views.invites, name="invites"),
    path("boards/<int:pk>/export/record/", views.export_record, name="export-record"),
    path("boards/<int:pk>/export/csv/", views.export_csv, name="export-csv"),
    path("boards/<int:pk>/export/<str:fmt>/", views.export_start, name="export-start"),
    path("boards/<int:pk>/export/auftrag/<int:job_id>/", views.export_job, name="export-job"),
    path("boards/<int:pk>/export/datei/<int:job_id>/", views.export_download, name="export-download"),
]
