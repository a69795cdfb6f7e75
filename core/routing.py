"""Websocket routes of the core app."""

from django.urls import path

from core.consumers import JobProgressConsumer

websocket_urlpatterns = [
    path("ws/jobs/<int:job_id>/", JobProgressConsumer.as_asgi()),
]
