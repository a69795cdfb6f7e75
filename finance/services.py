"""Write operations of the finance app: staging uploads, importing budget files, versions, profiles.

The import is all-or-nothing: the version, its lines, products, accounts and rollup, and the upload's
status are written in ONE transaction; any invalid row (or a row the database would refuse) rolls
everything back and the caller gets the list of problems. An identical file (same SHA-256 in the same
municipality) is never imported twice: the outcome is ``unchanged`` and nothing new is stored.
"""

from __future__ import annotations

import gc
import hashlib
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import audit
from core.imports import issue_json
from core.jobs import job_start
from core.models import Job, Municipality
from finance import selectors
from finance.bulkload import ColumnWriter, LineWriter
from finance.importing import (
    ImportFileError,
    ImportIssue,
    Mapping,
    ParseResult,
    Preview,
    Table,
    columnar,
    header_fingerprint,
    open_table,
    preview,
    propose_mapping,
)
from finance.importing.fdp import is_package, read_package, write_package
from finance.models import BudgetDataset, BudgetUpload, BudgetVersion, ImportProfile

DEFAULT_DATASET = "Haushalt"
SAMPLE_ROWS = 2000
_HASH_CHUNK = 1 << 20

Source = Path | str | bytes
ProgressCallback = Callable[[int], None]


@dataclass
class ImportOutcome:
    """What an import did: ``imported``, ``unchanged`` (identical file already stored), ``dry-run`` or
    ``rejected`` (nothing stored; ``errors`` says why)."""

    status: str
    rows: int = 0
    lines: int = 0
    totals: list[dict[str, Any]] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    version: BudgetVersion | None = None
    mapping: Mapping | None = None
    detected: dict[str, Any] = field(default_factory=dict)
    # seconds per step and which reader was used (``reader``: columnar/rows, ``fallback``: why not
    # columnar); for the benchmark and the logs, not part of the JSON shape
    timings: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (CLI ``--json``, job result): decimals as strings in EUR."""
        if self.status == "rejected":
            return {"status": "rejected", "errors": [issue_json(i) for i in self.errors]}
        return {
            "status": self.status,
            "rows": self.rows,
            "lines": self.lines,
            "totals": totals_json(self.totals),
            "version": self.version.pk if self.version else None,
            "dataset": self.version.dataset.name if self.version else None,
            "warnings": [issue_json(i) for i in self.warnings],
        }


def totals_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "year": row["year"],
            "phase": row["phase"],
            "statement": row["statement"],
            "revenue": f"{Decimal(row['revenue']):.2f}",
            "expense": f"{Decimal(row['expense']):.2f}",
        }
        for row in rows
    ]


# -- files ------------------------------------------------------------------------------------------
def file_checksum(source: Source | IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of a path, bytes or binary file (read in chunks; a file is rewound)."""
    digest = hashlib.sha256()
    if isinstance(source, bytes):
        digest.update(source)
        return digest.hexdigest(), len(source)
    size = 0
    handle = open(source, "rb") if isinstance(source, str | Path) else source  # noqa: SIM115
    try:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    finally:
        if handle is not source:
            handle.close()
        else:
            handle.seek(0)
    return digest.hexdigest(), size


@contextmanager
def _quiet_gc() -> Iterator[None]:
    """Fewer garbage collections while streaming a large file.

    An import allocates millions of short-lived, cycle-free objects; with Django loaded, every
    collection also scans all long-lived objects of the process. Freezing those and raising the
    young-generation threshold cut the import's CPU time by about a third (measured with 1,000,000
    rows); the previous settings are restored afterwards.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), threshold[1], max(threshold[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


# -- reading options and the import spec ---------------------------------------------------------------
ENCODINGS = ("utf-8-sig", "utf-8", "cp1252", "latin-1", "utf-16")
DELIMITERS = (";", "\t", ",")


@dataclass(frozen=True)
class ReadOptions:
    """The user's explicit reading of a CSV file (``None`` = detect). Part of an import's identity: the
    same bytes read with another encoding are another import, never "unchanged"."""

    encoding: str | None = None
    delimiter: str | None = None

    def identity(self) -> str:
        parts = []
        if self.encoding:
            parts.append(f"encoding={self.encoding}")
        if self.delimiter:
            parts.append(f"delimiter={self.delimiter!r}")
        return ";".join(parts)

    def open(self, source: Source | IO[bytes], *, sheet: str | None = None):
        return open_table(source, sheet=sheet, encoding=self.encoding, delimiter=self.delimiter)


@dataclass
class ImportSpec:
    """How to import one file: the CLI's options or a confirmed upload's parameters, in one object.

    ``mapping`` (else ``profile``, else the profile matching the header, else the proposal);
    ``phase``: the user's default phase, used only where the file states none; ``status`` of the new
    version and whether it becomes the municipality's current budget (never implicitly)."""

    mapping: Mapping | None = None
    profile: ImportProfile | None = None
    phase: str | None = None
    dataset_name: str = DEFAULT_DATASET
    label: str = ""
    status: str = BudgetVersion.Status.DRAFT
    make_current: bool = False
    read: ReadOptions = field(default_factory=ReadOptions)
    filename: str | None = None
    dry_run: bool = False
    max_errors: int = 200


def file_header(source: Source, *, encoding: str | None = None, delimiter: str | None = None) -> list[str]:
    """The header of a file as the importer reads it (with the user's reading); raises ImportFileError."""
    with ReadOptions(encoding, delimiter).open(source) as table:
        return table.header


# -- mapping ----------------------------------------------------------------------------------------
def profile_for_fingerprint(municipality: Municipality, fingerprint: str) -> ImportProfile | None:
    """The most recently saved profile of the municipality for files with this header."""
    return (
        ImportProfile.objects.filter(municipality=municipality, header_fingerprint=fingerprint)
        .order_by("-updated_at")
        .first()
    )


def mapping_resolve(
    *,
    municipality: Municipality,
    table: Table | None = None,
    source: Source | None = None,
    mapping: Mapping | None = None,
    profile: ImportProfile | None = None,
    phase: str | None = None,
) -> tuple[Mapping, ImportProfile | None, dict[str, Any]]:
    """The mapping to import an opened ``table`` with: the given one, else the given profile's, else the
    saved profile whose header fingerprint matches, else a proposal from the header and a sample.

    Returns (mapping, profile used, what was detected). ``source`` instead of ``table``: opened here."""
    if table is None:
        with open_table(source) as opened:
            return mapping_resolve(
                municipality=municipality, table=opened, mapping=mapping, profile=profile, phase=phase
            )
    info, header = table.info, table.header
    fingerprint = header_fingerprint(header)
    if mapping is None and profile is None:
        profile = profile_for_fingerprint(municipality, fingerprint)
    if mapping is None and profile is not None:
        mapping = Mapping.from_dict(profile.mapping)
    if mapping is None:
        rows = table.rows()
        try:
            sample = [cells for _, cells in islice(rows, SAMPLE_ROWS)]
        finally:
            rows.close()
        mapping = propose_mapping(header, sample, municipality.land, delimiter=info.delimiter)
        if info.format == "xlsx":
            mapping.sheet = info.sheet
    if phase:
        mapping.default_phase = phase  # the mapping check says when the file's own phase wins
    mapping.header_fingerprint = mapping.header_fingerprint or fingerprint
    detected = {
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "sheet": info.sheet,
        "layout": mapping.layout,
        "sign_convention": mapping.sign_convention,
        "decimal_convention": mapping.decimal_convention,
        "fingerprint": fingerprint,
        "profile": profile.name if profile else None,
    }
    return mapping, profile, detected


def budget_preview(
    *,
    municipality: Municipality,
    source: Source | IO[bytes],
    mapping: Mapping | None = None,
    n: int = 20,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[Preview, ImportProfile | None]:
    """Preview a file: detection, the mapping (given, from a matching profile, or proposed), the first
    ``n`` records, whole-file totals and all problems. The file is opened and detected once; ``encoding``
    and ``delimiter`` replace the detection (CSV). Never raises for a bad file."""
    read = ReadOptions(encoding, delimiter)
    try:
        table = read.open(source, sheet=mapping.sheet if mapping else None)
    except ImportFileError as exc:
        return Preview(issues=[exc.issue]), None
    with table:
        profile = None
        if mapping is None:
            profile = profile_for_fingerprint(municipality, header_fingerprint(table.header))
            if profile is not None:
                mapping = Mapping.from_dict(profile.mapping)
        result = preview(table, mapping, n=n, land=municipality.land)
    if result.mapping is not None and not result.mapping.header_fingerprint:
        result.mapping.header_fingerprint = result.fingerprint
    return result, profile


# -- import -----------------------------------------------------------------------------------------
class _Rejected(Exception):
    pass


def _dataset_lock(*, municipality: Municipality, name: str, user) -> BudgetDataset:
    dataset, _created = BudgetDataset.objects.get_or_create(
        municipality=municipality, name=name, defaults={"created_by": _user_or_none(user)}
    )
    # Serialise version numbering per dataset (a no-op lock on SQLite, which has one writer anyway).
    return BudgetDataset.objects.select_for_update().get(pk=dataset.pk)


def _user_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


def budget_import(
    *,
    municipality: Municipality,
    source: Source,
    spec: ImportSpec | None = None,
    user=None,
    upload: BudgetUpload | None = None,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Import one budget file as a new version of a dataset, as ``spec`` says (default: detect
    everything, dataset "Haushalt", status draft, not the current budget).

    ``source`` is a path or the file's bytes. With ``upload`` (a staged upload) its stored file and
    checksum are used and its status is written in the import transaction. ``progress`` is called with
    the number of data rows read after every chunk. The file is opened and detected ONCE: the same
    table feeds the mapping proposal and the parse. All-or-nothing; the same bytes with the same
    reading options already imported give ``unchanged``.
    """
    spec = spec or ImportSpec()
    if isinstance(source, str):
        source = Path(source)
    package = _fiscal_data_package(source)
    if upload is not None:
        checksum = upload.checksum
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
    else:
        checksum, size = file_checksum(source)
    identity = spec.read.identity()
    if not spec.dry_run:
        existing = _version_by_checksum(municipality, checksum, identity)
        if existing is not None:
            return _unchanged(existing)
    try:
        readable: Source = source
        if package is not None:  # an open Fiscal Data Package: its model is the mapping
            readable, model_mapping = read_package(package)
            spec.mapping = spec.mapping or model_mapping
        sheet = spec.mapping.sheet if spec.mapping else None
        with spec.read.open(readable, sheet=sheet) as table:
            mapping, profile, detected = mapping_resolve(
                municipality=municipality,
                table=table,
                mapping=spec.mapping,
                profile=spec.profile,
                phase=spec.phase,
            )
            if identity:
                detected.update(read_options=identity, overridden=True)
            with _quiet_gc():
                return _import_parsed(
                    municipality=municipality,
                    source=source,
                    result=ParseResult(table, mapping, max_errors=spec.max_errors),
                    spec=spec,
                    mapping=mapping,
                    profile=profile,
                    detected=detected,
                    size=size,
                    checksum=checksum,
                    user=user,
                    upload=upload,
                    progress=progress,
                )
    except ImportFileError as exc:
        return ImportOutcome("rejected", errors=[exc.issue])


def _fiscal_data_package(source: Path | bytes) -> bytes | None:
    """The bytes of ``source`` when it is a Fiscal Data Package ZIP (small: read once), else None."""
    if isinstance(source, bytes):
        return source if is_package(source) else None
    with open(source, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04" or source.stat().st_size > settings.MAX_UPLOAD_BYTES:
            return None
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                if "datapackage.json" not in archive.namelist():
                    return None  # a workbook: read by the table reader
        except zipfile.BadZipFile:
            return None
        handle.seek(0)
        return handle.read()


def version_fdp(version: BudgetVersion) -> bytes:
    """A version as a Fiscal Data Package ZIP (datapackage.json + budget.csv), validated."""
    products = dict(version.products.values_list("code", "name"))
    accounts = dict(version.accounts.values_list("code", "name"))
    rows = (
        {
            "year": line.year,
            "phase": line.phase,
            "statement": line.statement,
            "direction": line.direction,
            "product_code": line.product_code,
            "product_name": products.get(line.product_code, ""),
            "account_code": line.account_code,
            "account_name": accounts.get(line.account_code, ""),
            "amount": line.amount,
        }
        for line in version.lines.order_by("line", "pk").iterator(chunk_size=5000)
    )
    name = slugify(f"{version.municipality.slug}-{version.dataset.name}-v{version.number}") or "budget"
    return write_package(rows, name=name, title=str(version))


# The "Offener Haushalt" portal's standard dataset (ohh_standard-datensatz.csv), column for column.
OHH_HEADER = (
    "Betrag",
    "Betrag-Typ",
    "Jahr",
    "Budget Richtung",
    "Ebene 1 – Code ",  # sic: the portal's header has the trailing space
    "Ebene 1 – Bezeichnung (Produktgruppe)",
    "Ebene 2 – Code",
    "Ebene 2 – Bezeichnung (Profitcenter)",
    "Ebene 3 – Code",
    "Ebene 3 – Bezeichnung (Kontengruppe)",
    "Ebene 4 – Code",
    "Ebene 4 – Bezeichnung (Kostenart)",
)
_OHH_PHASE = {"actual": "Ist", "plan": "Plan"}
_OHH_DIRECTION = {"revenue": "Einnahmen", "expense": "Ausgaben"}


def version_ohh(version: BudgetVersion) -> tuple[bytes, int]:
    """A version as the Offener Haushalt standard dataset (UTF-8, comma, decimal point): one row per
    line of the doppik statements in the phases the format knows (Ist, Plan); levels: product area,
    product, account group, account. Returns the CSV and the number of lines left out (commitments and
    kameral statements: the format has no place for them). Importing the file gives the same totals per
    year, phase, statement (from the account class) and direction. Codes and names come from uploaded
    files: they are neutralised against spreadsheet formula injection (``core.downloads.safe_row``);
    the amount stays a plain decimal."""
    import csv
    import io

    from core.downloads import safe_row
    from finance.importing.reference import FINANCIAL, RESULTS, product_area_name

    land = version.municipality.land
    products = dict(version.products.values_list("code", "name"))
    accounts = dict(version.accounts.values_list("code", "name"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OHH_HEADER)
    left_out = 0
    lines = version.lines.order_by("line", "pk").values_list(
        "amount", "phase", "year", "direction", "area", "product_code", "account_group", "account_code",
        "statement",
    )  # fmt: skip
    for amount, phase, year, direction, area, product, group, account, statement in lines.iterator(5000):
        if phase not in _OHH_PHASE or statement not in (RESULTS, FINANCIAL):
            left_out += 1
            continue
        writer.writerow(
            (f"{amount:f}", _OHH_PHASE[phase], year, _OHH_DIRECTION[direction], *safe_row((area,
             product_area_name(area, land) or "", product, products.get(product, ""), group, "", account,
             accounts.get(account, ""))))
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8"), left_out


def _import_parsed(
    *,
    municipality: Municipality,
    source: Path | bytes,
    result: ParseResult,
    spec: ImportSpec,
    mapping: Mapping,
    profile: ImportProfile | None,
    detected: dict[str, Any],
    size: int,
    checksum: str,
    user,
    upload: BudgetUpload | None,
    progress: ProgressCallback | None,
) -> ImportOutcome:
    filename = spec.filename or (upload.original_name if upload is not None else None)
    stored_file = upload.file.name if upload is not None else None
    if spec.dry_run:
        for _chunk in result.chunks():
            if progress:
                progress(result.stats.data_rows)
        return _parsed_outcome(result, [], "dry-run", mapping, detected)

    name = filename or (source.name if isinstance(source, Path) else "haushalt.csv")
    saved_name: str | None = None
    writer: LineWriter | None = None
    timings: dict[str, Any] = {}
    try:
        with transaction.atomic():
            dataset = _dataset_lock(
                municipality=municipality, name=spec.dataset_name or DEFAULT_DATASET, user=user
            )
            number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = BudgetVersion(
                dataset=dataset,
                municipality=municipality,
                number=number,
                label=spec.label,
                status=spec.status,
                read_options=spec.read.identity(),
                source_name=name[:255],
                source_size=size,
                checksum=checksum,
                uploaded_by=_user_or_none(user),
                mapping=mapping.to_dict(),
                profile=profile,
                detected=detected,
            )
            if stored_file:
                version.source_file.name = stored_file
            else:
                content = ContentFile(source) if isinstance(source, bytes) else File(open(source, "rb"))  # noqa: SIM115
                try:
                    version.source_file.save(name, content, save=False)
                finally:
                    content.close()
                saved_name = version.source_file.name
            version.save()  # a concurrent import of the same file fails here (unique checksum)
            started = time.perf_counter()
            written, found = _write_columnar(version, result, mapping, progress)
            timings.update(found)
            if written is None:  # the row path: the reference, and the portable one (SQLite)
                result = result.restart()
                failed = False
                with LineWriter(version, land=mapping.land) as writer:
                    for chunk in result.chunks():
                        if not failed:
                            writer.write(chunk)
                            failed = bool(writer.issues) or any(i.is_error for i in result.issues)
                        if progress:
                            progress(result.stats.data_rows)
                if not result.ok or writer.issues:
                    raise _Rejected
                writer.finish()
                written = writer.count
                timings["rows_path"] = time.perf_counter() - started
            started = time.perf_counter()
            version.rows = result.stats.data_rows
            version.line_count = written
            version.warnings = [issue_json(i) for i in result.warnings]
            version.summary = totals_json(selectors.version_totals(version, stored=False))
            version.save(update_fields=["rows", "line_count", "warnings", "summary"])
            if spec.make_current:
                _make_current(version)
            audit.record(action="budget.imported", municipality=municipality, actor=user, target=version)
            outcome = _parsed_outcome(result, [], "imported", mapping, detected)
            outcome.version, outcome.lines = version, written
            outcome.timings = timings
            timings["summary"] = time.perf_counter() - started
            if upload is not None:
                upload.status = BudgetUpload.Status.IMPORTED
                upload.version = version
                upload.errors = []
                upload.result = outcome.to_json()
                upload.save(update_fields=["status", "version", "errors", "result"])
            committing = time.perf_counter()
    except _Rejected:
        _discard(saved_name)
        outcome = _parsed_outcome(result, writer.issues if writer else [], "rejected", mapping, detected)
        outcome.timings = timings
        return outcome
    except IntegrityError:
        _discard(saved_name)
        existing = _version_by_checksum(municipality, checksum, spec.read.identity())
        if existing is None:
            raise
        return _unchanged(existing)
    except BaseException:
        _discard(saved_name)
        raise
    outcome.timings["commit"] = time.perf_counter() - committing
    return outcome


def _write_columnar(
    version: BudgetVersion, result: ParseResult, mapping: Mapping, progress: ProgressCallback | None
) -> tuple[int | None, dict[str, Any]]:
    """Write the lines through the column-wise reader and a binary COPY (PostgreSQL, wide CSV files).

    Returns the number of lines written, or None when the file needs the row path: then everything this
    pass wrote has been rolled back (a savepoint), and ``timings['fallback']`` says why. The row path
    reads the file again and words any problem exactly as before; the two paths store the same lines."""
    timings: dict[str, Any] = {"reader": "rows"}
    table = result.source
    if connection.vendor != "postgresql" or not isinstance(table, Table):
        timings["fallback"] = "not PostgreSQL" if connection.vendor != "postgresql" else "not a table"
        return None, timings
    reason = columnar.why_not(table, mapping)
    if reason is not None:
        timings["fallback"] = reason
        return None, timings
    started = time.perf_counter()
    reader = columnar.ColumnarReader(result, table)
    try:
        with transaction.atomic():  # a savepoint: a fallback leaves nothing behind
            writer = ColumnWriter(version, land=mapping.land, reader=reader)
            with writer:
                for block in reader.blocks():
                    writer.write(block)
                    if progress:
                        progress(result.stats.data_rows)
            writer.finish()
    except columnar.Fallback as exc:
        timings.update(fallback=str(exc), columnar_attempt=time.perf_counter() - started)
        return None, timings
    timings.update(reader.timings)
    timings.update(writer.timings)
    timings.update(reader="columnar", lines_total=time.perf_counter() - started)
    return writer.count, timings


def _discard(name: str | None) -> None:
    if name:
        default_storage.delete(name)


def version_by_checksum(
    municipality: Municipality, checksum: str, read_options: str = ""
) -> BudgetVersion | None:
    """The municipality's version imported from a file with this SHA-256 and reading, if any."""
    return _version_by_checksum(municipality, checksum, read_options)


def _version_by_checksum(
    municipality: Municipality, checksum: str, read_options: str = ""
) -> BudgetVersion | None:
    return (
        BudgetVersion.objects.filter(municipality=municipality, checksum=checksum, read_options=read_options)
        .select_related("dataset")
        .first()
    )


def _make_current(version: BudgetVersion) -> None:
    BudgetVersion.objects.filter(municipality=version.municipality, is_current=True).exclude(
        pk=version.pk
    ).update(is_current=False)
    BudgetVersion.objects.filter(pk=version.pk).update(is_current=True)
    version.is_current = True


def version_set_status(
    *, version: BudgetVersion, status: str, make_current: bool = False, actor=None
) -> BudgetVersion:
    """Set what a version's figures are (draft, adopted, supplementary, final accounts) and, on request,
    make it the municipality's current budget: the default of every page. Only adopted or
    supplementary budgets can be current; a draft or final accounts never are."""
    if status not in BudgetVersion.Status.values:
        raise ValidationError(_("Unbekannter Status: %(s)s") % {"s": status})
    if make_current and status not in (BudgetVersion.Status.ADOPTED, BudgetVersion.Status.SUPPLEMENTARY):
        raise ValidationError(_("Nur ein beschlossener Haushalt oder ein Nachtrag kann der aktuelle sein."))
    with transaction.atomic():
        locked = BudgetVersion.objects.select_for_update().get(pk=version.pk)
        wanted = {"status": status, **({"is_current": True} if make_current else {})}
        if changes := audit.diff(locked, wanted):
            audit.record(
                action="budget.status_changed",
                municipality=locked.municipality,
                actor=actor,
                target=locked,
                changes=changes,
            )
        locked.status = status
        fields = ["status"]
        if (
            locked.is_current
            and not make_current
            and status
            not in (
                BudgetVersion.Status.ADOPTED,
                BudgetVersion.Status.SUPPLEMENTARY,
            )
        ):
            locked.is_current = False
            fields.append("is_current")
        locked.save(update_fields=fields)
        if make_current:
            _make_current(locked)
    return locked


def _unchanged(version: BudgetVersion) -> ImportOutcome:
    return ImportOutcome(
        "unchanged",
        rows=version.rows,
        lines=version.line_count,
        totals=selectors.version_totals(version),
        version=version,
        detected=version.detected,
    )


def _parsed_outcome(result, extra_errors, status, mapping, detected) -> ImportOutcome:
    errors = result.errors + list(extra_errors)
    if errors:
        status = "rejected"
    return ImportOutcome(
        status,
        rows=result.stats.data_rows,
        lines=result.stats.records,
        totals=result.totals(),
        errors=errors,
        warnings=result.warnings,
        mapping=mapping,
        detected=detected,
    )


# -- uploads (browser and API) ----------------------------------------------------------------------
def budget_upload_create(*, municipality: Municipality, file: UploadedFile, user) -> BudgetUpload:
    """Store an uploaded file unchanged (streamed, with its SHA-256) for preview and import."""
    if file.size is not None and file.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Die Datei ist größer als %(mb)d MB.") % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    upload = BudgetUpload(
        municipality=municipality,
        original_name=(file.name or "upload")[:255],
        size=file.size or 0,
        checksum=digest.hexdigest(),
        uploaded_by=_user_or_none(user),
    )
    upload.file.save(Path(file.name or "upload").name, file, save=False)
    upload.save()
    return upload


def budget_upload_start(
    *,
    upload: BudgetUpload,
    spec: ImportSpec,
    profile_name: str = "",
    user=None,
) -> Job:
    """Confirm an upload: optionally save the mapping as a profile, then start the import job.

    Without a mapping the job uses ``profile``, else the saved profile matching the file's header,
    else the proposal (as the CLI does)."""
    with transaction.atomic():
        profile = spec.profile
        if spec.mapping is not None and profile_name:
            profile = profile_save(
                municipality=upload.municipality, name=profile_name, mapping=spec.mapping, user=user
            )
        job = job_start(
            "finance.import_budget",
            municipality=upload.municipality,
            requested_by=user,
            params={"upload_id": upload.pk, **spec_params(spec, profile)},
        )
        BudgetUpload.objects.filter(pk=upload.pk).update(job=job, status=BudgetUpload.Status.IMPORTING)
        upload.job, upload.status = job, BudgetUpload.Status.IMPORTING
    return job


def spec_params(spec: ImportSpec, profile: ImportProfile | None = None) -> dict[str, Any]:
    """An import spec as the JSON parameters of a job (ids and plain values only)."""
    profile = profile or spec.profile
    return {
        "mapping": spec.mapping.to_dict() if spec.mapping is not None else None,
        "dataset_name": spec.dataset_name or DEFAULT_DATASET,
        "label": spec.label,
        "phase": spec.phase,
        "status": spec.status,
        "make_current": spec.make_current,
        "profile_id": profile.pk if profile else None,
        "encoding": spec.read.encoding,
        "delimiter": spec.read.delimiter,
    }


def spec_from_params(params: dict[str, Any]) -> ImportSpec:
    """Inverse of ``spec_params`` (the job's side)."""
    profile_id = params.get("profile_id")
    return ImportSpec(
        mapping=Mapping.from_dict(params["mapping"]) if params.get("mapping") else None,
        profile=ImportProfile.objects.filter(pk=profile_id).first() if profile_id else None,
        phase=params.get("phase"),
        dataset_name=params.get("dataset_name") or DEFAULT_DATASET,
        label=params.get("label") or "",
        status=params.get("status") or BudgetVersion.Status.DRAFT,
        make_current=bool(params.get("make_current")),
        read=ReadOptions(params.get("encoding"), params.get("delimiter")),
    )


def budget_upload_import(
    *,
    upload: BudgetUpload,
    spec: ImportSpec,
    user=None,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Import a staged upload (the job's work). Idempotent: a finished upload returns its outcome."""
    if upload.status in (BudgetUpload.Status.IMPORTED, BudgetUpload.Status.UNCHANGED) and upload.version:
        return _unchanged(upload.version)
    spec.filename = spec.filename or upload.original_name
    outcome = budget_import(
        municipality=upload.municipality,
        source=Path(upload.file.path),
        spec=spec,
        user=user,
        upload=upload,
        progress=progress,
    )
    if outcome.status != "imported":  # imported: written in the import transaction
        status = {
            "unchanged": BudgetUpload.Status.UNCHANGED,
            "rejected": BudgetUpload.Status.REJECTED,
        }[outcome.status]
        BudgetUpload.objects.filter(pk=upload.pk).update(
            status=status,
            version=outcome.version,
            errors=[issue_json(i) for i in outcome.errors],
            result=outcome.to_json(),
        )
        if status == BudgetUpload.Status.UNCHANGED and upload.file.name != outcome.version.source_file.name:
            default_storage.delete(upload.file.name)  # the identical file is kept once, by its version
    return outcome


def budget_upload_delete(*, upload: BudgetUpload) -> None:
    """Discard a staged or rejected upload and its file (a file an imported version keeps stays)."""
    with transaction.atomic():
        keep = (
            upload.version_id is not None
            or BudgetVersion.objects.filter(source_file=upload.file.name).exists()
        )
        name = upload.file.name
        upload.delete()
        if not keep:
            transaction.on_commit(lambda: default_storage.delete(name))


# -- versions, datasets, profiles ---------------------------------------------------------------------
def version_delete(*, version: BudgetVersion, actor=None) -> None:
    """Delete a version with its lines and its source file (explicit, after confirmation)."""
    with transaction.atomic():
        audit.record(action="budget.deleted", municipality=version.municipality, actor=actor, target=version)
        names = {version.source_file.name}
        uploads = BudgetUpload.objects.filter(version=version)
        names |= set(uploads.values_list("file", flat=True))
        uploads.delete()
        version.delete()  # lines, products, accounts and rollup go with it (Django's cascade)
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names if n])


def dataset_delete(*, dataset: BudgetDataset, actor=None) -> None:
    """Delete a dataset with all of its versions."""
    with transaction.atomic():
        for version in dataset.versions.all():
            version_delete(version=version, actor=actor)
        dataset.delete()


def profile_save(*, municipality: Municipality, name: str, mapping: Mapping, user=None) -> ImportProfile:
    """Create or replace the municipality's profile ``name`` with this mapping."""
    data = mapping.to_dict()
    profile, _created = ImportProfile.objects.update_or_create(
        municipality=municipality,
        name=name,
        defaults={"mapping": data, "header_fingerprint": mapping.header_fingerprint or ""},
        create_defaults={
            "mapping": data,
            "header_fingerprint": mapping.header_fingerprint or "",
            "created_by": _user_or_none(user),
        },
    )
    return profile


def profile_delete(*, profile: ImportProfile) -> None:
    profile.delete()
