from django.contrib import admin

from swot.models import Board, BoardEvent, Card, Invite, Measure, Participant, Strategy


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "phase", "locked", "seq", "created_at"]
    list_filter = ["municipality", "phase"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["text", "board", "quadrant", "version", "deleted_at"]
    list_filter = ["quadrant"]


@admin.register(BoardEvent)
class BoardEventAdmin(admin.ModelAdmin):
    list_display = ["board", "seq", "kind", "actor_name", "created_at"]
    readonly_fields = ["board", "seq", "kind", "payload", "actor", "actor_name", "created_at"]


admin.site.register(Invite)
admin.site.register(Participant)
admin.site.register(Strategy)
admin.site.register(Measure)
