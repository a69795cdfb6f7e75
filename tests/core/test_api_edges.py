"""Issue 14, items 4, 6-12, 16, 17: the shared edge mechanisms (parsers, parameters, bounds, filters,
body limit, archive checks, conflicts, CSP, client address)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import RequestFactory

from core.api.parsers import loads_strict
from core.clientip import client_ip
from core.files import ArchiveLimits, ArchiveRejected, check_archive, check_xlsx
from core.limits import BodySizeLimitMiddleware
from core.params import InvalidParameter, parse_id, parse_year
from tests.planning.factories import budget_version

BASE = "/api/v1/municipalities/musterstadt"


# -- item 6: one parser for ids and years ---------------------------------------------------------------
@pytest.mark.parametrize("value", ["²", "٣", "12a", "", "-1", "0", "99999999999999999999", " 1 2"])
def test_ids_are_ascii_digits_within_bigint(value):
    with pytest.raises(InvalidParameter):
        parse_id(value)


@pytest.mark.parametrize(("value", "expected"), [("1900", 1900), ("2025", 2025), (" 2030 ", 2030)])
def test_years_parse_within_their_range(value, expected):
    assert parse_year(value) == expected


@pytest.mark.parametrize("value", ["1899", "2201", "²⁰²⁵", "2025.0"])
def test_implausible_years_are_refused(value):
    with pytest.raises(InvalidParameter):
        parse_year(value)


# -- item 7: JSON edges ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1e400}', '{"a": "x\\u0000y"}',
     '{"a\\u0000": 1}', "[" * 100 + "]" * 100, "[" * 100_000 + "]" * 100_000],
)  # fmt: skip
def test_strict_json_refuses_what_the_database_and_engines_cannot_take(body):
    with pytest.raises(ValueError):
        loads_strict(body)


def test_strict_json_keeps_ordinary_values():
    assert loads_strict('{"a": [1, 2.5, "ä", null, {"b": 1e308}]}') == {
        "a": [1, 2.5, "ä", None, {"b": 1e308}]
    }


@pytest.mark.parametrize(
    "body",
    ['{"fertility_factor": NaN}', '{"fertility_factor": 1e308}', '{"net_migration": 1e400}',
     '{"horizon": ' + "[" * 5000 + "]" * 5000 + "}", '{"base_year": "²"}'],
)  # fmt: skip
def test_population_projection_answers_400_with_a_message(api_client, municipality, planner, body):
    # Given a planner; when an absurd or broken body is posted
    api_client.force_authenticate(planner)
    response = api_client.post(f"{BASE}/population/projection/", body, content_type="application/json")
    # Then 400 with a message, nothing computed
    assert response.status_code == 400
    assert response.json()


def test_shock_values_are_bounded(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    shock = {"group": "40", "kind": "percent", "value": 1e12}
    response = api_client.post(f"{BASE}/resilience/runs/", {"shocks": [shock]}, format="json")
    assert response.status_code == 400
    assert "value" in json.dumps(response.json())


# -- item 8: every numeric request field of the schema is bounded ------------------------------------
# Ids of referenced objects are checked by their lookup (an out-of-range id is an unknown id, 400); the SWOT
# card fields belong to the swotproto lane (issue 14 item 5).
REFERENCES_AND_ELSEWHERE = (
    ".budget_version",
    ".population",
    "CardCreateRequest.properties.after_id",
    "PatchedCardUpdateRequest.properties.expected_version",
    "CardUpdateRequest.properties.expected_version",
    # references merged from the stakeholders and districts lanes (checked by their lookups)
    ".district",
    ".source",
    ".target",
)


def test_every_numeric_request_field_of_the_schema_states_its_range(api_client, planner):
    api_client.force_authenticate(planner)
    schema = api_client.get("/api/v1/schema/?format=json").json()
    unbounded = []

    def walk(node, where):
        if isinstance(node, dict):
            numeric = node.get("type") in ("number", "integer") and not node.get("readOnly")
            if numeric and ("maximum" not in node or "minimum" not in node):
                unbounded.append(where)
            for key, child in node.items():
                walk(child, f"{where}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}[{i}]")

    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            walk(component, name)
    assert not [where for where in unbounded if not where.endswith(REFERENCES_AND_ELSEWHERE)], unbounded


@pytest.mark.parametrize("revision", [0, 2**31, 2**63, -1])
def test_stakeholder_revision_is_bounded_like_the_others(api_client, municipality, planner, revision):
    # Given a stakeholder (revision 1)
    from stakeholders.services import stakeholder_create

    awo = stakeholder_create(municipality=municipality, name="AWO Ortsverein", sector="third", kind="welfare")
    api_client.force_authenticate(planner)
    # When a change names a revision outside 1 .. 2**31-1
    response = api_client.patch(
        f"{BASE}/stakeholders/{awo.pk}/", {"name": "AWO", "revision": revision}, format="json"
    )
    # Then 400 naming the field, and nothing changed
    assert response.status_code == 400, response.content
    assert "revision" in response.json()
    awo.refresh_from_db()
    assert (awo.name, awo.revision) == ("AWO Ortsverein", 1)


# -- item 9: concurrent creation -> 409 with the current object; revision 0 = "I saw none" --------------
def test_list_post_of_an_existing_year_is_409_with_the_current_sheet(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    sheet = {"year": 2024, "general_reserve": "1000.00", "equalisation_reserve": "500.00"}
    assert api_client.post(f"{BASE}/balance-sheets/", sheet, format="json").status_code == 201
    again = api_client.post(f"{BASE}/balance-sheets/", {**sheet, "general_reserve": "1.00"}, format="json")
    assert again.status_code == 409
    assert again.json()["current"]["general_reserve"] == "1000.00"
    # and a PUT with revision 0 ("I saw none") does not overwrite it either
    put = api_client.put(f"{BASE}/balance-sheets/2024/", {**sheet, "revision": 0}, format="json")
    assert put.status_code == 409


# -- items 4 and 10: filters scoped to the municipality, enum values validated ------------------------
def test_a_filter_by_another_municipalitys_id_answers_like_an_unknown_id(
    api_client, municipality, other_municipality, planner
):
    foreign = budget_version(other_municipality, [("010101", "4011", 2024, "plan", "1")])
    api_client.force_authenticate(planner)
    unknown = api_client.get(f"{BASE}/budget/versions/?dataset=987654")
    elsewhere = api_client.get(f"{BASE}/budget/versions/?dataset={foreign.dataset_id}")
    assert unknown.status_code == elsewhere.status_code == 400
    assert unknown.json().keys() == elsewhere.json().keys()


@pytest.mark.parametrize("query", ["status=whatever", "kind=whatever", "phase=x", "year=²", "version=²"])
def test_unknown_filter_values_answer_400(api_client, municipality, planner, query):
    api_client.force_authenticate(planner)
    path = "/api/v1/jobs/" if query.startswith(("status", "kind")) else f"{BASE}/budget/lines/"
    assert api_client.get(f"{path}?{query}").status_code == 400


# -- item 11: body limit before reading ---------------------------------------------------------------
async def _run_asgi(headers, chunks):
    sent, reached = [], []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            reached.append(message["type"])
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    queue = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]

    async def receive():
        return queue.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "headers": headers}
    await BodySizeLimitMiddleware(app)(scope, receive, send)
    return sent, reached


async def test_a_declared_oversized_body_is_refused_before_reading(settings):
    sent, reached = await _run_asgi([(b"content-length", str(150 * 2**20).encode())], [b"x"])
    assert sent[0]["status"] == 413 and reached == []


async def test_a_chunked_body_is_cut_off_at_the_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    sent, reached = await _run_asgi([], [b"x" * 600, b"x" * 600, b"x" * 600])
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
    assert reached == ["http.request", "http.disconnect"]


async def test_multipart_bodies_get_the_upload_limit(settings):
    settings.MAX_UPLOAD_BYTES = 5 * 2**20
    ok, _ = await _run_asgi(
        [(b"content-type", b"multipart/form-data; boundary=x"), (b"content-length", b"4")], [b"abcd"]
    )
    assert ok[0]["status"] == 200


# -- item 12: archive checks ---------------------------------------------------------------------------
def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory():
    bomb = _zip({"xl/worksheets/sheet1.xml": b"\0" * (30 * 2**20)})
    assert len(bomb) < 100_000
    with pytest.raises(ArchiveRejected, match="Archivbombe"):
        check_archive(bomb)


def test_a_sheet_declaring_too_many_rows_is_refused():
    sheet = b'<worksheet><dimension ref="A1:K2000000"/><sheetData/></worksheet>'
    with pytest.raises(ArchiveRejected, match="2000000 Zeilen"):
        check_xlsx(_zip({"xl/worksheets/sheet1.xml": sheet}))
    check_xlsx(_zip({"xl/worksheets/sheet1.xml": sheet.replace(b"2000000", b"52")}))  # a real size passes
    with pytest.raises(ArchiveRejected):
        small = _zip({"xl/worksheets/sheet1.xml": sheet.replace(b"2000000", b"52")})
        check_xlsx(small, limits=ArchiveLimits(max_rows=10))


def test_balance_sheet_import_refuses_a_bomb_with_400(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    bomb = io.BytesIO(_zip({"xl/worksheets/sheet1.xml": b"<a/>" * (10 * 2**20)}))
    bomb.name = "bilanz.xlsx"
    response = api_client.post(f"{BASE}/balance-sheets/import/", {"file": bomb}, format="multipart")
    assert response.status_code == 400
    assert "entpackt" in json.dumps(response.json(), ensure_ascii=False)


# -- item 16: CSP ---------------------------------------------------------------------------------------
def test_pages_carry_a_content_security_policy_without_unsafe_script(client, planner):
    client.force_login(planner)
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script and "unsafe-eval" not in script
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


# -- item 17: client address behind trusted proxies ------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [(0, "1.1.1.1", "10.0.0.1"), (1, "6.6.6.6, 2.2.2.2", "2.2.2.2"),
     (2, "6.6.6.6, 2.2.2.2, 10.0.0.9", "2.2.2.2"), (2, "2.2.2.2", "10.0.0.1"), (1, "not-an-ip", "10.0.0.1")],
)  # fmt: skip
def test_the_lockout_address_comes_from_the_trusted_forwarded_entry(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_one_year_give_one_sheet_and_one_conflict(municipality):
    # Given one request that has inserted the sheet of 2024 but not committed yet
    import threading
    import time

    from django.db import connection, transaction

    from planning.resilience import services
    from tests.conftest import require_postgres

    require_postgres()
    values = {"general_reserve": 1000, "equalisation_reserve": 500}
    inserted, outcome = threading.Event(), {}

    def first():
        with transaction.atomic():
            services.balance_sheet_set(municipality=municipality, year=2024, values=values)
            inserted.set()
            time.sleep(1)  # the second request arrives while this one is still open
        connection.close()

    def second():
        inserted.wait(10)
        try:
            services.balance_sheet_set(
                municipality=municipality, year=2024, values={**values, "general_reserve": 1}
            )
            outcome["result"] = "created"
        except services.BalanceSheetConflict as exc:
            outcome["result"] = exc.current
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # Then the second one is told about the first one's sheet (409 in the API), not a 500
    assert outcome["result"] != "created"
    assert outcome["result"].general_reserve == 1000


def test_files_read_whole_in_the_web_process_have_a_size_limit(api_client, municipality, planner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.files import SMALL_FILE_MAX_BYTES

    api_client.force_authenticate(planner)
    big = SimpleUploadedFile("bevoelkerung.csv", b"2024;0-5;1\n" * (SMALL_FILE_MAX_BYTES // 11 + 10))
    response = api_client.post(f"{BASE}/population/", {"file": big}, format="multipart")
    assert response.status_code == 400
    assert "höchstens 20 MB" in json.dumps(response.json(), ensure_ascii=False)


def test_a_page_whose_input_overflows_the_database_answers_400(rf):
    from django.db import DataError

    from core.middleware import BadInputMiddleware

    middleware = BadInputMiddleware(lambda request: None)
    response = middleware.process_exception(rf.post("/x/"), DataError("numeric field overflow"))
    assert response.status_code == 400
    assert middleware.process_exception(rf.post("/x/"), KeyError("a bug")) is None


def test_behind_a_proxy_one_attacker_does_not_lock_a_user_out_for_everyone(
    client, settings, municipality, member_factory
):
    from tests.factories import PASSWORD

    # Given one trusted reverse proxy at 10.0.0.1 that appends the client address to X-Forwarded-For
    settings.TRUSTED_PROXY_COUNT = 1
    member_factory(municipality, username="leser")
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # When an attacker at 6.6.6.6 (forging an X-Forwarded-For of its own) fails five times
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "leser", "password": "falsch"},
            HTTP_X_FORWARDED_FOR="2.2.2.2, 6.6.6.6",
            **via_proxy,
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "leser", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        **via_proxy,
    )
    # Then the attacker is locked out, but the user at 2.2.2.2 still logs in through the same proxy
    assert locked.status_code == 429
    user = client.post(
        "/accounts/login/",
        {"username": "leser", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="2.2.2.2",
        **via_proxy,
    )
    assert user.status_code == 302


@pytest.mark.parametrize(
    "path",
    ["/api/v1/gibt-es-nicht/", f"{BASE}/measures/-1/", f"{BASE}/swot/boards/1/cards/abc/", "/api/v1/%00/"],
)
def test_api_addresses_without_a_route_answer_json_404(api_client, municipality, planner, path):
    # Given a planner; when an API address matches no route (an id that is no number)
    api_client.force_authenticate(planner)
    response = api_client.get(path)
    # Then 404 in the API's shape, not the HTML page
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
