"""Read-mostly admin views of the budget data (imports and deletions go through the app's pages)."""

from django.contrib import admin

from finance.models import BudgetDataset, BudgetUpload, BudgetVersion, ImportProfile


@admin.register(BudgetDataset)
class BudgetDatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "created_at"]
    list_filter = ["municipality"]


@admin.register(BudgetVersion)
class BudgetVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "municipality", "source_name", "uploaded_at", "rows", "line_count"]
    list_filter = ["municipality"]
    readonly_fields = ["checksum", "mapping", "detected", "warnings", "rows", "line_count"]


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "header_fingerprint", "updated_at"]
    list_filter = ["municipality"]


@admin.register(BudgetUpload)
class BudgetUploadAdmin(admin.ModelAdmin):
    list_display = ["original_name", "municipality", "status", "created_at"]
    list_filter = ["municipality", "status"]
