"""REST routes of resilience checks and balance sheets, mounted under /api/v1/."""

from django.urls import path

from planning.resilience.api.views import (
    BalanceSheetDetail,
    BalanceSheetImport,
    BalanceSheetList,
    Comparison,
    IndicatorTable,
    ResilienceRunDetail,
    ResilienceRunList,
    StressPresetList,
)

base = "municipalities/<slug:slug>/"
urlpatterns = [
    path(f"{base}balance-sheets/", BalanceSheetList.as_view(), name="balance-sheet-api-list"),
    path(f"{base}balance-sheets/import/", BalanceSheetImport.as_view(), name="balance-sheet-api-import"),
    path(f"{base}balance-sheets/<int:year>/", BalanceSheetDetail.as_view(), name="balance-sheet-api-detail"),
    path(f"{base}resilience/runs/", ResilienceRunList.as_view(), name="resilience-api-runs"),
    path(f"{base}resilience/runs/<int:pk>/", ResilienceRunDetail.as_view(), name="resilience-api-run"),
    path(f"{base}resilience/presets/", StressPresetList.as_view(), name="resilience-api-presets"),
    path(f"{base}resilience/indicators/", IndicatorTable.as_view(), name="resilience-api-indicators"),
    path(f"{base}resilience/comparison/", Comparison.as_view(), name="resilience-api-comparison"),
]
