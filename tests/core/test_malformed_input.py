"""Malformed input that reaches Django or Channels before any view or consumer checks it: a 4xx with a
message (websockets: a refused handshake or the 4403 close), never a 500 or a crashed connection."""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from core.db import db_sync_to_async
from core.models import Role
from swot import services

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "/api/v1/municipalities/musterstadt"
MANY_FIELDS = "&".join(f"f{i}=1" for i in range(1500))  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000


def _communicator(path: str, *headers: tuple[bytes, bytes], query: bytes = b"") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, path, headers=[(b"host", b"localhost"), (b"origin", b"http://localhost"), *headers]
    )
    communicator.scope["query_string"] = query
    return communicator


@pytest.mark.parametrize("path", ["/ws/swot/boards/abc/", "/ws/gibt-es-nicht/", "/ws/jobs/1/x/"])
async def test_an_unknown_websocket_address_is_refused_in_the_handshake(path):
    # When a client opens a websocket at an address no app routes
    connected, code = await _communicator(path).connect(timeout=5)
    # Then the handshake is refused (403 for the client), the router raises nothing
    assert not connected and code == 1000


@pytest.fixture
def board(municipality, member_factory):
    facilitator = member_factory(municipality, Role.FACILITATOR, username="moderation")
    return services.board_create(municipality=municipality, title="Innenstadt", created_by=facilitator)


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ((), b"guest=\xff\xfe"),  # raw bytes that are not UTF-8 (a client need not percent-encode)
        (((b"authorization", b"Token \x00abc"),), b""),  # a NUL character PostgreSQL cannot compare
        (((b"authorization", b"Token " + b"a" * 5000),), b""),
        (((b"authorization", b"Guest " + b"x" * 5000),), b""),
        (((b"cookie", b"expires=1; a b=c; \xff=\xfe"),), b""),
    ],
)
async def test_a_malformed_credential_is_no_access_not_a_crash(board, headers, query):
    # When a client connects to a board with a broken credential
    client = _communicator(f"/ws/swot/boards/{board.pk}/", *headers, query=query)
    connected, _code = await client.connect(timeout=5)
    # Then it is accepted, told it has no access and closed with 4403 (what clients observe)
    assert connected
    error = await client.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "forbidden") and error["message"]
    assert await client.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_a_valid_token_still_opens_the_board(board, municipality, member_factory):
    from rest_framework.authtoken.models import Token

    member = await db_sync_to_async(member_factory)(municipality, Role.FINANCE, username="kaemmerer")
    token = await db_sync_to_async(Token.objects.create)(user=member)
    client = _communicator(f"/ws/swot/boards/{board.pk}/", (b"authorization", f"Token {token.key}".encode()))
    assert (await client.connect(timeout=5))[0]
    assert (await client.receive_json_from(timeout=5))["type"] == "hello"
    await client.disconnect()


def test_an_api_request_with_too_many_fields_is_a_json_400(client, municipality, planner):
    client.force_login(planner)
    for response in (
        client.get(f"{BASE}/scenarios/?{MANY_FIELDS}"),
        client.post(f"{BASE}/scenarios/", MANY_FIELDS, content_type="application/x-www-form-urlencoded"),
    ):
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")
        assert "zu viele Felder" in response.json()["detail"]


def test_a_page_request_with_too_many_fields_is_the_german_400_page(client, municipality, planner):
    # Given a signed-in planner and the login form of an anonymous visitor
    client.force_login(planner)
    page = client.get(f"/kommunen/{municipality.slug}/haushalt/?{MANY_FIELDS}")
    login = client.__class__().post(
        "/accounts/login/", MANY_FIELDS, content_type="application/x-www-form-urlencoded"
    )
    # Then both get the 400 page in German, with the way back
    for response in (page, login):
        assert response.status_code == 400
        html = response.content.decode()
        assert "Ungültige Anfrage" in html and 'lang="de"' in html
