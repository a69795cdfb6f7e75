"""Websocket routes of all apps, collected in one list for config.asgi."""

from core.routing import websocket_urlpatterns as core_ws
from swot.routing import websocket_urlpatterns as swot_ws

websocket_urlpatterns = [*core_ws, *swot_ws]
