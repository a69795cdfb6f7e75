"""Reads of the stakeholder registry: search, assessments as of a date, the grid, the network of a date,
the resource overview, due follow-ups and retention dates. Each runs a fixed number of queries,
whatever the number of stakeholders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from core.models import District, Municipality
from stakeholders.methods.grid import quadrant_of
from stakeholders.methods.salience import salience_class
from stakeholders.methods.valuation import hours_value, rate_on
from stakeholders.models import (
    Assessment,
    Engagement,
    NetworkSnapshot,
    Relationship,
    Sector,
    ShadowWage,
    Stakeholder,
)
from stakeholders.privacy import display_name

CONTRIBUTING_SECTORS = (Sector.THIRD, Sector.INFORMAL, Sector.MARKET)


def parse_date(value: str | None, default: dt.date | None = None) -> dt.date | None:
    """An ISO date from a query string, or ``default`` when it is missing or malformed."""
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return default


def stakeholders_of(municipality: Municipality) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.for_municipality(municipality)


def stakeholder_search(
    municipality: Municipality, params: Mapping[str, str], *, personal: bool
) -> QuerySet[Stakeholder]:
    """Stakeholders matching the filters of ``params``: ``q`` (text), ``sector``, ``entity``, ``kind``,
    ``district``, ``attitude``, ``tag``, ``overdue`` (has an overdue follow-up).

    Without ``personal`` (viewers) the text search does not look into persons at all, so that a search
    cannot reveal who is registered."""
    qs = stakeholders_of(municipality)
    for key in ("sector", "entity", "kind", "attitude"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("district"):
        qs = qs.filter(district_filter(params["district"]))
    if params.get("tag"):
        # tags are a JSON list; matching the quoted element works on PostgreSQL and SQLite alike
        qs = qs.filter(tags__icontains=f'"{params["tag"].strip()}"')
    text = (params.get("q") or "").strip()
    if text:
        match = (
            Q(name__icontains=text)
            | Q(district__name__icontains=text)
            | Q(district_note__icontains=text)
            | Q(tags__icontains=text)
            | Q(interests__icontains=text)
            | Q(expectations__icontains=text)
            | Q(expertise__icontains=text)
        )
        if personal:
            match |= Q(contact_person__icontains=text) | Q(email__icontains=text)
            qs = qs.filter(match)
        else:
            qs = qs.filter(match, entity=Stakeholder.Entity.ORGANISATION)
    if params.get("overdue"):
        late = Engagement.objects.filter(stakeholder=OuterRef("pk")).overdue(timezone.localdate())
        qs = qs.filter(Exists(late))
    return qs.select_related("municipality", "district").order_by("name", "pk")


def district_filter(value) -> Q:
    """The ``district`` filter: a district id (the filter forms, the API), or a name or code (the CLI,
    older links), which also finds a place name that matches no district (``district_note``)."""
    text = str(value).strip()
    if text.isdigit():
        return Q(district_id=int(text)) | Q(district__parent_id=int(text))
    return Q(district__name__iexact=text) | Q(district__code__iexact=text) | Q(district_note__iexact=text)


def districts_of(municipality: Municipality) -> list[tuple[str, str]]:
    """(value, label) of the municipality's districts for the filter forms, finest level first."""
    return [
        (str(pk), name)
        for pk, name in District.objects.filter(municipality=municipality)
        .order_by("-level", "name", "pk")
        .values_list("pk", "name")
    ]


def stakeholders_in_district(district: District, *, personal: bool) -> list[dict]:
    """The stakeholders placed in the district (or one of its sub-districts), as the registry shows them
    to this viewer: a person's name only to roles that may see it (``privacy.display_name``: others
    read "Person #id"), no contacts. One query."""
    rows = (
        Stakeholder.objects.filter(municipality_id=district.municipality_id)
        .filter(Q(district=district) | Q(district__parent=district))
        .select_related("municipality", "district")
        .order_by("sector", "name", "pk")
    )
    return [
        {
            "id": s.pk,
            "name": display_name(s, personal),
            "is_person": s.is_person,
            "sector": s.sector,
            "sector_label": s.get_sector_display(),
            "kind_label": s.get_kind_display(),
            "attitude_label": s.get_attitude_display(),
            "district": s.district.name if s.district_id != district.pk else "",
            "url": s.get_absolute_url(),
        }
        for s in rows
    ]


def latest_assessments(municipality: Municipality, on: dt.date, ids=None) -> dict[int, dict]:
    """The newest assessment of each stakeholder made on or before ``on`` (one query)."""
    rows = Assessment.objects.filter(stakeholder__municipality=municipality, assessed_on__lte=on)
    if ids is not None:
        rows = rows.filter(stakeholder_id__in=ids)
    latest: dict[int, dict] = {}
    for row in rows.order_by("stakeholder_id", "-assessed_on", "-pk").values(
        "stakeholder_id", "assessed_on", "influence", "interest", "power", "legitimacy", "urgency", "strategy"
    ):
        latest.setdefault(row["stakeholder_id"], row)
    return latest


def grid_points(
    municipality: Municipality, params: Mapping[str, str], *, on: dt.date, compare: dt.date | None = None
) -> list[dict]:
    """Stakeholders on the power-interest grid as of ``on`` (filters: sector, district, entity), with
    their position at ``compare`` for the movement arrows. Stakeholders never assessed by ``on`` are
    left out. Two queries."""
    filters = {k: params[k] for k in ("sector", "entity") if params.get(k)}
    qs = stakeholders_of(municipality).filter(**filters)
    if params.get("district"):
        qs = qs.filter(district_filter(params["district"]))
    stakeholders = list(qs.only("id", "name", "entity", "sector", "district", "erased_at", "municipality_id"))
    by_id = {s.pk: s for s in stakeholders}
    now = latest_assessments(municipality, on, by_id)
    before = latest_assessments(municipality, compare, by_id) if compare else {}
    points = []
    for sid, a in now.items():
        point = {
            "stakeholder": by_id[sid],
            "influence": a["influence"],
            "interest": a["interest"],
            "assessed_on": a["assessed_on"],
            "quadrant": quadrant_of(a["influence"], a["interest"]),
            "salience": salience_class(a["power"], a["legitimacy"], a["urgency"]),
            "strategy": a["strategy"],
            "from": None,
        }
        old = before.get(sid)
        if old and (old["influence"], old["interest"]) != (a["influence"], a["interest"]):
            point["from"] = {
                "influence": old["influence"],
                "interest": old["interest"],
                "assessed_on": old["assessed_on"],
            }
        points.append(point)
    points.sort(key=lambda p: (p["stakeholder"].name, p["stakeholder"].pk))
    return points


def active_relationships(municipality: Municipality, on: dt.date) -> QuerySet[Relationship]:
    """Ties valid on ``on``."""
    return Relationship.objects.filter(municipality=municipality, valid_from__lte=on).filter(
        Q(valid_until=None) | Q(valid_until__gte=on)
    )


def network_at(municipality: Municipality, on: dt.date) -> tuple[dict[int, str], list[tuple[int, int]]]:
    """The graph as it stood on ``on``: every stakeholder registered by then (id -> sector) and the
    directed arcs (a mutual tie gives two). Two queries."""
    end_of_day = timezone.make_aware(dt.datetime.combine(on, dt.time.max))
    sectors, created = {}, set()
    for pk, sector, created_at in stakeholders_of(municipality).values_list("id", "sector", "created_at"):
        sectors[pk] = sector
        if created_at <= end_of_day:
            created.add(pk)
    arcs: list[tuple[int, int]] = []
    for source, target, direction in active_relationships(municipality, on).values_list(
        "source_id", "target_id", "direction"
    ):
        arcs.append((source, target))
        if direction == Relationship.Direction.MUTUAL:
            arcs.append((target, source))
    # registered by then, or tied to someone then (an imported registry's ties may predate its rows)
    members = created | {node for arc in arcs for node in arc}
    return {pk: sectors[pk] for pk in sorted(members)}, arcs


def snapshot_for(municipality: Municipality, on: dt.date) -> NetworkSnapshot | None:
    """The newest snapshot computed on the graph of exactly this date."""
    return (
        NetworkSnapshot.objects.filter(municipality=municipality, graph_date=on)
        .order_by("-computed_at")
        .first()
    )


def snapshots_of(municipality: Municipality) -> QuerySet[NetworkSnapshot]:
    """Stored network analyses, newest graph date first (without their measures)."""
    return (
        NetworkSnapshot.objects.filter(municipality=municipality)
        .only("graph_date", "computed_at", "nodes", "edges")
        .order_by("-graph_date", "-computed_at")
    )


def shadow_wage(municipality: Municipality, on: dt.date) -> ShadowWage | None:
    """The shadow wage valid on ``on``: the municipality's own rate if it set one by then, else the
    installation's default."""
    rows = list(
        ShadowWage.objects.filter(Q(municipality=municipality) | Q(municipality=None), valid_from__lte=on)
    )
    own = [r for r in rows if r.municipality_id is not None]
    candidates = own or rows
    chosen = rate_on([(r.valid_from, r.eur_per_hour) for r in candidates], on)
    if chosen is None:
        return None
    return next(r for r in candidates if (r.valid_from, r.eur_per_hour) == chosen)


def shadow_wage_rows(municipality: Municipality) -> list[ShadowWage]:
    """The rows that make the municipality's shadow wage over time (the one registry of the value of a
    volunteer hour; planning's coproduction reads it here): the installation's defaults valid before
    the municipality's first own rate, then the municipality's own rates. The value on a date is the
    row with the latest ``valid_from`` not after it, exactly as :func:`shadow_wage` answers."""
    rows = list(
        ShadowWage.objects.filter(Q(municipality=municipality) | Q(municipality=None)).order_by("valid_from")
    )
    own = [r for r in rows if r.municipality_id is not None]
    if not own:
        return rows
    first_own = own[0].valid_from
    return [r for r in rows if r.municipality_id is None and r.valid_from < first_own] + own


def resource_overview(
    municipality: Municipality, on: dt.date, params: Mapping[str, str] | None = None
) -> dict:
    """What the third sector, the informal sector and the market could bring, by district and sector and
    by kind, with the volunteer hours valued at the shadow wage of ``on``."""
    params = params or {}
    wage = shadow_wage(municipality, on)
    rate = wage.eur_per_hour if wage else None
    qs = stakeholders_of(municipality).filter(sector__in=CONTRIBUTING_SECTORS)
    if params.get("district"):
        qs = qs.filter(district_filter(params["district"]))
    rows = qs.annotate(place=Coalesce(NullIf("district__name", Value("")), "district_note")).values(
        "place", "sector", "kind", "volunteer_hours", "money", "staff", "rooms"
    )

    def empty():
        return {"count": 0, "hours": 0, "money": Decimal("0"), "staff": Decimal("0"), "rooms": 0}

    by_place: dict[tuple[str, str], dict] = defaultdict(empty)
    by_kind: dict[str, dict] = defaultdict(empty)
    total = empty()
    for row in rows:
        for bucket in (by_place[(row["place"] or "", row["sector"])], by_kind[row["kind"]], total):
            bucket["count"] += 1
            bucket["hours"] += row["volunteer_hours"]
            bucket["money"] += row["money"]
            bucket["staff"] += row["staff"]
            bucket["rooms"] += 1 if row["rooms"] else 0

    def valued(bucket: dict) -> dict:
        bucket["hours_value"] = hours_value(bucket["hours"], rate) if rate is not None else None
        bucket["total_value"] = (
            bucket["hours_value"] + bucket["money"] if bucket["hours_value"] is not None else None
        )
        return bucket

    sector_labels, kind_labels = dict(Sector.choices), dict(Stakeholder.Kind.choices)
    return {
        "on": on,
        "wage": wage,
        "by_place": [
            {"district": d, "sector": s, "sector_label": sector_labels[s], **valued(b)}
            for (d, s), b in sorted(by_place.items())
        ],
        "by_kind": [
            {"kind": k, "kind_label": kind_labels.get(k, k), **valued(b)} for k, b in sorted(by_kind.items())
        ],
        "total": valued(total),
    }


def overdue_follow_ups(municipality: Municipality, today: dt.date | None = None) -> QuerySet[Engagement]:
    today = today or timezone.localdate()
    return (
        Engagement.objects.filter(municipality=municipality)
        .overdue(today)
        .select_related("stakeholder__municipality")
        .order_by("due_on", "pk")
    )


def retention_due(municipality: Municipality, today: dt.date | None = None) -> QuerySet[Stakeholder]:
    """Persons whose retention date is reached: the reminder to erase them or renew the purpose."""
    return (
        stakeholders_of(municipality).retention_due(today or timezone.localdate()).order_by("retention_until")
    )


def counts(municipality: Municipality) -> dict:
    """Figures for the overview: stakeholders by sector, persons, relationships, engagements."""
    by_sector = dict(
        stakeholders_of(municipality).values_list("sector").annotate(n=Count("id")).values_list("sector", "n")
    )
    return {
        "by_sector": by_sector,
        "total": sum(by_sector.values()),
        "relationships": Relationship.objects.filter(municipality=municipality).count(),
        "engagements": Engagement.objects.filter(municipality=municipality).count(),
    }
