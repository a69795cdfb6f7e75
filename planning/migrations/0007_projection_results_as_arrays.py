"""Projection results: one row per scenario and budget item holding the whole horizon as arrays of exact
cents and ratios (``ProjectionItem``), instead of one row per item and year (``ProjectionResult``).

Stored results are converted (cents from the exact numeric amounts, ratios as stored), scenario by
scenario, so computed scenarios stay computed. The reverse expands the arrays back into rows.
"""

from decimal import Decimal

import numpy as np
from django.db import migrations, models
import django.db.models.deletion

ITEM = ("area", "product_group", "product_code", "account_group", "direction", "driver")


def to_arrays(apps, schema_editor):
    Result = apps.get_model("planning", "ProjectionResult")
    Item = apps.get_model("planning", "ProjectionItem")
    scenario_ids = Result.objects.values_list("scenario_id", flat=True).distinct().order_by()
    for scenario_id in scenario_ids.iterator():
        paths: dict[tuple, dict[int, tuple[int, float]]] = {}
        for row in Result.objects.filter(scenario_id=scenario_id).values(*ITEM, "year", "amount", "demographic_ratio"):
            cents = int(row["amount"].scaleb(2))
            paths.setdefault(tuple(row[k] for k in ITEM), {})[row["year"]] = (cents, row["demographic_ratio"])
        years = sorted({y for path in paths.values() for y in path})
        first, n = years[0], years[-1] - years[0] + 1
        objects = []
        for key, path in paths.items():
            cents = np.zeros(n, dtype="<i8")
            ratios = np.ones(n, dtype="<f8")
            for year, (amount, ratio) in path.items():
                cents[year - first], ratios[year - first] = amount, ratio
            objects.append(
                Item(scenario_id=scenario_id, first_year=first, cents=cents.tobytes(), ratios=ratios.tobytes(),
                     **dict(zip(ITEM, key)))
            )  # fmt: skip
        Item.objects.bulk_create(objects, batch_size=1000)


def to_rows(apps, schema_editor):
    Result = apps.get_model("planning", "ProjectionResult")
    Item = apps.get_model("planning", "ProjectionItem")
    for item in Item.objects.iterator():
        cents = np.frombuffer(bytes(item.cents), dtype="<i8")
        ratios = np.frombuffer(bytes(item.ratios), dtype="<f8")
        Result.objects.bulk_create(
            Result(scenario_id=item.scenario_id, year=item.first_year + t, amount=Decimal(int(c)).scaleb(-2),
                   demographic_ratio=float(r), **{k: getattr(item, k) for k in ITEM})
            for t, (c, r) in enumerate(zip(cents, ratios))
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0006_measures_coproduction_plan_years"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectionItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("area", models.CharField(blank=True, max_length=2, verbose_name="Produktbereich")),
                ("product_group", models.CharField(blank=True, max_length=5, verbose_name="Produktgruppe")),
                ("product_code", models.CharField(blank=True, max_length=40, verbose_name="Produkt")),
                ("account_group", models.CharField(blank=True, max_length=2, verbose_name="Kontengruppe")),
                ("direction", models.CharField(max_length=10, verbose_name="Richtung")),
                ("driver", models.CharField(blank=True, max_length=20, verbose_name="Treiber")),
                ("first_year", models.SmallIntegerField(verbose_name="Erstes Jahr")),
                ("cents", models.BinaryField(verbose_name="Beträge (Cent, je Jahr)")),
                ("ratios", models.BinaryField(verbose_name="Demografische Faktoren (je Jahr)")),
                (
                    "scenario",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="projection_items",
                        to="planning.scenario",
                    ),
                ),
            ],
            options={
                "verbose_name": "Projektionsergebnis",
                "verbose_name_plural": "Projektionsergebnisse",
            },
        ),
        migrations.RunPython(to_arrays, to_rows),
        migrations.DeleteModel(name="ProjectionResult"),
    ]
