"""CSV/XLSX import of stakeholders: check first (a preview with every problem named by line, column and
reason), then apply all rows in one transaction, or none.

Columns are recognised by German or English names (``Name``, ``Sektor``/``sector``, ``Sozialraum`` ...;
see docs/stakeholders.md); values by their code or their German label. Optional ``Einfluss`` and
``Interesse`` columns add a first assessment.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.geo import district_locator
from core.models import District, Municipality
from stakeholders.methods.grid import suggested_strategy
from stakeholders.models import Assessment, ImportBatch, Sector, Stakeholder
from stakeholders.services.registry import _check_person, _normalise, _place, district_lookup

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

# column aliases (lower case, without spaces/underscores/hyphens) -> field
COLUMNS: dict[str, str] = {
    "name": "name", "bezeichnung": "name",
    "typ": "entity", "entity": "entity",
    "sektor": "sector", "sector": "sector",
    "art": "kind", "kind": "kind",
    "sozialraum": "district", "bezirk": "district", "stadtteil": "district", "district": "district",
    "ortohnesozialraum": "district_note", "districtnote": "district_note",
    "längengrad": "lon", "laengengrad": "lon", "lon": "lon", "longitude": "lon", "lng": "lon",
    "breitengrad": "lat", "lat": "lat", "latitude": "lat",
    "schlagworte": "tags", "tags": "tags",
    "ansprechperson": "contact_person", "contactperson": "contact_person", "kontakt": "contact_person",
    "email": "email", "mail": "email",
    "telefon": "phone", "phone": "phone",
    "anschrift": "address", "adresse": "address", "address": "address",
    "website": "website", "webseite": "website",
    "interessen": "interests", "interests": "interests",
    "erwartungen": "expectations", "expectations": "expectations",
    "haltung": "attitude", "attitude": "attitude",
    "ehrenamtsstunden": "volunteer_hours", "volunteerhours": "volunteer_hours",
    "geld": "money", "money": "money",
    "räume": "rooms", "raeume": "rooms", "rooms": "rooms",
    "personal": "staff", "staff": "staff", "vollzeitstellen": "staff",
    "expertise": "expertise",
    "notizen": "notes", "notes": "notes",
    "rechtsgrundlage": "legal_basis", "legalbasis": "legal_basis",
    "zweck": "purpose", "purpose": "purpose",
    "einwilligungam": "consent_given_on", "consentgivenon": "consent_given_on",
    "einwilligungsumfang": "consent_scope", "consentscope": "consent_scope",
    "aufbewahrenbis": "retention_until", "retentionuntil": "retention_until",
    "einfluss": "influence", "influence": "influence",
    "interesse": "interest", "interest": "interest",
    "bewertetam": "assessed_on", "assessedon": "assessed_on",
}  # fmt: skip
CHOICE_FIELDS = {
    "entity": Stakeholder.Entity,
    "sector": Sector,
    "kind": Stakeholder.Kind,
    "attitude": Stakeholder.Attitude,
    "legal_basis": Stakeholder.LegalBasis,
}
SECTOR_WORDS = {"öffentlich": "public", "dritter": "third", "informell": "informal", "markt": "market"}
DATE_FIELDS = ("consent_given_on", "retention_until", "assessed_on")
ASSESSMENT_COLUMNS = ("influence", "interest", "assessed_on")


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Zeile %(line)s, Spalte „%(column)s“: %(reason)s") % asdict(self)


def _key(header: str) -> str:
    return re.sub(r"[\s_\-.]", "", header.strip().lower())


def parse_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) of a CSV (UTF-8 with or without BOM, else Windows-1252; ``;``, ``,``
    or tab) or XLSX file. Raises ValueError with a message for the user."""
    if len(data) > MAX_BYTES:
        raise ValueError(_("Die Datei ist größer als 5 MB."))
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _parse_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not text.strip():
        raise ValueError(_("Die Datei ist leer."))
    first = text.splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            if header is None:
                header = cells
                continue
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ValueError(_("Zeile %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}) from exc
    return header or [], rows


def _parse_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValueError(_("Die XLSX-Datei lässt sich nicht lesen: %(error)s") % {"error": exc}) from exc
    sheet = workbook.worksheets[0]
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [
            "" if v is None else (v.isoformat()[:10] if isinstance(v, dt.datetime | dt.date) else str(v))
            for v in values
        ]
        if header is None:
            header = cells
        elif any(c.strip() for c in cells):
            rows.append((number, cells))
    workbook.close()
    return header or [], rows


def _choice(field: str, raw: str) -> str:
    choices = CHOICE_FIELDS[field]
    value = raw.strip()
    lowered = value.lower()
    for code, label in choices.choices:
        if lowered in (code.lower(), str(label).lower()):
            return code
    if field == "sector":
        for word, code in SECTOR_WORDS.items():
            if lowered.startswith(word):
                return code
    if field == "legal_basis":
        match = re.search(r"lit\.?\s*([a-f])\b", lowered)
        if match:
            return match.group(1)
    allowed = ", ".join(str(label) for _code, label in choices.choices)
    raise ValueError(
        _("„%(value)s“ ist kein gültiger Wert (erlaubt: %(allowed)s)") % {"value": value, "allowed": allowed}
    )


def _number(raw: str, *, integer: bool = False) -> Decimal | int:
    text = raw.strip().replace(" ", "").replace("€", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # German thousands separators: 2.400
        text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("„%(value)s“ ist keine Zahl") % {"value": raw}) from exc
    if value < 0:
        raise ValueError(_("darf nicht negativ sein"))
    if integer:
        if value != value.to_integral_value():
            raise ValueError(_("„%(value)s“ ist keine ganze Zahl") % {"value": raw})
        return int(value)
    return value


def _coordinate(raw: str) -> float:
    """A longitude or latitude in degrees, German (7,1234) or English (7.1234) decimal notation."""
    text = raw.strip().replace(" ", "").replace("°", "").replace(",", ".")
    try:
        return float(text)
    except ValueError as exc:
        raise ValueError(_("„%(value)s“ ist keine Koordinate (Grad, z. B. 7,1234)") % {"value": raw}) from exc


def _date(raw: str) -> dt.date:
    text = raw.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("„%(value)s“ ist kein Datum (TT.MM.JJJJ)") % {"value": raw})


def _convert(field: str, raw: str) -> Any:
    if field in CHOICE_FIELDS:
        return _choice(field, raw)
    if field in ("volunteer_hours",):
        return _number(raw, integer=True)
    if field in ("money", "staff"):
        return _number(raw)
    if field in ("influence", "interest"):
        value = _number(raw, integer=True)
        if not 1 <= value <= 5:
            raise ValueError(_("muss zwischen 1 und 5 liegen"))
        return value
    if field in DATE_FIELDS:
        return _date(raw)
    if field in ("lon", "lat"):
        return _coordinate(raw)
    if field == "tags":
        return [t.strip() for t in re.split(r"[,|]", raw) if t.strip()]
    return raw.strip()


def check_rows(
    municipality: Municipality, header: list[str], rows: list[tuple[int, list[str]]]
) -> tuple[list[dict], list[ImportProblem]]:
    """Converted rows and every problem found (nothing is written)."""
    problems: list[ImportProblem] = []
    fields: list[str | None] = [COLUMNS.get(_key(h)) for h in header]
    column_of = {f: header[i] for i, f in enumerate(fields) if f}
    for required in ("name", "sector"):
        if required not in column_of:
            problems.append(ImportProblem(1, required, _("Pflichtspalte fehlt")))
    if problems:
        return [], problems
    if len(rows) > MAX_ROWS:
        return [], [ImportProblem(MAX_ROWS + 2, "", _("Höchstens %(n)s Zeilen je Datei") % {"n": MAX_ROWS})]
    existing = set(Stakeholder.objects.filter(municipality=municipality).values_list("entity", "name"))
    districts = district_lookup(municipality)
    locator = None
    seen: dict[tuple[str, str], int] = {}
    result: list[dict] = []
    for line, cells in rows:
        values: dict[str, Any] = {}
        for i, field in enumerate(fields):
            raw = cells[i] if i < len(cells) else ""
            if field is None or not raw.strip():
                continue
            try:
                values[field] = _convert(field, raw)
            except ValueError as exc:
                problems.append(ImportProblem(line, header[i], str(exc)))
        assessment = {k: values.pop(k) for k in ASSESSMENT_COLUMNS if k in values}
        if not values.get("name"):
            problems.append(ImportProblem(line, column_of["name"], _("Name fehlt")))
            continue
        if not values.get("sector") and not any(p.line == line for p in problems):
            problems.append(ImportProblem(line, column_of["sector"], _("Sektor fehlt")))
            continue
        converted = not any(
            p.line == line and p.column in {column_of.get(k) for k in ASSESSMENT_COLUMNS} for p in problems
        )
        if converted and bool(assessment.get("influence")) != bool(assessment.get("interest")):
            missing = "interest" if assessment.get("influence") else "influence"
            problems.append(
                ImportProblem(
                    line, column_of.get(missing, missing), _("Einfluss und Interesse nur gemeinsam")
                )
            )
        identity = (values.get("entity", Stakeholder.Entity.ORGANISATION), values["name"])
        if identity in existing:
            problems.append(ImportProblem(line, column_of["name"], _("gibt es im Register schon")))
        elif identity in seen:
            problems.append(
                ImportProblem(
                    line,
                    column_of["name"],
                    _("doppelt in der Datei (auch Zeile %(n)s)") % {"n": seen[identity]},
                )
            )
        seen.setdefault(identity, line)
        # the place: a district of the municipality by name or code; a name that matches none is kept
        # as the place note (shown in the preview), never dropped
        place = values.pop("district", None)
        if place:
            found = districts.get(place.casefold())
            if found is None:
                values["district_note"] = place[:120]
        candidate = Stakeholder(municipality=municipality, **_normalise(dict(values)))
        if place and found is not None:
            candidate.district = found
        try:
            candidate.full_clean(exclude=["municipality"])
            if candidate.lon is not None or candidate.lat is not None:
                locator = locator or district_locator(municipality)
            _place(candidate, locator)
            _check_person(candidate)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if any(p.line == line and p.column == column_of.get(field) for p in problems):
                    continue  # already reported when the value was converted
                problems.append(ImportProblem(line, column_of.get(field, field), " ".join(messages)))
        plain = {
            k: (str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in values.items()
        }
        if assessment:
            plain["_assessment"] = {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in assessment.items()
            }
        if candidate.district_id:
            plain["district"] = candidate.district_id
            plain["_district_name"] = candidate.district.name
        plain["_line"] = line
        result.append(plain)
    return result, problems


def import_check(*, municipality: Municipality, data: bytes, filename: str, user=None) -> ImportBatch:
    """Read and check a file; the batch holds the rows and problems for the preview."""
    try:
        header, rows = parse_table(data, filename)
        checked, problems = check_rows(municipality, header, rows)
    except ValueError as exc:
        checked, problems = [], [ImportProblem(1, "", str(exc))]
    return ImportBatch.objects.create(
        municipality=municipality,
        created_by=user,
        filename=filename[:255],
        rows=checked,
        problems=[asdict(p) for p in problems],
    )


def import_apply(*, batch: ImportBatch, user=None) -> int:
    """Create every row's stakeholder (and its first assessment) in one transaction; refuse a batch with
    problems or one already applied. The rows are dropped afterwards (no second copy of personal data)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.applied_at is not None:
            raise ValueError(_("Dieser Import wurde schon übernommen."))
        if locked.problems:
            raise ValueError(_("Der Import hat Fehler; es wurde nichts übernommen."))
        # re-check against the registry as it is now (someone may have added a name meanwhile)
        existing = set(
            Stakeholder.objects.filter(municipality=locked.municipality).values_list("entity", "name")
        )
        district_ids = set(
            District.objects.filter(municipality=locked.municipality).values_list("pk", flat=True)
        )
        created = 0
        for row in locked.rows:
            values = {k: v for k, v in row.items() if not k.startswith("_")}
            if (values.get("entity", Stakeholder.Entity.ORGANISATION), values["name"]) in existing:
                raise ValueError(
                    _("Zeile %(line)s: „%(name)s“ gibt es inzwischen im Register.")
                    % {"line": row["_line"], "name": values["name"]}
                )
            for field in ("consent_given_on", "retention_until"):
                if values.get(field):
                    values[field] = dt.date.fromisoformat(values[field])
            district_id = values.pop("district", None)
            if district_id is not None and district_id not in district_ids:
                raise ValueError(
                    _("Zeile %(line)s: den Sozialraum gibt es inzwischen nicht mehr.")
                    % {"line": row["_line"]}
                )
            stakeholder = Stakeholder(
                municipality=locked.municipality, district_id=district_id, **_normalise(values)
            )
            stakeholder.full_clean(exclude=["municipality"])
            stakeholder.save()
            assessment = row.get("_assessment")
            if assessment and assessment.get("influence"):
                Assessment.objects.create(
                    stakeholder=stakeholder,
                    assessor=user,
                    assessed_on=dt.date.fromisoformat(assessment["assessed_on"])
                    if assessment.get("assessed_on")
                    else timezone.localdate(),
                    influence=assessment["influence"],
                    interest=assessment["interest"],
                    strategy=suggested_strategy(assessment["influence"], assessment["interest"]),
                    comment=_("Import %(file)s") % {"file": locked.filename},
                )
            created += 1
        locked.applied_at = timezone.now()
        locked.rows = [{"_count": created}]
        locked.save(update_fields=["applied_at", "rows"])
    return created
