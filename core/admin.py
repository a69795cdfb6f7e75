from django.contrib import admin

from core.models import Job, Membership, Municipality


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "ags", "land", "kind", "population"]
    list_filter = ["land", "kind"]
    search_fields = ["name", "slug", "ags"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role"]
    list_filter = ["role", "municipality"]
    autocomplete_fields = ["user", "municipality"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "municipality", "status", "progress", "attempts", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]
