"""One registry of the shadow wage of a volunteer hour: the municipality's minimum-wage rows of the dated
parameter registry move to stakeholders.ShadowWage as the municipality's own rates (the value, date and
source as they were; an own rate already set on that date in the stakeholders registry wins). The audit
trail (ParameterChange) stays as it is. Backwards: the own rates are copied back."""

from django.db import migrations


def forwards(apps, schema_editor):
    DatedParameter = apps.get_model("planning", "DatedParameter")
    ShadowWage = apps.get_model("stakeholders", "ShadowWage")
    rows = DatedParameter.objects.filter(key="minimum_wage")
    for row in rows:
        ShadowWage.objects.get_or_create(
            municipality_id=row.municipality_id,
            valid_from=row.valid_from,
            defaults={"eur_per_hour": round(row.value, 2), "source": row.source[:300]},
        )
    rows.delete()


def backwards(apps, schema_editor):
    DatedParameter = apps.get_model("planning", "DatedParameter")
    ShadowWage = apps.get_model("stakeholders", "ShadowWage")
    for wage in ShadowWage.objects.exclude(municipality=None):
        DatedParameter.objects.get_or_create(
            municipality_id=wage.municipality_id,
            key="minimum_wage",
            valid_from=wage.valid_from,
            defaults={"value": wage.eur_per_hour, "source": wage.source},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0009_funding_source_stakeholder"),
        ("stakeholders", "0002_shadow_wage_minimum_wage"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
