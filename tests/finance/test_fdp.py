"""Fiscal Data Package: export is valid, and export -> import gives identical totals."""

import io
import json
import zipfile
from collections import defaultdict
from decimal import Decimal

import jsonschema
import pytest

from finance.importing.fdp import descriptor_for, official_profile, read_package, validate_descriptor
from finance.importing.issues import ImportFileError
from finance.models import BudgetLine
from finance.services import ImportSpec, budget_import, version_fdp
from tests.finance.factories import import_bytes, real_path, sample_csv


def sums_by_area(version):
    sums = defaultdict(Decimal)
    for line in BudgetLine.objects.filter(version=version):
        sums[(line.year, line.phase, line.statement, line.direction, line.area)] += line.amount
    return dict(sums)


def _package(descriptor) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor))
        archive.writestr("budget.csv", "year,amount\n2024,1.00\n")
    return buffer.getvalue()


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        own = [v for k, v in node.items() if k in ("$ref", "$id", "id") and isinstance(v, str)]
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_official_profile_is_read_offline_and_has_no_remote_reference():
    profile = official_profile()
    assert profile["title"] == "Fiscal Data Package"
    assert profile["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert [r for r in _refs(profile) if not r.startswith("#")] == []


def test_our_descriptor_validates_against_the_official_profile_itself():
    # checked with jsonschema directly, not through our own wrapper
    jsonschema.Draft4Validator(official_profile()).validate(descriptor_for("x", "X"))
    assert validate_descriptor(descriptor_for("x", "X")) == []


def test_a_descriptor_breaking_the_official_profile_is_named_by_place_and_reason():
    broken = descriptor_for("x", "X")
    broken["model"]["measures"]["amount"]["currency"] = "Euro"  # the profile wants an ISO code
    assert [str(p) for p in validate_descriptor(broken)] == [
        "model/measures/amount/currency: entspricht nicht dem Muster ^[A-Z]{3}$"
    ]
    del broken["resources"][0]["profile"]  # a Tabular Data Resource must say so
    assert [str(p) for p in validate_descriptor(broken)] == [
        "model/measures/amount/currency: entspricht nicht dem Muster ^[A-Z]{3}$",
        "resources/0: passt zu keiner erlaubten Form "
        "(Pflichtangabe „data“ fehlt; Pflichtangabe „profile“ fehlt)",
    ]
    assert [str(p) for p in validate_descriptor({"profile": "fiscal-data-package"})] == [
        "(Wurzel): Pflichtangabe „resources“ fehlt"
    ]
    assert [str(p) for p in validate_descriptor([])] == ["(Wurzel): muss vom Typ object sein"]


def test_our_checks_on_top_of_the_profile_name_the_place():
    broken = descriptor_for("x", "X")
    broken["model"]["measures"]["amount"]["source"] = "betrag"
    assert [str(p) for p in validate_descriptor(broken)] == [
        "model/measures/amount/source: „betrag“ ist kein Feld der Ressource"
    ]
    several = descriptor_for("x", "X")  # the profile allows a list of paths; the import reads one file
    several["resources"][0]["path"] = ["a.csv", "b.csv"]
    assert [str(p) for p in validate_descriptor(several)] == ["resources/0/path: muss vom Typ string sein"]
    keyless = descriptor_for("x", "X")
    keyless["model"]["dimensions"]["phase"]["primaryKey"] = "code"
    assert [p.text_en for p in validate_descriptor(keyless)] == [
        "model/dimensions/phase/primaryKey: 'code' is not an attribute of the dimension"
    ]


def test_an_import_of_a_package_breaking_the_profile_is_refused_in_german():
    broken = descriptor_for("x", "X")
    broken["model"]["measures"]["amount"]["currency"] = "Euro"
    with pytest.raises(ImportFileError) as refused:
        read_package(_package(broken))
    issue = refused.value.issue
    assert issue.code == "bad_fdp"
    assert issue.message_de == (
        "Das Fiscal Data Package ist ungültig: "
        "model/measures/amount/currency: entspricht nicht dem Muster ^[A-Z]{3}$"
    )
    assert "does not match the pattern" in issue.message_en


def test_round_trip_gives_identical_totals(municipality):
    # Given an imported version (the sample wide file)
    original = import_bytes(municipality, sample_csv()).version
    # When it is exported as a Fiscal Data Package and imported again
    package = version_fdp(original)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
    jsonschema.Draft4Validator(official_profile()).validate(descriptor)
    assert validate_descriptor(descriptor) == []
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
    with pytest.raises(ImportFileError) as refused:
        read_package(_package({"name": "x", "profile": "fiscal-data-package"}))
    assert "(Wurzel): Pflichtangabe „resources“ fehlt" in refused.value.issue.message_de


def test_a_package_without_its_resource_file_is_refused():
    descriptor = descriptor_for("x", "X")
    descriptor["resources"][0]["path"] = "fehlt.csv"
    with pytest.raises(ImportFileError) as refused:
        read_package(_package(descriptor))
    assert "resources/0/path: die Datei „fehlt.csv“ fehlt im ZIP" in refused.value.issue.message_de


def test_fdp_download_from_page_and_api(client, api_client, municipality, member_factory, outsider):
    from core.models import Role

    version = import_bytes(municipality, sample_csv()).version
    viewer = member_factory(municipality, Role.VIEWER)
    client.force_login(viewer)
    url = f"/kommunen/musterstadt/haushalt/versionen/{version.pk}/fiscal-data-package/"
    assert f'href="{url}"' in client.get("/kommunen/musterstadt/haushalt/daten/").content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    content, _mapping = read_package(response.content)  # valid, readable
    assert content.startswith(b"year,phase,statement")
    api_url = f"/api/v1/municipalities/musterstadt/budget/versions/{version.pk}/fdp/"
    api_client.force_authenticate(viewer)
    from_api = api_client.get(api_url)  # the ZIP's entries carry the time of writing: compare the contents
    assert from_api["Content-Type"] == "application/zip" and read_package(from_api.content)[0] == content
    api_client.force_authenticate(outsider)
    assert api_client.get(api_url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_an_import_of_a_package_breaking_the_profile_is_rejected_not_crashed(municipality):
    broken = descriptor_for("x", "X")
    broken["model"]["dimensions"]["date"]["primaryKey"] = ["year", "month"]  # allowed by the profile
    outcome = budget_import(
        municipality=municipality, source=_package(broken), spec=ImportSpec(dataset_name="FDP")
    )
    assert outcome.status == "rejected" and outcome.version is None
    assert [e.message_de for e in outcome.errors] == [
        "Das Fiscal Data Package ist ungültig: model/dimensions/date/primaryKey: muss vom Typ string sein"
    ]
