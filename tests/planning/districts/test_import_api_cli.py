"""The district imports through the API and the command line: the same checks as the import page, all
or nothing, every problem named (feature, or line and column), 4xx and exit code 1, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from core.models import District, Role
from planning.districts.demo import demo_geojson, demo_indicator_csv
from planning.districts.models import IndicatorValue

pytestmark = pytest.mark.django_db


def api(municipality, what: str) -> str:
    return f"/api/v1/municipalities/{municipality.slug}/{what}/import/"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def overlapping() -> bytes:
    data = demo_geojson()
    data["features"][1]["geometry"] = data["features"][0]["geometry"]
    return json.dumps(data).encode()


def test_api_imports_boundaries_and_indicators(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    geo = api_client.post(
        api(municipality, "districts"),
        {"file": upload("g.geojson", json.dumps(demo_geojson()).encode()), "level": "sozialraum"},
        format="multipart",
    )
    assert geo.status_code == 201, geo.content
    assert (geo.json()["created"], geo.json()["level"]) == (8, "sozialraum")
    values = api_client.post(
        api(municipality, "district-indicators"),
        {"file": upload("i.csv", demo_indicator_csv())},
        format="multipart",
    )
    assert values.status_code == 201, values.content
    assert values.json()["values"] == 680 and values.json()["years"] == [2020, 2021, 2022, 2023, 2024]


def test_api_refuses_a_broken_file_as_a_whole_with_every_reason(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    geo = api_client.post(
        api(municipality, "districts"), {"file": upload("g.geojson", overlapping())}, format="multipart"
    )
    assert geo.status_code == 400
    assert any("Überschneidet sich mit 02" in e for e in geo.json()["errors"])
    assert not District.objects.exists()
    for junk in (b"\xff\xfe\x00garbage", b"", b"{]"):
        answer = api_client.post(
            api(municipality, "districts"), {"file": upload("x.geojson", junk)}, format="multipart"
        )
        assert answer.status_code == 400 and answer.json()["errors"]
    missing = api_client.post(api(municipality, "districts"), {"level": "sozialraum"}, format="multipart")
    assert missing.status_code == 400 and missing.json()["errors"]
    bad_level = api_client.post(
        api(municipality, "districts"),
        {"file": upload("g.geojson", json.dumps(demo_geojson()).encode()), "level": "planet"},
        format="multipart",
    )
    assert bad_level.status_code == 400 and not District.objects.exists()


def test_api_indicator_errors_name_line_and_column_and_store_nothing(api_client, municipality, planner):
    api_client.force_authenticate(planner)
    api_client.post(
        api(municipality, "districts"),
        {"file": upload("g.geojson", json.dumps(demo_geojson()).encode())},
        format="multipart",
    )
    bad = b"Kennziffer;Jahr;SGB-II-Quote\n01;2024;12,5\n02;2024;viel\n99;2024;3\n"
    answer = api_client.post(
        api(municipality, "district-indicators"), {"file": upload("i.csv", bad)}, format="multipart"
    )
    assert answer.status_code == 400
    errors = " | ".join(answer.json()["errors"])
    assert "Zeile 3, Spalte „SGB-II-Quote“" in errors and "Zeile 4" in errors
    assert not IndicatorValue.objects.exists()


def test_api_imports_need_the_plan_capability_and_the_own_municipality(
    api_client, municipality, member_factory, outsider
):
    viewer = member_factory(municipality, Role.VIEWER, username="leser")
    body = {"file": upload("g.geojson", json.dumps(demo_geojson()).encode())}
    api_client.force_authenticate(viewer)
    assert api_client.post(api(municipality, "districts"), body, format="multipart").status_code == 403
    api_client.force_authenticate(outsider)
    body = {"file": upload("g.geojson", json.dumps(demo_geojson()).encode())}
    assert api_client.post(api(municipality, "districts"), body, format="multipart").status_code == 404
    assert not District.objects.exists()


def test_cli_imports_lists_and_refuses_with_exit_code_1(municipality, tmp_path, capsys):
    geo = tmp_path / "grenzen.geojson"
    geo.write_text(json.dumps(demo_geojson()))
    out = io.StringIO()
    call_command("districts", "--municipality", municipality.slug, "import-boundaries", str(geo), stdout=out)
    assert "districts: 8 new, 0 updated" in out.getvalue()
    values = tmp_path / "werte.csv"
    values.write_bytes(demo_indicator_csv())
    out = io.StringIO()
    call_command(
        "districts",
        "--municipality",
        municipality.slug,
        "import-indicators",
        str(values),
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["values"] == 680
    out = io.StringIO()
    call_command("districts", "--municipality", municipality.slug, "list", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert len(listed) == 8 and listed[0]["code"] == "01" and listed[0]["geometry"] is True
    broken = tmp_path / "kaputt.geojson"
    broken.write_bytes(overlapping())
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command(
            "districts", "--municipality", municipality.slug, "import-boundaries", str(broken), stderr=err
        )
    assert exc.value.code == 1
    assert "Überschneidet sich mit 02" in err.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Kennziffer;Jahr;SGB-II-Quote\n01;2024;viel\n")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "districts",
            "--municipality",
            municipality.slug,
            "import-indicators",
            str(bad),
            "--json",
            stdout=out,
        )
    assert json.loads(out.getvalue())["errors"][0].startswith("Zeile 2, Spalte „SGB-II-Quote“")
