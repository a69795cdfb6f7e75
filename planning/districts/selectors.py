"""Reads of the districts feature: map data (geometry, indicators, index per year), a district's page,
needs against offers. Each function runs a fixed number of queries, whatever the number of districts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, Sum, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.models import District, Municipality
from planning.districts.catalogue import AGE_GROUPS, shown_group_label
from planning.districts.models import Indicator, IndicatorValue, Offer, SocialIndexValue
from stakeholders.selectors import stakeholders_in_district

INDEX_KEY = "social_index"


def district_levels(municipality: Municipality) -> list[tuple[str, str, int]]:
    """(level, label, count) of the levels the municipality has, in the order of ``District.Level``."""
    counts = dict(
        District.objects.filter(municipality=municipality)
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(value, str(label), counts[value]) for value, label in District.Level.choices if value in counts]


def default_level(municipality: Municipality, wanted: str | None = None) -> str | None:
    levels = [level for level, _label, _n in district_levels(municipality)]
    if wanted in levels:
        return wanted
    with_geometry = set(
        District.objects.filter(municipality=municipality, geometry__isnull=False).values_list(
            "level", flat=True
        )
    )
    return next((lv for lv in levels if lv in with_geometry), levels[0] if levels else None)


def indicators_of(municipality: Municipality) -> list[Indicator]:
    return list(Indicator.objects.filter(municipality=municipality))


def geojson_text(municipality: Municipality, level: str) -> tuple[str, int]:
    """The boundaries of a level as GeoJSON FeatureCollection text (feature ids = district ids) and
    the number of features. The stored geometry is spliced in as the database's text: decoding and
    encoding 200 boundaries would cost more than the rest of the map page together (docs/benchmarks.md)."""
    rows = (
        District.objects.filter(municipality=municipality, level=level, geometry__isnull=False)
        .order_by("code")
        .annotate(geometry_text=Cast("geometry", TextField()))
        .values_list("pk", "code", "geometry_text")
    )
    features = [
        f'{{"type":"Feature","id":{pk},"properties":{{"code":{json.dumps(code)}}},"geometry":{text}}}'
        for pk, code, text in rows
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}", len(features)


_SCRIPT_ESCAPES = str.maketrans({">": "\\u003E", "<": "\\u003C", "&": "\\u0026"})


def embed_json(element_id: str, data: dict[str, Any], **raw: str) -> str:
    """A ``<script type="application/json">`` element like Django's ``json_script``, with members
    given as ready JSON text (``raw``) spliced in unparsed."""
    text = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"))
    if raw:
        members = ",".join(f"{json.dumps(key)}:{value}" for key, value in raw.items())
        text = "{" + members + ("," + text[1:] if len(text) > 2 else "}")
    return mark_safe(  # noqa: S308 - escaped like json_script: no <, > or & survives inside the element
        f'<script id="{element_id}" type="application/json">{text.translate(_SCRIPT_ESCAPES)}</script>'
    )


def map_data(municipality: Municipality, level: str) -> dict[str, Any]:
    """Everything the map page draws but the boundaries (``geojson_text``), for all years at once
    (the year slider switches in the browser).

    ``values[key][year]`` is a list aligned with ``districts`` (None where missing); the key
    ``social_index`` holds the index, ``rank`` and ``group`` its rank and profile group.
    """
    rows = list(
        District.objects.filter(municipality=municipality, level=level)
        .order_by("code")
        .values_list("pk", "code", "name", "label_lon", "label_lat")
    )
    position = {pk: n for n, (pk, *_rest) in enumerate(rows)}
    size = len(rows)
    slug = municipality.slug
    detail = reverse("planning:district-detail", kwargs={"slug": slug, "district_id": 0}).removesuffix("0/")
    indicators = indicators_of(municipality)
    keys = {i.pk: i.key for i in indicators}
    values: dict[str, dict[int, list]] = defaultdict(dict)
    years: set[int] = set()
    for district_id, indicator_id, year, value in IndicatorValue.objects.filter(
        district_id__in=position
    ).values_list("district_id", "indicator_id", "year", "value"):
        by_year = values[keys[indicator_id]]
        series = by_year.get(year)
        if series is None:
            series = by_year[year] = [None] * size
        series[position[district_id]] = value
        years.add(year)
    rank: dict[int, list] = {}
    group: dict[int, list] = {}
    group_labels: dict[int, dict[int, str]] = defaultdict(dict)
    for district_id, year, value, rank_value, group_no, label in SocialIndexValue.objects.filter(
        district_id__in=position
    ).values_list("district_id", "year", "value", "rank", "group", "group_label"):
        n = position[district_id]
        for target, item in ((values[INDEX_KEY], value), (rank, rank_value), (group, group_no)):
            target.setdefault(year, [None] * size)[n] = item
        if group_no:
            group_labels[year][group_no] = label
    return {
        "districts": [
            {"id": pk, "code": code, "name": name, "url": f"{detail}{pk}/", "lon": lon, "lat": lat}
            for pk, code, name, lon, lat in rows
        ],
        "years": sorted(years),
        "indicators": [
            {"key": i.key, "name": i.label, "unit": i.unit_label, "direction": i.direction}
            for i in indicators
            if i.key in values and not i.age_group
        ],
        "values": {key: {str(y): v for y, v in by_year.items()} for key, by_year in values.items()},
        "rank": {str(y): v for y, v in rank.items()},
        "group": {str(y): v for y, v in group.items()},
        "group_labels": {
            str(y): {str(g): shown_group_label(lab) for g, lab in labels.items()}
            for y, labels in group_labels.items()
        },
    }


def _municipal_series(
    indicator: Indicator,
    by_district_year: dict[tuple[int, int], float],
    population: dict[tuple[int, int], float],
) -> dict[int, float]:
    """The municipality's value per year: counts add up; shares and other values are averaged,
    weighted by the districts' population where every district with a value has one."""
    per_year: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (district_id, year), value in by_district_year.items():
        per_year[year].append((district_id, value))
    out = {}
    for year, items in per_year.items():
        if indicator.kind == Indicator.Kind.COUNT:
            out[year] = sum(v for _d, v in items)
            continue
        weights = [population.get((d, year)) for d, _v in items]
        if all(w for w in weights):
            out[year] = sum(v * w for (_d, v), w in zip(items, weights, strict=True)) / sum(weights)
        else:
            out[year] = sum(v for _d, v in items) / len(items)
    return out


def district_page(district: District, *, personal: bool = False) -> dict[str, Any]:
    """A district's page: indicators over time against the municipality, age structure, index history,
    offers, stakeholders, workshops and measures located there."""
    municipality = district.municipality
    indicators = indicators_of(municipality)
    values: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for district_id, indicator_id, year, value in IndicatorValue.objects.filter(
        district__municipality=municipality, district__level=district.level
    ).values_list("district_id", "indicator_id", "year", "value"):
        values[indicator_id][(district_id, year)] = value
    population_indicator = next((i for i in indicators if i.key == "population"), None)
    population = values.get(population_indicator.pk, {}) if population_indicator else {}
    series = []
    for indicator in indicators:
        own = {y: v for (d, y), v in values.get(indicator.pk, {}).items() if d == district.pk}
        if not own or indicator.age_group:
            continue
        town = _municipal_series(indicator, values[indicator.pk], population)
        years = sorted(set(own) | set(town))
        series.append(
            {
                "key": indicator.key,
                "name": indicator.label,
                "unit": indicator.unit_label,
                "kind": indicator.kind,
                "direction": indicator.direction,
                "years": years,
                "district": [own.get(y) for y in years],
                "municipality": [town.get(y) for y in years],
                "latest": own[max(own)],
                "latest_year": max(own),
                "municipality_latest": town.get(max(own)),
            }
        )
    pyramid = _pyramid(district, indicators, values)
    index_rows = list(SocialIndexValue.objects.filter(district=district).order_by("year"))
    level_size = District.objects.filter(municipality=municipality, level=district.level).count()
    return {
        "series": series,
        "pyramid": pyramid,
        "index_rows": index_rows,
        "level_size": level_size,
        "offers": list(Offer.objects.filter(district=district).order_by("kind", "name")),
        "boards": list(district.swot_boards.order_by("-created_at")),
        "measures": list(district.planning_measures.order_by("deadline", "title", "pk")),
        # measures of the SWOT list linked before planning owned measures (not yet adopted by planning)
        "swot_measures": list(
            district.measures.filter(planning_measure__isnull=True).order_by("deadline", "title")
        ),
        "stakeholders": district_stakeholders(district, personal=personal),
        "children": list(district.children.order_by("code")),
    }


def _pyramid(district: District, indicators: Sequence[Indicator], values) -> dict[str, Any] | None:
    """Age structure of the district against the municipality (shares of the population, latest year
    with age data)."""
    by_group = {i.age_group: i for i in indicators if i.age_group}
    groups = [g for g in AGE_GROUPS if g in by_group]
    own_years = {y for g in groups for (d, y) in values.get(by_group[g].pk, {}) if d == district.pk}
    if not own_years:
        return None
    year = max(own_years)
    own = [values[by_group[g].pk].get((district.pk, year), 0) for g in groups]
    town = [sum(v for (_d, y), v in values[by_group[g].pk].items() if y == year) for g in groups]
    own_total, town_total = sum(own) or 1, sum(town) or 1
    return {
        "year": year,
        "groups": groups,
        "district": [round(100 * v / own_total, 2) for v in own],
        "municipality": [round(100 * v / town_total, 2) for v in town],
        "persons": own,
    }


def district_stakeholders(district: District, *, personal: bool) -> list[dict[str, Any]]:
    """Stakeholders located in the district or its sub-districts, with the registry's visibility: a
    person's name only for roles that may see persons (``stakeholders.selectors``)."""
    return stakeholders_in_district(district, personal=personal)


def needs_and_offers(municipality: Municipality, level: str, year: int | None, need: str) -> dict[str, Any]:
    """Per district: the need (the social index or an indicator) and the offers (count, capacity,
    volunteer hours, also per 1,000 inhabitants); ``thin`` marks high need (above the median) with offers
    per 1,000 inhabitants below the median: where to look first."""
    districts = list(District.objects.filter(municipality=municipality, level=level).order_by("code"))
    ids = [d.pk for d in districts]
    if need == INDEX_KEY:
        rows = SocialIndexValue.objects.filter(district_id__in=ids, value__isnull=False)
        pairs = rows.values_list("district_id", "year", "value")
    else:
        pairs = IndicatorValue.objects.filter(district_id__in=ids, indicator__key=need).values_list(
            "district_id", "year", "value"
        )
    need_values: dict[int, dict[int, float]] = defaultdict(dict)
    for district_id, y, value in pairs:
        need_values[y][district_id] = value
    years = sorted(need_values)
    year = year if year in need_values else (years[-1] if years else None)
    population = dict(
        IndicatorValue.objects.filter(
            district_id__in=ids, indicator__key="population", year=year
        ).values_list("district_id", "value")
    )
    # Offers lie in the finest districts; a Stadtteil counts the offers of its Sozialräume too.
    offer_rows = (
        Offer.objects.filter(municipality=municipality)
        .filter(Q(district_id__in=ids) | Q(district__parent_id__in=ids))
        .values_list("district_id", "district__parent_id", "capacity", "volunteer_hours")
    )
    totals: dict[int, list[float]] = {pk: [0, 0, 0.0] for pk in ids}
    for district_id, parent_id, capacity, hours in offer_rows:
        target = district_id if district_id in totals else parent_id
        totals[target][0] += 1
        totals[target][1] += capacity or 0
        totals[target][2] += float(hours or 0)
    table = []
    for d in districts:
        count, capacity, hours = totals[d.pk]
        inhabitants = population.get(d.pk)
        per_1000 = (count / inhabitants * 1000) if inhabitants else None
        table.append(
            {
                "district": d,
                "need": need_values.get(year, {}).get(d.pk) if year else None,
                "offers": count,
                "capacity": capacity,
                "hours": hours,
                "population": inhabitants,
                "offers_per_1000": per_1000,
                "capacity_per_1000": (capacity / inhabitants * 1000) if inhabitants else None,
            }
        )
    _mark_thin(table)
    return {"year": year, "years": years, "rows": table}


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def _mark_thin(table: list[dict[str, Any]]) -> None:
    need_median = _median([r["need"] for r in table if r["need"] is not None])
    density = [r["offers_per_1000"] if r["offers_per_1000"] is not None else r["offers"] for r in table]
    offer_median = _median(density)
    for row, offers in zip(table, density, strict=True):
        row["thin"] = bool(
            need_median is not None
            and row["need"] is not None
            and row["need"] > need_median
            and offers is not None
            and offers <= (offer_median or 0)
        )


def offers_summary(municipality: Municipality) -> dict[str, Any]:
    return Offer.objects.filter(municipality=municipality).aggregate(
        count=Count("id"), capacity=Sum("capacity"), hours=Sum("volunteer_hours")
    )
