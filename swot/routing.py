"""Websocket routes of the swot app."""

from django.urls import path

from swot.consumers import BoardConsumer

websocket_urlpatterns = [
    path("ws/swot/boards/<int:board_id>/", BoardConsumer.as_asgi()),
]
