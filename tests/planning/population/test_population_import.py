"""Population imports (GENESIS 12411-0012 as published, plain CSV, form entry), movements, and the
cohort projection variants stored from them."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from planning.engine.population import (
    AgeBand,
)
from planning.models import MigrationCount, PopulationCount, PopulationMovement, PopulationSeries
from planning.population.selectors import actual_series, population_table, population_totals
from planning.population.services import (
    GENESIS_BANDS,
    ProjectionSettings,
    movements_import,
    population_enter,
    population_import,
    population_project,
)
from tests.conftest import real_data

pytestmark = pytest.mark.django_db

REILINGEN = "reilingen_demo_20_y_brackets.csv"


def real(name: str) -> Path:
    return real_data(name)


def insgesamt_rows(path: Path) -> dict[str, int]:
    """The file's own "Insgesamt" rows (31.12.YYYY -> total), read independently of the parser."""
    totals = {}
    for line in path.read_bytes().decode("latin-1").splitlines():
        cells = line.split(";")
        if len(cells) > 4 and cells[3].strip() == "Insgesamt":
            totals[cells[0][-4:]] = int(cells[4])
    return totals


def run_cli(*args: str) -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_reilingen_genesis_imports_through_the_cli(municipality):
    path = real(REILINGEN)
    code, data = run_cli("import_population", str(path), "--municipality", municipality.slug, "--json")
    assert code == 0
    assert data["status"] == "imported"
    assert data["total_by_year"] == insgesamt_rows(path)
    assert data["years"] == [1995, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024]
    assert (
        data["age_groups"][0] == "0-2" and data["age_groups"][-1] == "85+" and len(data["age_groups"]) == 20
    )
    # a second run stores nothing new
    code, again = run_cli("import_population", str(path), "--municipality", municipality.slug, "--json")
    assert (code, again["status"]) == (0, "unchanged")


def test_reilingen_genesis_imports_through_the_service(municipality):
    path = real(REILINGEN)
    outcome = population_import(municipality=municipality, source=path)
    assert outcome.status == "imported" and outcome.source_format == "genesis"
    series = actual_series(municipality)
    stored = population_totals(series)
    assert {str(y): int(t) for y, t in stored.items()} == insgesamt_rows(path)
    assert PopulationCount.objects.filter(series=series).count() == 10 * 20
    table = population_table(series)
    assert table.bands == GENESIS_BANDS
    assert table.for_year(2024)[0] == 249  # unter 3 Jahre, 31.12.2024


def test_rejected_file_reports_lines_and_stores_nothing(municipality, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Jahr;Altersgruppe;Anzahl\n2024;0-5;100\n2024;6-17;abc\n2024;18+;300\n2024;Insgesamt;500\n"
    )
    code, data = run_cli("import_population", str(bad), "--municipality", municipality.slug, "--json")
    assert code == 1
    assert data["status"] == "rejected"
    assert [e["line"] for e in data["errors"]] == [3]
    assert not PopulationSeries.objects.exists()


def test_insgesamt_mismatch_is_rejected(municipality):
    text = "Jahr;Altersgruppe;Anzahl\n2024;0-17;100\n2024;18+;300\n2024;Insgesamt;401\n"
    outcome = population_import(municipality=municipality, source=text.encode())
    assert outcome.status == "rejected"
    assert outcome.errors[0].line == 4


def test_plain_csv_official_variant_and_rebanding(municipality):
    # Given the actual population in 20 GENESIS groups and a coarser official projection
    population_import(municipality=municipality, source=real(REILINGEN))
    text = "Jahr;Altersgruppe;Anzahl\n" + "".join(
        f"{y};{label};{count}\n"
        for y in (2025, 2030)
        for label, count in (("0-17", "1500,5"), ("18-64", "5000"), ("65+", "2000"))
    )
    outcome = population_import(municipality=municipality, source=text.encode("cp1252"), variant="main")
    assert outcome.status == "imported" and outcome.source_format == "csv"
    official = PopulationSeries.objects.get(kind="official", variant="main")
    assert official.base_year == 2025
    assert population_totals(official) == {2025: 8500.5, 2030: 8500.5}
    # A later year of the actual population entered with other bands is re-banded on reading
    population_enter(
        municipality=municipality,
        year=2025,
        counts={AgeBand(0, 18): 1800, AgeBand(18, 65): 5000, AgeBand(65): 1700},
    )
    table = population_table(actual_series(municipality))
    assert table.bands == GENESIS_BANDS
    assert table.totals()[-1] == pytest.approx(8500)
    assert table.for_year(2025)[0] == pytest.approx(1800 * 3 / 18)  # uniform within 0-17


def test_entry_with_a_gap_is_rejected(municipality):
    outcome = population_enter(
        municipality=municipality, year=2024, counts={AgeBand(0, 6): 10, AgeBand(10): 20}
    )
    assert outcome.status == "rejected"
    assert not PopulationSeries.objects.exists()


@pytest.mark.parametrize(
    ("name", "kind", "count"),
    [
        ("reilingen_birth_death.csv", "vital", 10),
        ("reilingen_zuzuege.csv", "migration_in", 14 * 6),
        ("reilingen_fortzuege.csv", "migration_out", 14 * 6),
    ],
)
def test_movements_import(municipality, name, kind, count):
    outcome = movements_import(municipality=municipality, source=real(name))
    assert (outcome.status, outcome.kind) == ("imported", kind)
    stored = PopulationMovement.objects.count() if kind == "vital" else MigrationCount.objects.count()
    assert stored == count
    assert movements_import(municipality=municipality, source=real(name)).status == "unchanged"


def test_movements_cli_json(municipality):
    out = StringIO()
    call_command(
        "import_movements",
        str(real("reilingen_birth_death.csv")),
        "--municipality",
        municipality.slug,
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["kind"] == "vital"
    assert data["by_year"]["2024"] == {"births": 71, "deaths": 96, "in_migration": 864, "out_migration": 761}


def test_cohort_projection_estimated_from_reilingen_history(municipality):
    population_import(municipality=municipality, source=real(REILINGEN))
    for name in ("reilingen_birth_death.csv", "reilingen_zuzuege.csv", "reilingen_fortzuege.csv"):
        movements_import(municipality=municipality, source=real(name))
    series = {s.variant: s for s in population_project(municipality=municipality)}
    assert set(series) == {"low", "main", "high"}
    main = series["main"]
    assert main.base_year == 2024
    assert main.assumptions["estimated"] is True
    assert 0.5 < main.assumptions["fertility_factor"] < 2.0
    totals = {name: population_totals(s) for name, s in series.items()}
    assert totals["main"][2024] == pytest.approx(8404)
    assert totals["low"][2054] < totals["main"][2054] < totals["high"][2054]
    # the projection is stored on the actual population's 20 age groups
    assert population_table(main).bands == GENESIS_BANDS


def test_projection_overrides_and_defaults(municipality):
    population_import(municipality=municipality, source=real(REILINGEN))
    settings = ProjectionSettings(horizon=10, use_history=False, net_migration=-50, fertility_factor=1.0)
    main = {s.variant: s for s in population_project(municipality=municipality, settings=settings)}["main"]
    assert main.assumptions["estimated"] is False
    assert main.assumptions["net_migration"] == pytest.approx(-50)
    assert max(population_totals(main)) == 2034


def test_projection_without_population_fails(municipality):
    with pytest.raises(ValueError):
        population_project(municipality=municipality)


def test_movements_upload_shows_a_preview_and_stores_only_on_confirmation(client, municipality, planner):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(planner)
    url = reverse("planning:population-movements-import", kwargs={"slug": municipality.slug})
    path = real("reilingen_birth_death.csv")
    # Given births and deaths stored for the same years
    movements_import(municipality=municipality, source=path)
    PopulationMovement.objects.filter(year=2024).update(births=1)

    # When the file is uploaded, the page previews it and names the years it replaces; nothing changes yet
    response = client.post(url, {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    html = response.content.decode()
    assert response.status_code == 200 and "Vorschau" in html and "2024" in html and "ersetzt" in html
    assert PopulationMovement.objects.get(year=2024).births == 1

    # Then only "Übernehmen" stores it
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert PopulationMovement.objects.get(year=2024).births == 71
    # ... and a second confirmation without a new upload is refused with a message, not a 500
    assert client.post(url, {"confirm": "1"}, follow=True).status_code == 200
