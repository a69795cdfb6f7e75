"""The installation's default shadow wage of a volunteer hour: the statutory minimum wage (MiLoG) with
the date it applies from. Municipalities may add their own rates; new rates are new rows."""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = [
    (datetime.date(2022, 10, 1), Decimal("12.00"), "Mindestlohnerhöhungsgesetz vom 28.06.2022"),
    (datetime.date(2024, 1, 1), Decimal("12.41"), "Vierte Mindestlohnanpassungsverordnung vom 24.11.2023"),
    (datetime.date(2025, 1, 1), Decimal("12.82"), "Vierte Mindestlohnanpassungsverordnung vom 24.11.2023"),
    (datetime.date(2026, 1, 1), Decimal("13.90"), "Fünfte Mindestlohnanpassungsverordnung"),
    (datetime.date(2027, 1, 1), Decimal("14.60"), "Fünfte Mindestlohnanpassungsverordnung"),
]


def add_rates(apps, schema_editor):
    ShadowWage = apps.get_model("stakeholders", "ShadowWage")
    for valid_from, rate, source in RATES:
        ShadowWage.objects.get_or_create(
            municipality=None,
            valid_from=valid_from,
            defaults={"eur_per_hour": rate, "source": f"Gesetzlicher Mindestlohn; {source}"},
        )


def remove_rates(apps, schema_editor):
    ShadowWage = apps.get_model("stakeholders", "ShadowWage")
    ShadowWage.objects.filter(municipality=None, valid_from__in=[r[0] for r in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("stakeholders", "0001_stakeholder_registry")]

    operations = [migrations.RunPython(add_rates, remove_rates)]
