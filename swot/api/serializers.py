"""Shapes of the swot REST API (validation of form only; business rules live in the services)."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from swot.models import Board, Invite, Measure
from swot.schemas import ACTION_SCHEMAS, rest_schema


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


# Bodies of the card endpoints: the fields of the ``card.create`` / ``card.update`` action schemas, which
# validate them (swot.schemas); these classes describe them in the OpenAPI schema.
CardCreateSerializer = rest_schema("card.create", "SwotCardCreate")
CardUpdateSerializer = rest_schema("card.update", "SwotCardUpdate", without=("card_id",))

# Any websocket message, one schema per ``type`` (swot.schemas.ACTION_SCHEMAS).
ActionSerializer = PolymorphicProxySerializer(
    component_name="SwotAction",
    serializers={kind: schema for kind, schema in sorted(ACTION_SCHEMAS.items())},
    resource_type_field_name="type",
)


class ActionResultSerializer(serializers.Serializer):
    """The ack of an action: ``seq`` of the event it stored plus the action's result fields."""

    seq = serializers.IntegerField(allow_null=True)


class GuestJoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="The invite code (spaces and case ignored).")
    display_name = serializers.CharField(max_length=80)


class GuestJoinResultSerializer(serializers.Serializer):
    """A guest's credential: ``guest_token`` opens the board's websocket (``Authorization: Guest ...``)."""

    board = serializers.DictField()
    participant = serializers.DictField()
    guest_token = serializers.CharField()
    ws_path = serializers.CharField()
    expires_at = serializers.DateTimeField()


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
