"""Fiscal Data Package (Open Knowledge's open format for budget data): export and import.

A package is a ZIP with ``datapackage.json`` and one CSV resource (``budget.csv``). The descriptor is a
Tabular Data Package with the Fiscal Data Package ``model``: one measure (``amount``, EUR, exact to
the cent) and dimensions for the year (``datetime``), the phase and direction and statement (facts),
the product (functional classification) and the account (economic classification).

``validate_descriptor`` checks a descriptor with ``jsonschema`` against the official Fiscal Data
Package profile (``fiscal.json``, JSON Schema draft 4, shipped by frictionless 4 and read from the
installed package, so no network), then against what the importer relies on beyond it
(``IMPORT_SCHEMA``: one CSV path, one measure, single-attribute primary keys) and checks that the
model's sources name fields of the resource. Every problem names its place in the descriptor and
the reason, in German and English.

``read_package`` turns a package into the CSV bytes and the ``Mapping`` that reads them, taken from
the model (never guessed), so export -> import gives identical totals.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema

from .issues import ImportFileError, make_issue
from .mapping import AS_IS_WITH_DIRECTION_COLUMN, LONG, Mapping
from .records import BudgetRecord

DESCRIPTOR = "datapackage.json"
RESOURCE = "budget.csv"
FIELDS = (
    ("year", "integer"),
    ("phase", "string"),
    ("statement", "string"),
    ("direction", "string"),
    ("product_code", "string"),
    ("product_name", "string"),
    ("account_code", "string"),
    ("account_name", "string"),
    ("amount", "number"),
)
_DIRECTION_OUT = {"revenue": "revenue", "expense": "expenditure"}

PROFILE_RESOURCE = "assets/profiles/package/fiscal.json"  # in the frictionless 4 package (5 dropped it)

# What the importer relies on beyond the official profile (which allows, e.g., a list of paths, a
# primary key of several attributes, no measure at all): one CSV resource read from the ZIP, one
# measure, dimensions keyed by one attribute of their own.
IMPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "resources": {
            "type": "array",
            "items": [
                {
                    "type": "object",
                    "required": ["path", "schema"],
                    "properties": {
                        "path": {"type": "string"},
                        "schema": {"type": "object", "required": ["fields"]},
                    },
                }
            ],
        },
        "model": {
            "type": "object",
            "properties": {
                "measures": {"type": "object", "minProperties": 1},
                "dimensions": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"primaryKey": {"type": "string"}},
                    },
                },
            },
        },
    },
}


@functools.cache
def official_profile() -> dict[str, Any]:
    """The official Fiscal Data Package profile (JSON Schema draft 4), read from the installed
    frictionless 4 package: no network (the profile has no remote ``$ref``)."""
    return json.loads(resources.files("frictionless").joinpath(PROFILE_RESOURCE).read_text("utf-8"))


@functools.cache
def _official_validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(official_profile())


@dataclass(frozen=True)
class Problem:
    """A place in the descriptor (``resources/0/schema``, ``(Wurzel)``) and why it is wrong."""

    path: str
    reason_de: str
    reason_en: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason_de}"

    @property
    def text_en(self) -> str:
        return f"{self.path}: {self.reason_en}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _reason(error: jsonschema.ValidationError) -> tuple[str, str]:
    """The reason of a schema error in German and English (jsonschema's own messages are English)."""
    kind, rule = error.validator, error.validator_value
    if kind == "required":
        missing = next((r for r in rule if isinstance(error.instance, dict) and r not in error.instance), "?")
        return f"Pflichtangabe „{missing}“ fehlt", f"required property '{missing}' is missing"
    if kind == "type":
        return f"muss vom Typ {rule} sein", f"must be of type {rule}"
    if kind == "enum":
        allowed = ", ".join(map(str, rule))
        return f"muss einer dieser Werte sein: {allowed}", f"must be one of: {allowed}"
    if kind == "pattern":
        return f"entspricht nicht dem Muster {rule}", f"does not match the pattern {rule}"
    if kind in ("minItems", "minProperties", "minLength"):
        return "darf nicht leer sein", "must not be empty"
    if kind in ("oneOf", "anyOf") and error.context:
        inner = sorted({_reason(c) for c in error.context if c.absolute_path == error.absolute_path})
        de = "; ".join(d for d, _ in inner[:3]) or "passt zu keiner erlaubten Form"
        en = "; ".join(e for _, e in inner[:3]) or "matches none of the allowed forms"
        return f"passt zu keiner erlaubten Form ({de})", f"matches none of the allowed forms ({en})"
    return (
        f"verletzt die Regel „{kind}“ des Profils (Wert {_shown(error.instance)})",
        f"breaks the profile's rule '{kind}' (value {_shown(error.instance)})",
    )


def _schema_problems(validator: jsonschema.protocols.Validator, descriptor: Any) -> list[Problem]:
    problems: list[Problem] = []
    for error in sorted(validator.iter_errors(descriptor), key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(map(str, error.absolute_path)) or "(Wurzel)"
        problem = Problem(path, *_reason(error))
        if problem not in problems:  # the profile's allOf repeats the Tabular Data Package's rules
            problems.append(problem)
    return problems


def validate_descriptor(descriptor: Any) -> list[Problem]:
    """Problems of a descriptor (empty when valid): first the official Fiscal Data Package profile,
    then what the importer relies on (``IMPORT_SCHEMA``), then model sources that are not fields."""
    problems = _schema_problems(_official_validator(), descriptor)
    if problems:
        return problems
    problems = _schema_problems(jsonschema.Draft4Validator(IMPORT_SCHEMA), descriptor)
    if problems:
        return problems
    fields = {f.get("name") for f in descriptor["resources"][0]["schema"]["fields"] if isinstance(f, dict)}
    model = descriptor["model"]
    named = [(f"model/measures/{k}/source", m["source"]) for k, m in model["measures"].items()]
    for key, dimension in model["dimensions"].items():
        if dimension["primaryKey"] not in dimension["attributes"]:
            problems.append(
                Problem(
                    f"model/dimensions/{key}/primaryKey",
                    f"„{dimension['primaryKey']}“ ist kein Attribut der Dimension",
                    f"'{dimension['primaryKey']}' is not an attribute of the dimension",
                )
            )
        named += [
            (f"model/dimensions/{key}/attributes/{a}/source", v["source"])
            for a, v in dimension["attributes"].items()
        ]
    problems += [
        Problem(path, f"„{source}“ ist kein Feld der Ressource", f"'{source}' is not a field of the resource")
        for path, source in named
        if source not in fields
    ]
    return problems


def descriptor_for(name: str, title: str) -> dict[str, Any]:
    """The descriptor of an exported version."""

    def dimension(kind: str, **attributes: str) -> dict[str, Any]:
        key = next(iter(attributes))
        attrs = {attr: {"source": source} for attr, source in attributes.items()}
        if "label" in attrs:
            attrs["label"]["labelfor"] = "code"
        return {"attributes": attrs, "primaryKey": key, "dimensionType": kind}

    functional = dimension("classification", code="product_code", label="product_name")
    functional["classificationType"] = "functional"
    economic = dimension("classification", code="account_code", label="account_name")
    economic["classificationType"] = "economic"
    return {
        "name": name,
        "title": title,
        "profile": "fiscal-data-package",
        "resources": [
            {
                "name": "budget",
                "path": RESOURCE,
                "format": "csv",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                "schema": {"fields": [{"name": n, "type": t} for n, t in FIELDS]},
            }
        ],
        "model": {
            "measures": {"amount": {"source": "amount", "currency": "EUR", "factor": 1}},
            "dimensions": {
                "date": dimension("datetime", year="year"),
                "phase": dimension("fact", phase="phase"),
                "statement": dimension("fact", statement="statement"),
                "direction": dimension("fact", direction="direction"),
                "functional-classification": functional,
                "economic-classification": economic,
            },
        },
    }


def write_package(records: Iterable[BudgetRecord | dict[str, Any]], *, name: str, title: str) -> bytes:
    """A ZIP with the descriptor and the CSV; amounts as decimal strings (exact)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([n for n, _ in FIELDS])
    for r in records:
        row = r if isinstance(r, dict) else {n: getattr(r, n) for n, _ in FIELDS}
        writer.writerow(
            [
                row["year"],
                row["phase"],
                row["statement"],
                _DIRECTION_OUT[row["direction"]],
                row["product_code"],
                row["product_name"],
                row["account_code"],
                row["account_name"],
                f"{row['amount']:.2f}",
            ]
        )
    descriptor = descriptor_for(name, title)
    problems = validate_descriptor(descriptor)
    if problems:  # our own export must always be valid
        raise ValueError(problems)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DESCRIPTOR, json.dumps(descriptor, ensure_ascii=False, indent=2))
        archive.writestr(RESOURCE, text.getvalue().encode("utf-8"))
    return buffer.getvalue()


def is_package(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return DESCRIPTOR in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_package(data: bytes) -> tuple[bytes, Mapping]:
    """The resource's CSV bytes and the mapping the model gives; raises ImportFileError when invalid."""
    from .sources import check_archive

    check_archive(io.BytesIO(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            descriptor = json.loads(archive.read(DESCRIPTOR))
        except ValueError as exc:
            raise ImportFileError(
                make_issue(
                    "bad_fdp",
                    detail_de=f"{DESCRIPTOR} ist kein gültiges JSON ({exc})",
                    detail_en=f"{DESCRIPTOR} is not valid JSON ({exc})",
                )
            ) from exc
        problems = validate_descriptor(descriptor)
        if problems:
            raise ImportFileError(
                make_issue(
                    "bad_fdp",
                    detail_de="; ".join(str(p) for p in problems[:5]),
                    detail_en="; ".join(p.text_en for p in problems[:5]),
                )
            )
        resource = descriptor["resources"][0]
        try:
            content = archive.read(resource["path"])
        except KeyError as exc:
            raise ImportFileError(
                make_issue(
                    "bad_fdp",
                    detail_de=f"resources/0/path: die Datei „{resource['path']}“ fehlt im ZIP",
                    detail_en=f"resources/0/path: the file '{resource['path']}' is missing from the ZIP",
                )
            ) from exc
    model = descriptor["model"]
    mapping = Mapping(layout=LONG, sign_convention=AS_IS_WITH_DIRECTION_COLUMN, decimal_convention="en")
    mapping.amount = next(iter(model["measures"].values()))["source"]
    for key, dimension in model["dimensions"].items():
        attributes = dimension["attributes"]
        primary = attributes[dimension["primaryKey"]]["source"]
        label = next((a["source"] for a in attributes.values() if a.get("labelfor")), None)
        kind = dimension.get("classificationType")
        if dimension.get("dimensionType") == "datetime":
            mapping.year = primary
        elif kind == "functional" or key == "functional-classification":
            mapping.product_code, mapping.product_name = primary, label
        elif kind == "economic" or key == "economic-classification":
            mapping.account_code, mapping.account_name = primary, label
        elif key in ("phase", "statement", "direction"):
            setattr(mapping, key, primary)
    mapping.value_maps = {
        "direction": {"revenue": "revenue", "expenditure": "expense", "expense": "expense"},
        "statement": {s: s for s in ("results", "financial", "kameral_vwh", "kameral_vmh", "kameral")},
    }
    return content, mapping
