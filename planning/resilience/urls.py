"""Page routes for resilience checks (names start with resilience-, balance-)."""

from django.urls import path

from planning.resilience import views as views

urlpatterns: list = [
    path("resilienz/", views.resilience_index, name="resilience-index"),
    path("resilienz/pruefen/", views.resilience_run_start, name="resilience-run-start"),
    path("resilienz/laeufe/<int:run_id>/", views.resilience_run, name="resilience-run"),
    path(
        "resilienz/laeufe/<int:run_id>/export.csv", views.resilience_run_export, name="resilience-run-export"
    ),
    path("resilienz/kennzahlen/", views.resilience_indicators, name="resilience-indicators"),
    path("resilienz/vergleich/", views.resilience_comparison, name="resilience-comparison"),
    path("bilanz/", views.balance_sheets, name="balance-sheets"),
    path("bilanz/speichern/", views.balance_sheet_save, name="balance-sheet-save"),
    path("bilanz/import/", views.balance_sheet_import, name="balance-sheet-import"),
    path("bilanz/<int:year>/loeschen/", views.balance_sheet_delete, name="balance-sheet-delete"),
]
