"""Shapes of the swot REST API (validation of form only; business rules live in the services)."""

from rest_framework import serializers

from swot.dispatch import ACTIONS
from swot.models import Board, Invite, Measure, Quadrant


class BoardSerializer(serializers.ModelSerializer):
    card_count = serializers.IntegerField(read_only=True, default=0)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Board
        fields = [
            "id", "title", "description", "phase", "locked", "anonymous", "anonymous_votes",
            "hide_while_collecting", "revealed", "vote_budget", "seq", "created_at", "card_count", "url",
        ]  # fmt: skip
        read_only_fields = ["id", "phase", "locked", "revealed", "seq", "created_at", "card_count", "url"]


class BoardSettingsSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    anonymous = serializers.BooleanField(required=False)
    anonymous_votes = serializers.BooleanField(required=False)
    hide_while_collecting = serializers.BooleanField(required=False)
    vote_budget = serializers.IntegerField(min_value=1, max_value=50, required=False)


class CardCreateSerializer(serializers.Serializer):
    quadrant = serializers.ChoiceField(choices=Quadrant.choices)
    text = serializers.CharField(max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    colour = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    after_id = serializers.IntegerField(required=False, allow_null=True)


class CardUpdateSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(help_text="The card version this edit is based on.")
    text = serializers.CharField(max_length=500, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    colour = serializers.CharField(max_length=30, required=False, allow_blank=True)


class ActionSerializer(serializers.Serializer):
    """A websocket message (see docs/swot-protocol.md); its other fields depend on ``type``."""

    type = serializers.ChoiceField(choices=sorted(ACTIONS))


class ActionResultSerializer(serializers.Serializer):
    seq = serializers.IntegerField(allow_null=True)


class InviteSerializer(serializers.ModelSerializer):
    guests = serializers.IntegerField(read_only=True, default=0)
    join_url = serializers.SerializerMethodField()

    class Meta:
        model = Invite
        fields = ["id", "code", "label", "expires_at", "revoked_at", "created_at", "guests", "join_url"]
        read_only_fields = fields

    def get_join_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("swot:join", kwargs={"slug": obj.board.municipality.slug, "code": obj.code})


class InviteCreateSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=90, default=7)
    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class MeasureSerializer(serializers.ModelSerializer):
    board_id = serializers.IntegerField(source="source_strategy.board_id", read_only=True, default=None)

    class Meta:
        model = Measure
        fields = [
            "id", "title", "description", "owner", "deadline", "indicator", "cost_estimate",
            "budget_product_code", "source_strategy", "board_id", "status", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
