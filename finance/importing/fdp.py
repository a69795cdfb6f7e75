"""Fiscal Data Package (Open Knowledge's open format for budget data): export and import.

A package is a ZIP with ``datapackage.json`` and one CSV resource (``budget.csv``). The descriptor is a
Tabular Data Package with the Fiscal Data Package ``model``: one measure (``amount``, EUR, exact to
the cent) and dimensions for the year (``datetime``), the phase and direction and statement (facts),
the product (functional classification) and the account (economic classification).

``validate_descriptor`` checks a descriptor with ``jsonschema`` against ``FDP_SCHEMA``: the parts of
the Fiscal Data Package v1 specification an importer relies on (profile, resources with a table
schema, a model whose measures and dimension attributes name fields of the resource). The official
JSON schema is not shipped with any maintained offline library, so this subset is ours; it is strict
where the import depends on it.

``read_package`` turns a package into the CSV bytes and the ``Mapping`` that reads them, taken from
the model (never guessed), so export -> import gives identical totals.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
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

_NAME = {"type": "string", "pattern": "^([-a-z0-9._/])+$"}
FDP_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Fiscal Data Package (subset read by Spielraum)",
    "type": "object",
    "required": ["name", "profile", "resources", "model"],
    "properties": {
        "name": _NAME,
        "profile": {"enum": ["fiscal-data-package", "tabular-data-package"]},
        "resources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "path", "schema"],
                "properties": {
                    "name": _NAME,
                    "path": {"type": "string"},
                    "format": {"enum": ["csv"]},
                    "encoding": {"type": "string"},
                    "schema": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {
                            "fields": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["name", "type"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "type": {"enum": ["string", "integer", "number", "date", "year"]},
                                    },
                                },
                            }
                        },
                    },
                },
            },
        },
        "model": {
            "type": "object",
            "required": ["measures", "dimensions"],
            "properties": {
                "measures": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {
                        "type": "object",
                        "required": ["source", "currency"],
                        "properties": {"source": {"type": "string"}, "currency": {"type": "string"}},
                    },
                },
                "dimensions": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {
                        "type": "object",
                        "required": ["attributes", "primaryKey", "dimensionType"],
                        "properties": {
                            "attributes": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "object",
                                    "required": ["source"],
                                    "properties": {"source": {"type": "string"}},
                                },
                            },
                            "dimensionType": {
                                "enum": [
                                    "datetime",
                                    "entity",
                                    "classification",
                                    "activity",
                                    "fact",
                                    "location",
                                    "other",
                                ]
                            },
                        },
                    },
                },
            },
        },
    },
}


def validate_descriptor(descriptor: dict[str, Any]) -> list[str]:
    """Problems of a descriptor (empty when valid): schema errors, then model sources not in the fields."""
    validator = jsonschema.Draft7Validator(FDP_SCHEMA)
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(descriptor)
    ]
    if problems:
        return problems
    fields = {f["name"] for f in descriptor["resources"][0]["schema"]["fields"]}
    model = descriptor["model"]
    sources = [m["source"] for m in model["measures"].values()]
    sources += [a["source"] for d in model["dimensions"].values() for a in d["attributes"].values()]
    return [f"model: source {s!r} is not a field of the resource" for s in sources if s not in fields]


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
            raise ImportFileError(make_issue("bad_fdp", detail=f"{DESCRIPTOR}: {exc}")) from exc
        problems = validate_descriptor(descriptor) if isinstance(descriptor, dict) else ["not an object"]
        if problems:
            raise ImportFileError(make_issue("bad_fdp", detail="; ".join(problems[:5])))
        resource = descriptor["resources"][0]
        try:
            content = archive.read(resource["path"])
        except KeyError as exc:
            raise ImportFileError(make_issue("bad_fdp", detail=f"missing {resource['path']}")) from exc
    model = descriptor["model"]
    mapping = Mapping(layout=LONG, sign_convention=AS_IS_WITH_DIRECTION_COLUMN, decimal_convention="en")
    mapping.amount = next(iter(model["measures"].values()))["source"]
    for key, dimension in model["dimensions"].items():
        attributes = dimension["attributes"]
        primary = attributes[dimension["primaryKey"]]["source"]
        label = next((a["source"] for a in attributes.values() if a.get("labelfor")), None)
        kind = dimension.get("classificationType")
        if dimension["dimensionType"] == "datetime":
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
