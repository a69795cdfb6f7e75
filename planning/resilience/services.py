"""Write side of the resilience checks: balance sheets (form, API, CSV, CLI), evaluating a check
(deterministic reserve path, stress test, Monte Carlo) and storing it as a ``ResilienceRun``.

The computation itself is the pure engine (``planning.engine``); this module loads its inputs through
``planning.resilience.selectors``, calls it and turns the outcome into JSON-ready values: money as
decimal strings in EUR, probabilities as floats.
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.files import ArchiveLimits, ArchiveRejected, check_xlsx
from core.imports import ImportOutcome
from core.jobs import job_start
from core.models import Municipality
from core.numbers import format_number
from core.params import YEAR_MAX, YEAR_MIN
from finance.vocabulary import (
    ImportFileError,
    NumberFormatError,
    detect_decimal_convention,
    open_table,
    parse_amount,
)
from planning.engine.measures import compare_deterministic, compare_monte_carlo
from planning.engine.montecarlo import (
    DEFAULT_N_PATHS,
    default_covariance,
    estimate_growth_covariance,
    run_monte_carlo,
)
from planning.engine.resilience import ReservePath, run_reserve_path
from planning.engine.stress import PRESETS, BasePath, Shock, apply_shocks, shocks_from_dicts
from planning.resilience.models import BalanceSheet, ResilienceRun, ResilienceRunYear
from planning.resilience.selectors import (
    ResilienceInputError,
    ResilienceInputs,
    budget_version_find,
    resilience_inputs,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_PATHS = 50_000
MAX_CELLS = 24_000_000  # paths x years x groups: ~200 MB per float64 array, bounds a worker's memory
MAX_SEED = 2**63 - 1
SHOCK_KEYS = {"group", "kind", "value", "years", "year_offset", "duration", "share", "label"}
Progress = Callable[[float, str], None]

__all__ = [
    "BalanceSheetConflict",
    "BalanceSheetDeleted",
    "ResilienceInputError",
    "balance_sheet_delete",
    "balance_sheet_set",
    "balance_sheets_import",
    "resilience_demo_load",
    "resilience_evaluate",
    "resilience_run_create",
    "resilience_run_execute",
    "resilience_run_start",
]

# --------------------------------------------------------------------------------------------------
# Balance sheets
# --------------------------------------------------------------------------------------------------

BALANCE_FIELDS = (
    "equity",
    "equalisation_reserve",
    "general_reserve",
    "balance_sheet_total",
    "investment_loans",
    "investment_loans_rate",
    "variable_rate_share",
    "liquidity_loans",
    "liquidity_loans_rate",
    "pension_provisions",
)
RATE_FIELDS = ("investment_loans_rate", "variable_rate_share", "liquidity_loans_rate")
REQUIRED_FIELDS = ("equalisation_reserve", "general_reserve")
_DEFAULT_ZERO = {"investment_loans", "liquidity_loans", *RATE_FIELDS}  # not nullable: empty means 0


class BalanceSheetDeleted(ResilienceInputError):
    """The sheet the editor started from was deleted in the meantime."""


class BalanceSheetConflict(ResilienceInputError):
    """The sheet was changed by someone else since the editor loaded it (``current`` is the new state)."""

    def __init__(self, current: BalanceSheet):
        self.current = current
        super().__init__(
            _(
                "Die Eröffnungsbilanz %(year)s wurde inzwischen geändert (jetzt Revision %(rev)s, "
                "zuletzt %(when)s). Ihre Eingaben wurden nicht gespeichert; bitte prüfen und erneut "
                "speichern."
            )
            % {
                "year": current.year,
                "rev": current.revision,
                "when": formats.localize(timezone.localtime(current.updated_at)),
            }
        )


@transaction.atomic
def balance_sheet_set(
    *,
    municipality: Municipality,
    year: int,
    values: dict[str, Decimal | None],
    user: Any = None,
    source: str = BalanceSheet.Source.FORM,
    expected_revision: int | None = None,
) -> tuple[BalanceSheet, bool]:
    """Create or update the opening balance sheet of ``year``; fields missing from ``values`` keep
    their stored value (or default). Returns (sheet, created).

    ``expected_revision`` is the revision of the existing sheet the editor started from (the form and
    the API send it; 0 = the editor saw no sheet of this year): if someone saved or created one in
    between, ``BalanceSheetConflict`` is raised, if it was deleted ``BalanceSheetDeleted``, and
    nothing is changed. Without it (command line, demo data, file import) the values apply to the
    current state.
    The revision goes up by one whenever a stored value changes; a new sheet starts at 1.
    """
    unknown = set(values) - set(BALANCE_FIELDS)
    if unknown:
        raise ValueError(f"unknown balance-sheet fields: {sorted(unknown)}")
    sheet = BalanceSheet.objects.select_for_update().filter(municipality=municipality, year=year).first()
    created = sheet is None
    if sheet is not None and expected_revision is not None and expected_revision != sheet.revision:
        raise BalanceSheetConflict(sheet)
    if sheet is None and expected_revision:
        raise BalanceSheetDeleted(
            _("Die Eröffnungsbilanz %(year)s wurde inzwischen gelöscht. Erneut speichern legt sie neu an.")
            % {"year": year}
        )
    if sheet is None:
        missing = [f for f in REQUIRED_FIELDS if values.get(f) is None]
        if missing:
            raise ResilienceInputError(
                _("Für eine neue Eröffnungsbilanz fehlen: %(f)s")
                % {"f": ", ".join(_field_label(f) for f in missing)}
            )
        sheet = BalanceSheet(municipality=municipality, year=year)
    changed = False
    for name, value in values.items():
        if value is None and name in REQUIRED_FIELDS:
            continue
        value = value if value is not None or name not in _DEFAULT_ZERO else Decimal(0)
        changed = changed or getattr(sheet, name) != value
        setattr(sheet, name, value)
    if changed and not created:
        sheet.revision += 1
    sheet.source = source
    sheet.updated_by = user if getattr(user, "is_authenticated", False) else None
    sheet.full_clean()
    try:
        with transaction.atomic():  # a savepoint: a concurrent create of the same year is a conflict
            sheet.save()
    except IntegrityError:
        if not created:
            raise
        raise BalanceSheetConflict(BalanceSheet.objects.get(municipality=municipality, year=year)) from None
    sheet.refresh_from_db()  # values as stored (rounded to the field's decimal places)
    return sheet, created


def _field_label(name: str) -> str:
    return str(BalanceSheet._meta.get_field(name).verbose_name)


@transaction.atomic
def balance_sheet_delete(*, balance_sheet: BalanceSheet) -> None:
    balance_sheet.delete()


_HEADER_ALIASES = {
    "year": ("jahr", "haushaltsjahr", "year"),
    "equity": ("eigenkapital", "equity"),
    "equalisation_reserve": ("ausgleichsruecklage", "equalisationreserve"),
    "general_reserve": ("allgemeineruecklage", "generalreserve"),
    "balance_sheet_total": ("bilanzsumme", "balancesheettotal"),
    "investment_loans": ("investitionskredite", "kreditefuerinvestitionen", "investmentloans"),
    "investment_loans_rate": ("zinssatzinvestitionskredite", "investmentloansrate"),
    "variable_rate_share": ("anteilvariabel", "anteilvariabelverzinst", "variableshare", "variablerateshare"),
    "liquidity_loans": ("liquiditaetskredite", "kassenkredite", "liquidityloans"),
    "liquidity_loans_rate": ("zinssatzliquiditaetskredite", "liquidityloansrate"),
    "pension_provisions": ("pensionsrueckstellungen", "pensionprovisions"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}


def _header_key(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = re.sub(r"\(.*?\)|\b(eur|in eur|€)\b|€", "", text)
    return re.sub(r"[^a-z]", "", text)


def _parse_rate(raw: Any, convention: str) -> Decimal:
    """A rate as a share: ``0,025``, ``2,5 %`` and ``2,5`` (values above 1 are percent) all give 0.025."""
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):  # a typed spreadsheet cell
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return value / 100 if value > 1 else value
    text = str(raw).strip()
    percent = text.endswith("%")
    text = text.rstrip("%").strip()
    text = text.replace(".", "").replace(",", ".") if convention == "de" else text.replace(",", "")
    value = Decimal(text)
    if percent or value > 1:
        value = value / 100
    return value


@dataclass
class BalanceImportOutcome(ImportOutcome):
    """Result of a CSV/XLSX import: ``imported``, ``dry-run`` or ``rejected`` (nothing stored); the
    errors are messages naming line and column."""

    errors: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # documented shape of the balance-sheet import: years and errors in every status
        return {"status": self.status, "years": self.years, "errors": self.errors}


BALANCE_FILE_LIMITS = ArchiveLimits(max_entry_bytes=20 * 2**20, max_total_bytes=40 * 2**20, max_rows=1_000)


def balance_sheets_import(
    *,
    municipality: Municipality,
    source: bytes | Path | IO[bytes],
    user: Any = None,
    dry_run: bool = False,
) -> BalanceImportOutcome:
    """Import opening balance sheets from CSV or XLSX, one row per year, all or nothing.

    Headers (German or English, see docs/cli.md): Jahr, Ausgleichsrücklage, Allgemeine Rücklage and
    optionally Eigenkapital, Bilanzsumme, Investitionskredite, Zinssatz Investitionskredite, Anteil
    variabel, Liquiditätskredite, Zinssatz Liquiditätskredite, Pensionsrückstellungen. An unknown
    column is an error: amounts are never dropped silently.
    """
    errors: list[str] = []
    parsed: dict[int, dict[str, Decimal | None]] = {}
    try:
        # one row per year: a few dozen rows; refuse archives that would expand to more before parsing
        check_xlsx(source, limits=BALANCE_FILE_LIMITS)
    except ArchiveRejected as exc:
        return BalanceImportOutcome(status="rejected", errors=[str(exc)])
    try:
        with open_table(source) as table:
            columns = [_ALIAS_TO_FIELD.get(_header_key(h)) for h in table.header]
            for header, name in zip(table.header, columns, strict=True):
                if name is None and header.strip():
                    errors.append(_("Unbekannte Spalte „%(h)s“") % {"h": header})
            for required in ("year", *REQUIRED_FIELDS):
                if required not in columns:
                    errors.append(_("Spalte „%(f)s“ fehlt") % {"f": _HEADER_ALIASES[required][0]})
            rows = list(itertools.islice(table.rows(), BALANCE_FILE_LIMITS.max_rows + 1))
            if len(rows) > BALANCE_FILE_LIMITS.max_rows:
                errors.append(
                    _("Die Datei hat mehr als %(n)d Zeilen; eine Zeile je Jahr wird erwartet.")
                    % {"n": BALANCE_FILE_LIMITS.max_rows}
                )
                rows = []
            convention = detect_decimal_convention(
                (c for _line, cells in rows for c in cells if isinstance(c, str)), table.info.delimiter
            )[0]
            if not errors:
                for line, cells in rows:
                    _import_row(line, dict(zip(columns, cells, strict=False)), convention, parsed, errors)
    except ImportFileError as exc:
        errors.append(exc.issue.message_de)
    if errors:
        return BalanceImportOutcome("rejected", errors=errors)
    if dry_run:
        return BalanceImportOutcome("dry-run", years=sorted(parsed))
    try:
        with transaction.atomic():
            for year, values in sorted(parsed.items()):
                balance_sheet_set(
                    municipality=municipality,
                    year=year,
                    values=values,
                    user=user,
                    source=BalanceSheet.Source.CSV,
                )
    except (ResilienceInputError, ValidationError, ValueError) as exc:
        return BalanceImportOutcome("rejected", errors=[_message(exc)])
    return BalanceImportOutcome("imported", years=sorted(parsed))


def _message(exc: Exception) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{_field_label(k)}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return str(exc)


def _import_row(
    line: int, cells: dict[str | None, Any], convention: str, parsed: dict, errors: list[str]
) -> None:
    try:
        year = int(str(cells.get("year", "")).strip())
    except ValueError:
        errors.append(
            _("Zeile %(l)s: Jahr „%(v)s“ ist keine Jahreszahl") % {"l": line, "v": cells.get("year")}
        )
        return
    if year in parsed:
        errors.append(_("Zeile %(l)s: Jahr %(y)s kommt mehrfach vor") % {"l": line, "y": year})
        return
    values: dict[str, Decimal | None] = {}
    for name in BALANCE_FIELDS:
        raw = cells.get(name)
        if raw is None or str(raw).strip() == "":
            if name in REQUIRED_FIELDS:
                errors.append(_("Zeile %(l)s: %(f)s fehlt") % {"l": line, "f": _field_label(name)})
            continue
        try:
            if name in RATE_FIELDS:
                values[name] = _parse_rate(raw, convention)
            else:
                values[name] = parse_amount(raw, convention)
        except (NumberFormatError, InvalidOperation, ValueError):
            errors.append(
                _("Zeile %(l)s: %(f)s „%(v)s“ ist keine Zahl")
                % {"l": line, "f": _field_label(name), "v": raw}
            )
    parsed[year] = values


# --------------------------------------------------------------------------------------------------
# Evaluating a check
# --------------------------------------------------------------------------------------------------


def _money(value: Decimal | float) -> str:
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP)}"


def path_json(path: ReservePath, base_results: dict[int, Decimal] | None = None) -> dict[str, Any]:
    """A deterministic reserve path as JSON (decimal strings in EUR, German and English words)."""
    years = []
    for row in path.years:
        item = {
            "year": row.year,
            "annual_result": _money(row.annual_result),
            "equalisation_reserve_start": _money(row.equalisation_reserve_start),
            "equalisation_reserve_end": _money(row.equalisation_reserve_end),
            "general_reserve_start": _money(row.general_reserve_start),
            "general_reserve_end": _money(row.general_reserve_end),
            "other_equity_end": _money(row.other_equity_end),
            "equity_end": _money(row.equity_end),
            "reduction_share": None
            if row.general_reserve_reduction_share is None
            else float(row.general_reserve_reduction_share),
            "status": row.status.name,
            "status_label": row.status.label_de,
            "status_label_en": row.status.label_en,
            "triggers": [
                {"code": t.code.value, "reason": t.reason_de, "reason_en": t.reason_en} for t in row.triggers
            ],
        }
        if base_results is not None:
            item["plan_result"] = _money(base_results[row.year])
            item["delta"] = _money(row.annual_result - base_results[row.year])
        years.append(item)
    return {"hsk_required": path.hsk_required, "first_trigger_year": path.first_trigger_year, "years": years}


# The plausible range of a user-defined shock's value (docs/security.md): ``percent`` and ``growth_pp`` in
# percent (points), ``absolute`` in EUR per year. Checked here for every caller (the page, the API, a run's
# hidden form field); the page form and the API serializer ask ``shock_value_error`` for their field message.
SHOCK_PERCENT_MIN, SHOCK_PERCENT_MAX = -100, 1000
SHOCK_ABSOLUTE_MAX = 10**12
SHOCK_KINDS = ("percent", "growth_pp", "absolute")
SHOCK_MAX_YEARS = 100  # years listed, year offset and duration


def _number(value: Any) -> float | None:
    """A finite number (not a bool) as float, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def shock_value_error(kind: Any, value: Any) -> str | None:
    """Why ``value`` cannot be the value of a shock of ``kind`` (a message for the user), or None."""
    if kind not in SHOCK_KINDS:
        return _("Unbekannte Art des Schocks (möglich: %(kinds)s).") % {"kinds": ", ".join(SHOCK_KINDS)}
    number = _number(value)
    if number is None:
        return _("Der Wert eines Schocks muss eine Zahl sein.")
    language = get_language() or "de"
    if kind == "absolute" and abs(number) > SHOCK_ABSOLUTE_MAX:
        return _("Ein Betrag als Schock liegt zwischen %(low)s und %(high)s EUR.") % {
            "low": format_number(-SHOCK_ABSOLUTE_MAX, language=language),
            "high": format_number(SHOCK_ABSOLUTE_MAX, language=language),
        }
    if kind != "absolute" and not SHOCK_PERCENT_MIN <= number <= SHOCK_PERCENT_MAX:
        return _("Ein Schock in Prozent oder Prozentpunkten liegt zwischen %(low)s und %(high)s.") % {
            "low": format_number(SHOCK_PERCENT_MIN, language=language),
            "high": format_number(SHOCK_PERCENT_MAX, language=language),
        }
    return None


def _int_within(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _shock_error(spec: Any) -> str | None:
    """Why ``spec`` is no valid shock (a message), or None; the shape the API's ShockSerializer states."""
    if not isinstance(spec, dict):
        return _("Ein Schock ist ein Objekt mit Gruppe, Art und Wert.")
    unknown = set(spec) - SHOCK_KEYS
    if unknown:
        return _("Unbekannte Angaben im Schock: %(k)s") % {"k": ", ".join(sorted(map(str, unknown)))}
    if not isinstance(spec.get("group"), (str, type(None))) or len(spec.get("group") or "") > 20:
        return _("Die Gruppe eines Schocks ist eine Kontengruppe wie 40 oder 53.")
    error = shock_value_error(spec.get("kind"), spec.get("value"))
    if error:
        return error
    years = spec.get("years")
    if years is not None and not (
        isinstance(years, (list, tuple))
        and len(years) <= SHOCK_MAX_YEARS
        and all(_int_within(y, YEAR_MIN, YEAR_MAX) for y in years)
    ):
        return _("Die Jahre eines Schocks sind höchstens %(n)d Jahreszahlen von %(low)d bis %(high)d.") % {
            "n": SHOCK_MAX_YEARS,
            "low": YEAR_MIN,
            "high": YEAR_MAX,
        }
    if "year_offset" in spec and not _int_within(spec["year_offset"], 0, SHOCK_MAX_YEARS):
        return _("Der Beginn eines Schocks liegt 0 bis %(n)d Jahre nach dem ersten Jahr.") % {
            "n": SHOCK_MAX_YEARS
        }
    duration = spec.get("duration", 1)
    if duration is not None and not _int_within(duration, 1, SHOCK_MAX_YEARS):
        return _("Ein Schock dauert 1 bis %(n)d Jahre.") % {"n": SHOCK_MAX_YEARS}
    share = _number(spec.get("share", 1.0))
    if share is None or not 0 <= share <= 1:
        return _("Der betroffene Anteil einer Gruppe liegt zwischen 0 und 1.")
    if not isinstance(spec.get("label", ""), str) or len(spec.get("label", "")) > 200:
        return _("Die Bezeichnung eines Schocks ist ein Text bis 200 Zeichen.")
    return None


def _custom_shocks(specs: list[dict[str, Any]] | None) -> list[Shock]:
    specs = specs or []
    if not isinstance(specs, list) or len(specs) > SHOCK_MAX_YEARS:
        raise ResilienceInputError(_("Höchstens %(n)d eigene Schocks.") % {"n": SHOCK_MAX_YEARS})
    for spec in specs:
        error = _shock_error(spec)
        if error:
            raise ResilienceInputError(error)
    try:
        return shocks_from_dicts(specs)
    except (TypeError, ValueError) as exc:
        raise ResilienceInputError(_("Ungültiger Schock: %(e)s") % {"e": exc}) from exc


def _stress(
    inputs: ResilienceInputs, preset: str, params: dict[str, Any] | None, shocks: list[dict[str, Any]] | None
) -> tuple[BasePath, dict[str, Any] | None]:
    """The (possibly) shocked base path and a JSON description of the stress test."""
    if not preset and not shocks:
        return inputs.base, None
    shock_list: list[Shock] = []
    notes: list[str] = []
    if preset:
        spec = PRESETS.get(preset)
        if spec is None:
            raise ResilienceInputError(
                _("Unbekanntes Stressszenario „%(p)s“ (möglich: %(all)s)")
                % {"p": preset, "all": ", ".join(PRESETS)}
            )
        try:
            shock_list, notes = spec.build(inputs.base, **(params or {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise ResilienceInputError(
                _("Stressszenario „%(p)s“ ist für diesen Plan nicht anwendbar: %(e)s")
                % {"p": spec.name_de, "e": exc}
            ) from exc
    try:
        result = apply_shocks(
            inputs.base, [*shock_list, *_custom_shocks(shocks)], preset_id=preset or "custom"
        )
    except KeyError as exc:
        raise ResilienceInputError(
            _("Schock auf eine Gruppe, die der Plan nicht enthält: %(e)s") % {"e": exc.args[0]}
        ) from exc
    except ValueError as exc:
        raise ResilienceInputError(str(exc)) from exc
    stressed = BasePath(
        inputs.base.years,
        inputs.base.groups,
        result.amounts,
        debt=inputs.base.debt,
        additional_expenses=result.additional_expenses,
    )
    info = {
        "preset": preset or None,
        "name": PRESETS[preset].name_de if preset else _("Eigene Schocks"),
        "description": PRESETS[preset].description_de if preset else "",
        "params": params or {},
        "shocks": shocks or [],
        "notes": notes,
        "delta": [round(float(d), 2) for d in result.delta],
    }
    return stressed, info


def resilience_evaluate(
    inputs: ResilienceInputs,
    *,
    stress_preset: str = "",
    stress_params: dict[str, Any] | None = None,
    shocks: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], BasePath, ReservePath]:
    """Deterministic reserve path of the plan, or of the stressed plan: (JSON, base path used, path).

    Stress changes are added to the exact annual results (rounded to the cent), so an unstressed check
    reproduces the budget's results to the cent.
    """
    base, stress = _stress(inputs, stress_preset, stress_params, shocks)
    results = dict(inputs.results)
    if stress is not None:
        results = {
            y: (r + Decimal(repr(d))).quantize(CENT, rounding=ROUND_HALF_UP)
            for (y, r), d in zip(inputs.results.items(), stress["delta"], strict=True)
        }
    path = run_reserve_path(inputs.opening, results)
    out = {
        "deterministic": path_json(path, inputs.results if stress else None),
        "stress": stress,
    }
    if inputs.measure_effects is not None:
        out["measures"] = _measures_deterministic(inputs, results)
    return out, base, path


def _measures_deterministic(inputs: ResilienceInputs, results: dict[int, Decimal]) -> dict[str, Any]:
    """Status quo (results minus the measures' effects) against the path with the measures."""
    effects = inputs.measure_effects
    total = effects.sum(axis=0) if len(effects) else np.zeros(len(results), dtype=np.int64)
    status_quo = {
        y: (r - Decimal(int(c)).scaleb(-2)).quantize(CENT)
        for (y, r), c in zip(results.items(), total, strict=True)
    }
    sq_path, with_path, impacts = compare_deterministic(inputs.opening, status_quo, effects)
    return {
        "status_quo": path_json(sq_path),
        "first_trigger_status_quo": sq_path.first_trigger_year,
        "first_trigger_with": with_path.first_trigger_year,
        "effect_per_year": [_money(Decimal(int(c)).scaleb(-2)) for c in total],
        "measures": [
            {
                "title": inputs.measure_titles[i.index],
                "total": _money(i.total),
                "first_trigger_without": i.first_trigger_without,
                "avoids_hsk": i.avoids_hsk,
            }
            for i in impacts
        ],
    }


def _monte_carlo(inputs: ResilienceInputs, base: BasePath, *, n_paths: int, seed: int) -> dict[str, Any]:
    if inputs.history is not None:
        cov = estimate_growth_covariance(inputs.history, base.groups)
    else:
        cov = default_covariance(base.groups)
    with_measures = inputs.measure_effects is not None
    mc = run_monte_carlo(
        base, inputs.opening, covariance=cov, n_paths=n_paths, seed=seed, keep_paths=with_measures
    )
    out = mc.as_dict()
    if with_measures:
        effects = inputs.measure_effects
        total = effects.sum(axis=0) / 100.0 if len(effects) else 0.0
        comparison = compare_monte_carlo(
            base.years,
            mc.paths.results - total,
            inputs.opening,
            effects,
            leave_one_out=len(effects) <= MAX_LEAVE_ONE_OUT,
        )
        out["measures"] = {**comparison.as_dict(), "titles": inputs.measure_titles}
    out["groups"] = [{"code": g.code, "name": g.name, "kind": g.kind} for g in base.groups]
    out["covariance"] = {
        "sources": list(cov.sources),
        "sd": [float(v) for v in cov.sd],
        "n_observations": cov.n_observations,
        "shrinkage": cov.shrinkage,
        "history_years": inputs.history_years if cov.n_observations else [],
    }
    return out


#: Up to this many measures, the Monte Carlo run also reports P(trigger) without each one (one more
#: compiled pass counting the triggers per measure on the same paths: a few ms each at 10,000 x 30).
MAX_LEAVE_ONE_OUT = 100


def _within(probabilities: list[float], years: int = 5) -> float | None:
    if not probabilities:
        return None
    return float(probabilities[min(years, len(probabilities)) - 1])


# --------------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------------


def _validate_run(n_paths: int, seed: int) -> None:
    if not 0 <= n_paths <= MAX_PATHS:
        raise ResilienceInputError(
            _("Die Zahl der Pfade muss zwischen 0 und %(max)s liegen.") % {"max": MAX_PATHS}
        )
    if not 0 <= seed <= MAX_SEED:
        raise ResilienceInputError(_("Der Startwert (Seed) muss eine nicht negative ganze Zahl sein."))


@transaction.atomic
def resilience_run_create(
    *,
    municipality: Municipality,
    user: Any = None,
    budget_version: str | int | None = None,
    scenario: str | int | None = None,
    stress_preset: str = "",
    stress_params: dict[str, Any] | None = None,
    shocks: list[dict[str, Any]] | None = None,
    n_paths: int = 0,
    seed: int = 0,
) -> ResilienceRun:
    """Check the inputs now (so a caller hears at once what is missing) and store a queued run."""
    _validate_run(n_paths, seed)
    inputs = resilience_inputs(municipality=municipality, budget_version=budget_version, scenario=scenario)
    resilience_evaluate(inputs, stress_preset=stress_preset, stress_params=stress_params, shocks=shocks)
    cells_per_path = len(inputs.years) * len(inputs.base.groups)
    if n_paths * cells_per_path > MAX_CELLS:
        raise ResilienceInputError(
            _("Zu viele Pfade für %(t)s Jahre und %(g)s Gruppen: höchstens %(max)s.")
            % {"t": len(inputs.years), "g": len(inputs.base.groups), "max": MAX_CELLS // cells_per_path}
        )
    return ResilienceRun.objects.create(
        municipality=municipality,
        source_kind=inputs.source_kind,
        budget_version=inputs.budget_version,
        scenario=inputs.scenario,
        source_label=inputs.source_label,
        balance_sheet=inputs.balance_sheet,
        stress_preset=stress_preset or "",
        stress_params=stress_params or {},
        shocks=shocks or [],
        n_paths=n_paths,
        seed=seed,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def resilience_run_start(*, municipality: Municipality, user: Any = None, **options: Any) -> ResilienceRun:
    """Create a run and its background job; the job starts after the transaction commits."""
    with transaction.atomic():
        run = resilience_run_create(municipality=municipality, user=user, **options)
        run.job = job_start(
            "planning.run_resilience",
            municipality=municipality,
            requested_by=user,
            params={"run_id": run.pk},
        )
        run.save(update_fields=["job"])
    return run


def resilience_run_execute(*, run_id: int, progress: Progress | None = None) -> ResilienceRun:
    """Compute a stored run and write its result (idempotent: a redelivered job computes it again)."""
    report = progress or (lambda _p, _m="": None)
    run = ResilienceRun.objects.select_related("municipality").get(pk=run_id)
    ResilienceRun.objects.filter(pk=run_id).update(status=ResilienceRun.Status.RUNNING, message="")
    try:
        report(5, _("Eingaben werden geladen"))
        if run.source_kind == ResilienceRun.SourceKind.BUDGET_VERSION and run.budget_version_id is None:
            raise ResilienceInputError(_("Die Haushaltsversion dieser Prüfung wurde gelöscht."))
        if run.source_kind == ResilienceRun.SourceKind.SCENARIO and run.scenario_id is None:
            raise ResilienceInputError(_("Das Szenario dieser Prüfung wurde gelöscht."))
        inputs = resilience_inputs(
            municipality=run.municipality,
            budget_version=run.budget_version_id,
            scenario=run.scenario_id,
        )
        report(20, _("Rücklagenpfad und Auslöser werden berechnet"))
        result, base, _path = resilience_evaluate(
            inputs, stress_preset=run.stress_preset, stress_params=run.stress_params, shocks=run.shocks
        )
        result["notes"] = inputs.notes
        if run.n_paths:
            report(
                35, _("Monte-Carlo-Simulation mit %(n)s Pfaden") % {"n": f"{run.n_paths:,}".replace(",", ".")}
            )
            result["monte_carlo"] = _monte_carlo(inputs, base, n_paths=run.n_paths, seed=run.seed)
        report(90, _("Ergebnisse werden gespeichert"))
        _store(run, inputs, result)
    except Exception as exc:
        message = (
            str(exc) if isinstance(exc, ResilienceInputError) else _("Die Berechnung ist fehlgeschlagen.")
        )
        ResilienceRun.objects.filter(pk=run_id).update(
            status=ResilienceRun.Status.FAILED, message=message, finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _store(run: ResilienceRun, inputs: ResilienceInputs, result: dict[str, Any]) -> None:
    det = result["deterministic"]
    mc = result.get("monte_carlo")
    run.inputs = inputs.to_json()
    run.result = result
    run.status = ResilienceRun.Status.SUCCEEDED
    run.hsk_required = det["hsk_required"]
    run.first_trigger_year = det["first_trigger_year"]
    run.first_year_hsk_likely = mc["first_year_hsk_likely"] if mc else None
    run.probability_within_5_years = _within(mc["any_hsk_probability_cumulative"]) if mc else None
    run.main_driver = (mc.get("main_driver") or "") if mc else ""
    run.balance_sheet = inputs.balance_sheet
    run.finished_at = timezone.now()
    run.save()
    ResilienceRunYear.objects.filter(run=run).delete()
    ResilienceRunYear.objects.bulk_create(
        ResilienceRunYear(
            run=run,
            year=row["year"],
            annual_result=Decimal(row["annual_result"]),
            equalisation_reserve_end=Decimal(row["equalisation_reserve_end"]),
            general_reserve_end=Decimal(row["general_reserve_end"]),
            equity_end=Decimal(row["equity_end"]),
            status=row["status"],
            triggers=[t["code"] for t in row["triggers"]],
            probability_any=mc["any_hsk_probability"][i] if mc else None,
            probability_cumulative=mc["any_hsk_probability_cumulative"][i] if mc else None,
        )
        for i, row in enumerate(det["years"])
    )


# --------------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------------

DEMO_SEED = 2024
DEMO_BALANCE_SHEET = {
    "equity": Decimal("300000000.00"),
    "equalisation_reserve": Decimal("20000000.00"),
    "general_reserve": Decimal("180000000.00"),
    "balance_sheet_total": Decimal("910000000.00"),
    "investment_loans": Decimal("145000000.00"),
    "investment_loans_rate": Decimal("0.0210"),
    "variable_rate_share": Decimal("0.2000"),
    "liquidity_loans": Decimal("60000000.00"),
    "liquidity_loans_rate": Decimal("0.0340"),
    "pension_provisions": Decimal("118000000.00"),
}


def resilience_demo_load(municipality: Municipality) -> None:
    """Demo (idempotent): an opening balance sheet for the first plan year of the demo budget and one
    stored Monte Carlo run, so the resilience page shows fan charts right away. User edits are kept."""
    try:
        version = budget_version_find(municipality)
    except ResilienceInputError:
        logger.info("resilience demo: no budget version with plan years, no demo check")
        version = None
    year = timezone.now().year
    if version is not None:
        from planning.resilience.selectors import group_sums

        plan_years = sorted(group_sums([version.pk], phase="plan").get(version.pk, {}))
        year = plan_years[0] if plan_years else year
    if not BalanceSheet.objects.filter(municipality=municipality).exists():
        balance_sheet_set(
            municipality=municipality,
            year=year,
            values=dict(DEMO_BALANCE_SHEET),
            source=BalanceSheet.Source.DEMO,
        )
    if (
        version is None
        or ResilienceRun.objects.for_municipality(municipality).succeeded().with_monte_carlo().exists()
    ):
        return
    try:
        run = resilience_run_create(municipality=municipality, n_paths=DEFAULT_N_PATHS, seed=DEMO_SEED)
        resilience_run_execute(run_id=run.pk)
    except ResilienceInputError as exc:
        logger.warning("resilience demo: %s", exc)
