"""Write operations of the finance app: staging uploads, importing budget files, versions, profiles.

The import is all-or-nothing: the version, its lines, products, accounts and rollup, and the upload's
status are written in ONE transaction; any invalid row (or a row the database would refuse) rolls
everything back and the caller gets the list of problems. An identical file (same SHA-256 in the same
municipality) is never imported twice: the outcome is ``unchanged`` and nothing new is stored.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import tempfile
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
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.imports import issue_json
from core.jobs import job_start
from core.models import Job, Municipality
from finance import selectors
from finance.bulkload import LineWriter
from finance.importing import (
    ImportFileError,
    ImportIssue,
    Mapping,
    Preview,
    header_fingerprint,
    open_table,
    parse,
    preview,
    propose_mapping,
)
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


# -- reading overrides ---------------------------------------------------------------------------------
ENCODINGS = ("utf-8-sig", "utf-8", "cp1252", "latin-1", "utf-16")
DELIMITERS = (";", "\t", ",")


@contextmanager
def _read_as(source: Source | IO[bytes], *, encoding: str | None = None, delimiter: str | None = None):
    """The source as the importer should read it, honouring the user's override of the detected CSV
    encoding or delimiter: the file is then re-written once, record by record, as UTF-8 with ``;`` into a
    temporary file (the stored source stays unchanged). The importer has no parameters for these, so
    this is the one place that decides them. XLSX files and no overrides pass through unchanged.
    """
    if not (encoding or delimiter):
        yield source
        return
    raw = io.BytesIO(source) if isinstance(source, bytes) else None
    handle = raw or (open(source, "rb") if isinstance(source, str | Path) else source)  # noqa: SIM115
    try:
        if handle.read(4).startswith(b"PK\x03\x04"):
            handle.seek(0)
            yield source
            return
        handle.seek(0)
        if not (encoding and delimiter):
            with open_table(source) as table:  # the detected value for the part not overridden
                encoding = encoding or table.info.encoding
                delimiter = delimiter or table.info.delimiter
            handle.seek(0)
        with tempfile.TemporaryFile() as out:
            text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
            target = io.TextIOWrapper(out, encoding="utf-8", newline="")
            writer = csv.writer(target, delimiter=";", lineterminator="\r\n")
            try:
                for record in csv.reader(text, delimiter=delimiter, strict=True):
                    writer.writerow(record)
            except (UnicodeError, csv.Error) as exc:
                raise ImportFileError(
                    ImportIssue(
                        None,
                        None,
                        encoding,
                        f"Die Datei lässt sich mit Zeichensatz {encoding} und Trennzeichen {delimiter!r} "
                        f"nicht lesen: {exc}",
                        f"The file cannot be read with encoding {encoding} and delimiter {delimiter!r}: "
                        f"{exc}",
                        "override_unreadable",
                    )
                ) from exc
            finally:
                text.detach()
            target.flush()
            target.detach()
            out.seek(0)
            yield out
    finally:
        if handle is not source:
            handle.close()
        else:
            handle.seek(0)


def file_header(source: Source, *, encoding: str | None = None, delimiter: str | None = None) -> list[str]:
    """The header of a file as the importer reads it (with overrides); raises ImportFileError."""
    with _read_as(source, encoding=encoding, delimiter=delimiter) as readable, open_table(readable) as table:
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
    source: Source,
    mapping: Mapping | None = None,
    profile: ImportProfile | None = None,
    phase: str | None = None,
) -> tuple[Mapping, ImportProfile | None, dict[str, Any]]:
    """The mapping to import ``source`` with: the given one, else the given profile's, else the saved
    profile whose header fingerprint matches, else a proposal from the header and a sample.

    Returns (mapping, profile used, what was detected). Raises ImportFileError for unreadable files.
    """
    with open_table(source) as table:
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
        mapping.default_phase = phase
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
    ``n`` records, whole-file totals and all problems. Never raises for a bad file. ``encoding`` and
    ``delimiter`` override what was detected (CSV)."""
    if encoding or delimiter:
        try:
            with _read_as(source, encoding=encoding, delimiter=delimiter) as readable:
                result, profile = budget_preview(
                    municipality=municipality, source=readable, mapping=mapping, n=n
                )
        except ImportFileError as exc:
            return Preview(issues=[exc.issue]), None
        if result.format == "csv":
            result.encoding, result.delimiter = encoding or result.encoding, delimiter or result.delimiter
        return result, None if mapping is not None else profile
    profile = None
    if mapping is None:
        try:
            with open_table(source) as table:
                profile = profile_for_fingerprint(municipality, header_fingerprint(table.header))
        except ImportFileError:
            profile = None
        if profile is not None:
            mapping = Mapping.from_dict(profile.mapping)
    result = preview(source, mapping, n=n, land=municipality.land)
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
    filename: str | None = None,
    mapping: Mapping | None = None,
    profile: ImportProfile | None = None,
    phase: str | None = None,
    dataset_name: str | None = None,
    label: str = "",
    user=None,
    dry_run: bool = False,
    checksum: str | None = None,
    stored_file: str | None = None,
    upload: BudgetUpload | None = None,
    progress: ProgressCallback | None = None,
    max_errors: int = 200,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ImportOutcome:
    """Import one budget file as a new version of a dataset (default dataset: "Haushalt").

    ``source`` is a path or the file's bytes; ``stored_file`` names an already stored copy (a staged
    upload) that the version then keeps, otherwise the file is copied into storage. ``progress`` is
    called with the number of data rows read after every chunk; ``encoding`` and ``delimiter``
    override the detected ones (CSV). See the module docstring for the all-or-nothing and the
    unchanged rules.
    """
    if isinstance(source, str):
        source = Path(source)
    if checksum is None:
        checksum, size = file_checksum(source)
    else:
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
    if not dry_run:
        existing = _version_by_checksum(municipality, checksum)
        if existing is not None:
            return _unchanged(existing)
    try:
        with _read_as(source, encoding=encoding, delimiter=delimiter) as readable:
            mapping, profile, detected = mapping_resolve(
                municipality=municipality, source=readable, mapping=mapping, profile=profile, phase=phase
            )
            if (encoding or delimiter) and detected["format"] == "csv":
                detected.update(
                    encoding=encoding or detected["encoding"], delimiter=delimiter or detected["delimiter"]
                )
                detected["overridden"] = True
            with _quiet_gc():
                return _import_parsed(
                    municipality=municipality,
                    source=source,
                    result=parse(readable, mapping, max_errors=max_errors),
                    mapping=mapping,
                    profile=profile,
                    detected=detected,
                    filename=filename,
                    size=size,
                    checksum=checksum,
                    dataset_name=dataset_name,
                    label=label,
                    user=user,
                    dry_run=dry_run,
                    stored_file=stored_file,
                    upload=upload,
                    progress=progress,
                )
    except ImportFileError as exc:
        return ImportOutcome("rejected", errors=[exc.issue])


def _import_parsed(
    *,
    municipality: Municipality,
    source: Path | bytes,
    result,
    mapping: Mapping,
    profile: ImportProfile | None,
    detected: dict[str, Any],
    filename: str | None,
    size: int,
    checksum: str,
    dataset_name: str | None,
    label: str,
    user,
    dry_run: bool,
    stored_file: str | None,
    upload: BudgetUpload | None,
    progress: ProgressCallback | None,
) -> ImportOutcome:
    if dry_run:
        for _chunk in result.chunks():
            if progress:
                progress(result.stats.data_rows)
        return _parsed_outcome(result, [], "dry-run", mapping, detected)

    name = filename or (source.name if isinstance(source, Path) else "haushalt.csv")
    saved_name: str | None = None
    writer: LineWriter | None = None
    try:
        with transaction.atomic():
            dataset = _dataset_lock(
                municipality=municipality, name=dataset_name or DEFAULT_DATASET, user=user
            )
            number = (dataset.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = BudgetVersion(
                dataset=dataset,
                municipality=municipality,
                number=number,
                label=label,
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
            version.rows = result.stats.data_rows
            version.line_count = writer.count
            version.warnings = [issue_json(i) for i in result.warnings]
            version.summary = totals_json(selectors.version_totals(version, stored=False))
            version.save(update_fields=["rows", "line_count", "warnings", "summary"])
            outcome = _parsed_outcome(result, [], "imported", mapping, detected)
            outcome.version, outcome.lines = version, writer.count
            if upload is not None:
                upload.status = BudgetUpload.Status.IMPORTED
                upload.version = version
                upload.errors = []
                upload.result = outcome.to_json()
                upload.save(update_fields=["status", "version", "errors", "result"])
    except _Rejected:
        _discard(saved_name)
        return _parsed_outcome(result, writer.issues if writer else [], "rejected", mapping, detected)
    except IntegrityError:
        _discard(saved_name)
        existing = _version_by_checksum(municipality, checksum)
        if existing is None:
            raise
        return _unchanged(existing)
    except BaseException:
        _discard(saved_name)
        raise
    return outcome


def _discard(name: str | None) -> None:
    if name:
        default_storage.delete(name)


def version_by_checksum(municipality: Municipality, checksum: str) -> BudgetVersion | None:
    """The municipality's version imported from a file with this SHA-256, if any."""
    return _version_by_checksum(municipality, checksum)


def _version_by_checksum(municipality: Municipality, checksum: str) -> BudgetVersion | None:
    return (
        BudgetVersion.objects.filter(municipality=municipality, checksum=checksum)
        .select_related("dataset")
        .first()
    )


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
    mapping: Mapping | None,
    dataset_name: str = "",
    label: str = "",
    phase: str | None = None,
    profile: ImportProfile | None = None,
    profile_name: str = "",
    user=None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Job:
    """Confirm an upload: optionally save the mapping as a profile, then start the import job.

    Without a mapping the job uses ``profile``, else the saved profile matching the file's header,
    else the proposal (as the CLI does)."""
    with transaction.atomic():
        if mapping is not None and profile_name:
            profile = profile_save(
                municipality=upload.municipality, name=profile_name, mapping=mapping, user=user
            )
        job = job_start(
            "finance.import_budget",
            municipality=upload.municipality,
            requested_by=user,
            params={
                "upload_id": upload.pk,
                "mapping": mapping.to_dict() if mapping is not None else None,
                "dataset_name": dataset_name or DEFAULT_DATASET,
                "label": label,
                "phase": phase,
                "profile_id": profile.pk if profile else None,
                "encoding": encoding,
                "delimiter": delimiter,
            },
        )
        BudgetUpload.objects.filter(pk=upload.pk).update(job=job, status=BudgetUpload.Status.IMPORTING)
        upload.job, upload.status = job, BudgetUpload.Status.IMPORTING
    return job


def budget_upload_import(
    *,
    upload: BudgetUpload,
    mapping: Mapping | None,
    dataset_name: str,
    label: str = "",
    phase: str | None = None,
    profile: ImportProfile | None = None,
    user=None,
    progress: ProgressCallback | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ImportOutcome:
    """Import a staged upload (the job's work). Idempotent: a finished upload returns its outcome."""
    if upload.status in (BudgetUpload.Status.IMPORTED, BudgetUpload.Status.UNCHANGED) and upload.version:
        return _unchanged(upload.version)
    outcome = budget_import(
        municipality=upload.municipality,
        source=Path(upload.file.path),
        filename=upload.original_name,
        mapping=mapping,
        profile=profile,
        phase=phase,
        dataset_name=dataset_name,
        label=label,
        user=user,
        checksum=upload.checksum,
        stored_file=upload.file.name,
        upload=upload,
        progress=progress,
        encoding=encoding,
        delimiter=delimiter,
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
def version_delete(*, version: BudgetVersion) -> None:
    """Delete a version with its lines and its source file (explicit, after confirmation)."""
    with transaction.atomic():
        names = {version.source_file.name}
        uploads = BudgetUpload.objects.filter(version=version)
        names |= set(uploads.values_list("file", flat=True))
        uploads.delete()
        version.delete()  # lines, products, accounts and rollup go with it (Django's cascade)
        transaction.on_commit(lambda: [default_storage.delete(n) for n in names if n])


def dataset_delete(*, dataset: BudgetDataset) -> None:
    """Delete a dataset with all of its versions."""
    with transaction.atomic():
        for version in dataset.versions.all():
            version_delete(version=version)
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
