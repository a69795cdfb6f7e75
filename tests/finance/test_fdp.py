"""Fiscal Data Package: export is valid, and export -> import gives identical totals."""

import io
import json
import zipfile
from collections import defaultdict
from decimal import Decimal

from finance.importing.fdp import FDP_SCHEMA, descriptor_for, read_package, validate_descriptor
from finance.models import BudgetLine
from finance.services import ImportSpec, budget_import, version_fdp
from tests.finance.factories import import_bytes, real_path, sample_csv


def sums_by_area(version):
    sums = defaultdict(Decimal)
    for line in BudgetLine.objects.filter(version=version):
        sums[(line.year, line.phase, line.statement, line.direction, line.area)] += line.amount
    return dict(sums)


def test_descriptor_is_valid_and_broken_ones_are_named():
    assert validate_descriptor(descriptor_for("x", "X")) == []
    broken = descriptor_for("x", "X")
    broken["model"]["measures"]["amount"]["source"] = "betrag"
    assert validate_descriptor(broken) == ["model: source 'betrag' is not a field of the resource"]
    del broken["model"]
    assert any("model" in p for p in validate_descriptor(broken))
    assert FDP_SCHEMA["required"] == ["name", "profile", "resources", "model"]


def test_round_trip_gives_identical_totals(municipality):
    # Given an imported version (the sample wide file)
    original = import_bytes(municipality, sample_csv()).version
    # When it is exported as a Fiscal Data Package and imported again
    package = version_fdp(original)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert validate_descriptor(json.loads(archive.read("datapackage.json"))) == []
    again = budget_import(municipality=municipality, source=package, spec=ImportSpec(dataset_name="FDP"))
    # Then totals per year, phase, statement, direction and product area are identical
    assert again.status == "imported", [i.message_en for i in again.errors]
    assert sums_by_area(again.version) == sums_by_area(original)


def test_round_trip_of_a_real_long_file(municipality):
    original = import_bytes(municipality, real_path("ahaus_haushaltsentwurf_2018.csv").read_bytes()).version
    package = version_fdp(original)
    again = budget_import(municipality=municipality, source=package, spec=ImportSpec(dataset_name="FDP"))
    assert again.status == "imported"
    assert sums_by_area(again.version) == sums_by_area(original)


def test_an_invalid_package_is_refused_with_the_reason():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", json.dumps({"name": "x", "profile": "fiscal-data-package"}))
    try:
        read_package(buffer.getvalue())
    except Exception as exc:  # ImportFileError
        assert "resources" in str(exc)
    else:
        raise AssertionError("an invalid package must be refused")
