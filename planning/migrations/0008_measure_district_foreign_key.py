"""A measure's district becomes a foreign key to core.District (was the text ``district_code``).

Codes are matched within the measure's municipality (exact code first, then case-insensitively by code
or name; among several districts the finest, then the lowest id). A code that matches no district is
not lost: it is appended to the measure's goal ("Sozialraum (ohne Bezirk): …") and reported on the
console. Reversible: the district's code goes back into the text field.
"""

import django.db.models.deletion
from django.db import migrations, models


def _lookup(District, municipality_id):
    rows = list(
        District.objects.filter(municipality_id=municipality_id).values_list(
            "pk", "code", "name", "parent_id"
        )
    )
    parents = {parent for *_, parent in rows if parent}
    rows.sort(key=lambda r: (r[0] in parents, r[0]))
    found = {}
    for pk, code, _name, _parent in rows:
        found.setdefault(code, pk)
    for pk, code, name, _parent in rows:
        found.setdefault(code.strip().casefold(), pk)
        found.setdefault(name.strip().casefold(), pk)
    return found


def codes_to_districts(apps, schema_editor):
    Measure = apps.get_model("planning", "Measure")
    District = apps.get_model("core", "District")
    lookups = {}
    unmatched = []
    for measure in Measure.objects.exclude(district_code="").only(
        "pk", "municipality_id", "district_code", "goal"
    ):
        lookup = lookups.get(measure.municipality_id)
        if lookup is None:
            lookup = lookups[measure.municipality_id] = _lookup(District, measure.municipality_id)
        code = measure.district_code
        found = lookup.get(code) or lookup.get(code.strip().casefold())
        if found is not None:
            Measure.objects.filter(pk=measure.pk).update(district_id=found)
        else:
            note = f"Sozialraum (ohne Bezirk): {code}"
            goal = f"{measure.goal}\n\n{note}" if measure.goal else note
            Measure.objects.filter(pk=measure.pk).update(goal=goal)
            unmatched.append((measure.pk, code))
    if unmatched:
        print("\n  Maßnahmen mit einer Sozialraum-Kennziffer ohne Bezirk (im Ziel vermerkt):")  # noqa: T201
        for pk, code in unmatched:
            print(f"    Maßnahme {pk}: „{code}“")  # noqa: T201


def districts_to_codes(apps, schema_editor):
    Measure = apps.get_model("planning", "Measure")
    for measure in Measure.objects.filter(district__isnull=False).select_related("district"):
        Measure.objects.filter(pk=measure.pk).update(district_code=measure.district.code[:40])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_district"),
        ("planning", "0007_projection_results_as_arrays"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="planning_measures",
                to="core.district",
                verbose_name="Sozialraum",
            ),
        ),
        migrations.RunPython(codes_to_districts, districts_to_codes),
        migrations.RemoveField(model_name="measure", name="district_code"),
    ]
