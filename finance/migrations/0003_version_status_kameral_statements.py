from django.db import migrations, models


class Migration(migrations.Migration):
    """Version status and the current adopted budget; kameral statements; reading options in the
    import's identity (an explicit encoding/delimiter is a different import of the same bytes)."""

    dependencies = [("finance", "0002_version_summary")]

    operations = [
        migrations.AddField(
            model_name="budgetversion",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Entwurf"),
                    ("adopted", "Beschlossen"),
                    ("supplementary", "Nachtrag"),
                    ("final", "Jahresabschluss"),
                ],
                default="draft",
                max_length=14,
                verbose_name="Status",
            ),
        ),
        migrations.AddField(
            model_name="budgetversion",
            name="is_current",
            field=models.BooleanField(default=False, verbose_name="Aktueller Haushalt"),
        ),
        migrations.AddField(
            model_name="budgetversion",
            name="read_options",
            field=models.CharField(blank=True, default="", max_length=60, verbose_name="Leseoptionen"),
        ),
        migrations.RemoveConstraint(model_name="budgetversion", name="finance_version_checksum_unique"),
        migrations.AddConstraint(
            model_name="budgetversion",
            constraint=models.UniqueConstraint(
                fields=("municipality", "checksum", "read_options"), name="finance_version_identity_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(is_current=True), fields=("municipality",), name="finance_version_one_current"
            ),
        ),
        migrations.AlterField(
            model_name="budgetline",
            name="statement",
            field=models.CharField(
                choices=[
                    ("results", "Ergebnisplan"),
                    ("financial", "Finanzplan"),
                    ("kameral_vwh", "Verwaltungshaushalt (kameral)"),
                    ("kameral_vmh", "Vermögenshaushalt (kameral)"),
                    ("kameral", "Kameraler Haushalt (Teile nicht getrennt)"),
                ],
                max_length=12,
                verbose_name="Rechnung",
            ),
        ),
        migrations.AlterField(
            model_name="budgetrollup",
            name="statement",
            field=models.CharField(
                choices=[
                    ("results", "Ergebnisplan"),
                    ("financial", "Finanzplan"),
                    ("kameral_vwh", "Verwaltungshaushalt (kameral)"),
                    ("kameral_vmh", "Vermögenshaushalt (kameral)"),
                    ("kameral", "Kameraler Haushalt (Teile nicht getrennt)"),
                ],
                max_length=12,
            ),
        ),
    ]
