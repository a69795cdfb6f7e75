from rest_framework import serializers

from core.models import Job, Membership, Municipality


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
