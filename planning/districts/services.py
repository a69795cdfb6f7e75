"""Writes of the districts feature: boundary and indicator imports (all or nothing), indicator settings,
the social index refresh, offers and links of workshops and measures to districts.

Every import checks the whole file first (pure code in ``planning.engine``) and writes only when there
is no error, inside one transaction; the errors name the feature or the line and column and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.geo import DistrictLocator, district_locator
from core.models import District, Municipality
from finance.vocabulary import ImportFileError, detect_decimal_convention, open_table
from planning.districts.catalogue import BUILTIN, GEO_MESSAGES, SYNONYMS, TABLE_MESSAGES
from planning.districts.models import Indicator, IndicatorImport, IndicatorValue, Offer, SocialIndexValue
from planning.engine.geometry import GeoIssue, read_districts
from planning.engine.indicator_table import (
    IndicatorColumn,
    TableIssue,
    normalise_header,
    read_indicator_table,
)
from planning.engine.social_index import IndexSpec, profile_groups, social_index
from stakeholders.services import stakeholders_relocate

GROUPS_K = 4


MAX_MESSAGES = 50


class DistrictImportError(Exception):
    """An import refused as a whole; ``messages`` name each problem (feature or line/column, reason),
    at most ``MAX_MESSAGES`` of them and a count of the rest."""

    def __init__(self, messages: list[str], warnings: list[str] | None = None) -> None:
        if len(messages) > MAX_MESSAGES:
            rest = len(messages) - MAX_MESSAGES
            messages = [*messages[:MAX_MESSAGES], _("… und %(n)s weitere Fehler.") % {"n": rest}]
        super().__init__("; ".join(messages))
        self.messages = messages
        self.warnings = warnings or []


def geo_message(issue: GeoIssue) -> str:
    params = {k: _number(v) for k, v in issue.params.items()}
    if "hint" in params:
        params["hint"] = f" ({_('vermutlich')} ETRS89 / UTM 32N, {params['hint']})" if params["hint"] else ""
    text = str(GEO_MESSAGES[issue.code]) % params
    if issue.feature is not None:
        where = _("Feature %(n)s") % {"n": issue.feature}
        return f"{where} ({issue.label}): {text}" if issue.label else f"{where}: {text}"
    return text


def table_message(issue: TableIssue) -> str:
    text = str(TABLE_MESSAGES[issue.code]) % {"value": issue.value, **issue.params}
    parts = []
    if issue.line is not None:
        parts.append(_("Zeile %(line)s") % {"line": issue.line})
    if issue.column is not None:
        parts.append(_("Spalte „%(column)s“") % {"column": issue.column})
    return f"{', '.join(parts)}: {text}" if parts else text


def _number(value: Any) -> Any:
    """Numbers in messages in German notation (the UI default)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return value


# -- indicators ------------------------------------------------------------------------------------
def indicators_ensure(*, municipality: Municipality) -> None:
    """Create the built-in indicators the municipality lacks (idempotent; settings are kept)."""
    existing = set(Indicator.objects.filter(municipality=municipality).values_list("key", flat=True))
    Indicator.objects.bulk_create(
        [
            Indicator(
                municipality=municipality,
                key=b.key,
                name=b.name,
                unit=b.unit,
                kind=b.kind,
                direction=b.direction,
                weight=Decimal(str(b.weight)),
                age_group=b.age_group,
                builtin=True,
                position=position,
                source="",
            )
            for position, b in enumerate(BUILTIN)
            if b.key not in existing
        ]
    )


@transaction.atomic
def indicator_save(*, municipality: Municipality, indicator: Indicator) -> Indicator:
    """Store a user-defined or edited indicator (validated by the form) and refresh the index."""
    indicator.municipality = municipality
    if indicator.pk is None:
        indicator.position = 200
    indicator.full_clean()
    indicator.save()
    social_index_refresh(municipality=municipality)
    return indicator


@transaction.atomic
def indicator_weights_set(*, municipality: Municipality, weights: dict[int, Decimal]) -> None:
    """Set the index weights of several indicators at once, then recompute the index."""
    for indicator in Indicator.objects.filter(municipality=municipality, pk__in=weights):
        indicator.weight = weights[indicator.pk]
        indicator.save(update_fields=["weight"])
    social_index_refresh(municipality=municipality)


# -- boundaries ------------------------------------------------------------------------------------
@transaction.atomic
def districts_import_geojson(
    *,
    municipality: Municipality,
    data: bytes | str,
    level: str = District.Level.SOZIALRAUM,
    code_property: str | None = None,
    name_property: str | None = None,
    parent_property: str | None = None,
) -> dict[str, Any]:
    """Import district boundaries (GeoJSON, WGS84): all or nothing.

    Districts are matched by code within the level: existing ones keep their id (offers, workshops and
    indicator values stay attached) and get the new name and boundary; new codes are added. Districts of
    the level already known (e.g. from a plain list) must all be in the file, else it is refused.
    """
    existing = {
        d.code: d for d in District.objects.select_for_update().filter(municipality=municipality, level=level)
    }
    result = read_districts(
        data,
        code_property=code_property or None,
        name_property=name_property or None,
        parent_property=parent_property or None,
        expected_codes=existing,
    )
    warnings = [geo_message(i) for i in result.warnings]
    if not result.ok:
        raise DistrictImportError([geo_message(i) for i in result.errors], warnings)
    parents = _parents(municipality, level, {s.parent_code for s in result.districts if s.parent_code})
    errors = [
        geo_message(GeoIssue("unknown_parent", n, f"{s.code} „{s.name}“", {"parent": s.parent_code}))
        for n, s in enumerate(result.districts, 1)
        if s.parent_code and s.parent_code not in parents
    ]
    if errors:
        raise DistrictImportError(errors, warnings)
    created = updated = 0
    for shape in result.districts:
        district = existing.get(shape.code) or District(
            municipality=municipality, level=level, code=shape.code
        )
        created += district.pk is None
        updated += district.pk is not None
        district.name = shape.name
        district.geometry = shape.geometry
        district.bbox = shape.bbox
        district.label_lon, district.label_lat = shape.label_point
        district.area_km2 = shape.area_km2
        district.parent = parents.get(shape.parent_code) if shape.parent_code else district.parent
        district.save()
    indicators_ensure(municipality=municipality)
    offers_relocate(municipality=municipality)
    stakeholders_relocate(municipality=municipality)
    return {"created": created, "updated": updated, "warnings": warnings}


def _parents(municipality: Municipality, level: str, codes: set[str]) -> dict[str, District]:
    rows = District.objects.filter(municipality=municipality, code__in=codes).exclude(level=level)
    return {d.code: d for d in rows}


@transaction.atomic
def districts_import_boundaries(
    *,
    municipality: Municipality,
    content: bytes,
    as_list: bool,
    level: str = District.Level.SOZIALRAUM,
    code_property: str | None = None,
    name_property: str | None = None,
    parent_property: str | None = None,
) -> dict[str, Any]:
    """Import districts from an upload: a plain CSV/XLSX list (``as_list``) or GeoJSON boundaries. The
    one entry of the page, the API and the command (the form's format choice decides ``as_list``)."""
    if as_list:
        return districts_import_list(municipality=municipality, source=content, level=level)
    return districts_import_geojson(
        municipality=municipality,
        data=content,
        level=level,
        code_property=code_property,
        name_property=name_property,
        parent_property=parent_property,
    )


def districts_import_list(
    *, municipality: Municipality, source: bytes, level: str = District.Level.SOZIALRAUM
) -> dict[str, Any]:
    """Import districts without geometry from a CSV/XLSX list (Kennziffer, Name, optional parent code)."""
    try:
        with open_table(source) as table:
            header = [normalise_header(h) for h in table.header]
            rows = list(table.rows())
            raw_header = table.header
    except ImportFileError as exc:
        raise DistrictImportError(
            [str(TABLE_MESSAGES["unreadable"]) % {"reason": exc.issue.message_de}]
        ) from exc
    code_col = next(
        (header.index(h) for h in ("kennziffer", "code", "nr", "nummer", "id") if h in header), None
    )
    name_col = next(
        (header.index(h) for h in ("name", "bezeichnung", "bezirk", "stadtteil") if h in header), None
    )
    parent_col = next(
        (header.index(h) for h in ("parent", "übergeordnet", "uebergeordnet") if h in header), None
    )
    if code_col is None or name_col is None:
        raise DistrictImportError([str(GEO_MESSAGES["list_no_columns"]) % {"header": ", ".join(raw_header)}])
    errors, entries, seen = [], [], {}
    for line, cells in rows:
        cells = [str(c).strip() if c is not None else "" for c in cells] + [""] * len(header)
        code, name = cells[code_col].removesuffix(".0"), cells[name_col]
        parent = cells[parent_col] if parent_col is not None else ""
        if not code or not name:
            errors.append(_("Zeile %(line)s") % {"line": line} + ": " + str(GEO_MESSAGES["list_empty_cell"]))
        elif code in seen:
            errors.append(
                _("Zeile %(line)s") % {"line": line}
                + ": "
                + str(GEO_MESSAGES["duplicate_code"]).replace(
                    "Feature %(first)s", _("Zeile %(line)s") % {"line": seen[code]}
                )
            )
        else:
            seen[code] = line
            entries.append((line, code, name, parent))
    parents = _parents(municipality, level, {p for *_, p in entries if p})
    errors += [
        _("Zeile %(line)s") % {"line": line} + ": " + str(GEO_MESSAGES["unknown_parent"]) % {"parent": parent}
        for line, _code, _name, parent in entries
        if parent and parent not in parents
    ]
    if errors or not entries:
        raise DistrictImportError(errors or [str(TABLE_MESSAGES["no_values"])])
    created = 0
    for _line, code, name, parent in entries:
        _district, was_created = District.objects.update_or_create(
            municipality=municipality,
            level=level,
            code=code,
            defaults={"name": name, **({"parent": parents[parent]} if parent else {})},
        )
        created += was_created
    indicators_ensure(municipality=municipality)
    return {"created": created, "updated": len(entries) - created, "warnings": []}


# -- indicator values ------------------------------------------------------------------------------
def _indicator_columns(municipality: Municipality) -> tuple[list[IndicatorColumn], dict[str, Indicator]]:
    indicators = list(Indicator.objects.filter(municipality=municipality))
    columns = [
        IndicatorColumn(
            key=i.key,
            names=(i.name, *SYNONYMS.get(i.key, ())),
            share=i.kind == Indicator.Kind.SHARE,
            count=i.kind == Indicator.Kind.COUNT,
        )
        for i in indicators
    ]
    return columns, {i.key: i for i in indicators}


@transaction.atomic
def indicator_values_import(
    *, municipality: Municipality, source: bytes, filename: str, user=None, sheet: str | None = None
) -> IndicatorImport:
    """Import indicator values per district and year from CSV/XLSX: all or nothing.

    A value for a district, indicator and year that exists is replaced; values the file does not name
    stay. Afterwards the social index is recomputed.
    """
    indicators_ensure(municipality=municipality)
    districts = list(District.objects.filter(municipality=municipality))
    if not districts:
        raise DistrictImportError([str(TABLE_MESSAGES["no_districts"])])
    columns, by_key = _indicator_columns(municipality)
    try:
        with open_table(source, sheet=sheet) as table:
            result = read_indicator_table(
                table.header,
                table.rows(),
                districts={d.code: d.pk for d in districts},
                district_names={d.name: d.pk for d in districts},
                indicators=columns,
                detect_convention=lambda cells: detect_decimal_convention(cells)[0],
            )
    except ImportFileError as exc:
        raise DistrictImportError(
            [str(TABLE_MESSAGES["unreadable"]) % {"reason": exc.issue.message_de}]
        ) from exc
    if not result.ok:
        raise DistrictImportError([table_message(i) for i in result.issues])
    existing = {
        (v.district_id, v.indicator_id, v.year): v
        for v in IndicatorValue.objects.filter(
            district__municipality=municipality, year__in=result.years, indicator__key__in=result.columns
        )
    }
    new, changed = [], []
    for district_id, key, year, value in result.values:
        indicator_id = by_key[key].pk
        row = existing.get((district_id, indicator_id, year))
        if row is None:
            new.append(
                IndicatorValue(district_id=district_id, indicator_id=indicator_id, year=year, value=value)
            )
        elif row.value != value:
            row.value = value
            changed.append(row)
    IndicatorValue.objects.bulk_create(new, batch_size=2000)
    IndicatorValue.objects.bulk_update(changed, ["value"], batch_size=2000)
    record = IndicatorImport.objects.create(
        municipality=municipality,
        filename=filename[:255],
        rows=len({(d, y) for d, _k, y, _v in result.values}),
        values=len(result.values),
        years=result.years,
        indicators=result.columns,
        imported_by=user if getattr(user, "is_authenticated", False) else None,
    )
    social_index_refresh(municipality=municipality)
    return record


# -- social index ----------------------------------------------------------------------------------
def index_specs(indicators: Iterable[Indicator]) -> dict[str, IndexSpec]:
    return {i.key: IndexSpec(float(i.weight), i.direction) for i in indicators}


@transaction.atomic
def social_index_refresh(*, municipality: Municipality) -> int:
    """Recompute the social index, ranks, changes and profile groups of every level and year.

    Deterministic (values read in a fixed order, see ``planning.engine.social_index``): importing the
    same file again leaves every stored number as it was.
    """
    indicators = list(Indicator.objects.filter(municipality=municipality))
    specs = index_specs(indicators)
    names = {i.key: i.name for i in indicators}
    SocialIndexValue.objects.filter(district__municipality=municipality).delete()
    rows = list(
        IndicatorValue.objects.filter(district__municipality=municipality, indicator__in=indicators)
        .order_by("district_id", "indicator__key", "year")
        .values_list("district_id", "district__level", "indicator__key", "year", "value")
    )
    if not rows:
        return 0
    frame = pd.DataFrame(rows, columns=["district", "level", "indicator", "year", "value"])
    stored = []
    for _level, values in frame.groupby("level", sort=True):
        table = social_index(values, specs)
        groups = {}
        for year in sorted(table["year"].unique()):
            for group in profile_groups(values, specs, int(year), k=GROUPS_K):
                label = _group_label(group, specs, names)
                for district in group.districts:
                    groups[(int(year), district)] = (group.number, label)
        for row in table.itertuples(index=False):
            number, label = groups.get((int(row.year), row.district), (None, ""))
            stored.append(
                SocialIndexValue(
                    district_id=int(row.district),
                    year=int(row.year),
                    value=None if pd.isna(row.index) else round(float(row.index), 6),
                    rank=None if pd.isna(row.rank) else int(row.rank),
                    coverage=round(float(row.coverage), 6),
                    change=None if pd.isna(row.change) else round(float(row.change), 6),
                    rank_change=None if pd.isna(row.rank_change) else int(row.rank_change),
                    group=number,
                    group_label=label[:300],
                )
            )
    SocialIndexValue.objects.bulk_create(stored, batch_size=2000)
    return len(stored)


def _group_label(group, specs: dict[str, IndexSpec], names: dict[str, str]) -> str:
    """What sets a group apart: its strongest indicators with an arrow for the raw value (a high
    SGB II quota ↑, little living space ↓), else whether its need is below average."""
    marked = [
        f"{names[key]} {'↓' if specs[key].direction == 'better' else '↑'}" for key, _z in group.marked[:3]
    ]
    if marked:
        return ", ".join(marked)
    return _("geringer Bedarf") if group.mean_index < -0.25 else _("durchschnittlich")


# -- offers ----------------------------------------------------------------------------------------
def _locator(municipality: Municipality) -> DistrictLocator:
    """Point-in-district over the finest level with geometry (a Sozialraum before its Stadtteil)."""
    return district_locator(municipality)


@transaction.atomic
def offer_save(*, municipality: Municipality, offer: Offer) -> Offer:
    """Store an offer; given coordinates place it in the district that contains them (and must lie in
    one), otherwise the chosen district is kept."""
    offer.municipality = municipality
    if offer.district_id and offer.district.municipality_id != municipality.pk:
        raise ValidationError({"district": _("Der Bezirk gehört nicht zu dieser Kommune.")})
    if offer.lon is not None and offer.lat is not None:
        found = _locator(municipality).locate(offer.lon, offer.lat)
        if found is None:
            raise ValidationError(
                {
                    "lon": _("Der Punkt (%(lat)s° N, %(lon)s° O) liegt in keinem Bezirk.")
                    % {"lat": offer.lat, "lon": offer.lon}
                }
            )
        offer.district_id = found
    elif offer.lon is not None or offer.lat is not None:
        raise ValidationError({"lat": _("Bitte Längen- und Breitengrad angeben oder beide leer lassen.")})
    offer.full_clean()
    offer.save()
    return offer


def offers_relocate(*, municipality: Municipality) -> int:
    """After new boundaries: place every offer with coordinates again (one STRtree for all)."""
    locator = _locator(municipality)
    moved = 0
    for offer in Offer.objects.filter(municipality=municipality, lon__isnull=False, lat__isnull=False):
        found = locator.locate(offer.lon, offer.lat)
        if found is not None and found != offer.district_id:
            Offer.objects.filter(pk=offer.pk).update(district_id=found)
            moved += 1
    return moved


@transaction.atomic
def offer_delete(*, offer: Offer) -> None:
    offer.delete()


# -- links of workshops and measures ---------------------------------------------------------------
@transaction.atomic
def district_link_set(
    *, district: District, board_id: int | None = None, measure_id: int | None = None
) -> None:
    """Link a SWOT board or a measure of the SWOT list of the same municipality to the district (None:
    nothing). Planning's measures choose their district themselves (measure form, API, CLI)."""
    from swot.models import Board, Measure

    if board_id is not None:
        updated = Board.objects.filter(pk=board_id, municipality_id=district.municipality_id).update(
            district=district
        )
        if not updated:
            raise ValidationError(_("Diesen Workshop gibt es in dieser Kommune nicht."))
    if measure_id is not None:
        updated = Measure.objects.filter(pk=measure_id, municipality_id=district.municipality_id).update(
            district=district
        )
        if not updated:
            raise ValidationError(_("Diese Maßnahme gibt es in dieser Kommune nicht."))
