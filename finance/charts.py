"""Plotly figures of the explorer, built on the server as plain dicts (``Plotly.newPlot`` draws them).

Numbers are sent as floats (charts need no cents); tables and exports keep the exact decimals.
German number format in hover labels via the layout's ``separators``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from finance.explorer import PHASE_LABELS, ExplorerState
from finance.importing.reference import product_area_name

COLORS = {"revenue": "#2e7d32", "expense": "#c0392b", "balance": "#1f5f99", "base": "#9aa5b4"}
_LAYOUT = {
    "separators": ",.",
    "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
    "legend": {"orientation": "h", "y": -0.2},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}
_HOVER_EUR = "%{y:,.0f} €<extra>%{fullData.name}</extra>"
_HOVER_EXACT = "%{customdata:,.0f} €<extra>%{fullData.name}</extra>"  # the axis shows millions
MILLION = 1_000_000


def _f(value: Decimal | None) -> float:
    return float(value or 0)


def money_ticks(values: list[float], suffix: str = " €", steps: int = 6) -> dict[str, Any]:
    """Round axis ticks for money, as ``Spielraum.moneyTicks`` in static/js/app.js draws them in the browser:
    about ``steps`` steps of 1, 2, 2.5 or 5 times a power of ten, labelled in millions ("50 Mio. €") once the
    values reach a million, so that an axis never reads 50.000.000 €."""
    finite = [v for v in values if isinstance(v, int | float) and math.isfinite(v)]
    if not finite:
        return {}
    english = (get_language() or "de").startswith("en")
    lo, hi = min(0.0, min(finite)), max(0.0, max(finite))
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / steps
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    millions = max(abs(lo), abs(hi)) >= MILLION
    tickvals, ticktext = [], []
    count = round((hi - lo) / step)
    for i in range(count + 1):
        value = round((lo + i * step) / step) * step
        tickvals.append(value)
        shown = value / MILLION if millions and value else value
        text = f"{shown:,.2f}".rstrip("0").rstrip(".")
        if not english:
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        if millions and value:
            text += " m" if english else " Mio."
        ticktext.append(text + suffix)
    return {"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext,
            "range": [lo - step / 4, hi + step / 4]}  # fmt: skip


def years_figure(state: ExplorerState) -> dict[str, Any]:
    """Revenue, expense and balance per year and phase (actual and plan side by side)."""
    data: list[dict[str, Any]] = []
    for phase in ("actual", "plan"):
        rows = [r for r in state.overview if r["phase"] == phase]
        if not rows:
            continue
        label = str(PHASE_LABELS[phase])
        years = [str(r["year"]) for r in rows]
        opacity = 0.55 if phase == "actual" else 1.0
        for key, name in (("revenue", state.revenue_label), ("expense", state.expense_label)):
            data.append(
                {
                    "type": "bar",
                    "name": f"{name} {label}",
                    "x": years,
                    "y": [_f(r[key]) / MILLION for r in rows],
                    "customdata": [_f(r[key]) for r in rows],
                    "marker": {"color": COLORS[key], "opacity": opacity},
                    "offsetgroup": f"{key}-{phase}",
                    "hovertemplate": _HOVER_EXACT,
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{_('Saldo')} {label}",
                "x": years,
                "y": [_f(r["balance"]) / MILLION for r in rows],
                "customdata": [_f(r["balance"]) for r in rows],
                "yaxis": "y2",  # its own scale: a deficit of millions is not a bar of hundreds of millions
                "line": {"color": COLORS["balance"], "dash": "dot" if phase == "actual" else "solid"},
                "hovertemplate": _HOVER_EXACT,
            }
        )
    layout = {
        **_LAYOUT,
        "title": {
            "text": _("%(revenue)s, %(expense)s und Saldo je Jahr")
            % {"revenue": state.revenue_label, "expense": state.expense_label},
            "font": {"size": 14},
        },
        "barmode": "group",
        "yaxis": {"title": {"text": _("Mio. €")}, "tickformat": ",~r", "nticks": 6, "rangemode": "tozero",
                  "automargin": True},
        "yaxis2": {"title": {"text": _("Saldo, Mio. €")}, "overlaying": "y", "side": "right",
                   "tickmode": "auto", "tickformat": ",~r", "nticks": 6, "zeroline": True, "showgrid": False,
                   "automargin": True},
        "xaxis": {"type": "category"},
    }  # fmt: skip
    return {"data": data, "layout": layout}


def _wrap(label: str, width: int = 14) -> str:
    """Break a long segment name into short lines (plotly shows <br>), so it fits a segment."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def sunburst_figure(
    state: ExplorerState, sums: list[dict[str, Any]], names: dict[str, str]
) -> dict[str, Any]:
    """Expense of the selected year by product area > product group > product."""
    ids, labels, parents, values = [], [], [], []
    land = state.version.mapping.get("land") if state.version else None
    # A product group is named by its only product's name when it has one product, else by its code.
    products_per_group: dict[str, list[str]] = {}
    for row in sums:
        products_per_group.setdefault(row["product_group"] or "", []).append(row["product_code"])
    group_names = {
        group: names.get(codes[0], "") for group, codes in products_per_group.items() if len(codes) == 1
    }
    area_totals: dict[str, float] = {}
    group_totals: dict[tuple[str, str], float] = {}
    for row in sums:
        amount = max(_f(row["total"]), 0.0)  # reductions cannot be drawn as segments
        area = row["area"] or "?"
        group = row["product_group"] or f"{area}.?"
        area_totals[area] = area_totals.get(area, 0.0) + amount
        group_totals[(area, group)] = group_totals.get((area, group), 0.0) + amount
        ids.append(f"p:{row['product_code']}")
        labels.append(f"{row['product_code']} {names.get(row['product_code'], '')}".strip())
        parents.append(f"g:{group}")
        values.append(amount)
    for (area, group), total in group_totals.items():
        ids.append(f"g:{group}")
        labels.append(group_names.get(group) or group)
        parents.append(f"a:{area}")
        values.append(total)
    for area, total in area_totals.items():
        ids.append(f"a:{area}")
        labels.append(product_area_name(area, land) or f"{area} {_('nicht zugeordnet')}")
        parents.append("")
        values.append(total)
    data = [
        {
            "type": "sunburst",
            "ids": ids,
            "labels": labels,
            "text": [_wrap(label) for label in labels],  # shown in the segments; the hover keeps one line
            "texttemplate": "%{text}",
            "parents": parents,
            "values": values,
            "branchvalues": "total",
            "maxdepth": 2,
            "insidetextorientation": "auto",
            "textfont": {"size": 12},
            "hovertemplate": "%{label}<br>%{value:,.0f} €<br>%{percentRoot:.1%}<extra></extra>",
        }
    ]
    layout = {
        **_LAYOUT,
        "uniformtext": {"minsize": 9, "mode": "hide"},  # no unreadable labels in thin segments
        "title": {
            "text": _("%(expense)s %(slice)s nach Produktbereichen")
            % {"expense": state.expense_label, "slice": state.slice_label},
            "font": {"size": 14},
        },
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    }
    return {"data": data, "layout": layout}


def breakdown_figure(state: ExplorerState, limit: int = 20) -> dict[str, Any]:
    """The current table as horizontal bars: revenue and expense, or balance against the comparison."""
    rows = sorted(state.rows, key=lambda r: max(abs(r["revenue"]), abs(r["expense"])), reverse=True)[:limit]
    rows.reverse()  # largest on top
    labels = [f"{r['code'] or '—'} {r['name']}".strip()[:48] for r in rows]
    if state.base is not None:
        data = [
            {
                "type": "bar",
                "orientation": "h",
                "name": state.base_label,
                "y": labels,
                "x": [_f(r["base_balance"]) for r in rows],
                "marker": {"color": COLORS["base"]},
                "hovertemplate": "%{x:,.0f} €<extra>%{fullData.name}</extra>",
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": state.slice_label,
                "y": labels,
                "x": [_f(r["balance"]) for r in rows],
                "marker": {"color": COLORS["balance"]},
                "hovertemplate": "%{x:,.0f} €<extra>%{fullData.name}</extra>",
            },
        ]
        title = _("Saldo: %(a)s gegen %(b)s") % {"a": state.slice_label, "b": state.base_label}
    else:
        data = [
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": labels,
                "x": [_f(r[key]) for r in rows],
                "marker": {"color": COLORS[key]},
                "hovertemplate": "%{x:,.0f} €<extra>%{fullData.name}</extra>",
            }
            for key, name in (("revenue", state.revenue_label), ("expense", state.expense_label))
        ]
        title = _("%(level)s: %(revenue)s und %(expense)s %(slice)s") % {
            "level": state.level_label,
            "revenue": state.revenue_label,
            "expense": state.expense_label,
            "slice": state.slice_label,
        }
    layout = {
        **_LAYOUT,
        "title": {"text": title, "font": {"size": 14}},
        "barmode": "group",
        "height": max(320, 28 * len(rows) + 120),
        "margin": {"l": 260, "r": 20, "t": 40, "b": 50},
        "xaxis": {**money_ticks([x for trace in data for x in trace["x"]]), "automargin": True},
        "yaxis": {"automargin": True},
    }
    return {"data": data, "layout": layout}
