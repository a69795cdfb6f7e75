"""Reading an uploaded budget file: format, encoding and delimiter detection, streaming rows.

The format is decided from the CONTENT, never from the file name (users rename files, browsers send
wrong content types): ``PK\\x03\\x04`` is a ZIP container, read as XLSX with openpyxl in read-only mode;
anything else must be text and is read as CSV.

CSV encoding: the whole file is checked in one streaming pass, strictly as UTF-8 (a BOM is allowed),
then as Windows-1252; if neither decodes every byte, ISO-8859-1 is used (it decodes anything). A
UTF-16 file with BOM (Excel's "Unicode text") is accepted too. The order matters: valid UTF-8 is
almost never valid-but-wrong, while Windows-1252 accepts most byte strings.

Delimiter: ``;``, tab or ``,``, whichever splits the first records (parsed with the csv module, so
quoted delimiters do not count) into the most columns consistently.

Rows are yielded as ``(line, cells)`` with the 1-based physical line where the record starts, so
error messages point to what an editor shows. Memory stays bounded: the file is never loaded whole
(bytes given by the caller are wrapped, not copied), and the csv module's field size limit stops an
unterminated quote from swallowing the rest of a large file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .issues import ImportFileError, make_issue

CSV = "csv"
XLSX = "xlsx"
DELIMITERS = (";", "\t", ",")
_CHUNK = 1 << 20
_SNIFF_CHARS = 1 << 16
_SNIFF_RECORDS = 50
_TITLE_SCAN = 30
_QUOTE_SPACE = re.compile(r'"[ \t]+[;,\t\r\n]')
# Control characters that never occur in a text export (everything below 0x20 except \t \n \r \f).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))

Source = bytes | bytearray | memoryview | str | Path | IO[bytes]


@dataclass
class SourceInfo:
    """What was detected about a file; shown to the user in the preview."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


def _binary_stream(source: Source) -> tuple[IO[bytes], bool]:
    """A seekable binary stream for any accepted source; the flag says whether we must close it."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source), True
    if isinstance(source, str | Path):
        return open(source, "rb"), True
    if not hasattr(source, "read"):
        raise TypeError("source must be bytes, a path or a binary file object")
    seekable = getattr(source, "seekable", None)
    if seekable is not None and seekable():
        return source, False
    # A pipe or network stream: spool it once so that detection and parsing can both read it.
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed by Table.close()
    shutil.copyfileobj(source, spool, _CHUNK)
    spool.seek(0)
    return spool, True


def _file_error(code: str, **params: Any) -> ImportFileError:
    return ImportFileError(make_issue(code, **params))


def _detect_encoding(stream: IO[bytes], start: int) -> str:
    """One streaming pass: utf-8(-sig) strictly, else cp1252 strictly, else latin-1."""
    stream.seek(start)
    head = stream.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _check_utf16(stream, start)
        return "utf-16"
    stream.seek(start)
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    cp1252 = codecs.getincrementaldecoder("cp1252")("strict")
    utf8_ok = cp1252_ok = True
    first = True
    offset = 0
    while chunk := stream.read(_CHUNK):
        if first:
            _reject_binary(chunk)
            first = False
        if b"\x00" in chunk:
            raise _file_error("binary_file", detail=f"NUL byte at byte {offset + chunk.index(b'\x00')}")
        offset += len(chunk)
        if chunk.isascii() and not utf8.getstate()[0]:
            continue  # ASCII is valid in both; nothing pending from a cut multi-byte sequence
        if utf8_ok:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError as exc:
                if head.startswith(codecs.BOM_UTF8):
                    # a BOM promises UTF-8: bytes that contradict it are an error, never a guess
                    raise _file_error("bom_mismatch", offset=offset - len(chunk) + exc.start) from exc
                utf8_ok = False
        if cp1252_ok:
            try:
                cp1252.decode(chunk)
            except UnicodeDecodeError:
                cp1252_ok = False
        if not (utf8_ok or cp1252_ok):
            break
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)  # a multi-byte sequence cut off at the end
        except UnicodeDecodeError as exc:
            if head.startswith(codecs.BOM_UTF8):
                raise _file_error("bom_mismatch", offset=offset) from exc
            utf8_ok = False
    if utf8_ok:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    return "cp1252" if cp1252_ok else "latin-1"


def _check_utf16(stream: IO[bytes], start: int) -> None:
    """UTF-16 (Excel's "Unicode text") must decode completely; a cut-off file would fail mid-parse."""
    stream.seek(start)
    decoder = codecs.getincrementaldecoder("utf-16")("strict")
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _file_error("csv_broken", detail=f"UTF-16: {exc.reason}") from exc


def _reject_binary(chunk: bytes) -> None:
    """Refuse obviously non-text content with a message that says what it probably is."""
    if chunk.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error("legacy_xls")
    if chunk.startswith(b"%PDF"):
        raise _file_error("binary_file", detail="PDF")
    sample = chunk[:_SNIFF_CHARS]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(2, len(sample) // 100):
        raise _file_error("binary_file", detail=f"{controls} control bytes in the first {len(sample)} bytes")


def _sniff_delimiter(sample: str) -> str:
    """Pick the delimiter that splits the first records into the most columns, consistently; when no
    delimiter splits the first record, the file may have title rows above its header: skip them."""
    try:
        return _sniff(sample, skip_titles=False)
    except ImportFileError:
        return _sniff(sample, skip_titles=True)


def _sniff(sample: str, *, skip_titles: bool) -> str:
    if "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1] or sample  # drop a cut-off last line
    best: tuple[bool, int, int] | None = None
    chosen = None
    for preference, delimiter in enumerate(DELIMITERS):
        records = []
        try:
            for record in csv.reader(io.StringIO(sample), delimiter=delimiter):
                if any(cell.strip() for cell in record):
                    records.append(record)
                if len(records) >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        while skip_titles and len(records) > 1 and sum(1 for c in records[0] if c.strip()) < 2:
            records.pop(0)  # a title row above the header ("Haushaltsplan 2018")
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records[1:] if len(r) == width or not any(r[width:]))
        share_ok = consistent >= 0.8 * (len(records) - 1)
        score = (share_ok, width, -preference)
        if best is None or score > best:
            best, chosen = score, delimiter
    if chosen is None:
        raise _file_error("no_delimiter")
    return chosen


class Table:
    """An opened budget file: its header and a re-startable stream of data rows.

    Use as a context manager. ``rows()`` may be called more than once (the preview reads a sample to
    propose a mapping, then the whole file); each call reads from the start again.
    """

    def __init__(
        self,
        source: Source,
        *,
        sheet: str | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> None:
        self._encoding, self._delimiter = encoding, delimiter
        self.title_lines: list[int] = []
        self._stream, self._owned = _binary_stream(source)
        self._start = self._stream.tell()
        self._workbook: Any = None
        self.header: list[str] = []
        self.header_line = 0
        try:
            head = self._stream.read(_CHUNK)
            self._stream.seek(self._start)
            if not head.strip(b" \t\r\n\xef\xbb\xbf"):
                raise _file_error("empty_file")
            if head.startswith(b"PK\x03\x04"):
                self.info = self._open_xlsx(sheet)
            else:
                self.info = self._open_csv()
            self._read_header()
        except BaseException:
            self.close()
            raise

    # -- CSV --------------------------------------------------------------------------------------
    def _open_csv(self) -> SourceInfo:
        if self._encoding:  # the user's choice: checked completely, never silently replaced
            encoding = self._encoding
            self._check_encoding(encoding)
        else:
            encoding = _detect_encoding(self._stream, self._start)
        with self._text(encoding) as text:
            sample = text.read(_SNIFF_CHARS)
        if not sample.strip():
            raise _file_error("empty_file")
        self._quote_space = bool(_QUOTE_SPACE.search(sample))
        return SourceInfo(CSV, encoding=encoding, delimiter=self._delimiter or _sniff_delimiter(sample))

    def _check_encoding(self, encoding: str) -> None:
        self._stream.seek(self._start)
        try:
            decoder = codecs.getincrementaldecoder(encoding)("strict")
        except LookupError as exc:
            raise _file_error("override_unreadable", value=encoding, detail="unknown encoding") from exc
        offset = 0
        try:
            while chunk := self._stream.read(_CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _file_error(
                "override_unreadable", value=encoding, detail=f"byte {offset + exc.start}: {exc.reason}"
            ) from exc
        finally:
            self._stream.seek(self._start)

    def _text(self, encoding: str) -> _DetachingText:
        self._stream.seek(self._start)
        return _DetachingText(self._stream, encoding)

    def _csv_records(self) -> Iterator[tuple[int, list[str]]]:
        with self._text(self.info.encoding or "utf-8") as text:
            delimiter = self.info.delimiter or ";"
            lines: Any = text
            if getattr(self, "_quote_space", False):
                # ``"Text" ;`` (spaces after a closing quote, seen in real exports): csv's strict mode
                # refuses them, so they are dropped before the reader sees the line
                pattern = re.compile(r'"[ \t]+(?=' + re.escape(delimiter) + r"|\r?\n|$)")
                lines = (pattern.sub('"', line) for line in text)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            previous = 0
            try:
                for record in reader:
                    line = previous + 1
                    previous = reader.line_num
                    if record and (len(record) > 1 or record[0].strip()):
                        yield line, record
            except (csv.Error, UnicodeDecodeError) as exc:  # decode: a UTF-16 file cut in mid-character
                raise ImportFileError(make_issue("csv_broken", line=previous + 1, detail=str(exc))) from exc

    # -- XLSX -------------------------------------------------------------------------------------
    def _open_xlsx(self, sheet: str | None) -> SourceInfo:
        import openpyxl  # imported lazily: CSV-only callers do not pay for it

        check_archive(self._stream, self._start)
        try:
            self._workbook = openpyxl.load_workbook(self._stream, read_only=True, data_only=True)
        except Exception as exc:  # BadZipFile, KeyError, ValueError...: errors on foreign ZIPs vary
            raise _file_error("bad_xlsx", detail=f"{type(exc).__name__}: {exc}") from exc
        names = list(self._workbook.sheetnames)
        if not names:
            raise _file_error("bad_xlsx", detail="no worksheet")
        if sheet is not None and sheet not in names:
            raise _file_error("unknown_sheet", value=sheet, sheets=", ".join(names))
        self._sheet = self._workbook[sheet or names[0]]
        return SourceInfo(XLSX, sheet=sheet or names[0], sheets=names)

    def _xlsx_records(self) -> Iterator[tuple[int, list[Any]]]:
        try:
            # values_only rows start at row 1 and include empty rows, so the count is the Excel row.
            for line, row in enumerate(self._sheet.iter_rows(min_row=1, values_only=True), start=1):
                cells = list(row)
                while cells and (cells[-1] is None or (cells[-1].__class__ is str and not cells[-1].strip())):
                    cells.pop()
                if cells:
                    yield line, cells
        except Exception as exc:  # a damaged sheet XML surfaces only while iterating
            raise _file_error("bad_xlsx", detail=f"{type(exc).__name__}: {exc}") from exc

    # -- common -----------------------------------------------------------------------------------
    def _records(self) -> Iterator[tuple[int, list[Any]]]:
        return self._xlsx_records() if self.info.format == XLSX else self._csv_records()

    def _read_header(self) -> None:
        records = self._records()
        head: list[tuple[int, list[Any]]] = []
        try:
            for record in records:
                head.append(record)
                if len(head) >= _TITLE_SCAN:
                    break
        except ImportFileError:
            if not head:
                raise  # otherwise the broken record is reported when the rows are read
        finally:
            records.close()
        if not head:
            raise _file_error("no_header")
        # Title rows above the header ("Haushaltsplan 2018", "Stand: 01.12.2017"): the header is the
        # first record that is about as wide as the widest of the first records.
        widest = max(_filled(cells) for _, cells in head)
        index = next(i for i, (_, cells) in enumerate(head) if _filled(cells) >= max(2, 0.6 * widest))
        if index and _filled(head[index][1]) < 2:
            index = 0
        self.title_lines = [line for line, _ in head[:index]]
        line, header = head[index]
        self.header = _unique_names([cell_text(cell) for cell in header])
        self.header_line = line

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Data rows after the header as ``(line, cells)``; raises ImportFileError on broken CSV."""
        records = self._records()
        try:
            for line, _cells in records:  # title rows and the header
                if line == self.header_line:
                    break
            yield from records
        finally:
            records.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        if self._owned:
            self._stream.close()
        elif not self._stream.closed:
            self._stream.seek(self._start)  # the caller's upload can be read again (preview, then import)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _DetachingText:
    """A text wrapper that leaves the caller's binary file open when done (TextIOWrapper would close
    it on garbage collection)."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self._wrapper = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")

    def __enter__(self) -> io.TextIOWrapper:
        return self._wrapper

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(ValueError):  # already detached
            self._wrapper.detach()


def _unique_names(names: list[str]) -> list[str]:
    """Header names a mapping can refer to: SAP exports often repeat ``Bezeichnung`` and leave cells
    empty, so repeats become ``Bezeichnung (2)`` and empty cells ``(Spalte 7)`` (1-based position)."""
    seen: dict[str, int] = {}
    unique = []
    for position, name in enumerate(names, start=1):
        name = name or f"(Spalte {position})"
        count = seen[name] = seen.get(name, 0) + 1
        unique.append(name if count == 1 else f"{name} ({count})")
    return unique


def cell_text(value: Any) -> str:
    """A cell as trimmed text: XLSX numbers like ``10101.0`` become ``10101``, dates ISO strings."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


XLSX_MAX_UNPACKED = 256 << 20  # bytes of all archive entries together
XLSX_MAX_RATIO = 200  # unpacked / packed of one entry; real workbooks stay far below
XLSX_MAX_ROWS = 2_000_000
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def check_archive(stream: IO[bytes], start: int = 0) -> None:
    """Refuse an XLSX "bomb" BEFORE parsing it: the declared sizes of the ZIP entries, their
    compression ratio and the row count the sheets declare are checked without unpacking them (an
    outside test sent a 1.7 MB workbook that expands to 520 MB). The hardening lane's shared archive
    helper, once on main, can replace this; the limits are the importer's own."""
    import zipfile
    import zlib

    stream.seek(start)
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as exc:
        raise _file_error("bad_xlsx", detail=str(exc)) from exc
    try:
        total = 0
        for entry in archive.infolist():
            total += entry.file_size
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > (1 << 20) and ratio > XLSX_MAX_RATIO:
                raise _file_error(
                    "xlsx_bomb",
                    detail=f"{entry.filename}: {entry.file_size // (1 << 20)} MB, ratio {ratio:.0f}:1",
                    limit_mb=XLSX_MAX_UNPACKED >> 20,
                    max_rows=XLSX_MAX_ROWS,
                )
            if total > XLSX_MAX_UNPACKED:
                raise _file_error(
                    "xlsx_bomb",
                    detail=f"{total // (1 << 20)} MB",
                    limit_mb=XLSX_MAX_UNPACKED >> 20,
                    max_rows=XLSX_MAX_ROWS,
                )
        for entry in archive.infolist():
            if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                try:
                    with archive.open(entry) as sheet:
                        head = sheet.read(4096)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
                    raise _file_error("bad_xlsx", detail=f"{type(exc).__name__}: {exc}") from exc
                match = _DIMENSION.search(head)
                if match and match[1] and int(match[1]) > XLSX_MAX_ROWS:
                    raise _file_error(
                        "xlsx_bomb",
                        detail=f"{entry.filename}: {int(match[1])} rows",
                        limit_mb=XLSX_MAX_UNPACKED >> 20,
                        max_rows=XLSX_MAX_ROWS,
                    )
    finally:
        archive.close()
        stream.seek(start)


def _filled(cells: list[Any]) -> int:
    return sum(1 for cell in cells if cell_text(cell))


def open_table(
    source: Source, *, sheet: str | None = None, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    """Open a budget file (bytes, path or binary file object); raises ImportFileError if unreadable.

    ``encoding`` and ``delimiter`` (CSV) replace the detection: the file is decoded strictly with the
    given encoding (an error names the byte) and split with the given delimiter."""
    return Table(source, sheet=sheet, encoding=encoding, delimiter=delimiter)
