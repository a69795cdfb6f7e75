"""The stakeholder's district becomes a foreign key to core.District (was a free-text name).

Existing names are matched within the stakeholder's municipality, case-insensitively, against the
districts' names (then codes); among several districts of one name the finest (one without
sub-districts) with the lowest id wins. A name that matches nothing is kept in ``district_note`` (shown
on the stakeholder page, editable there) and reported on the console: nothing is lost. Optional
coordinates (lon/lat, WGS84) are added. Reversible: the name goes back into the text field.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def _index(District, municipality_id):
    by_key: dict[str, int] = {}
    rows = list(
        District.objects.filter(municipality_id=municipality_id).values_list("pk", "name", "code", "parent_id")
    )
    parents = {parent for *_, parent in rows if parent}
    # finest first, then lowest id: setdefault keeps the first
    for pk, name, code, _parent in sorted(rows, key=lambda r: (r[0] in parents, r[0])):
        by_key.setdefault(name.strip().casefold(), pk)
    for pk, _name, code, _parent in sorted(rows, key=lambda r: (r[0] in parents, r[0])):
        by_key.setdefault(code.strip().casefold(), pk)
    return by_key


def match_names(apps, schema_editor):
    Stakeholder = apps.get_model("stakeholders", "Stakeholder")
    District = apps.get_model("core", "District")
    Municipality = apps.get_model("core", "Municipality")
    unmatched: dict[tuple[str, str], int] = {}
    indexes: dict[int, dict[str, int]] = {}
    for stakeholder in Stakeholder.objects.exclude(district_note="").only(
        "pk", "municipality_id", "district_note"
    ):
        index = indexes.get(stakeholder.municipality_id)
        if index is None:
            index = indexes[stakeholder.municipality_id] = _index(District, stakeholder.municipality_id)
        found = index.get(stakeholder.district_note.strip().casefold())
        if found is not None:
            Stakeholder.objects.filter(pk=stakeholder.pk).update(district_id=found, district_note="")
        else:
            key = (stakeholder.municipality_id, stakeholder.district_note)
            unmatched[key] = unmatched.get(key, 0) + 1
    if unmatched:
        slugs = dict(Municipality.objects.values_list("pk", "slug"))
        print("\n  Sozialräume ohne passenden Bezirk (als „Ort ohne Sozialraum“ behalten):")  # noqa: T201
        for (municipality_id, name), n in sorted(unmatched.items()):
            print(f"    {slugs.get(municipality_id)}: „{name}“ ({n} Akteure)")  # noqa: T201


def names_back(apps, schema_editor):
    Stakeholder = apps.get_model("stakeholders", "Stakeholder")
    for stakeholder in Stakeholder.objects.filter(district__isnull=False).select_related("district"):
        Stakeholder.objects.filter(pk=stakeholder.pk).update(district_note=stakeholder.district.name[:120])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_district"),
        ("stakeholders", "0002_shadow_wage_minimum_wage"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="stakeholder", name="stakeholder_municip_ea5917_idx"),
        # the free text moves into the note; the foreign key takes the name ``district``
        migrations.RenameField(model_name="stakeholder", old_name="district", new_name="district_note"),
        migrations.AlterField(
            model_name="stakeholder",
            name="district_note",
            field=models.CharField(
                blank=True,
                help_text="Eine frühere Ortsangabe, die keinem Bezirk der Kommune entspricht",
                max_length=120,
                verbose_name="Ort ohne Sozialraum",
            ),
        ),
        migrations.AddField(
            model_name="stakeholder",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="stakeholders",
                to="core.district",
                verbose_name="Sozialraum",
            ),
        ),
        migrations.AddField(
            model_name="stakeholder",
            name="lon",
            field=models.FloatField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-180),
                    django.core.validators.MaxValueValidator(180),
                ],
                verbose_name="Längengrad",
            ),
        ),
        migrations.AddField(
            model_name="stakeholder",
            name="lat",
            field=models.FloatField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-90),
                    django.core.validators.MaxValueValidator(90),
                ],
                verbose_name="Breitengrad",
            ),
        ),
        migrations.RunPython(match_names, names_back),
    ]
