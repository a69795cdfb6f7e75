"""Log in from a script: username and password in, the user's API token out.

The token authenticates the REST API (``Authorization: Token <key>``) and the websockets (the same
header on the handshake, ``core.websocket_auth``). Wrong passwords count towards django-axes' lockout
exactly like the login page, because authentication goes through the same backends with the request.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response


class TokenLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


@extend_schema(
    request=TokenLoginSerializer,
    responses={
        200: inline_serializer(
            "TokenLoginResult", {"token": serializers.CharField(), "username": serializers.CharField()}
        )
    },
    summary="Log in with username and password; returns the user's API token",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def token_login(request):
    """The caller's API token (created on first use) for a valid username and password, else 400."""
    serializer = TokenLoginSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(request._request, **serializer.validated_data)
    if getattr(request._request, "axes_locked_out", False):
        return Response(
            {"code": "locked_out", "message": _("Zu viele Fehlversuche. Bitte später erneut versuchen.")},
            status=status.HTTP_403_FORBIDDEN,
        )
    if user is None or not user.is_active:
        return Response(
            {"code": "invalid_credentials", "message": _("Benutzername oder Passwort ist falsch.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    token, _created = Token.objects.get_or_create(user=user)
    return Response({"token": token.key, "username": user.get_username()})
