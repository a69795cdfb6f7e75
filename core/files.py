"""Checks of uploaded archives (XLSX is a ZIP) before any parser expands them.

A 1.7 MB XLSX can expand to 520 MB of sheet XML; openpyxl then spends minutes and gigabytes. These
checks read only the ZIP directory and, for sheets, the first kilobytes of each sheet's XML, so they cost
milliseconds and almost no memory whatever the file claims:

- ``check_archive(source, limits=...)``: entry count, each entry's and the total uncompressed size, and
  each entry's compression ratio (a bomb compresses ~1000:1, real spreadsheets ~5-20:1);
- ``check_xlsx(source, limits=...)``: ``check_archive`` plus each worksheet's declared dimension
  (``<dimension ref="A1:K52000"/>``) against ``max_rows``/``max_columns``.

Both raise ``ArchiveRejected`` (a ``ValueError``) with a German message that says which entry and which
limit; callers turn it into their usual 400 / import issue. Data that is not a ZIP passes unchanged (a CSV).
``source`` may be bytes, a path or a seekable binary file object (its position is restored).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{0,3})(\d*)(?::([A-Z]{1,3})(\d+))?"')
_SHEET_HEAD_BYTES = 64 * 1024


class ArchiveRejected(ValueError):
    """The archive would expand beyond what the app reads; the message names the entry and limit."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 2_000
    max_entry_bytes: int = 200 * 2**20  # uncompressed, per entry
    max_total_bytes: int = 400 * 2**20  # uncompressed, all entries
    max_ratio: float = 200.0  # uncompressed / compressed, per entry above 1 MB
    max_rows: int = 1_100_000  # Excel's limit is 1,048,576
    max_columns: int = 16_384


DEFAULT_LIMITS = ArchiveLimits()


def is_zip(source: bytes | Path | IO[bytes]) -> bool:
    return _head(source, 4) == ZIP_MAGIC


def check_archive(source: bytes | Path | IO[bytes], *, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    """Raise ``ArchiveRejected`` if the ZIP's directory promises more than ``limits`` allow."""
    if not is_zip(source):
        return
    with _zip(source) as archive:
        _check_entries(archive, limits)


def check_xlsx(source: bytes | Path | IO[bytes], *, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    """``check_archive`` plus every worksheet's declared dimension against the row/column limits."""
    if not is_zip(source):
        return
    with _zip(source) as archive:
        _check_entries(archive, limits)
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with archive.open(info) as entry:
                head = entry.read(_SHEET_HEAD_BYTES)
            match = _DIMENSION.search(head)
            if not match or not match.group(4):
                continue
            rows = int(match.group(4))
            columns = _column_number(match.group(3))
            if rows > limits.max_rows or columns > limits.max_columns:
                raise ArchiveRejected(
                    _(
                        "Das Tabellenblatt %(name)s gibt %(rows)d Zeilen und %(cols)d Spalten an; "
                        "höchstens %(max_rows)d Zeilen und %(max_cols)d Spalten werden gelesen."
                    )
                    % {
                        "name": info.filename,
                        "rows": rows,
                        "cols": columns,
                        "max_rows": limits.max_rows,
                        "max_cols": limits.max_columns,
                    }
                )


def _check_entries(archive: zipfile.ZipFile, limits: ArchiveLimits) -> None:
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise ArchiveRejected(
            _("Das Archiv enthält %(n)d Dateien; höchstens %(max)d sind erlaubt.")
            % {"n": len(entries), "max": limits.max_entries}
        )
    total = 0
    for info in entries:
        total += info.file_size
        if info.file_size > limits.max_entry_bytes:
            raise ArchiveRejected(
                _("%(name)s würde entpackt %(mb).0f MB groß; höchstens %(max).0f MB sind erlaubt.")
                % {"name": info.filename, "mb": info.file_size / 2**20, "max": limits.max_entry_bytes / 2**20}
            )
        if info.file_size > 2**20 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveRejected(
                _(
                    "%(name)s ist %(ratio).0f:1 komprimiert (höchstens %(max).0f:1): "
                    "die Datei sieht wie eine Archivbombe aus."
                )
                % {
                    "name": info.filename,
                    "ratio": info.file_size / max(info.compress_size, 1),
                    "max": limits.max_ratio,
                }
            )
    if total > limits.max_total_bytes:
        raise ArchiveRejected(
            _("Das Archiv würde entpackt %(mb).0f MB groß; höchstens %(max).0f MB sind erlaubt.")
            % {"mb": total / 2**20, "max": limits.max_total_bytes / 2**20}
        )


def _column_number(letters: str | bytes) -> int:
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for char in text:
        number = number * 26 + (ord(char) - ord("A") + 1)
    return number


def _head(source: bytes | Path | IO[bytes], size: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source[:size])
    if isinstance(source, Path | str):
        with open(source, "rb") as handle:
            return handle.read(size)
    position = source.tell()
    try:
        return source.read(size)
    finally:
        source.seek(position)


class _zip:
    """``zipfile.ZipFile`` over bytes, a path or a file object, restoring a file object's position."""

    def __init__(self, source: bytes | Path | IO[bytes]):
        self.source = source
        self.position = None

    def __enter__(self) -> zipfile.ZipFile:
        source = self.source
        if isinstance(source, bytes | bytearray | memoryview):
            handle: IO[bytes] | Path | str = io.BytesIO(source)
        elif isinstance(source, Path | str):
            handle = source
        else:
            self.position = source.tell()
            handle = source
        try:
            self.archive = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as exc:
            raise ArchiveRejected(_("Die Datei ist kein lesbares ZIP/XLSX: %(e)s") % {"e": exc}) from exc
        return self.archive

    def __exit__(self, *exc_info) -> None:
        self.archive.close()
        if self.position is not None:
            self.source.seek(self.position)


#: Files read whole and synchronously in the web process (population, movements, balance sheets): real
#: ones are kilobytes; a size limit keeps one request from holding hundreds of megabytes.
SMALL_FILE_MAX_BYTES = 20 * 2**20


@deconstructible
class MaxFileSize:
    """Validator for a Django form or DRF ``FileField``: refuses an upload larger than ``max_bytes``."""

    def __init__(self, max_bytes: int = SMALL_FILE_MAX_BYTES):
        self.max_bytes = max_bytes

    def __call__(self, upload) -> None:
        size = getattr(upload, "size", None)
        if size is not None and size > self.max_bytes:
            raise ValidationError(
                _("Die Datei ist %(mb).1f MB groß; hier sind höchstens %(max).0f MB möglich.")
                % {"mb": size / 2**20, "max": self.max_bytes / 2**20},
                code="file_too_large",
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, MaxFileSize) and other.max_bytes == self.max_bytes
