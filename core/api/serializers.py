from rest_framework import serializers

from core import audit
from core.models import AuditEntry, Job, Membership, Municipality


class MunicipalitySerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Municipality
        fields = ["slug", "name", "ags", "land", "kind", "population", "role"]

    def get_role(self, obj) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(obj.pk)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]


class JobSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "municipality",
            "status",
            "progress",
            "message",
            "result",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class AuditEntrySerializer(serializers.ModelSerializer):
    """One audit entry: ``action`` is the stable key, ``action_label`` its text in the request's language."""

    actor = serializers.CharField(source="actor_name", read_only=True)
    action_label = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "actor", "action", "action_label", "target_type", "target_id",
                  "target_label", "changes"]  # fmt: skip
        read_only_fields = fields

    def get_action_label(self, obj) -> str:
        return audit.action_label(obj.action)
