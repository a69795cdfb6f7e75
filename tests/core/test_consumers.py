"""Job progress over websockets, through the configured channel layer (Redis in CI)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application
from core.jobs import JobContext, job_create
from tests.conftest import require_redis

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(user, job_id):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/jobs/{job_id}/",
        headers=[(b"host", b"localhost"), (b"origin", b"http://localhost")],
    )
    communicator.scope["user"] = user
    return communicator


async def test_member_receives_snapshot_then_live_progress(municipality, planner):
    job = await sync_to_async(job_create)(kind="core.selftest", municipality=municipality)
    communicator = _communicator(planner, job.pk)
    connected, _ = await communicator.connect()
    assert connected
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["status"] == "queued" and snapshot["progress"] == 0
    await sync_to_async(JobContext(job).progress)(40, "Hälfte")
    update = await communicator.receive_json_from(timeout=5)
    assert (update["progress"], update["message"]) == (40, "Hälfte")
    await communicator.disconnect()


async def test_non_member_is_refused(municipality, outsider):
    job = await sync_to_async(job_create)(kind="core.selftest", municipality=municipality)
    communicator = _communicator(outsider, job.pk)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403


async def test_anonymous_is_refused(municipality):
    from django.contrib.auth.models import AnonymousUser

    job = await sync_to_async(job_create)(kind="core.selftest", municipality=municipality)
    connected, _ = await _communicator(AnonymousUser(), job.pk).connect()
    assert not connected


def test_redis_channel_layer_is_used_when_configured():
    require_redis()
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
