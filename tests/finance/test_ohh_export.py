"""Export of a version as the Offener Haushalt standard dataset, and the round trip through the importer."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest

from core.models import Role
from core.services import municipality_create_or_update
from finance import services
from finance.models import BudgetRollup
from finance.services import OHH_HEADER, version_ohh
from tests.finance.factories import generated_csv, import_bytes, real_path, sample_csv

pytestmark = pytest.mark.django_db


def _by_area(version) -> dict:
    sums: dict = defaultdict(Decimal)
    for row in BudgetRollup.objects.filter(version=version).values(
        "area", "year", "phase", "statement", "direction", "amount"
    ):
        if row["phase"] in ("actual", "plan"):
            sums[(row["area"], row["year"], row["phase"], row["statement"], row["direction"])] += row[
                "amount"
            ]
    return dict(sums)


def _round_trip(municipality, data: bytes):
    version = import_bytes(municipality, data).version
    exported, left_out = version_ohh(version)
    other, _ = municipality_create_or_update(slug="zweitstadt", name="Zweitstadt", ags="05999002", land="NW")
    again = import_bytes(other, exported, filename="ohh_standard-datensatz.csv")
    assert again.status == "imported", [e.message_en for e in again.errors]
    return version, again.version, exported, left_out


def test_export_has_the_portal_columns_and_one_row_per_line(municipality):
    version = import_bytes(municipality, sample_csv()).version
    exported, left_out = version_ohh(version)
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8"))))
    assert tuple(rows[0]) == OHH_HEADER
    assert len(rows) - 1 == version.line_count and left_out == 0
    first = rows[1]
    assert first[:4] == ["1000.00", "Ist", "2023", "Einnahmen"]
    assert first[4:8] == ["01", "Innere Verwaltung", "010101", "Rat und Ausschüsse"]
    assert first[10:] == ["44110000", "Mieten und Pachten"]


@pytest.mark.parametrize("data", [sample_csv, lambda: generated_csv(40)], ids=["sample", "generated"])
def test_export_then_import_gives_the_same_totals_per_area(municipality, data):
    version, again, _exported, _left_out = _round_trip(municipality, data())
    assert _by_area(again) == _by_area(version)
    assert again.line_count == version.line_count


def test_moers_round_trip_through_the_standard_dataset(municipality):
    version, again, _exported, left_out = _round_trip(
        municipality, real_path("moers_haushalt_2015-2017.csv").read_bytes()
    )
    assert _by_area(again) == _by_area(version)
    assert left_out == version.lines.filter(phase="commitment").count()
    services.version_delete(version=again)


def test_versions_page_offers_the_download_and_it_imports_again(client, municipality, member_factory):
    # Given a version and a viewer (reading is enough, as for the source file)
    version = import_bytes(municipality, sample_csv()).version
    client.force_login(member_factory(municipality, Role.VIEWER))
    page = client.get("/kommunen/musterstadt/haushalt/daten/").content.decode()
    url = f"/kommunen/musterstadt/haushalt/versionen/{version.pk}/standard-datensatz/"
    assert f'href="{url}"' in page and "Standard-Datensatz (CSV)" in page
    # When the viewer downloads it
    response = client.get(url)
    # Then it is the service's CSV, as an attachment named like the portal's file
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="ohh_standard-datensatz_musterstadt-'
    )
    assert response.content == version_ohh(version)[0] and response["X-Lines-Left-Out"] == "0"
    # and it imports again with the same totals
    other, _ = municipality_create_or_update(slug="zweitstadt", name="Zweitstadt", ags="05999002", land="NW")
    again = import_bytes(other, response.content, filename="ohh_standard-datensatz.csv")
    assert again.status == "imported" and _by_area(again.version) == _by_area(version)
    assert client.post(url).status_code == 405


def test_api_download_is_scoped_to_the_municipality(api_client, municipality, member_factory, outsider):
    version = import_bytes(municipality, sample_csv()).version
    url = f"/api/v1/municipalities/musterstadt/budget/versions/{version.pk}/ohh/"
    api_client.force_authenticate(member_factory(municipality, Role.VIEWER))
    response = api_client.get(url)
    assert response.status_code == 200 and response.content == version_ohh(version)[0]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    api_client.force_authenticate(outsider)
    assert api_client.get(url).status_code == 404
    # the outsider's own municipality cannot reach the version either
    assert (
        api_client.get(url.replace("musterstadt", outsider.memberships.get().municipality.slug)).status_code
        == 404
    )


def test_names_from_the_file_are_neutralised_but_amounts_stay_numbers(municipality):
    version = import_bytes(municipality, sample_csv()).version
    version.products.filter(code="010101").update(name="=HYPERLINK(1)")
    version.lines.filter(pk=version.lines.order_by("pk").first().pk).update(amount=Decimal("-12.50"))
    rows = list(csv.reader(io.StringIO(version_ohh(version)[0].decode("utf-8"))))
    assert rows[1][0] == "-12.50" and rows[1][7] == "'=HYPERLINK(1)"
