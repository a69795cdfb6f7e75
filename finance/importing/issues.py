"""Problems found while reading a budget file, worded for the finance department in German and English.

Every message names the line, the column header, the value and the reason, so that the person who
exported the file can find and fix the cell without knowing anything about this software:
``Zeile 17, Spalte „Plan 2017“: „12,3,4“ ist keine Zahl``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"

# code -> (German template, English template). Templates may use {value} and any keyword passed to
# ``make_issue``. Keep the German wording plain: the readers are Kämmerei staff, not developers.
MESSAGES: dict[str, tuple[str, str]] = {
    "empty_file": ("Die Datei ist leer.", "The file is empty."),
    "binary_file": (
        "Die Datei ist keine Textdatei (CSV) und keine Excel-Arbeitsmappe (XLSX): {detail}.",
        "The file is neither a text file (CSV) nor an Excel workbook (XLSX): {detail}.",
    ),
    "legacy_xls": (
        "Altes Excel-Format (.xls) wird nicht unterstützt. Bitte als .xlsx oder CSV speichern.",
        "The old Excel format (.xls) is not supported. Please save as .xlsx or CSV.",
    ),
    "bad_xlsx": (
        "Die Excel-Datei kann nicht gelesen werden: {detail}.",
        "The Excel file cannot be read: {detail}.",
    ),
    "unknown_sheet": (
        "Das Tabellenblatt „{value}“ gibt es nicht. Vorhanden: {sheets}.",
        'There is no worksheet "{value}". Available: {sheets}.',
    ),
    "no_delimiter": (
        "Kein Trennzeichen erkannt (erwartet: Semikolon, Komma oder Tabulator); die Kopfzeile hat nur eine "
        "Spalte.",
        "No delimiter found (expected semicolon, comma or tab); the header line has only one column.",
    ),
    "no_header": ("Die Datei enthält keine Kopfzeile.", "The file contains no header line."),
    "no_data": (
        "Die Datei enthält nur die Kopfzeile, aber keine Datenzeilen.",
        "The file contains only the header line and no data rows.",
    ),
    "csv_broken": (
        "Die CSV-Struktur ist defekt ({detail}). Häufigste Ursache: ein Anführungszeichen wird nicht "
        "geschlossen, oft weil die Datei abgeschnitten ist.",
        "The CSV structure is broken ({detail}). Most common cause: a quotation mark is never closed, "
        "often because the file is truncated.",
    ),
    "ragged_row": (
        "Die Zeile hat {found} Felder, die Kopfzeile aber {expected}.",
        "The row has {found} fields but the header has {expected}.",
    ),
    "not_a_number": ("„{value}“ ist keine Zahl", '"{value}" is not a number'),
    "bad_grouping": (
        "„{value}“ hat Tausendertrennzeichen an falscher Stelle",
        '"{value}" has thousands separators in the wrong place',
    ),
    "too_many_decimals": (
        "„{value}“ hat mehr als zwei Nachkommastellen (Beträge werden auf den Cent genau übernommen)",
        '"{value}" has more than two decimal places (amounts are taken exact to the cent)',
    ),
    "year_out_of_range": (
        "Jahr „{value}“ liegt außerhalb von {min_year}–{max_year}",
        'year "{value}" is outside {min_year}-{max_year}',
    ),
    "not_a_year": ("„{value}“ ist kein Jahr", '"{value}" is not a year'),
    "not_a_date": (
        "„{value}“ ist kein Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)",
        '"{value}" is not a date (expected DD.MM.YYYY or YYYY-MM-DD)',
    ),
    "unknown_phase": (
        "„{value}“ ist keine bekannte Phase (Ist, Plan/Ansatz, VE)",
        '"{value}" is not a known phase (actual, plan/budget, commitment)',
    ),
    "unknown_direction": (
        "„{value}“ ist keine bekannte Richtung (Aufwand/Ertrag, Auszahlung/Einzahlung)",
        '"{value}" is not a known direction (expense/revenue)',
    ),
    "no_account": (
        "Konto leer und keine Angabe Aufwand/Ertrag: die Zeile kann keinem Haushaltsbereich zugeordnet "
        "werden",
        "account empty and no expense/revenue indicator: the row cannot be placed in the budget",
    ),
    "account_not_budget": (
        "Konto „{value}“ gehört zur Kontenklasse {account_class} ({class_name}) und nicht zum Haushalt",
        'account "{value}" belongs to class {account_class} ({class_name}), which is not part of the budget',
    ),
    "account_unknown": (
        "„{value}“ ist keine Kontonummer des Kontenrahmens, und eine Angabe Aufwand/Ertrag fehlt",
        '"{value}" is not an account number of the chart of accounts, and no expense/revenue indicator '
        "is given",
    ),
    "skipped_accounts": (
        "{count} Zeilen mit Konten der Klasse {account_class} ({class_name}) wurden übersprungen, da sie "
        "nicht zum Haushalt gehören (erste: Zeile {first_line}).",
        "{count} rows with class {account_class} accounts ({class_name}) were skipped as they are not part "
        "of the budget (first: line {first_line}).",
    ),
    "total_row_ok": (
        "Summenzeile erkannt; sie stimmt mit der Summe aller Zeilen überein und wird nicht importiert.",
        "Total row recognised; it equals the sum of all rows and is not imported.",
    ),
    "total_row_mismatch": (
        "Zeile ohne Produkt und Konto: als Summenzeile gelesen, aber die Summe der Zeilen ist {expected}, "
        "nicht {value}",
        "row without product and account: read as a total row, but the rows sum to {expected}, not {value}",
    ),
    "missing_column": (
        "Die zugeordnete Spalte „{value}“ fehlt in der Datei.",
        'The mapped column "{value}" is not in the file.',
    ),
    "duplicate_column": (
        "Die Spalte „{value}“ kommt mehrfach vor; bitte eindeutig benennen.",
        'The column "{value}" appears more than once; please give it a unique name.',
    ),
    "unmapped_value_column": (
        "Die Spalte sieht wie eine Wertspalte (Phase und Jahr) aus, ist aber nicht zugeordnet. Bitte in der "
        "Zuordnung als Wertspalte oder als ignoriert eintragen.",
        "The column looks like a value column (phase and year) but is not mapped. Please map it as a value "
        "column or list it as ignored.",
    ),
    "bad_value_header": (
        "Die Spalte sieht wie eine Wertspalte aus, „{value}“ enthält aber kein gültiges Jahr "
        "({min_year}–{max_year}). Bitte Kopfzeile korrigieren oder die Spalte als ignoriert eintragen.",
        'The column looks like a value column, but "{value}" has no valid year ({min_year}-{max_year}). '
        "Please fix the header or list the column as ignored.",
    ),
    "duplicate_value_column": (
        "Mehrere Spalten enthalten {phase_de} {year} ({columns}); bitte nur eine zuordnen, die anderen "
        "ignorieren.",
        "Several columns hold {phase} {year} ({columns}); please map only one and ignore the others.",
    ),
    "mapping_incomplete": (
        "Die Zuordnung ist unvollständig, es fehlt: {missing_de}.",
        "The mapping is incomplete, missing: {missing_en}.",
    ),
    "unknown_land": (
        "Land „{value}“ ist nicht hinterlegt; Produkt- und Kontenrahmen von NRW werden verwendet.",
        'Land "{value}" is not configured; the NRW product and account frames are used.',
    ),
    "sign_mixed": (
        "Vorzeichen uneinheitlich: Erträge und Aufwendungen sind überwiegend negativ. Bitte die "
        "Vorzeichenregel prüfen.",
        "Mixed signs: revenue and expenses are mostly negative. Please check the sign convention.",
    ),
    "unknown_statement": (
        "„{value}“ ist keine bekannte Haushaltsart (Ergebnishaushalt, Finanzhaushalt, Verwaltungshaushalt, "
        "Vermögenshaushalt)",
        '"{value}" is not a known statement (results, financial, administrative or capital budget)',
    ),
    "statement_unknown": (
        "Die Datei sagt nicht, zu welcher Haushaltsart die Beträge gehören ({reason_de}). Bitte angeben: "
        "Ergebnishaushalt (doppisch), Finanzhaushalt (doppisch), Verwaltungshaushalt (kameral), "
        "Vermögenshaushalt (kameral) oder kameral ohne Trennung der Teile (Zuordnung "
        "„default_statement“: results, financial, kameral_vwh, kameral_vmh, kameral).",
        "The file does not say which statement the amounts belong to ({reason_en}). Please choose: results "
        "(doppik), financial (doppik), administrative budget (kameral), capital budget (kameral) or kameral "
        'with both parts together (mapping "default_statement": results, financial, kameral_vwh, '
        "kameral_vmh, kameral).",
    ),
    "phase_unknown": (
        "Die Datei sagt nicht, ob die Beträge Ist oder Plan sind: keine Spalte mit Ist/Plan/Ansatz und keine "
        "Phase in der Überschrift der Betragsspalte ({columns}). Bitte die Phase angeben (Zuordnung "
        "„default_phase“ bzw. --phase: actual, plan oder commitment).",
        "The file does not say whether the amounts are actuals or plan: no column with actual/plan words and "
        "no phase in the amount column's header ({columns}). Please give the phase (mapping "
        '"default_phase" or --phase: actual, plan or commitment).',
    ),
    "default_phase_ignored": (
        "Die Vorgabe Phase „{value}“ wurde nicht angewandt: die Datei nennt die Phase selbst ({source_de}).",
        'The default phase "{value}" was not applied: the file states the phase itself ({source_en}).',
    ),
    "default_statement_ignored": (
        "Die Vorgabe Haushaltsart „{value}“ wurde nicht angewandt: die Datei nennt sie in Spalte "
        "„{column_name}“.",
        'The default statement "{value}" was not applied: the file states it in column "{column_name}".',
    ),
    "statement_conflict": (
        "„{value}“ ({statement}) widerspricht der Haushaltsart aus Konto oder Richtung ({other})",
        '"{value}" ({statement}) contradicts the statement given by the account or direction ({other})',
    ),
    "ambiguous_role": (
        "Mehrdeutig: für „{role_de}“ kommen die Spalten {columns} gleichermaßen in Frage. Bitte in der "
        "Zuordnung eine wählen.",
        'Ambiguous: the columns {columns} are equally plausible as "{role_en}". Please choose one in the '
        "mapping.",
    ),
    "no_roles": (
        "Die Datei kann nicht zugeordnet werden ({missing_de}). Spalten der Datei: {columns_de}",
        "The file cannot be mapped ({missing_en}). The file's columns: {columns_en}",
    ),
    "group_rows_excluded": (
        "{count} Sammelzeilen (Produkt {codes}) enthalten genau die Summe der Zeilen darunter und wurden "
        "nicht "
        "übernommen (sonst doppelt gezählt).",
        "{count} group rows (product {codes}) equal exactly the sum of the rows below them and were not "
        "imported (they would count twice).",
    ),
    "group_rows_mismatch": (
        "Produkt „{value}“ ({direction_de} {year}: {amount}) enthält die Produkte {children} "
        "(Summe {children_sum}),"
        " aber die Beträge stimmen nicht überein. Ist „{value}“ eine Sammelzeile, die mehr enthält als die "
        "Zeilen darunter, oder ein eigenes Produkt? Bitte angeben (Zuordnung „group_rows“: keep_groups = "
        "Sammelzeilen behalten und Zeilen darunter weglassen; separate = alle Zeilen als eigene Produkte).",
        'Product "{value}" ({direction_en} {year}: {amount}) contains the products {children} (sum '
        '{children_sum}), but the amounts differ. Is "{value}" a group row holding more than the rows below '
        'it, or a product of its own? Please say (mapping "group_rows": keep_groups = keep the group rows '
        "and leave out the rows below; separate = every row is a product of its own).",
    ),
    "negative_in_direction_column": (
        "„{value}“ steht negativ in der Spalte für {direction_de}; übernommen als Minderung ({direction_de} "
        "{value}). Prüfen, ob der Betrag in die andere Spalte gehört.",
        '"{value}" is negative in the {direction_en} column; taken as a reduction. Check whether it belongs '
        "in the other column.",
    ),
    "total_row_ok_long": (
        "Summenzeile erkannt; sie stimmt mit der Summe der Zeilen überein und wird nicht übernommen.",
        "Total row recognised; it equals the sum of the rows and is not imported.",
    ),
    "kameral_account": (
        "Konto „{value}“: kamerale Gruppierungsnummern werden nicht über den doppischen Kontenrahmen gelesen",
        'account "{value}": kameral Gruppierung numbers are not read through a doppik chart of accounts',
    ),
    "land_chart_unknown": (
        "Für das Land „{value}“ ist kein Kontenrahmen hinterlegt, und die Datei hat keine Spalte "
        "Aufwand/Ertrag: Kontonummern können nicht sicher zugeordnet werden. Bitte eine Richtungsspalte "
        "zuordnen oder das Land (NW, BW, SH) angeben.",
        'No chart of accounts is known for Land "{value}" and the file has no expense/revenue column: '
        "account numbers cannot be placed safely. Map a direction column or give the Land (NW, BW, SH).",
    ),
    "bom_mismatch": (
        "Die Datei beginnt mit einer UTF-8-Kennung (BOM), enthält aber Bytes, die kein UTF-8 sind (ab Byte "
        "{offset}). Bitte die Datei als UTF-8 neu exportieren oder den Zeichensatz ausdrücklich angeben.",
        "The file starts with a UTF-8 byte order mark but contains bytes that are not UTF-8 (from byte "
        "{offset}). Please re-export it as UTF-8 or give the encoding explicitly.",
    ),
    "override_unreadable": (
        "Die Datei lässt sich mit Zeichensatz {value} nicht lesen: {detail}",
        "The file cannot be read with encoding {value}: {detail}",
    ),
    "xlsx_bomb": (
        "Die Excel-Datei ist zu groß ausgepackt ({detail}); höchstens {limit_mb} MB bzw. "
        "{max_rows} Zeilen werden gelesen.",
        "The Excel file is too large when unpacked ({detail}); at most {limit_mb} MB or {max_rows} rows "
        "are read.",
    ),
    "delimiter_in_text": (
        "Ein Textfeld enthält das Trennzeichen „{value}“ ohne Anführungszeichen; die Felder wurden "
        "wieder zusammengefügt, weil nur so alle Zahlen, Jahre und Wörter der Zeile passen.",
        'A text field holds the delimiter "{value}" without quotes; the fields were joined again, as only '
        "then every number, year and word of the row fits.",
    ),
    "bad_fdp": (
        "Das Fiscal Data Package ist ungültig: {detail_de}",
        "The Fiscal Data Package is invalid: {detail_en}",
    ),
    "column_report": (
        "Die Spalten der Datei und warum sie (nicht) zugeordnet wurden: {report_de}",
        "The file's columns and why they were (not) assigned: {report_en}",
    ),
    "too_many_errors": (
        "Mehr als {max_errors} Fehler; die Prüfung wurde abgebrochen.",
        "More than {max_errors} errors; checking stopped.",
    ),
}


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """One problem (``severity`` error: the import must be rolled back) or note (warning) in a file.

    ``line`` is the 1-based physical line (CSV) or row (XLSX) in the source, None for file-level
    problems; ``column`` is the header text as in the file. ``code`` is stable for programs and tests.
    """

    line: int | None
    column: str | None
    value: str | None
    message_de: str
    message_en: str
    code: str = ""
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _prefix(line: int | None, column: str | None, german: bool) -> str:
    parts = []
    if line is not None:
        parts.append(f"Zeile {line}" if german else f"Line {line}")
    if column is not None:
        parts.append(f"Spalte „{column}“" if german else f'column "{column}"')
    return ", ".join(parts) + ": " if parts else ""


def make_issue(
    code: str,
    *,
    line: int | None = None,
    column: str | None = None,
    value: object = None,
    severity: str = ERROR,
    **params: object,
) -> ImportIssue:
    """Build an issue from a message code; long values are shortened so a message stays readable."""
    text = None if value is None else str(value)
    shown = text if text is None or len(text) <= 60 else text[:57] + "..."
    template_de, template_en = MESSAGES[code]
    message_de = _prefix(line, column, True) + template_de.format(value=shown, **params)
    message_en = _prefix(line, column, False) + template_en.format(value=shown, **params)
    return ImportIssue(line, column, text, message_de, message_en, code, severity)


class ImportFileError(Exception):
    """A problem that makes the whole file unreadable; carries the issue to report."""

    def __init__(self, issue: ImportIssue) -> None:
        super().__init__(issue.message_en)
        self.issue = issue
