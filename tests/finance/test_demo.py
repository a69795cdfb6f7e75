"""The demo budget of Musterstadt: realistic, imported through the real importer, idempotent."""

from decimal import Decimal

import pytest

from core.demo import demo_load
from finance import selectors
from finance.demo import budget_csv
from finance.importing import preview
from finance.models import BudgetVersion

pytestmark = pytest.mark.django_db


def test_demo_csv_is_an_sap_style_export():
    data = budget_csv()
    assert data == budget_csv()  # deterministic: re-imports are recognised as unchanged
    result = preview(data)
    assert result.ok, [i.message_en for i in result.issues]
    assert (result.encoding, result.delimiter, result.layout) == ("cp1252", ";", "wide")
    assert result.mapping.sign_convention == "revenue_negative"
    assert b"-\r\n" in data or b"-;" in data  # SAP's trailing minus


def test_demo_loader_imports_two_versions_idempotently():
    municipality = demo_load()
    versions = list(BudgetVersion.objects.filter(municipality=municipality).order_by("number"))
    assert [v.label for v in versions] == ["Entwurf 2025", "Beschlossen 2025"]
    demo_load()  # second run: nothing new
    assert BudgetVersion.objects.filter(municipality=municipality).count() == 2
    totals = {(r["year"], r["phase"]): r for r in selectors.version_totals(versions[-1])}
    assert set(totals) == {(y, "actual") for y in (2022, 2023, 2024)} | {
        (y, "plan") for y in range(2025, 2030)
    }
    expense_2024 = totals[(2024, "actual")]["expense"]
    assert Decimal("230e6") < expense_2024 < Decimal("270e6")
    deficits = [
        y for y in range(2025, 2030) if totals[(y, "plan")]["revenue"] < totals[(y, "plan")]["expense"]
    ]
    assert len(deficits) >= 2
    areas = {
        r["code"] for r in selectors.breakdown(selectors.Slice(versions[-1], "results", 2025, "plan"), "area")
    }
    assert areas == {f"{a:02d}" for a in range(1, 18)}
    assert municipality.population == 61240
