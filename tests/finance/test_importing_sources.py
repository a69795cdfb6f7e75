"""Reading files: format, encoding and delimiter from the content; broken files fail clearly."""

import io
import random

import pytest

from finance.importing import ImportFileError, open_table, parse, preview

HEADER = ["Produkt", "Bezeichnung", "Konto", "Plan 2017"]
ROWS = [["05.01.02", "Straßenbau, Brücken und Plätze", "53110000", "1.234,56"]]


def read_all(data, **kwargs):
    with open_table(data, **kwargs) as table:
        return table.info, table.header, list(table.rows())


def file_error_code(data, **kwargs) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_all(data, **kwargs)
    return caught.value.issue.code


@pytest.mark.parametrize(
    ("encoding", "bom", "reported"),
    [
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8-sig"),
        ("cp1252", False, "cp1252"),
        ("latin-1", False, "cp1252"),  # same bytes for German text; cp1252 is tried first
    ],
)
def test_encodings_are_detected_from_the_bytes(make_csv, encoding, bom, reported):
    # given a file with umlauts and a dash in the chosen encoding
    data = make_csv([HEADER, *ROWS], encoding=encoding, bom=bom)
    # when it is opened
    info, header, rows = read_all(data)
    # then the text is decoded correctly and the encoding reported
    assert info.encoding == reported
    assert header == HEADER
    assert rows[0][1][1] == "Straßenbau, Brücken und Plätze"


def test_windows_1252_only_characters_survive(make_csv):
    data = make_csv([HEADER, ["01", "Zuschuss „Frauen helfen Frauen“ – 5 €", "53180013", "1,00"]])
    info, _, rows = read_all(data)
    assert info.encoding == "cp1252"
    assert rows[0][1][1] == "Zuschuss „Frauen helfen Frauen“ – 5 €"


def test_bytes_undefined_in_cp1252_fall_back_to_latin1():
    # given a byte (0x81) that Windows-1252 does not define
    data = "Produkt;Konto;Plan 2017\r\nA\x81;53110000;1,00\r\n".encode("latin-1")
    # when / then
    info, _, rows = read_all(data)
    assert info.encoding == "latin-1"
    assert rows[0][1][0] == "A\x81"


def test_utf16_with_bom_as_excel_unicode_text_is_read():
    data = "Produkt\tKonto\tPlan 2017\r\n0101\t53110000\t5,00\r\n".encode("utf-16")
    info, header, _ = read_all(data)
    assert (info.encoding, info.delimiter, header) == ("utf-16", "\t", ["Produkt", "Konto", "Plan 2017"])


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiters_are_detected_respecting_quotes(make_csv, delimiter):
    # given names that contain the other delimiters and the delimiter itself (quoted)
    rows = [HEADER, ["01", "Steuern; Abgaben, Umlagen", "40110000", "1.234,56"]]
    data = make_csv(rows, delimiter=delimiter)
    # when
    info, header, parsed = read_all(data)
    # then
    assert info.delimiter == delimiter
    assert header == HEADER
    assert parsed[0][1][1] == "Steuern; Abgaben, Umlagen"


def test_quoted_line_breaks_keep_physical_line_numbers(make_csv):
    # given a record whose name spans three physical lines
    data = make_csv(
        [HEADER, ["01", "erste\nzweite\ndritte Zeile", "40110000", "1,00"], ["02", "x", "50110000", "2,00"]]
    )
    # when
    _, _, rows = read_all(data)
    # then the record reports the line where it starts, the next one counts all lines before it
    assert [line for line, _ in rows] == [2, 5]
    assert rows[0][1][1] == "erste\nzweite\ndritte Zeile"


def test_blank_lines_are_skipped_but_counted(make_csv):
    data = b"\r\nProdukt;Konto;Plan 2017\r\n\r\n01;40110000;1,00\r\n"
    with open_table(data) as table:
        assert table.header_line == 2
        assert [line for line, _ in table.rows()] == [4]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"\xef\xbb\xbf  \r\n\r\n", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary_file"),
        (bytes(range(256)) * 4, "binary_file"),
        (b"Produkt;Konto\r\n01;4\x00\x001\r\n", "binary_file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy_xls"),
        (b"PK\x03\x04 this is not a zip at all", "bad_xlsx"),
        (b"Nur eine Spalte\r\nohne Trennzeichen\r\n", "no_delimiter"),
    ],
)
def test_unreadable_files_give_a_clear_error(data, code):
    assert file_error_code(data) == code


def test_a_zip_that_is_not_a_workbook_is_reported():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert file_error_code(buffer.getvalue()) == "bad_xlsx"


def test_truncated_file_with_open_quote_is_a_broken_csv(make_csv):
    # given a file cut off inside a quoted field
    data = b'Produkt;Bezeichnung;Konto;Plan 2017\r\n01;"Steuern;40110000;1,00\r\n02;"abgeschnitt'
    # when the rows are read
    with open_table(data) as table, pytest.raises(ImportFileError) as caught:
        list(table.rows())
    # then the error says so, with the line where the problem was found
    issue = caught.value.issue
    assert issue.code == "csv_broken"
    assert "Anführungszeichen" in issue.message_de
    assert issue.line is not None


def test_xlsx_is_detected_from_content_not_name(make_xlsx):
    # given a workbook with two sheets and typed cells
    data = make_xlsx(
        {"Deckblatt": [["Haushalt 2017"]], "Daten": [HEADER, ["050102", "Pflege", 53110000, 1234.56]]}
    )
    # when the second sheet is chosen
    info, header, rows = read_all(io.BytesIO(data), sheet="Daten")
    # then
    assert (info.format, info.sheet, info.sheets) == ("xlsx", "Daten", ["Deckblatt", "Daten"])
    assert header == HEADER
    assert rows == [(2, ["050102", "Pflege", 53110000, 1234.56])]


def test_xlsx_default_is_the_first_sheet_and_unknown_sheet_is_an_error(make_xlsx):
    data = make_xlsx({"Eins": [["A", "B"], [1, 2]], "Zwei": [["C", "D"]]})
    assert read_all(data)[1] == ["A", "B"]
    assert file_error_code(data, sheet="Drei") == "unknown_sheet"


def test_caller_file_object_stays_open_and_non_seekable_streams_work(make_csv):
    # given an uploaded file object the caller still owns
    data = make_csv([HEADER, *ROWS])
    upload = io.BytesIO(data)
    # when it is read twice (preview does that)
    read_all(upload)
    read_all(upload)
    # then it is not closed behind the caller's back
    assert not upload.closed

    class Pipe(io.RawIOBase):
        def __init__(self, payload: bytes) -> None:
            self._inner = io.BytesIO(payload)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self._inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    assert read_all(io.BufferedReader(Pipe(data)))[1] == HEADER


def test_path_sources_are_accepted(tmp_path, make_csv):
    path = tmp_path / "export.csv"
    path.write_bytes(make_csv([HEADER, *ROWS]))
    assert read_all(path)[1] == HEADER
    assert read_all(str(path))[1] == HEADER


def test_preview_never_raises_for_a_bad_file():
    # given garbage
    result = preview(b"\x00\x01\x02\x03" * 100)
    # then the problem is an issue in German and English, not an exception
    assert not result.ok
    assert result.issues[0].code == "binary_file"
    assert result.issues[0].message_de.startswith("Die Datei ist keine Textdatei")


@pytest.mark.parametrize("seed", range(40))
def test_damaged_files_never_raise(make_csv, make_xlsx, seed):
    # given a valid CSV or XLSX, cut off, bit-flipped or with stray quotes/delimiters
    rnd = random.Random(seed)
    rows = [HEADER, *ROWS, ["05.01.03", 'Zuschuss "Frauen helfen Frauen"', "53180013", "-1.000,00"]] * 20
    data = bytearray(make_xlsx({"Daten": rows}) if seed % 4 == 0 else make_csv(rows))
    if seed % 3 == 0:
        data = data[: rnd.randrange(len(data))]
    elif seed % 3 == 1:
        for _ in range(rnd.randrange(1, 20)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
    else:
        for _ in range(rnd.randrange(1, 6)):
            data.insert(rnd.randrange(len(data)), ord(rnd.choice('";\n\r,\t')))
    # when previewed and parsed
    result = preview(bytes(data))
    if result.mapping is not None:
        parsed = parse(bytes(data), result.mapping)
        list(parsed)
        _ = parsed.ok
    # then every problem is an issue with both texts (reaching this line means nothing raised)
    assert all(issue.message_de and issue.message_en for issue in result.issues)


def test_repeated_and_empty_header_names_become_unique(make_csv):
    # given an SAP-style header with "Bezeichnung" twice and an unnamed column
    header = ["Produkt", "Bezeichnung", "Konto", "Bezeichnung", "", "Plan 2017"]
    data = make_csv([header, ["1", "a", "4", "b", "", "1"]])
    # when / then every column can be named in a mapping
    expected = ["Produkt", "Bezeichnung", "Konto", "Bezeichnung (2)", "(Spalte 5)", "Plan 2017"]
    assert read_all(data)[1] == expected
