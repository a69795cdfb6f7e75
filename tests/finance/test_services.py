"""The import service: all-or-nothing, unchanged re-uploads, versions, profiles, COPY vs bulk_create."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.models import Job, Role
from finance import selectors, services
from finance.bulkload import LineWriter, rollup_build
from finance.importing import BudgetRecord, Mapping, columnar, preview
from finance.models import (
    BudgetAccount,
    BudgetDataset,
    BudgetLine,
    BudgetProduct,
    BudgetRollup,
    BudgetUpload,
    BudgetVersion,
    ImportProfile,
)
from tests.conftest import require_postgres
from tests.finance.factories import PLAN_2024, generated_csv, import_bytes, real_path, sample_csv

pytestmark = pytest.mark.django_db


def _plan(totals, year=2024, phase="plan", statement="results"):
    return next(r for r in totals if (r["year"], r["phase"], r["statement"]) == (year, phase, statement))


def _stored_files():
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _stored_counts():
    return [
        m.objects.count()
        for m in (BudgetDataset, BudgetVersion, BudgetLine, BudgetProduct, BudgetAccount, BudgetRollup)
    ]


def test_import_stores_version_lines_hierarchy_and_rollup(municipality):
    # Given the sample SAP export (revenue negative)
    # When it is imported
    outcome = import_bytes(municipality, sample_csv(), label="Entwurf")
    # Then a version with every non-zero amount as a line exists, positive in its direction
    assert outcome.status == "imported"
    version = outcome.version
    assert (version.dataset.name, version.number, version.label) == ("Haushalt", 1, "Entwurf")
    assert outcome.rows == 5 and outcome.lines == version.line_count == 14
    assert BudgetLine.objects.filter(version=version).count() == 14
    rent = BudgetLine.objects.get(version=version, account_code="44110000", year=2024)
    assert (rent.direction, rent.amount, rent.statement, rent.phase) == (
        "revenue",
        Decimal("1100.00"),
        "results",
        "plan",
    )
    assert (rent.area, rent.product_group, rent.account_group, rent.line) == ("01", "01.01", "44", 2)
    product = BudgetProduct.objects.get(version=version, code="050101")
    assert (product.name, product.area, product.group, product.path) == (
        "Grundsicherung",
        "05",
        "05.01",
        "05.01.01",
    )
    assert BudgetAccount.objects.get(version=version, code="53310000").account_class == "5"
    # and the stored totals equal the file's totals to the cent
    plan = _plan(selectors.version_totals(version))
    assert (plan["revenue"], plan["expense"]) == (PLAN_2024["revenue"], PLAN_2024["expense"])
    assert selectors.version_totals(version) == outcome.totals
    assert selectors.version_totals(version, stored=False) == outcome.totals  # the summary is what is stored
    assert version.checksum == services.file_checksum(sample_csv())[0]
    assert default_storage.exists(version.source_file.name)
    with default_storage.open(version.source_file.name, "rb") as handle:
        assert handle.read() == sample_csv()  # the source file is kept unchanged


def test_invalid_row_rejects_the_whole_file_and_stores_nothing(municipality):
    # Given a file whose 3rd data row (line 4) has an amount that is no number
    data = sample_csv(r3c6="12,3,4")
    # When it is imported
    outcome = import_bytes(municipality, data)
    # Then it is rejected with the line, the column, the value and a reason, and nothing is stored
    assert outcome.status == "rejected"
    error = outcome.errors[0]
    assert (error.line, error.column, error.value) == (4, "Plan 2024", "12,3,4")
    assert "keine Zahl" in error.message_de and "not a number" in error.message_en
    assert outcome.to_json()["errors"][0]["line"] == 4
    assert _stored_counts() == [0, 0, 0, 0, 0, 0]
    assert _stored_files() == []


def test_error_in_a_late_chunk_rolls_back_lines_already_written(municipality):
    # Given a large file with one bad cell near the end (after several chunks were written)
    data = generated_csv(products=400, accounts=6).replace(b"100,07", b"1x0,07", 1)
    lines_before = BudgetLine.objects.count()
    outcome = import_bytes(municipality, data)
    assert outcome.status == "rejected"
    assert BudgetLine.objects.count() == lines_before == 0
    assert BudgetVersion.objects.count() == 0


def test_amount_too_large_for_the_database_is_a_row_error(municipality):
    outcome = import_bytes(municipality, sample_csv(r2c5="12.345.678.901.234,00"))
    assert outcome.status == "rejected"
    assert outcome.errors[0].code == "amount_too_large" and outcome.errors[0].line == 3
    assert _stored_counts() == [0, 0, 0, 0, 0, 0]


def test_identical_file_is_stored_once_and_says_unchanged(municipality):
    first = import_bytes(municipality, sample_csv())
    counts = _stored_counts()
    # When the same bytes are imported again (even under another name and dataset)
    second = import_bytes(municipality, sample_csv(), filename="kopie.csv", dataset_name="Anderer")
    # Then nothing new is stored and the outcome points to the existing version
    assert second.status == "unchanged"
    assert second.version == first.version
    assert second.totals == first.totals and second.lines == first.lines
    assert _stored_counts() == counts


def test_identical_file_in_another_municipality_is_imported(municipality, other_municipality):
    import_bytes(municipality, sample_csv())
    assert import_bytes(other_municipality, sample_csv()).status == "imported"


def test_new_export_of_the_same_budget_creates_a_new_version_and_keeps_the_old(municipality):
    draft = import_bytes(municipality, sample_csv(), label="Entwurf").version
    adopted = import_bytes(municipality, sample_csv(r2c6="11.500,00"), label="beschlossen").version
    assert (draft.dataset_id, draft.number, adopted.number) == (adopted.dataset_id, 1, 2)
    assert BudgetVersion.objects.count() == 2
    assert _plan(selectors.version_totals(draft))["expense"] == Decimal("32000.00")
    assert _plan(selectors.version_totals(adopted))["expense"] == Decimal("32500.00")
    assert list(selectors.latest_versions(municipality)) == [adopted]


def test_deleting_a_version_removes_its_lines_and_file(municipality, django_capture_on_commit_callbacks):
    draft = import_bytes(municipality, sample_csv()).version
    adopted = import_bytes(municipality, sample_csv(r2c6="11.500,00")).version
    name = draft.source_file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.version_delete(version=draft)
    assert not BudgetVersion.objects.filter(pk=draft.pk).exists()
    assert not BudgetLine.objects.filter(version_id=draft.pk).exists()
    assert not BudgetRollup.objects.filter(version_id=draft.pk).exists()
    assert not default_storage.exists(name)
    assert BudgetLine.objects.filter(version=adopted).count() == 14


def test_deleting_a_dataset_removes_all_versions(municipality):
    version = import_bytes(municipality, sample_csv()).version
    services.dataset_delete(dataset=version.dataset)
    assert _stored_counts() == [0, 0, 0, 0, 0, 0]


def test_dry_run_totals_without_storing(municipality):
    outcome = import_bytes(municipality, sample_csv(), dry_run=True)
    assert outcome.status == "dry-run"
    assert outcome.lines == 14 and outcome.version is None
    assert _plan(outcome.totals)["revenue"] == PLAN_2024["revenue"]
    assert _stored_counts() == [0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\x00\x01\x02\x03" * 200, "binary_file"),
        (b"%PDF-1.7 binary", "binary_file"),
        (b'Profitcenter;Kostenart;Plan 2024\r\n010101;50120000;"100,00\r\n', "csv_broken"),
        (b"Profitcenter;Kostenart;Plan 2024\r\n010101;50120000;100,00;5;6\r\n", "ragged_row"),
        (b"Profitcenter;Kostenart;Plan 20x4\r\n010101;50120000;100,00\r\n", "bad_value_header"),
        (b"Profitcenter;Kostenart;Plan 2024\r\n", "no_data"),
        (b"PK\x03\x04 truncated zip", "bad_xlsx"),
    ],
    ids=["empty", "binary", "pdf", "truncated-quote", "ragged", "unknown-year", "header-only", "broken-xlsx"],
)
def test_bad_files_are_rejected_with_a_clear_error(municipality, data, code):
    outcome = import_bytes(municipality, data)
    assert outcome.status == "rejected"
    assert code in [issue.code for issue in outcome.errors]
    assert all(issue.message_de and issue.message_en for issue in outcome.errors)
    assert _stored_counts() == [0, 0, 0, 0, 0, 0]


def test_saved_profile_is_reused_for_a_file_with_the_same_header(municipality):
    # Given a profile that deliberately ignores the Ist column
    mapping, _profile, _detected = services.mapping_resolve(municipality=municipality, source=sample_csv())
    mapping.value_columns = [v for v in mapping.value_columns if v.column != "Ist 2023"]
    mapping.ignore_columns = ["Ist 2023"]
    services.profile_save(municipality=municipality, name="SAP Kämmerei", mapping=mapping)
    # When next year's file with the same header (other values) is imported without a mapping
    outcome = import_bytes(municipality, sample_csv(r1c6="-1.150,00"))
    # Then the profile was used: no actuals were stored
    assert outcome.detected["profile"] == "SAP Kämmerei"
    assert outcome.version.profile.name == "SAP Kämmerei"
    assert not BudgetLine.objects.filter(phase="actual").exists()


def test_profile_of_another_municipality_is_not_used(municipality, other_municipality):
    mapping, _, _ = services.mapping_resolve(municipality=other_municipality, source=sample_csv())
    mapping.ignore_columns, mapping.value_columns = ["Ist 2023"], mapping.value_columns[1:]
    services.profile_save(municipality=other_municipality, name="fremd", mapping=mapping)
    outcome = import_bytes(municipality, sample_csv())
    assert outcome.detected["profile"] is None
    assert BudgetLine.objects.filter(phase="actual").exists()


def test_phase_default_for_a_long_file_without_phase(municipality, make_csv):
    data = make_csv(
        [
            ["Produkt", "Konto", "Jahr", "Betrag"],
            ["05.01.01", "53310000", "2024", "1.000,00"],
            ["05.01.01", "41110000", "2024", "500,00"],
        ]
    )
    assert import_bytes(municipality, data, dry_run=True).status == "rejected"  # no phase anywhere
    outcome = import_bytes(municipality, data, phase="actual")
    assert outcome.status == "imported"
    assert set(BudgetLine.objects.values_list("phase", flat=True)) == {"actual"}


def test_xlsx_is_detected_from_content(municipality, make_xlsx):
    from tests.finance.factories import HEADER, ROWS

    data = make_xlsx({"Haushalt": [HEADER, *ROWS]})
    outcome = import_bytes(municipality, data, filename="export.csv")  # misleading name on purpose
    assert outcome.status == "imported"
    assert outcome.detected["format"] == "xlsx"
    assert _plan(outcome.totals)["expense"] == PLAN_2024["expense"]


def _records(n: int) -> list[BudgetRecord]:
    return [
        BudgetRecord(i + 2, f"05010{i % 3}", "Produkt\tmit Tab", f"5331000{i % 2}", "Konto \\ x", 2024,
                     "plan", "results", "expense", Decimal(i) + Decimal("0.25"))
        for i in range(n)
    ]  # fmt: skip


@pytest.mark.services
def test_copy_path_on_postgresql_equals_bulk_create(municipality):
    require_postgres()
    # Given the same records written once with COPY and once with bulk_create
    results = []
    for use_copy in (True, False):
        dataset = BudgetDataset.objects.create(municipality=municipality, name=f"copy-{use_copy}")
        version = BudgetVersion.objects.create(
            dataset=dataset, municipality=municipality, number=1, checksum=str(use_copy), mapping={}
        )
        with LineWriter(version, land="NW", use_copy=use_copy) as writer:
            assert (writer._copy is not None) is use_copy
            writer.write(_records(500))
        writer.finish()
        lines = list(
            BudgetLine.objects.filter(version=version)
            .order_by("line")
            .values_list("line", "product_code", "area", "account_code", "account_group", "amount")
        )
        rollup = sorted(
            BudgetRollup.objects.filter(version=version).values_list("product_code", "amount", "line_count")
        )
        results.append(
            (lines, rollup, list(BudgetProduct.objects.filter(version=version).values_list("name")))
        )
    # Then both paths store identical lines, rollups and (escaped) names
    assert results[0] == results[1]
    assert results[0][2][0] == ("Produkt\tmit Tab",)


@pytest.mark.services
def test_service_uses_copy_on_postgresql(municipality, monkeypatch):
    require_postgres()
    used = []
    original = LineWriter.__enter__

    def spy(self):
        used.append(self.use_copy)
        return original(self)

    monkeypatch.setattr(LineWriter, "__enter__", spy)
    # a wide CSV file goes through the column-wise reader and its binary COPY ...
    outcome = import_bytes(municipality, sample_csv())
    assert outcome.status == "imported" and outcome.timings["reader"] == "columnar"
    assert used == [] and connection.vendor == "postgresql"
    # ... and through the row reader's text COPY when that is switched off (or the file needs it)
    monkeypatch.setattr(columnar, "ENABLED", False)
    assert import_bytes(municipality, sample_csv(r1c5="-1.000,01")).status == "imported"
    assert used == [True]


def test_rollup_written_while_importing_equals_the_sql_rollup(municipality):
    version = import_bytes(municipality, generated_csv(products=60)).version
    streamed = sorted(
        BudgetRollup.objects.filter(version=version).values_list("product_code", "year", "amount")
    )
    rollup_build(version)
    rebuilt = sorted(
        BudgetRollup.objects.filter(version=version).values_list("product_code", "year", "amount")
    )
    assert streamed == rebuilt


def test_upload_job_imports_and_marks_the_upload(
    municipality, member_factory, django_capture_on_commit_callbacks
):
    user = member_factory(municipality, Role.FINANCE)
    upload = services.budget_upload_create(
        municipality=municipality, file=SimpleUploadedFile("haushalt.csv", sample_csv()), user=user
    )
    assert upload.status == BudgetUpload.Status.STAGED
    with django_capture_on_commit_callbacks(execute=True):
        job = services.budget_upload_start(
            upload=upload, spec=services.ImportSpec(dataset_name="Haushalt", label="Ist"), user=user
        )
    job.refresh_from_db()
    upload.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result["status"] == "imported" and job.result["lines"] == 14
    assert upload.status == BudgetUpload.Status.IMPORTED
    assert upload.version.source_file.name == upload.file.name  # the version keeps the uploaded file
    assert upload.version.uploaded_by == user


def test_rejected_upload_fails_the_job_and_keeps_the_problems(
    municipality, django_capture_on_commit_callbacks
):
    upload = services.budget_upload_create(
        municipality=municipality, file=SimpleUploadedFile("x.csv", sample_csv(r3c6="12,3,4")), user=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.budget_upload_start(upload=upload, spec=services.ImportSpec())
    job.refresh_from_db()
    upload.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "abgelehnt" in job.message
    assert upload.status == BudgetUpload.Status.REJECTED
    assert upload.errors[0]["line"] == 4 and upload.errors[0]["column"] == "Plan 2024"
    assert BudgetVersion.objects.count() == 0


def test_upload_with_explicit_mapping_saves_the_profile(municipality, django_capture_on_commit_callbacks):
    mapping, _, _ = services.mapping_resolve(municipality=municipality, source=sample_csv())
    upload = services.budget_upload_create(
        municipality=municipality, file=SimpleUploadedFile("x.csv", sample_csv()), user=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.budget_upload_start(
            upload=upload, spec=services.ImportSpec(mapping=mapping), profile_name="Standard"
        )
    profile = ImportProfile.objects.get(municipality=municipality, name="Standard")
    assert Mapping.from_dict(profile.mapping).header_fingerprint == profile.header_fingerprint


def test_moers_totals_match_to_the_cent(municipality):
    outcome = import_bytes(municipality, real_path("moers_haushalt_2015-2017.csv").read_bytes())
    assert outcome.status == "imported"
    plan = _plan(selectors.version_totals(outcome.version), year=2017)
    assert plan["revenue"] == Decimal("284894948.47")
    assert plan["expense"] == Decimal("285670171.25")


def test_wesel_imports_with_total_row_and_skipped_cost_accounting(municipality):
    path = real_path("wesel_hhplan2017.csv")
    outcome = import_bytes(municipality, path.read_bytes())
    assert outcome.status == "imported"
    assert {w.code for w in outcome.warnings} >= {"total_row_ok", "skipped_accounts"}
    # What is stored equals the pure importer's whole-file totals (which the file's own total row confirms)
    stored = selectors.version_totals(outcome.version)
    assert stored == preview(path).totals
    plan = _plan(stored, year=2017)
    assert (plan["revenue"], plan["expense"]) == (Decimal("190687753.71"), Decimal("194962990.77"))
    assert {(r["year"], r["phase"]) for r in stored} >= {(2015, "actual"), (2017, "plan"), (2020, "plan")}
