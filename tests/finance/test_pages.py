"""Budget pages: explorer with drill-down partials and comparisons, exports, import flow, deletion."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.models import Role
from finance.exports import safe_text
from finance.models import BudgetLine, BudgetUpload, BudgetVersion
from tests.finance.factories import generated_csv, import_bytes, sample_csv

pytestmark = pytest.mark.django_db
URL = "/kommunen/musterstadt/haushalt/"


@pytest.fixture
def kaemmerei(client, municipality, member_factory):
    client.force_login(member_factory(municipality, Role.FINANCE))
    return client


@pytest.fixture
def viewer(client, municipality, member_factory):
    client.force_login(member_factory(municipality, Role.VIEWER))
    return client


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())  # keep no-break spaces


def test_explorer_without_data_invites_an_import(kaemmerei, municipality):
    response = kaemmerei.get(URL)
    assert response.status_code == 200
    assert "noch keine Haushaltsdaten" in _text(response)
    assert "/haushalt/import/" in _text(response)


def test_explorer_shows_areas_with_german_amounts_and_charts(viewer, version):
    response = viewer.get(URL)
    html = _text(response)
    assert response.status_code == 200
    # default slice: the latest plan year
    assert 'value="2025-plan" selected' in html
    assert "Innere Verwaltung" in html and "Soziale Leistungen" in html  # area names from the NRW frame
    assert "34.400,00\u00a0€" in html  # expense 2025 plan: 12.000 + 22.000 + 400
    assert "plotly.min.js" in html and 'id="chart-sunburst"' in html and 'id="chart-years"' in html
    assert "je Einwohner" in html
    assert "Haushaltsdatei importieren" not in html  # viewers cannot import


def test_drill_down_partials_area_product_account(viewer, version):
    headers = {"HX-Request": "true"}
    area = viewer.get(
        URL, {"slice": "2024-plan", "level": "product", "area": "05", "partial": "table"}, headers=headers
    )
    html = _text(area)
    assert area.status_code == 200 and "<html" not in html
    assert "050101" in html and "Grundsicherung" in html and "010101" not in html
    assert 'hx-get="?' in html and "level=account" in html
    params = {"slice": "2024-plan", "level": "account", "area": "05", "product": "050101", "partial": "table"}
    account = viewer.get(URL, params, headers=headers)
    html = _text(account)
    assert "53310000" in html and "Sozialtransfer" in html and "21.000,00\u00a0€" in html
    assert "05 Soziale Leistungen" in html  # breadcrumb
    groups = viewer.get(
        URL, {"slice": "2024-plan", "level": "account_group", "partial": "table"}, headers=headers
    )
    assert "Transferaufwendungen" in _text(groups)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"slice": "2024-plan", "compare": "phase"}, "Ist 2024"),
        ({"slice": "2025-plan", "compare": "year"}, "Plan 2024"),
    ],
)
def test_comparisons(viewer, version, params, expected):
    html = _text(viewer.get(URL, params))
    assert f"Vergleich: {expected}" in html
    assert "Saldo Vergleich" in html


def test_version_comparison_shows_what_changed(viewer, municipality, version):
    adopted = import_bytes(municipality, sample_csv(r2c6="11.500,00"), label="beschlossen").version
    response = viewer.get(URL, {"version": adopted.pk, "slice": "2024-plan", "compare": "version"})
    html = _text(response)
    assert "Vergleich: Haushalt v1 (Entwurf)" in html
    assert "-500,00\u00a0€" in html  # Innere Verwaltung: expense +500 in the adopted plan


def test_unknown_parameters_fall_back_to_defaults(viewer, version):
    for params in ({"version": "999"}, {"slice": "1800-plan"}, {"level": "bogus"}, {"statement": "x"},
                   {"compare": "??"}, {"version": "abc", "slice": "x-y-z"}):  # fmt: skip
        assert viewer.get(URL, params).status_code == 200


def test_financial_statement_without_amounts(viewer, version):
    response = viewer.get(URL, {"statement": "financial"})
    assert response.status_code == 200
    assert "keine Beträge" in _text(response)


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"compare": "phase"},
        {"compare": "version"},
        {"level": "product", "area": "05", "partial": "table"},
        {"level": "account", "area": "05", "product": "050101", "partial": "table"},
        {"level": "account_group"},
        {"table": "breakdown", "format": "xlsx"},
    ],
)
def test_query_count_does_not_grow_with_the_data(viewer, municipality, params):
    url = URL + "export/" if "table" in params else URL
    import_bytes(municipality, sample_csv())
    import_bytes(municipality, sample_csv(r1c6="-1,00"))
    small = _queries(viewer, url, params)
    # ten times the products, more accounts, another dataset
    import_bytes(municipality, generated_csv(products=300, accounts=8), dataset_name="Groß")
    import_bytes(municipality, sample_csv(r1c6="-2,00") + generated_csv(products=200)[120:])
    assert BudgetLine.objects.count() > 7_000
    assert _queries(viewer, url, params) == small


def test_explorer_query_budget(viewer, version, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        viewer.get(URL)


def test_export_csv_has_the_table_and_guards_formulas(viewer, version):
    response = viewer.get(
        URL + "export/", {"slice": "2025-plan", "level": "product", "area": "06", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:5] == ["Code", "Bezeichnung", "Ertrag", "Aufwand", "Saldo"]
    product = rows[2]
    assert product[0] == "060101"
    assert product[1] == "'=SUMME(A1:A3)"  # neutralised formula
    assert product[3] == "400,00" and product[4] == "-400,00"  # numbers stay numbers (decimal comma)
    assert rows[-1][1] == "Summe"


def test_export_xlsx_numbers_are_numbers_and_text_is_guarded(viewer, version):
    response = viewer.get(URL + "export/", {"slice": "2025-plan", "level": "account", "area": "06",
                                            "product": "060101", "format": "xlsx"})  # fmt: skip
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    account = rows[2]
    assert account[0] == "54310000"
    assert account[1] == "'@Geschäftsaufwand"
    assert account[3] == Decimal("400") or account[3] == 400
    assert isinstance(account[4], int | float) and account[4] == -400
    assert all(not (isinstance(c, str) and c[:1] in "=+-@") for row in rows for c in row)


def test_export_years_table(viewer, version):
    response = viewer.get(URL + "export/", {"table": "years", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Jahr", "Phase", "Ertrag", "Aufwand", "Saldo"]
    assert ["2024", "Plan", "6600,00", "32000,00", "-25400,00"] in rows


def test_export_rejects_unknown_table_or_format(viewer, version):
    assert viewer.get(URL + "export/", {"table": "secrets"}).status_code == 404
    assert viewer.get(URL + "export/", {"format": "pdf"}).status_code == 404


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+49", "'+49"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("Kita", "Kita"), ("", "")],
)  # fmt: skip
def test_safe_text(value, expected):
    assert safe_text(value) == expected


def test_import_flow_upload_preview_confirm(kaemmerei, municipality, django_capture_on_commit_callbacks):
    # Given a Kämmerei member uploading the sample file
    response = kaemmerei.post(URL + "import/", {"file": SimpleUploadedFile("haushalt.csv", sample_csv())})
    upload = BudgetUpload.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/import/{upload.pk}/")
    # Then the preview shows what was detected, the totals and the first lines
    page = _text(kaemmerei.get(response.url))
    assert "cp1252" in page and "<code>;</code>" in page and "breit" in page
    assert "revenue_negative" in page or "Erträge negativ" in page
    assert "6.600,00\u00a0€" in page and "Grundsicherung" in page
    # When the mapping is corrected in the form (htmx preview) and confirmed
    form = _form_data(page)
    form["value_phase_4"] = "ignore"
    preview = _text(
        kaemmerei.post(URL + f"import/{upload.pk}/vorschau/", form, headers={"HX-Request": "true"})
    )
    assert "Ist" not in re.findall(r'id="preview-totals".*?</table>', preview)[0]
    form.update(label="Entwurf", profile_name="SAP")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = kaemmerei.post(URL + f"import/{upload.pk}/", {**form, "action": "import"})
    assert confirmed.status_code == 302
    upload.refresh_from_db()
    assert upload.status == BudgetUpload.Status.IMPORTED, upload.errors
    version = BudgetVersion.objects.get()
    assert version.label == "Entwurf" and not version.lines.filter(phase="actual").exists()
    assert version.profile is None or version.profile.name == "SAP"
    done = _text(kaemmerei.get(URL + f"import/{upload.pk}/"))
    assert "Importiert" in done and f"?version={version.pk}" in done
    # And next year's file with the same header is mapped by the saved profile
    kaemmerei.post(URL + "import/", {"file": SimpleUploadedFile("2025.csv", sample_csv(r1c6="-1,00"))})
    second = BudgetUpload.objects.exclude(pk=upload.pk).get()
    assert "„SAP“" in _text(kaemmerei.get(URL + f"import/{second.pk}/"))
    # And uploading the identical file again stores nothing and says so
    response = kaemmerei.post(
        URL + "import/", {"file": SimpleUploadedFile("nochmal.csv", sample_csv())}, follow=True
    )
    assert "bereits importiert" in _text(response)
    assert BudgetUpload.objects.count() == 2 and BudgetVersion.objects.count() == 1


def test_unchanged_upload_through_the_job_keeps_no_second_file(
    municipality, django_capture_on_commit_callbacks
):
    from finance import services

    version = import_bytes(municipality, sample_csv()).version
    upload = services.budget_upload_create(
        municipality=municipality, file=SimpleUploadedFile("copy.csv", sample_csv()), user=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.budget_upload_start(upload=upload, spec=services.ImportSpec())
    upload.refresh_from_db()
    assert upload.status == BudgetUpload.Status.UNCHANGED and upload.version == version
    assert not upload.file.storage.exists(upload.file.name)
    assert "bereits importiert" in upload.get_status_display()


def test_rejected_import_lists_the_problems(kaemmerei, django_capture_on_commit_callbacks):
    kaemmerei.post(URL + "import/", {"file": SimpleUploadedFile("x.csv", sample_csv(r3c6="12,3,4"))})
    upload = BudgetUpload.objects.get()
    page = _text(kaemmerei.get(URL + f"import/{upload.pk}/"))
    assert "keine Zahl" in page  # the preview already shows it
    with django_capture_on_commit_callbacks(execute=True):
        kaemmerei.post(URL + f"import/{upload.pk}/", {**_form_data(page), "action": "import"})
    page = _text(kaemmerei.get(URL + f"import/{upload.pk}/"))
    assert "nichts wurde gespeichert" in page
    assert "<td>4</td><td>Plan 2024</td><td><code>12,3,4</code></td>" in page
    assert BudgetVersion.objects.count() == 0


def test_empty_upload_is_refused_by_the_form(kaemmerei):
    response = kaemmerei.post(URL + "import/", {"file": SimpleUploadedFile("x.csv", b"")})
    assert response.status_code == 200
    assert "leer" in _text(response)
    assert not BudgetUpload.objects.exists()


@pytest.mark.parametrize("data", [b"\r\n\r\n", b"\x00\x01binary\x00" * 50, b"PK\x03\x04broken"])
def test_broken_files_get_a_clear_message_never_a_500(kaemmerei, data):
    kaemmerei.post(URL + "import/", {"file": SimpleUploadedFile("x.csv", data)})
    upload = BudgetUpload.objects.get()
    response = kaemmerei.get(URL + f"import/{upload.pk}/")
    assert response.status_code == 200
    assert re.search(r"leer|keine Textdatei|Excel-Datei kann nicht", _text(response))
    assert kaemmerei.post(URL + f"import/{upload.pk}/", {"action": "import"}).status_code == 200


def test_viewer_cannot_reach_the_import(viewer):
    assert viewer.get(URL + "import/").status_code == 403


def test_data_page_and_explicit_deletion(kaemmerei, version, django_capture_on_commit_callbacks):
    page = _text(kaemmerei.get(URL + "daten/"))
    assert "haushalt.csv" in page and "Löschen" in page
    confirm = kaemmerei.get(URL + f"versionen/{version.pk}/loeschen/")
    assert confirm.status_code == 200 and "endgültig löschen" in _text(confirm)
    assert BudgetVersion.objects.filter(pk=version.pk).exists()  # GET never deletes
    with django_capture_on_commit_callbacks(execute=True):
        response = kaemmerei.post(URL + f"versionen/{version.pk}/loeschen/")
    assert response.status_code == 302
    assert not BudgetVersion.objects.exists() and not BudgetLine.objects.exists()


def test_source_file_download(viewer, version):
    response = viewer.get(URL + f"versionen/{version.pk}/quelle/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample_csv()


def test_viewer_cannot_delete(viewer, version):
    assert viewer.post(URL + f"versionen/{version.pk}/loeschen/").status_code == 403
    assert viewer.post(URL + f"datensaetze/{version.dataset_id}/loeschen/").status_code == 403


def test_overview_panel_shows_latest_plan_year(viewer, version, municipality):
    from finance.views import overview_panel_context

    context = overview_panel_context(None, municipality)
    assert context["budget"]["version"] == version
    assert context["budget"]["row"]["year"] == 2025


def _form_data(html: str) -> dict[str, str]:
    """The mapping form's current values, as a browser would submit them."""
    form = re.search(r'<form method="post" id="mapping-form".*?</form>', html).group(0)
    data: dict[str, str] = {}
    for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(2))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    field_re = r'<input type="(?:text|number|hidden)" name="([^"]+)"(?:[^>]*value="([^"]*)")?'
    for field in re.finditer(field_re, form):
        data[field.group(1)] = field.group(2) or ""
    return data


def test_detected_encoding_and_delimiter_can_be_overridden(
    kaemmerei, municipality, django_capture_on_commit_callbacks
):
    # Given a UTF-8 file that was detected as UTF-8 with ';'
    data = sample_csv().decode("cp1252").encode("utf-8")
    kaemmerei.post(URL + "import/", {"file": SimpleUploadedFile("utf8.csv", data)})
    upload = BudgetUpload.objects.get()
    page = _text(kaemmerei.get(URL + f"import/{upload.pk}/"))
    assert 'id="reading-form"' in page and "Erkannt: utf-8" in page
    # When the user overrides the encoding (wrongly) as Windows-1252, the names show the mojibake
    page = _text(kaemmerei.get(URL + f"import/{upload.pk}/", {"encoding": "cp1252", "delimiter": ";"}))
    assert "Ã¼" in page  # "Ausschüsse" read as Windows-1252
    # And the confirmed import uses the override, while the stored source file stays unchanged
    with django_capture_on_commit_callbacks(execute=True):
        kaemmerei.post(URL + f"import/{upload.pk}/", {**_form_data(page), "action": "import"})
    upload.refresh_from_db()
    assert upload.status == BudgetUpload.Status.IMPORTED, upload.errors
    version = upload.version
    assert version.detected["encoding"] == "cp1252" and version.detected["overridden"] is True
    assert version.products.get(code="010101").name == "Rat und AusschÃ¼sse"
    with version.source_file.open("rb") as handle:
        assert handle.read() == data


def test_wrong_delimiter_override_is_shown_not_a_500(kaemmerei):
    kaemmerei.post(URL + "import/", {"file": SimpleUploadedFile("x.csv", sample_csv())})
    upload = BudgetUpload.objects.get()
    response = kaemmerei.get(URL + f"import/{upload.pk}/", {"delimiter": ","})
    assert response.status_code == 200
