"""Websocket routes of all apps, collected in one list for config.asgi."""

from django.urls import re_path

from core.consumers import UnknownAddressConsumer
from core.routing import websocket_urlpatterns as core_ws
from swot.routing import websocket_urlpatterns as swot_ws

websocket_urlpatterns = [*core_ws, *swot_ws]
# last: an unknown address is refused in the handshake (403), not a 500 from the router
websocket_urlpatterns.append(re_path(r"", UnknownAddressConsumer.as_asgi()))
