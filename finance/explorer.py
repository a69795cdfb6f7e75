"""The budget explorer's state: which version, statement, year and phase, which comparison, which level
of the drill-down (product areas > products > accounts, or account groups), read from the query string.

``explorer_state`` validates the parameters against what is stored (unknown values fall back to the
defaults, never to an error), then calls the selectors: a fixed number of queries whatever the data.
The page, its htmx partial and the CSV/XLSX exports all use the same state, so an export contains
exactly the table on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.models import Municipality
from finance import selectors
from finance.importing.reference import RESULTS
from finance.models import PHASE_CHOICES, STATEMENT_CHOICES, BudgetVersion

COMPARE_CHOICES = [
    ("", _("kein Vergleich")),
    ("phase", _("Plan gegen Ist")),
    ("year", _("Vorjahr")),
    ("version", _("andere Version")),
]
LEVEL_LABELS = {
    "area": _("Produktbereiche"),
    "product": _("Produkte"),
    "account": _("Konten"),
    "account_group": _("Kontengruppen"),
}
PHASE_LABELS = dict(PHASE_CHOICES)
STATEMENT_LABELS = dict(STATEMENT_CHOICES)  # doppik statements and the kameral parts


def slice_label(year: int, phase: str) -> str:
    return f"{PHASE_LABELS.get(phase, phase)} {year}"


@dataclass
class ExplorerState:
    """Everything the explorer page, its partial and the exports show."""

    municipality: Municipality
    versions: list[BudgetVersion]
    version: BudgetVersion | None = None
    statement: str = RESULTS
    year: int | None = None
    phase: str | None = None
    compare: str = ""
    compare_version: BudgetVersion | None = None
    level: str = "area"
    area: str = ""
    product: str = ""
    overview: list[dict[str, Any]] = field(default_factory=list)
    slices: list[tuple[int, str]] = field(default_factory=list)
    base: selectors.Slice | None = None
    base_label: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] = field(default_factory=dict)
    area_name: str = ""
    product_name: str = ""

    @property
    def has_data(self) -> bool:
        return self.version is not None and self.year is not None

    @property
    def population(self) -> int | None:
        return self.municipality.population

    @property
    def slice_key(self) -> str:
        return f"{self.year}-{self.phase}" if self.year else ""

    @property
    def slice_label(self) -> str:
        return slice_label(self.year, self.phase) if self.year else ""

    @property
    def revenue_label(self) -> str:
        """ "Ertrag" in the results plan, "Einzahlungen" in the financial plan (a treasurer's words)."""
        return str(_("Einzahlungen") if self.statement != RESULTS else _("Ertrag"))

    @property
    def expense_label(self) -> str:
        return str(_("Auszahlungen") if self.statement != RESULTS else _("Aufwand"))

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def current(self) -> selectors.Slice | None:
        if not self.has_data:
            return None
        return selectors.Slice(self.version, self.statement, self.year, self.phase)

    def params(self, **overrides: Any) -> dict[str, str]:
        """The query parameters of this state, with ``overrides`` (None removes a parameter)."""
        params: dict[str, Any] = {
            "version": self.version.pk if self.version else None,
            "statement": self.statement,
            "slice": self.slice_key or None,
            "compare": self.compare or None,
            "compare_version": self.compare_version.pk
            if self.compare == "version" and self.compare_version
            else None,
            "level": self.level,
            "area": self.area or None,
            "product": self.product or None,
        }
        params.update(overrides)
        # An empty area or product is a real drill-down target (codes that fit no product frame).
        keep = (
            {"area"}
            if params["level"] == "product"
            else {"area", "product"}
            if params["level"] == "account"
            else set()
        )
        return {
            k: str(v if v is not None else "") for k, v in params.items() if v not in (None, "") or k in keep
        }

    def query(self, **overrides: Any) -> str:
        return urlencode(self.params(**overrides))

    @property
    def area_query(self) -> str:
        return self.query(level="area", area=None, product=None)

    @property
    def account_group_query(self) -> str:
        return self.query(level="account_group", area=None, product=None)

    def drill_query(self, code: str) -> str | None:
        """The query string one level deeper for a row, or None at the deepest level."""
        if self.level == "area":
            return self.query(level="product", area=code, product=None)
        if self.level == "product":
            return self.query(level="account", product=code)
        return None

    def breadcrumbs(self) -> list[tuple[str, str | None]]:
        """(label, query or None for the current level) from the top to the current level."""
        if self.level == "account_group":
            return [(str(LEVEL_LABELS["account_group"]), None)]
        crumbs: list[tuple[str, str | None]] = [
            (str(LEVEL_LABELS["area"]), self.query(level="area", area=None, product=None))
        ]
        if self.level in ("product", "account"):
            crumbs.append(
                (f"{self.area} {self.area_name}".strip(), self.query(level="product", product=None))
            )
        if self.level == "account":
            crumbs.append((f"{self.product} {self.product_name}".strip(), None))
        crumbs[-1] = (crumbs[-1][0], None)
        return crumbs

    def compare_versions(self) -> list[BudgetVersion]:
        return [v for v in self.versions if self.version is None or v.pk != self.version.pk]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def explorer_state(municipality: Municipality, params: QueryDict | dict[str, str]) -> ExplorerState:
    """Read and validate the explorer's parameters, then load the table (see the module docstring)."""
    versions = list(selectors.versions_of(municipality))
    state = ExplorerState(municipality=municipality, versions=versions)
    by_id = {v.pk: v for v in versions}
    state.version = by_id.get(_int(params.get("version"))) or selectors.default_version(versions)
    if state.version is None:
        return state
    state.version.municipality = municipality  # spares a query in land_of()
    statement = params.get("statement")
    state.statement = statement if statement in STATEMENT_LABELS else RESULTS
    state.overview = selectors.year_overview(state.version, state.statement)
    state.slices = selectors.slices_of(state.overview)
    requested = (params.get("slice") or "").split("-", 1)
    chosen = (_int(requested[0]), requested[1]) if len(requested) == 2 else None
    if chosen not in state.slices:
        chosen = selectors.default_slice(state.overview)
    if chosen is None:
        return state
    state.year, state.phase = chosen
    level = params.get("level")
    state.level = level if level in LEVEL_LABELS else "area"
    state.area = (params.get("area") or "")[:2]
    state.product = (params.get("product") or "")[:40]
    if (state.level == "product" and "area" not in params) or (
        state.level == "account" and "product" not in params
    ):
        state.level = "area"
    _resolve_compare(state, params, by_id)
    current = state.current
    state.rows = selectors.breakdown(
        current,
        state.level,
        area=state.area,
        product=state.product,
        base=state.base,
        population=state.population,
    )
    state.total = selectors.breakdown_total(state.rows, state.population)
    for row in state.rows:
        row["drill"] = state.drill_query(row["code"])
    if state.level in ("product", "account"):
        state.area_name = selectors.names_for([], "area", {state.area}, selectors.land_of(state.version)).get(
            state.area, ""
        )
    if state.level == "account":
        state.product_name = selectors.names_for([state.version.pk], "product", {state.product}, "").get(
            state.product, ""
        )
    return state


def _resolve_compare(state: ExplorerState, params, by_id: dict[int, BudgetVersion]) -> None:
    compare = params.get("compare") or ""
    if compare not in dict(COMPARE_CHOICES):
        compare = ""
    state.compare = compare
    year, phase = state.year, state.phase
    version = state.version
    if compare == "phase":
        phase = "actual" if state.phase != "actual" else "plan"
        state.base_label = slice_label(year, phase)
    elif compare == "year":
        year = state.year - 1
        state.base_label = slice_label(year, phase)
    elif compare == "version":
        other = by_id.get(_int(params.get("compare_version")))
        if other is None or other.pk == state.version.pk:
            same = [
                v
                for v in state.versions
                if v.dataset_id == state.version.dataset_id and v.pk != state.version.pk
            ]
            others = [v for v in state.versions if v.pk != state.version.pk]
            other = (same or others or [None])[0]
        if other is None:
            state.compare = ""
            return
        other.municipality = state.municipality
        state.compare_version = version = other
        state.base_label = f"{other} · {slice_label(year, phase)}"
    else:
        return
    state.base = selectors.Slice(version, state.statement, year, phase)
