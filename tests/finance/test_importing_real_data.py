"""The published exports of Moers and Wesel import without a hand-written mapping, to the cent."""

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest

from finance.importing import REVENUE_NEGATIVE, parse, preview, propose_mapping
from finance.importing.sources import open_table


def plan_2017_results(totals_rows):
    return next(
        r for r in totals_rows if (r["year"], r["phase"], r["statement"]) == (2017, "plan", "results")
    )


def test_moers_plan_2017_matches_the_published_totals(real_file):
    # given the Moers export (ISO-8859-1, ';', SAP signs) and no hand-written mapping
    path = real_file("moers_haushalt_2015-2017.csv")
    # when the file is previewed (proposal) and then imported with the proposal
    proposal = preview(path)
    result = parse(path, proposal.mapping)
    records = list(result)
    # then
    assert result.ok, [issue.message_en for issue in result.errors]
    assert proposal.mapping.sign_convention == REVENUE_NEGATIVE
    assert proposal.mapping.account_code_fallback == "Kontengruppe-Nummer"
    plan = plan_2017_results(result.totals())
    assert plan["revenue"] == Decimal("284894948.47")
    assert plan["expense"] == Decimal("285670171.25")
    assert plan_2017_results(proposal.totals) == plan
    assert result.stats.data_rows == 2119
    assert len(records) == result.stats.records
    assert all(r.account_code for r in records)  # Kostenart or its fallback, never empty


def test_moers_same_totals_whatever_the_encoding_and_delimiter(real_file):
    # given the Moers data re-exported as UTF-8 with BOM, tab separated
    text = real_file("moers_haushalt_2015-2017.csv").read_bytes().decode("latin-1")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(rows)
    data = b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    # when
    result = preview(data)
    # then
    assert (result.encoding, result.delimiter) == ("utf-8-sig", "\t")
    assert plan_2017_results(result.totals)["revenue"] == Decimal("284894948.47")


def reference_totals(path):
    """A deliberately dumb second parser for Wesel only: split on ';', German numbers, class by digit."""
    sums = defaultdict(Decimal)
    lines = path.read_bytes().decode("latin-1").splitlines()
    header = lines[0].split(";")
    for line in lines[1:]:
        cells = line.split(";")
        account = cells[3]
        if not account or account[0] not in "4567":
            continue  # total row, class 9 cost accounting
        for name, cell in zip(header[5:], cells[5:], strict=True):
            phase, year = name.split()
            value = Decimal(cell.replace(".", "").replace(",", "."))
            statement = "results" if account[0] in "45" else "financial"
            direction = "revenue" if account[0] in "46" else "expense"
            sign = -1 if direction == "revenue" else 1
            sums[
                (
                    int(year),
                    {"Ist": "actual", "Plan": "plan", "VE": "commitment"}[phase],
                    statement,
                    direction,
                )
            ] += sign * value
    return {key: value for key, value in sums.items() if value}


def test_wesel_imports_without_mapping_and_matches_an_independent_sum(real_file):
    # given the Wesel export: object numbers, class 9 rows, a VE column and a grand total row
    path = real_file("wesel_hhplan2017.csv")
    # when
    proposal = preview(path)
    result = parse(path, proposal.mapping)
    records = list(result)
    # then the import is clean: class 9 skipped with a warning, the total row verified
    assert result.ok, [issue.message_en for issue in result.errors]
    assert sorted(i.code for i in result.warnings) == ["skipped_accounts", "total_row_ok"]
    assert proposal.mapping.product_code == "Profitcenter"
    assert {v.phase for v in proposal.mapping.value_columns} == {"actual", "plan", "commitment"}
    # and every (year, phase, statement, direction) equals the dumb parser's sum to the cent
    ours = {}
    for row in result.totals():
        for direction in ("revenue", "expense"):
            if row[direction]:
                ours[(row["year"], row["phase"], row["statement"], direction)] = row[direction]
    assert ours == reference_totals(path)
    assert len(records) == result.stats.records


def test_wesel_from_a_django_like_upload_object(real_file):
    # given an uploaded file object positioned at its start
    upload = io.BytesIO(real_file("wesel_hhplan2017.csv").read_bytes())
    with open_table(upload) as table:
        mapping = propose_mapping(table.header, [cells for _, cells in table.rows()], delimiter=";")
    # when parsed in small chunks
    result = parse(upload, mapping, chunk_size=1000)
    chunks = list(result.chunks())
    # then
    assert result.ok
    assert max(len(chunk) for chunk in chunks) < 1000 + len(mapping.value_columns)
    assert not upload.closed


@pytest.mark.parametrize("name", ["wesel_kontenrahmen.csv", "reilingen_birth_death.csv"])
def test_other_real_files_are_rejected_with_messages_not_crashes(real_file, name):
    # given files that are not budget exports
    result = preview(real_file(name))
    # then the preview explains instead of raising
    assert not result.ok
    assert all(issue.message_de and issue.message_en for issue in result.issues)
