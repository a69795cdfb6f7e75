"""Websocket consumers of the core app: live job progress."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from core.db import db_sync_to_async
from core.models import Job
from core.permissions import can


@db_sync_to_async
def _visible_job(user, job_id: int) -> Job | None:
    job = Job.objects.select_related("municipality").filter(pk=job_id).first()
    if job is None or not user.is_authenticated:
        return None
    if job.municipality is None:
        return job if (user.is_superuser or job.requested_by_id == user.pk) else None
    return job if can(user, job.municipality) else None


class JobProgressConsumer(AsyncJsonWebsocketConsumer):
    """Streams one job's state: a snapshot on connect, then every update until the job ends.

    Updates are state, not deltas, so a dropped group message only delays the bar; the browser
    falls back to polling the REST endpoint if the socket closes early.
    """

    async def connect(self):
        job = await _visible_job(self.scope["user"], int(self.scope["url_route"]["kwargs"]["job_id"]))
        if job is None:
            await self.close(code=4403)
            return
        self.group = job.group_name
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(job.as_event())

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # The stream is one-way; anything a client sends is ignored.
        return

    async def job_update(self, event):
        await self.send_json(event["job"])


class UnknownAddressConsumer(AsyncWebsocketConsumer):
    """Any websocket address no app routes (the last route): the handshake is refused (403), where the
    router would raise and the server answer 500."""

    async def connect(self):
        await self.close()
