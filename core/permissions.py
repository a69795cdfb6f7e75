"""The one place that decides who may see and do what in a municipality.

Every page (``municipality_required``), API endpoint (``MunicipalityAccess``), export and websocket
consumer (``can``, ``capabilities_of``, ``capabilities_now``) goes through the functions here. A
non-member gets a 404 so that the existence of another municipality's data is not revealed; a member
whose role lacks a capability gets a 403.
"""

from enum import StrEnum
from functools import cached_property, wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core import compiled
from core.models import Membership, Municipality, Role


class Capability(StrEnum):
    VIEW = "view"  # read every page, chart and export of the municipality
    EDIT_BUDGET = "edit_budget"  # upload and delete budget data (Kämmerei)
    PLAN = "plan"  # scenarios, projections, resilience checks, measures
    FACILITATE = "facilitate"  # create and steer SWOT workshops, invite guests
    PARTICIPATE = "participate"  # write cards and vote on a SWOT board
    MANAGE = "manage"  # members, stakeholder registry deletion, municipality settings


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.FINANCE: frozenset(
        {Capability.VIEW, Capability.EDIT_BUDGET, Capability.PLAN, Capability.PARTICIPATE}
    ),
    Role.PLANNER: frozenset(
        {Capability.VIEW, Capability.PLAN, Capability.FACILITATE, Capability.PARTICIPATE}
    ),
    Role.FACILITATOR: frozenset({Capability.VIEW, Capability.FACILITATE, Capability.PARTICIPATE}),
    Role.VIEWER: frozenset({Capability.VIEW}),
}


def membership_of(user, municipality: Municipality) -> Membership | None:
    """The user's membership in the municipality, or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, municipality=municipality).first()


def _capabilities(*, active: bool, superuser: bool, role: str | None) -> frozenset[Capability]:
    """The one rule: inactive users hold nothing, superusers everything, members their role's set."""
    if not active:
        return frozenset()
    if superuser:
        return frozenset(Capability)
    return ROLE_CAPABILITIES.get(role, frozenset()) if role else frozenset()


def capabilities_of(user, municipality: Municipality) -> frozenset[Capability]:
    """What the user may do in the municipality; superusers (installation admins) may do everything."""
    if not user.is_authenticated:
        return frozenset()
    # no membership query where the rule does not need the role
    needs_role = user.is_active and not user.is_superuser
    membership = membership_of(user, municipality) if needs_role else None
    return _capabilities(
        active=user.is_active, superuser=user.is_superuser, role=membership.role if membership else None
    )


def capabilities_now(user_id: int, municipality_id: int) -> frozenset[Capability]:
    """``capabilities_of`` read afresh from the database in one indexed query, by ids.

    For long-lived connections (websockets) that re-check a user they authenticated earlier: the user
    may have been deactivated, removed from the municipality or given another role since.
    """
    role = Membership.objects.filter(user=OuterRef("pk"), municipality_id=municipality_id).values("role")[:1]
    row = (
        get_user_model()
        .objects.filter(pk=user_id)
        .annotate(role=Subquery(role))
        .values_list("is_active", "is_superuser", "role")
        .first()
    )
    if row is None:
        return frozenset()
    active, superuser, role = row
    return _capabilities(active=active, superuser=superuser, role=role)


def can(user, municipality: Municipality, capability: Capability = Capability.VIEW) -> bool:
    return capability in capabilities_of(user, municipality)


def visible_municipalities(user):
    """The municipalities whose data the user may see."""
    return Municipality.objects.for_user(user)


_USER, _SLUG = -7_000_002, "\x00slug"  # stand for the parameters while the query is compiled


def _municipality_with_role() -> QuerySet:
    """The municipality of a slug with the user's role in it (None for non-members) as last column."""
    role = Membership.objects.filter(user_id=_USER, municipality=OuterRef("pk")).values("role")[:1]
    fields = [f.attname for f in Municipality._meta.concrete_fields]
    return (
        Municipality.objects.filter(slug=_SLUG)
        .annotate(member_role=Subquery(role))
        .values_list(*fields, "member_role")
    )


def municipality_access(
    user, slug: str, capability: Capability = Capability.VIEW
) -> tuple[Municipality, frozenset[Capability]]:
    """The municipality of ``slug`` and what ``user`` may do there, read afresh in one query (the
    municipality's row with the user's role beside it; compiled once per process, ``core.compiled``):
    404 for non-members, 403 for a missing capability.

    Nothing of it is cached: a removed member or a changed role counts from the next request on. ``user``
    is the request's user, loaded this request (a deactivated user is anonymous already).
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    rows = compiled.fetch(_municipality_with_role, [_USER, _SLUG], [user.pk, slug])
    if not rows:
        raise Http404
    *values, role = rows[0]
    fields = [f.attname for f in Municipality._meta.concrete_fields]
    municipality = Municipality.from_db(DEFAULT_DB_ALIAS, fields, values)
    capabilities = _capabilities(active=True, superuser=user.is_superuser, role=role)
    if not capabilities:
        raise Http404
    if capability not in capabilities:
        raise PermissionDenied
    return municipality, capabilities


def municipality_for(user, slug: str, capability: Capability = Capability.VIEW) -> Municipality:
    """Resolve a municipality by slug for ``user``: 404 for non-members, 403 for a missing capability."""
    return municipality_access(user, slug, capability)[0]


def municipality_required(capability: Capability = Capability.VIEW):
    """Decorator for views under ``<slug:slug>/``: login, membership and capability in one.

    The view receives ``municipality`` instead of ``slug``, and ``request.capabilities`` is set for
    templates (to show or hide actions).
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            municipality, capabilities = municipality_access(request.user, slug, capability)
            request.municipality = municipality
            request.capabilities = capabilities
            return view(request, municipality, *args, **kwargs)

        return wrapped

    return decorator


class MunicipalityAccess(BasePermission):
    """DRF permission: reading needs VIEW; writing needs the view's ``write_capability``.

    Views resolve the municipality from a ``slug`` URL kwarg (nested routes) or from the object
    (``obj.municipality``). Querysets must additionally be scoped with ``visible_municipalities``.
    """

    def _required(self, request, view) -> Capability:
        if request.method in SAFE_METHODS:
            return Capability.VIEW
        return getattr(view, "write_capability", Capability.MANAGE)

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        slug = view.kwargs.get("slug")
        if slug is None:
            return True
        # resolved once per request; views read it through MunicipalityScoped.municipality
        request.municipality = municipality_for(request.user, slug, self._required(request, view))
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        municipality = obj if isinstance(obj, Municipality) else getattr(obj, "municipality", None)
        if municipality is None:
            return bool(request.user.is_superuser)
        capabilities = capabilities_of(request.user, municipality)
        if not capabilities:
            raise Http404
        return self._required(request, view) in capabilities


class MunicipalityScoped:
    """Base of every API view under ``municipalities/<slug>/`` (put it before the DRF view classes).

    ``MunicipalityAccess`` checks membership and the capability of the request method;
    ``self.municipality`` is the municipality it resolved. A list/detail view defines
    ``municipality_queryset()`` (the rows of ``self.municipality``) instead of ``get_queryset``; serializers
    find the municipality in their context. The base alone knows about schema generation
    (drf-spectacular's ``swagger_fake_view``: no user, no municipality), so views never check for it.
    """

    permission_classes = [MunicipalityAccess]

    @property
    def schema_only(self) -> bool:
        """True while drf-spectacular builds the schema (a fake view without a real request)."""
        return getattr(self, "swagger_fake_view", False)

    def municipality_queryset(self) -> QuerySet:
        """The endpoint's rows of ``self.municipality``; views with a queryset override this."""
        return super().get_queryset()  # type: ignore[misc]

    def get_queryset(self) -> QuerySet:
        if self.schema_only:
            queryset = getattr(self, "queryset", None)
            if queryset is None:
                queryset = self.get_serializer_class().Meta.model.objects  # type: ignore[attr-defined]
            return queryset.none()
        return self.municipality_queryset()

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()  # type: ignore[misc]
        if not self.schema_only:
            context["municipality"] = self.municipality
        return context

    @cached_property
    def municipality(self) -> Municipality:
        resolved = getattr(self.request, "municipality", None)  # type: ignore[attr-defined]
        if resolved is not None:
            return resolved
        # permissions not run (schema generation): resolve with the weakest capability
        return municipality_for(self.request.user, self.kwargs["slug"], Capability.VIEW)  # type: ignore[attr-defined]
