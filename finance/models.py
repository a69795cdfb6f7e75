"""Budget data of a municipality: datasets, their versions (one per imported export), the budget lines,
the small per-version dimension tables (products, accounts), a pre-aggregated rollup for the explorer,
saved import mappings (profiles) and staged uploads.

Amounts are exact decimals in EUR, positive in their direction (an expense of 100 is stored as
``direction="expense", amount=100``); a revenue reduction is a negative revenue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Municipality, MunicipalityScopedQuerySet
from finance.importing import reference

# Stored values of the pure importer, so the database and the parser use the same words.
PHASE_CHOICES = [
    ("actual", _("Ist")),
    ("plan", _("Plan")),
    ("commitment", _("Verpflichtungsermächtigung")),
]
STATEMENT_CHOICES = [
    (reference.RESULTS, _("Ergebnisplan")),
    (reference.FINANCIAL, _("Finanzplan")),
    (reference.KAMERAL_ADMIN, _("Verwaltungshaushalt (kameral)")),
    (reference.KAMERAL_CAPITAL, _("Vermögenshaushalt (kameral)")),
    (reference.KAMERAL_COMBINED, _("Kameraler Haushalt (Teile nicht getrennt)")),
]
DIRECTION_CHOICES = [
    (reference.REVENUE, _("Ertrag/Einzahlung")),
    (reference.EXPENSE, _("Aufwand/Auszahlung")),
]
AMOUNT_DIGITS = 15  # 13 integer digits: up to 9,999,999,999,999.99 EUR per line
SUM_DIGITS = 20


def _source_path(instance: BudgetVersion | BudgetUpload, filename: str) -> str:
    """Uploaded files are kept unchanged, one folder per municipality."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f"finance/{instance.municipality.slug}/{stamp}-{filename}"


class BudgetDataset(models.Model):
    """A budget of a municipality as its accounting system exports it, e.g. "Haushalt".

    Each import of a new export of the same budget adds a ``BudgetVersion`` (draft, adopted plan,
    annual result); earlier versions stay for comparison until someone deletes them explicitly.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="budget_datasets")
    name = models.CharField(_("Name"), max_length=200)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="finance_dataset_name_unique")
        ]
        verbose_name = _("Haushaltsdatensatz")
        verbose_name_plural = _("Haushaltsdatensätze")

    def __str__(self) -> str:
        return self.name


class ImportProfile(models.Model):
    """A confirmed import mapping of one export format, saved for a municipality.

    A later file whose header has the same fingerprint (``header_fingerprint``) is imported with it
    without asking again (the next year's export of the same accounting system).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="import_profiles")
    name = models.CharField(_("Name"), max_length=120)
    mapping = models.JSONField(_("Zuordnung"))
    header_fingerprint = models.CharField(_("Kopfzeilen-Fingerabdruck"), max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="finance_profile_name_unique")
        ]
        verbose_name = _("Importprofil")
        verbose_name_plural = _("Importprofile")

    def __str__(self) -> str:
        return self.name


class BudgetVersionQuerySet(MunicipalityScopedQuerySet):
    def latest_per_dataset(self) -> BudgetVersionQuerySet:
        """The newest version of every dataset (what the explorer and ``budget_summary`` show by default)."""
        newest = (
            BudgetVersion.objects.filter(dataset=models.OuterRef("dataset"))
            .order_by("-number")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(newest))


class BudgetVersion(models.Model):
    """One imported export of a dataset: the unchanged source file, its checksum, who uploaded it
    when, the mapping used, what was detected, and the budget lines it produced.

    A version is created in the same transaction as all of its lines, so it is either complete or
    absent. Identical files (same SHA-256 and reading options in the same municipality) are never
    stored twice. ``status`` says what the figures are (draft, adopted, supplementary, final accounts);
    ``is_current`` marks the one adopted budget that every page uses by default.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        ADOPTED = "adopted", _("Beschlossen")
        SUPPLEMENTARY = "supplementary", _("Nachtrag")
        FINAL = "final", _("Jahresabschluss")

    dataset = models.ForeignKey(BudgetDataset, on_delete=models.CASCADE, related_name="versions")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="budget_versions")
    number = models.PositiveIntegerField(_("Version"))
    label = models.CharField(_("Bezeichnung"), max_length=200, blank=True)
    source_file = models.FileField(_("Quelldatei"), upload_to=_source_path, max_length=500)
    source_name = models.CharField(_("Dateiname"), max_length=255)
    source_size = models.BigIntegerField(_("Dateigröße"), default=0)
    checksum = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("Hochgeladen"), default=timezone.now)
    mapping = models.JSONField(_("Zuordnung"))
    profile = models.ForeignKey(
        ImportProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="versions"
    )
    detected = models.JSONField(_("Erkannt"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("Datenzeilen"), default=0)
    line_count = models.PositiveIntegerField(_("Haushaltszeilen"), default=0)
    warnings = models.JSONField(_("Hinweise"), default=list, blank=True)
    # Revenue and expense per year, phase and statement of the stored lines (decimal strings), written
    # in the import transaction from the rollup: versions never change, so pages read it for free.
    summary = models.JSONField(_("Summen"), default=list, blank=True)
    status = models.CharField(_("Status"), max_length=14, choices=Status.choices, default=Status.DRAFT)
    # The municipality's current adopted budget: the default of every page (overview, explorer,
    # projections, resilience). Set only explicitly (``version_make_current``), never by an upload.
    is_current = models.BooleanField(_("Aktueller Haushalt"), default=False)
    # The reading options the user gave (encoding, delimiter): part of the import's identity, so the
    # same bytes read differently are a different import, never "unchanged".
    read_options = models.CharField(_("Leseoptionen"), max_length=60, blank=True, default="")

    objects = BudgetVersionQuerySet.as_manager()

    class Meta:
        ordering = ["dataset__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="finance_version_number_unique"),
            models.UniqueConstraint(
                fields=["municipality", "checksum", "read_options"], name="finance_version_identity_unique"
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(is_current=True),
                name="finance_version_one_current",
            ),
        ]
        verbose_name = _("Haushaltsversion")
        verbose_name_plural = _("Haushaltsversionen")

    def __str__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        return f"{self.dataset.name} v{self.number}{label}"

    def get_absolute_url(self) -> str:
        return reverse("finance:index", kwargs={"slug": self.municipality.slug}) + f"?version={self.pk}"


class BudgetLine(models.Model):
    """One budget line: product x account x year x phase, amount positive in its direction.

    Products and accounts are stored by code, with the parts of the hierarchy the explorer filters on
    (product area and group, account group) derived at import from the Land's frames; their names live
    in ``BudgetProduct``/``BudgetAccount`` of the same version. ``line`` is the source file's line.

    ``version`` has no database foreign-key constraint on purpose: lines are written only by the import
    service, in the transaction that creates their version, and a per-row deferred constraint check
    doubled the time of a million-line COPY (measured). Deleting a version still deletes its lines
    (Django's cascade).
    """

    version = models.ForeignKey(
        BudgetVersion, on_delete=models.CASCADE, related_name="lines", db_constraint=False, db_index=False
    )
    line = models.PositiveIntegerField(_("Zeile"))
    product_code = models.CharField(_("Produkt"), max_length=40, blank=True)
    area = models.CharField(_("Produktbereich"), max_length=2, blank=True)
    product_group = models.CharField(_("Produktgruppe"), max_length=5, blank=True)
    account_code = models.CharField(_("Konto"), max_length=20, blank=True)
    account_group = models.CharField(_("Kontengruppe"), max_length=2, blank=True)
    year = models.SmallIntegerField(_("Jahr"))
    phase = models.CharField(_("Phase"), max_length=10, choices=PHASE_CHOICES)
    statement = models.CharField(_("Rechnung"), max_length=12, choices=STATEMENT_CHOICES)
    direction = models.CharField(_("Richtung"), max_length=10, choices=DIRECTION_CHOICES)
    amount = models.DecimalField(_("Betrag"), max_digits=AMOUNT_DIGITS, decimal_places=2)

    # The COPY column order of the import (see finance.bulkload).
    COPY_COLUMNS = (
        "version_id",
        "line",
        "product_code",
        "area",
        "product_group",
        "account_code",
        "account_group",
        "year",
        "phase",
        "statement",
        "direction",
        "amount",
    )

    class Meta:
        indexes = [models.Index(fields=["version", "product_code"], name="finance_line_version_product")]
        verbose_name = _("Haushaltszeile")
        verbose_name_plural = _("Haushaltszeilen")

    def __str__(self) -> str:
        return f"{self.product_code}/{self.account_code} {self.year} {self.phase}: {self.amount}"

    @property
    def account_class(self) -> str:
        """Kontenklasse: the first digit of the account code."""
        return self.account_code[:1]


class BudgetProduct(models.Model):
    """A product (Produkt) as named in one version's file, placed in the product hierarchy."""

    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="products")
    code = models.CharField(_("Produkt"), max_length=40, blank=True)
    name = models.CharField(_("Bezeichnung"), max_length=300, blank=True)
    area = models.CharField(_("Produktbereich"), max_length=2, blank=True)
    group = models.CharField(_("Produktgruppe"), max_length=5, blank=True)
    path = models.CharField(_("Produkt (normiert)"), max_length=8, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="finance_product_unique")]
        verbose_name = _("Produkt")
        verbose_name_plural = _("Produkte")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetAccount(models.Model):
    """An account (Konto) as named in one version's file, with its account group and class."""

    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="accounts")
    code = models.CharField(_("Konto"), max_length=20, blank=True)
    name = models.CharField(_("Bezeichnung"), max_length=300, blank=True)
    group = models.CharField(_("Kontengruppe"), max_length=2, blank=True)
    account_class = models.CharField(_("Kontenklasse"), max_length=1, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="finance_account_unique")]
        verbose_name = _("Konto")
        verbose_name_plural = _("Konten")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetRollup(models.Model):
    """Sums of a version's lines per product, account group, year, phase, statement and direction.

    Written once at import (an ``INSERT ... SELECT ... GROUP BY`` in the import transaction), so the
    explorer aggregates a few thousand rows instead of a million lines; account detail of a single
    product still reads ``BudgetLine`` through its (version, product) index.
    """

    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="rollups")
    area = models.CharField(max_length=2, blank=True)
    product_group = models.CharField(max_length=5, blank=True)
    product_code = models.CharField(max_length=40, blank=True)
    account_group = models.CharField(max_length=2, blank=True)
    year = models.SmallIntegerField()
    phase = models.CharField(max_length=10, choices=PHASE_CHOICES)
    statement = models.CharField(max_length=12, choices=STATEMENT_CHOICES)
    direction = models.CharField(max_length=10, choices=DIRECTION_CHOICES)
    amount = models.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    line_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["version", "statement", "year", "phase"], name="finance_rollup_sel")]
        verbose_name = _("Haushaltssumme")
        verbose_name_plural = _("Haushaltssummen")

    def __str__(self) -> str:
        return f"{self.version_id} {self.product_code} {self.account_group} {self.year} {self.phase}"


class BudgetUpload(models.Model):
    """A file uploaded through the browser or the API: previewed, confirmed, then imported by a job.

    The file is stored unchanged; after a successful import the version points to the same file.
    A rejected file keeps its problems in ``errors`` so the user can correct the mapping and retry.
    """

    class Status(models.TextChoices):
        STAGED = "staged", _("Hochgeladen, nicht importiert")
        IMPORTING = "importing", _("Import läuft")
        IMPORTED = "imported", _("Importiert")
        UNCHANGED = "unchanged", _("Unverändert (bereits importiert)")
        REJECTED = "rejected", _("Abgelehnt")
        FAILED = "failed", _("Fehlgeschlagen")

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="budget_uploads")
    file = models.FileField(_("Datei"), upload_to=_source_path, max_length=500)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    size = models.BigIntegerField(_("Dateigröße"), default=0)
    checksum = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Hochgeladen"), auto_now_add=True)
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.STAGED)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.ForeignKey(
        BudgetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads"
    )
    errors = models.JSONField(_("Probleme"), default=list, blank=True)
    result = models.JSONField(_("Ergebnis"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Hochgeladene Haushaltsdatei")
        verbose_name_plural = _("Hochgeladene Haushaltsdateien")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
