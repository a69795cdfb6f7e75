"""Audit of the non-negotiable: a municipality's data is visible only to its members, everywhere.

Every URL pattern of the project is walked (pages, REST API, exports, downloads): routes added later
are covered without touching this module. Each parameter of a route is filled with a REAL object of
the demo municipality Musterstadt (``load_demo`` plus the kinds the demo lacks), so a 404 means "not
yours", never "no such object". A route with a parameter this module cannot fill makes the audit
fail: add the parameter to ``PARAMETER_RULES``. A route that is not about a municipality at all (login,
the Django admin, the API schema) must be listed in ``EXEMPT`` with the reason.

Checks, as an admin of another municipality (not a superuser): GET, OPTIONS, POST, PUT, PATCH and
DELETE answer 403, 404 or 405 (never 2xx, never a redirect), no answer names Musterstadt or one of
its objects, and nothing stored changes; Musterstadt's ids smuggled into the outsider's own pages and
endpoints pull nothing over. As Musterstadt's admin, the same URLs reach the objects (so the 404s are
meaningful). As a viewer of Musterstadt: reading works, writing through the API is refused.
The websocket routes (``config/routing.py``) are checked by tests/*/test_consumers.py.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from core import services as core_services
from core.demo import DEMO_SLUG
from core.jobs import job_create, job_enqueue
from core.models import District, Job, Municipality, Role
from finance import services as finance_services
from finance.demo import budget_csv
from finance.models import BudgetDataset, BudgetUpload, BudgetVersion, ImportProfile
from planning.districts.models import Indicator, IndicatorValue, Offer
from planning.models import AgeProfile, BalanceSheet, PopulationSeries, ResilienceRun, Scenario
from planning.projection.services import age_profile_set
from stakeholders import services as stakeholder_services
from stakeholders.models import Engagement, Relationship, Stakeholder
from swot import exports
from swot import services as swot_services
from swot.access import actor_for_user
from swot.models import Board, Card, Invite, Measure, Phase

pytestmark = pytest.mark.django_db

READ_METHODS = ("get", "options")
WRITE_METHODS = ("post", "put", "patch", "delete")
METHODS = (*READ_METHODS, *WRITE_METHODS)
PROJECT_APPS = ("core", "finance", "planning", "swot", "stakeholders")

# Routes that belong to no municipality: (route prefix or URL name, why they are not audited here).
EXEMPT: dict[str, str] = {
    "admin/": "Django admin: staff accounts only (is_staff), not a municipality role",
    "accounts/": "login, logout and password pages: no municipality data",
    "i18n/": "language switch: no municipality data",
    "favicon.ico": "static redirect",
    "api/v1/schema/": "OpenAPI schema: describes the API, holds no data",
    "api/v1/docs/": "Swagger UI: describes the API, holds no data",
    "api-root": "DRF's list of endpoints: holds no data",
    "api/v1/auth/": "token login for scripts (like accounts/ login): no municipality data",
}
# Routes open to people who are not members, by design; each is tested on its own below.
BY_DESIGN: dict[str, str] = {
    "swot:join": "guests join a board with a valid invite code and no account (test_guest_join_*)",
    "swot-guest-join": "the same over the API (tests/swot/test_api.py::test_guest_joins_by_code_*)",
    "invitation-accept": "whoever holds the invitation token joins (tests/core/test_administration.py)",
}

# How each URL parameter is filled: (parameter, the route text just before it ends with, object key).
# The first rule that fits wins; "" fits any route. ``pk`` always needs the route text.
PARAMETER_RULES: list[tuple[str, str, str]] = [
    ("slug", "", "slug"),
    ("version_id", "", "version"),
    ("dataset_id", "", "dataset"),
    ("upload_id", "", "upload"),
    ("profile_id", "importprofile/", "import_profile"),
    ("profile_id", "altersprofile/", "age_profile"),
    ("series_id", "", "series"),
    ("scenario_id", "", "scenario"),
    ("run_id", "", "run"),
    ("year", "bilanz/", "balance_year"),
    ("year", "balance-sheets/", "balance_year"),
    ("job_id", "", "job"),
    ("membership_id", "", "membership"),
    ("invitation_id", "", "invitation"),
    ("token", "einladung/", "invitation_token"),
    ("card_id", "", "card"),
    ("invite_id", "", "invite"),
    ("code", "beitreten/", "invite_code"),
    ("fmt", "export.", "table_format"),  # scenario export.<fmt>
    ("fmt", "export/", "binary_format"),  # SWOT export/<fmt>/
    ("pk", "budget/datasets/", "dataset"),
    ("pk", "budget/versions/", "version"),
    ("pk", "budget/profiles/", "import_profile"),
    ("pk", "budget/uploads/", "upload"),
    ("pk", "swot/boards/", "board"),
    ("pk", "swot/measures/", "measure"),
    ("pk", "resilience/runs/", "run"),
    ("pk", "jobs/", "job"),
    ("district_id", "", "district"),
    ("indicator_id", "", "indicator"),
    ("offer_id", "", "offer"),
    ("pk", "districts/", "district"),
    ("pk", "offers/", "offer"),
    ("pk", "akteure/", "stakeholder"),
    ("pk", "stakeholders/", "stakeholder"),
    ("pk", "stakeholder-relationships/", "relationship"),
    ("pk", "stakeholder-engagements/", "engagement"),
    ("batch_id", "", "stakeholder_import"),
    ("relationship_id", "", "relationship"),
    ("engagement_id", "", "engagement"),
    ("fmt", "auskunft.", "record_format"),  # a person's Art. 15 record
]
# Jobs that only read (a viewer may start them: exporting is part of viewing).
READ_JOB_KINDS = ("swot.export",)
# Reads a viewer may not do by design (members list: MANAGE; invites with their codes: FACILITATE).
VIEWER_FORBIDDEN_READS = {
    "municipality-members",
    "municipality-audit",
    "swot-board-invites",
    "stakeholder-record",
}
# Reads that belong to the member who started them (a SWOT PDF/PNG shows the board as its requester saw
# it, face-down cards included): 404 for every other member.
REQUESTER_ONLY_READS = {"swot:export-job", "swot:export-download"}

_PARAM = re.compile(r"\(\?P<(?P<regex>\w+)>|<(?:\w+:)?(?P<path>\w+)>")


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str  # the full pattern text, e.g. "kommunen/<slug:slug>/swot/boards/<int:pk>/"
    callback: object
    params: tuple[tuple[str, str], ...]  # (parameter, route text before it)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.params)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_global(self) -> bool:
        """Names no municipality and no object: lists the caller's own things (home, /api/v1/jobs/)."""
        return not self.params


def _routes(resolver=None, prefix: str = "", namespace: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            params = tuple(
                (m.group("regex") or m.group("path"), route[: m.start()]) for m in _PARAM.finditer(route)
            )
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(name, route, entry.callback, params)


def _exempt(route: Route) -> bool:
    return any(route.route.startswith(key) or route.name == key for key in EXEMPT)


def audited_routes() -> list[Route]:
    """Every route except the exempt ones and DRF's ``.json`` format-suffix twins of the same view."""
    return [r for r in _routes() if "format" not in r.names and not _exempt(r)]


@dataclass
class Demo:
    municipality: Municipality
    objects: dict[str, object]
    needles: list[str] = field(default_factory=list)


def _fill(route: Route, objects: dict[str, object]) -> tuple[dict[str, object], list[str]]:
    kwargs, missing = {}, []
    for param, before in route.params:
        key = next((k for p, end, k in PARAMETER_RULES if p == param and before.endswith(end)), None)
        if key is None:
            missing.append(
                f"{route.name or route.route}: no rule for parameter {param!r} after {before!r}: add one "
                "to PARAMETER_RULES (and a real object of Musterstadt to the `demo` fixture)"
            )
        else:
            kwargs[param] = objects[key]
    return kwargs, missing


def concrete_urls(demo: Demo, routes: list[Route]) -> list[tuple[Route, str]]:
    """A URL per route, pointing at a real object of Musterstadt; fails on a route it cannot fill."""
    urls, problems = [], []
    for route in routes:
        if route.name is None:
            problems.append(f"{route.route}: unnamed route; give it a name= so the audit can build it")
            continue
        kwargs, missing = _fill(route, demo.objects)
        problems += missing
        if missing:
            continue
        url = reverse(route.name, kwargs=kwargs)
        if resolve(url).func is not route.callback:
            problems.append(f"{route.name}: reverse() built {url}, which is another view (name used twice?)")
            continue
        urls.append((route, url))
    assert not problems, "\n".join(problems)
    return urls


def _body(response) -> str:
    """The answer as text; a file download is read and closed (without the ``request_finished``
    signal closing the test's database connection, as the test client does for other answers)."""
    if not getattr(response, "streaming", False):
        return response.content.decode("utf-8", "replace")
    content = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return content.decode("utf-8", "replace")


def send(client, method: str, url: str, *, api: bool):
    """A request as a browser (form POST) or an API script (JSON body) sends it; CSRF checks are off
    as in every Django test client, so a 403 is a permission decision, not a missing token."""
    if method in READ_METHODS:
        return getattr(client, method)(url)
    if api:
        return client.generic(method.upper(), url, b"{}", content_type="application/json")
    if method == "post":
        return client.post(url, {})
    return getattr(client, method)(url)


def _csrf_refusal(body: str) -> bool:
    """Django's and DRF's wording when they refuse a request for a missing CSRF token."""
    return "CSRF verification failed" in body or "CSRF Failed" in body


def _leaks(body: str, needles: list[str], url: str = "") -> list[str]:
    """The needles in the answer; one that is part of the URL asked for (the slug, echoed in a
    language switch's ``next``) tells the caller nothing new."""
    return [n for n in needles if n not in url and (n in body or html.escape(n) in body)]


def stored_state(*, ignore_jobs_of=None) -> dict[str, str]:
    """A digest of every row of every model of the project's apps (about 15,000 rows: cheap).

    ``ignore_jobs_of``: leave out the jobs this user started to *read* something (an export)."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            rows = model._base_manager.order_by("pk")
            if model is Job and ignore_jobs_of is not None:
                rows = rows.exclude(requested_by=ignore_jobs_of, kind__in=READ_JOB_KINDS)
            rows = rows.values_list()
            state[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return state


def municipality_state(municipality: Municipality) -> dict[str, str]:
    """Like ``stored_state``, for the rows of one municipality only: those with a ``municipality``
    and those whose parent has one (a version's lines, a board's cards)."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model is Municipality:
            continue
        path = "municipality" if hasattr(model, "municipality_id") else None
        for fk in model._meta.get_fields():
            if path is None and fk.many_to_one and hasattr(fk.related_model, "municipality_id"):
                path = f"{fk.name}__municipality"
        if path is not None:
            rows = model._base_manager.filter(**{path: municipality}).order_by("pk").values_list()
            state[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return state


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


# -- the demo municipality with an object of every kind ----------------------------------------------
@pytest.fixture
def demo(settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks, outsider) -> Demo:
    """Musterstadt as ``load_demo`` fills it (about 2 s), plus what the demo lacks: an import profile,
    a staged upload, an age profile, a guest invite, a measure and a finished SWOT export job."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    municipality = Municipality.objects.get(slug=DEMO_SLUG)

    mapping, _, _ = finance_services.mapping_resolve(municipality=municipality, source=budget_csv())
    profile = finance_services.profile_save(
        municipality=municipality, name="Isolation Importprofil A", mapping=mapping
    )
    upload = finance_services.budget_upload_create(
        municipality=municipality,
        file=SimpleUploadedFile("isolation-upload-a.csv", budget_csv(adopted=False)),
        user=None,
    )
    age_profile = age_profile_set(
        municipality=municipality,
        level="product_group",
        code="05.02",
        target_group="senioren",
        note="Isolation Altersprofil A",
    )

    board = Board.objects.get(municipality=municipality)
    admin = municipality.memberships.get(role=Role.ADMIN).user
    fac = actor_for_user(board, admin)
    invite = swot_services.invite_create(board_id=board.pk, actor=fac, label="Isolation Einladung A")
    strength, opportunity = (board.cards.filter(quadrant=q).first() for q in ("S", "O"))
    swot_services.board_set_phase(board_id=board.pk, actor=fac, phase=Phase.DERIVE)
    strategy = swot_services.strategy_create(
        board_id=board.pk,
        actor=fac,
        title="Isolation Strategie A",
        card_ids=[strength.pk, opportunity.pk],
    )
    swot_services.strategy_select(board_id=board.pk, actor=fac, strategy_id=strategy.pk)
    measure = swot_services.strategy_to_measure(
        board_id=board.pk, actor=fac, strategy_id=strategy.pk, title="Isolation Massnahme A"
    )

    # The export job as the worker runs it; only Chromium is replaced by a file with a marker.
    def render(html_text, fmt, target):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF-1.4 Isolation Exportdatei A")

    monkeypatch.setattr(exports, "render_binary", render)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(
            kind="swot.export",
            municipality=municipality,
            requested_by=admin,
            params={"board_id": board.pk, "fmt": "pdf", "user_id": admin.pk},
        )
        job_enqueue(job)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message

    invitation = core_services.invitation_create(
        municipality=municipality, role=Role.VIEWER, email="isolation@example.org", created_by=admin
    )
    inner_city = District.objects.get(municipality=municipality, code="01")  # demo Sozialraum "Innenstadt"
    offer = Offer.objects.filter(municipality=municipality, district=inner_city).first()
    scenario = Scenario.objects.filter(municipality=municipality, computed_at__isnull=False).first()
    run = ResilienceRun.objects.filter(municipality=municipality).first()
    series = PopulationSeries.objects.filter(municipality=municipality).first()
    sheet = BalanceSheet.objects.filter(municipality=municipality).first()
    version = BudgetVersion.objects.filter(municipality=municipality).first()
    person = Stakeholder.objects.filter(municipality=municipality, entity="person").first()
    stakeholder_import = stakeholder_services.import_check(
        municipality=municipality, data=b"Name;Sektor\nIsolation Verein A;third\n", filename="a.csv"
    )
    objects = {
        "slug": municipality.slug,
        "stakeholder": person.pk,
        "relationship": Relationship.objects.filter(municipality=municipality).first().pk,
        "engagement": Engagement.objects.filter(municipality=municipality).first().pk,
        "stakeholder_import": stakeholder_import.pk,
        "record_format": "json",
        "dataset": BudgetDataset.objects.get(municipality=municipality).pk,
        "version": version.pk,
        "upload": upload.pk,
        "import_profile": profile.pk,
        "age_profile": age_profile.pk,
        "series": series.pk,
        "scenario": scenario.pk,
        "run": run.pk,
        "balance_year": sheet.year,
        "board": board.pk,
        "card": strength.pk,
        "invite": invite.pk,
        "invite_code": invite.code,
        "measure": measure.pk,
        "job": job.pk,
        "membership": municipality.memberships.get(user__username="gast").pk,
        "invitation": invitation.pk,
        "invitation_token": invitation.token,
        "table_format": "csv",
        "binary_format": "pdf",
        "district": inner_city.pk,
        "indicator": Indicator.objects.get(municipality=municipality, key="sgb2_rate").pk,
        "offer": offer.pk,
    }
    for model in (ImportProfile, BudgetUpload, AgeProfile, Invite, Measure, Card, Offer, IndicatorValue):
        assert model.objects.exists(), f"the demo fixture lacks a {model.__name__}"

    needles = [
        municipality.name,
        board.title,
        *Scenario.objects.filter(municipality=municipality).values_list("name", flat=True),
        *Card.objects.filter(board=board).values_list("text", flat=True),
        *BudgetVersion.objects.filter(municipality=municipality).values_list("label", flat=True),
        *BudgetVersion.objects.filter(municipality=municipality).values_list("source_name", flat=True),
        profile.name,
        upload.original_name,
        age_profile.note,
        invite.label,
        invite.code,
        strategy.title,
        measure.title,
        "Isolation Exportdatei A",
        offer.name,
        "Zechensiedlung",
        person.name,
        person.email,
        "Isolation Verein A",
        *Stakeholder.objects.filter(municipality=municipality, kind="welfare").values_list("name", flat=True),
    ]
    # Short or generic words ("Basis", a scenario) would also match a page's own text: too weak a probe.
    needles = sorted({n for n in needles if len(n) >= 8} | {invite.code, municipality.slug})
    return Demo(municipality, objects, needles)


def test_the_audit_covers_every_route(demo):
    """The walker sees the whole project, pages and API, and only exempts what is listed."""
    routes = audited_routes()
    slug_routes = [r for r in routes if "slug" in r.names]
    assert len([r for r in slug_routes if r.is_api]) >= 30
    assert len([r for r in slug_routes if not r.is_api]) >= 50
    assert {"finance:upload-preview", "swot:export-download", "swot-board-card", "job-detail"} <= {
        r.name for r in routes
    }
    assert len(concrete_urls(demo, routes)) == len(routes)


def test_outsider_gets_nothing_of_another_municipality_anywhere(client, demo, outsider):
    # Given an admin of Anderstadt (no installation admin), logged in, and Musterstadt with an object
    # of every kind
    assert not (outsider.is_superuser or outsider.is_staff)
    assert outsider.memberships.get().role == Role.ADMIN
    client.force_login(outsider)
    urls = concrete_urls(demo, [r for r in audited_routes() if r.name not in BY_DESIGN])
    before = stored_state()

    # When they send every method to every route that names Musterstadt or one of its objects
    violations = []
    for route, url in urls:
        for method in METHODS:
            response = send(client, method, url, api=route.is_api)
            status = response.status_code
            body = _body(response)
            where = f"{method.upper():7} {url} -> {status}"
            if route.is_global or (method == "options" and route.is_api):
                # The caller's own lists, and DRF's description of an endpoint (the same for any id,
                # existing or not): answering is fine, Musterstadt must simply not be in the answer.
                location = response.get("Location", "")
                if status >= 500 or f"/{DEMO_SLUG}/" in location:
                    violations.append(f"{where} {location}")
            elif status not in (403, 404, 405):
                violations.append(f"{where} (expected 403, 404 or 405)")
            if _csrf_refusal(body):
                violations.append(f"{where}: refused for a missing CSRF token, not for permissions")
            if leaked := _leaks(body, demo.needles, url):
                violations.append(f"{where}: shows {leaked[:3]}")

    # Then none of them answers with data or a redirect, and nothing of Musterstadt changed
    assert not violations, f"{len(violations)} isolation violations:\n" + "\n".join(violations)
    assert _changed(before, stored_state()) == []
    assert len(urls) * len(METHODS) >= 500


def test_every_audited_url_reaches_a_real_object_for_a_member(client, demo):
    """The other half of the audit: the same URLs work for Musterstadt's admin, so the outsider's
    404s mean "not yours" and the probes would catch a leak (the names are on the members' pages).
    A route that only takes writes is sent its first allowed method (in a rolled-back savepoint, so
    deleting one object does not break the next route's URL)."""
    client.force_login(demo.municipality.memberships.get(role=Role.ADMIN).user)
    broken, seen = [], set()
    for route, url in concrete_urls(demo, audited_routes()):
        method, response = "get", client.get(url)
        seen |= set(_leaks(_body(response), demo.needles))
        if response.status_code == 405:
            allowed = [m.strip().lower() for m in response.get("Allow", "").split(",")]
            method = next(m for m in allowed if m in WRITE_METHODS)
            with transaction.atomic():
                response = send(client, method, url, api=route.is_api)
                _body(response)
                transaction.set_rollback(True)
        if response.status_code == 404 or response.status_code >= 500:
            broken.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not broken, "a member cannot reach these URLs; fix PARAMETER_RULES or the fixture:\n" + "\n".join(
        broken
    )
    must_be_visible = {demo.municipality.name, "Innenstadt Herten", "Hohe Inflation", "Isolation Massnahme A"}
    assert must_be_visible <= seen, must_be_visible - seen
    assert len(seen) >= len(demo.needles) // 2, set(demo.needles) - seen


def test_viewer_reads_but_cannot_write_through_the_api(client, demo, member_factory):
    # Given a viewer of Musterstadt
    viewer = member_factory(demo.municipality, Role.VIEWER, username="leserin")
    client.force_login(viewer)
    urls = concrete_urls(demo, [r for r in audited_routes() if r.name not in BY_DESIGN])
    api_urls = [(route, url) for route, url in urls if route.is_api]
    assert len(api_urls) >= 40

    # When they read every endpoint, then each answers (but members and invites, by design), and
    # every page opens or, for the forms that change data (import, edit, delete), answers 403
    wrong = []
    for route, url in urls:
        status = client.get(url).status_code
        if route.name in REQUESTER_ONLY_READS:
            allowed = (404,)
        elif route.is_api:
            allowed = (403,) if route.name in VIEWER_FORBIDDEN_READS else (200, 405)
        else:
            allowed = (200, 302, 403, 405) if route.is_global else (200, 403, 405)
        if status not in allowed:
            wrong.append(f"GET {url} -> {status}")
    assert not wrong, "viewer reads:\n" + "\n".join(wrong)

    # When they write to every API endpoint and send every write to every page
    before = stored_state(ignore_jobs_of=viewer)
    for route, url in urls:
        for method in WRITE_METHODS:
            response = send(client, method, url, api=route.is_api)
            body = _body(response)
            if route.is_api and response.status_code not in (403, 405):
                wrong.append(f"{method.upper()} {url} -> {response.status_code}")
            if _csrf_refusal(body):
                wrong.append(f"{method.upper()} {url}: refused for a missing CSRF token")

    # Then the API refuses each write (403, or 405 where nobody may write) and nothing changed
    # (a PDF export of a board is a read: it may be started, as a job of its own)
    assert not wrong, "viewer writes:\n" + "\n".join(wrong)
    assert _changed(before, stored_state(ignore_jobs_of=viewer)) == []


def test_guest_join_with_a_wrong_code_is_404(client, demo, outsider):
    client.force_login(outsider)
    before = stored_state()
    for code in ("FALSCH00", demo.objects["invite_code"][:-1] + "X"):
        url = reverse("swot:join", kwargs={"slug": DEMO_SLUG, "code": code})
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"display_name": "Fremd"} if method == "post" else None)
            assert response.status_code == 404, (method, url)
            assert not _leaks(_body(response), demo.needles, url)
    # a right code under another municipality's address is no invitation either
    other = reverse("swot:join", kwargs={"slug": "anderstadt", "code": demo.objects["invite_code"]})
    assert client.get(other).status_code == 404
    assert _changed(before, stored_state()) == []


def test_guest_join_with_the_right_code_opens_that_one_board_only(client, demo, outsider):
    """By design (the workshop feature): whoever holds a valid invite code joins that board as a guest,
    account or not, member or not. The code is the credential; it reaches this one board with the
    guest's capabilities (view, participate), and nothing else of the municipality."""
    client.force_login(outsider)
    board = Board.objects.get(pk=demo.objects["board"])
    url = reverse("swot:join", kwargs={"slug": DEMO_SLUG, "code": demo.objects["invite_code"]})

    response = client.get(url)
    assert response.status_code == 200 and board.title in _body(response)
    response = client.post(url, {"display_name": "Gast aus Anderstadt"})
    assert response.status_code == 302 and response["Location"] == board.get_absolute_url()
    assert board.participants.filter(display_name="Gast aus Anderstadt", user=None).exists()
    assert client.get(board.get_absolute_url()).status_code == 200

    # The guest cookie is for the board page and its websocket; the rest of Musterstadt stays closed.
    for name, kwargs in (
        ("municipality-overview", {"slug": DEMO_SLUG}),
        ("swot:index", {"slug": DEMO_SLUG}),
        ("swot:invites", {"slug": DEMO_SLUG, "pk": board.pk}),
        ("swot-board-detail", {"slug": DEMO_SLUG, "pk": board.pk}),
        ("swot-board-snapshot", {"slug": DEMO_SLUG, "pk": board.pk}),
        ("planning:scenario-detail", {"slug": DEMO_SLUG, "scenario_id": demo.objects["scenario"]}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code in (403, 404), name


def _foreign_references(municipality: Municipality) -> list[str]:
    """Rows of ``municipality`` that point at an object of another municipality (e.g. a scenario of
    Anderstadt computed from Musterstadt's budget version)."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or not hasattr(model, "municipality_id"):
            continue
        for fk in model._meta.get_fields():
            target = getattr(fk, "related_model", None)
            if not fk.many_to_one or fk.name == "municipality" or not hasattr(target, "municipality_id"):
                continue
            rows = model._base_manager.filter(municipality=municipality, **{f"{fk.name}__isnull": False})
            bad = rows.exclude(**{f"{fk.name}__municipality": municipality})
            found += [f"{model._meta.label} {pk}.{fk.name}" for pk in bad.values_list("pk", flat=True)]
    return found


def test_outsider_cannot_pull_objects_of_another_municipality_into_their_own(client, demo, outsider):
    """The other way in: the outsider's own pages and endpoints, with Musterstadt's ids in the query
    string and in the body (``?version=``, ``?scenario=``, a scenario on Musterstadt's budget)."""
    other = outsider.memberships.get().municipality
    # Anderstadt has a budget of its own, so its pages look versions up (and could pick the wrong one)
    finance_services.budget_import(
        municipality=other,
        source=budget_csv(),
        spec=finance_services.ImportSpec(filename="anderstadt.csv", dataset_name="Eigen", label="Eigen"),
    )
    client.force_login(outsider)
    ids = demo.objects
    query = (
        f"?version={ids['version']}&budget_version={ids['version']}&dataset={ids['dataset']}"
        f"&scenario={ids['scenario']}&s={ids['scenario']}&series={ids['series']}&run={ids['run']}"
        f"&board={ids['board']}&job={ids['job']}&profile={ids['import_profile']}&upload={ids['upload']}"
    )
    body = {
        "name": "Querverweis",
        "title": "Querverweis",
        "budget_version": ids["version"],
        "version": ids["version"],
        "population": ids["series"],
        "scenario": ids["scenario"],
        "board": ids["board"],
        "dataset": ids["dataset"],
        "profile": ids["import_profile"],
        "upload": ids["upload"],
        "paths": 10,
    }
    own = [r for r in audited_routes() if r.names == ("slug",) and r.name not in BY_DESIGN]
    assert len(own) >= 50
    before = municipality_state(demo.municipality)
    violations = []
    for route in own:
        url = reverse(route.name, kwargs={"slug": other.slug})
        responses = [("GET", url + query, client.get(url + query))]
        if route.is_api:
            responses.append(("POST", url, client.post(url, body, content_type="application/json")))
        else:
            responses.append(("POST", url, client.post(url, body)))
        for method, sent, response in responses:
            leaked = _leaks(_body(response), demo.needles, sent)
            if response.status_code >= 500 or leaked:
                violations.append(f"{method} {sent} -> {response.status_code} {leaked[:3]}")
    assert not violations, "\n".join(violations)
    # Anderstadt may have gained rows of its own (a board named "Querverweis"), none pointing at
    # Musterstadt, and Musterstadt did not change
    assert _foreign_references(other) == []
    assert municipality_state(demo.municipality) == before


def test_stored_files_are_reachable_only_through_checked_views(client, demo, outsider, settings):
    """MEDIA_ROOT (uploads, source files, exports) is not served by path: not to an outsider, not to a
    member, not anonymously; members get files only from the views that check membership."""
    import importlib
    from pathlib import Path

    from django.urls import clear_url_caches

    import config.urls

    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert files, "the demo fixture stored no files"
    settings.DEBUG = True  # the development default (run.sh): URLs as they are built there
    importlib.reload(config.urls)
    clear_url_caches()
    try:
        for user in (None, outsider, demo.municipality.memberships.get(role=Role.ADMIN).user):
            client.logout()
            if user is not None:
                client.force_login(user)
            for path in files:
                relative = path.relative_to(settings.MEDIA_ROOT).as_posix()
                for prefix in ("/media/", settings.MEDIA_URL):
                    response = client.get(prefix + relative)
                    assert response.status_code == 404, (user, prefix + relative, response.status_code)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
