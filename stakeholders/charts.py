"""Plotly figures of the stakeholder pages, built on the server as plain dicts (plotly.js from the
installed ``plotly`` package draws them; ``static/stakeholders/charts.js`` makes dots clickable)."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from stakeholders.models import Assessment, Relationship, Sector
from stakeholders.privacy import display_name

SECTOR_COLORS = {"public": "#1f5f99", "third": "#c0392b", "informal": "#2e7d32", "market": "#b7950b"}
SALIENCE_LABELS = {
    "none": _("keine"),
    "dormant": _("ruhend"),
    "discretionary": _("ermessensabhängig"),
    "demanding": _("fordernd"),
    "dominant": _("dominant"),
    "dangerous": _("gefährlich"),
    "dependent": _("abhängig"),
    "definitive": _("maßgeblich"),
}
_LAYOUT = {
    "separators": ",.",
    "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
    "legend": {"orientation": "h", "y": -0.15},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "hovermode": "closest",
}


def _jitter(pk: int) -> tuple[float, float]:
    """A small fixed offset per stakeholder so that equal scores do not hide each other."""
    angle = (pk * 2.399963) % (2 * math.pi)  # golden angle
    radius = 0.12 + 0.14 * ((pk * 7919) % 10) / 10
    return round(radius * math.cos(angle), 3), round(radius * math.sin(angle), 3)


def grid_figure(points: list[dict], *, personal: bool, urls: dict[int, str]) -> dict[str, Any]:
    """The power-interest grid: interest across, influence up, the four quadrants with their strategy,
    one trace per sector, and an arrow from the earlier position where a stakeholder moved."""
    strategies = {k: str(v) for k, v in Assessment.Strategy.choices}
    salience = {k: str(v) for k, v in SALIENCE_LABELS.items()}
    influence_label, interest_label = _("Einfluss"), _("Interesse")
    data = []
    for sector, label in Sector.choices:
        mine = [p for p in points if p["stakeholder"].sector == sector]
        if not mine:
            continue
        xs, ys, texts, links = [], [], [], []
        for p in mine:
            s = p["stakeholder"]
            dx, dy = _jitter(s.pk)
            xs.append(round(p["interest"] + dx, 3))
            ys.append(round(p["influence"] + dy, 3))
            texts.append(
                f"{display_name(s, personal)}<br>"
                f"{influence_label} {p['influence']} · {interest_label} {p['interest']}"
                f"<br>{salience[p['salience']]} · {strategies.get(p['strategy'], '')}"
            )
            links.append(urls[s.pk])
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": str(label),
                "x": xs,
                "y": ys,
                "text": texts,
                "customdata": links,
                "hovertemplate": "%{text}<extra></extra>",
                "marker": {"size": 13, "color": SECTOR_COLORS[sector], "line": {"width": 1, "color": "#fff"}},
            }
        )
    annotations = []
    for p in points:
        if p["from"]:
            dx, dy = _jitter(p["stakeholder"].pk)
            annotations.append(
                {
                    "x": p["interest"] + dx,
                    "y": p["influence"] + dy,
                    "ax": p["from"]["interest"] + dx,
                    "ay": p["from"]["influence"] + dy,
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowwidth": 1.5,
                    "arrowcolor": "#555",
                    "opacity": 0.8,
                    "text": "",
                }
            )
    quadrant_text = [
        (1.75, 5.35, _("Zufriedenstellen")),
        (4.25, 5.35, _("Eng einbinden")),
        (1.75, 0.65, _("Beobachten")),
        (4.25, 0.65, _("Informiert halten")),
    ]
    for x, y, text in quadrant_text:
        annotations.append(
            {"x": x, "y": y, "text": f"<b>{text}</b>", "showarrow": False, "font": {"color": "#666"}}
        )
    shade = {"type": "rect", "xref": "x", "yref": "y", "line": {"width": 0}, "layer": "below"}
    layout = {
        **_LAYOUT,
        "xaxis": {"title": {"text": _("Interesse")}, "range": [0.4, 5.6], "dtick": 1, "zeroline": False},
        "yaxis": {"title": {"text": _("Einfluss")}, "range": [0.4, 5.6], "dtick": 1, "zeroline": False},
        "shapes": [
            {**shade, "x0": 2.5, "x1": 5.6, "y0": 2.5, "y1": 5.6, "fillcolor": "rgba(192,57,43,0.07)"},
            {**shade, "x0": 0.4, "x1": 2.5, "y0": 2.5, "y1": 5.6, "fillcolor": "rgba(183,149,11,0.07)"},
            {**shade, "x0": 2.5, "x1": 5.6, "y0": 0.4, "y1": 2.5, "fillcolor": "rgba(31,95,153,0.07)"},
            {
                "type": "line",
                "x0": 2.5,
                "x1": 2.5,
                "y0": 0.4,
                "y1": 5.6,
                "line": {"color": "#999", "dash": "dot"},
            },
            {
                "type": "line",
                "x0": 0.4,
                "x1": 5.6,
                "y0": 2.5,
                "y1": 2.5,
                "line": {"color": "#999", "dash": "dot"},
            },
        ],
        "annotations": annotations,
        "height": 560,
    }
    return {"data": data, "layout": layout}


def sector_layout(groups: dict[int, str]) -> dict[int, tuple[float, float]]:
    """Positions in O(n): one cluster per sector on a circle, nodes on a sunflower spiral within it
    (a force layout costs seconds at 500 nodes; clusters by sector also show brokerage between them)."""
    centres = {"public": (0.0, 1.0), "third": (1.0, 0.0), "informal": (0.0, -1.0), "market": (-1.0, 0.0)}
    members: dict[str, list[int]] = {}
    for node in sorted(groups):
        members.setdefault(groups[node], []).append(node)
    positions = {}
    for sector, nodes in members.items():
        cx, cy = centres.get(sector, (0.0, 0.0))
        spread = 0.55 / math.sqrt(max(len(nodes), 1))
        for i, node in enumerate(nodes):
            r = spread * math.sqrt(i + 0.5)
            theta = i * 2.399963
            positions[node] = (round(cx + r * math.cos(theta), 4), round(cy + r * math.sin(theta), 4))
    return positions


def network_figure(
    stakeholders: dict[int, Any],
    relationships: list[tuple[int, int, str]],
    measures: dict[str, dict] | None,
    *,
    personal: bool,
    urls: dict[int, str],
    size_by: str = "degree",
) -> dict[str, Any]:
    """Nodes coloured by sector, sized by a centrality (from the snapshot of the date, else by degree),
    edges drawn per relationship kind."""
    positions = sector_layout({pk: s.sector for pk, s in stakeholders.items()})
    degree: dict[int, int] = dict.fromkeys(stakeholders, 0)
    kinds = dict(Relationship.Kind.choices)
    data = []
    by_kind: dict[str, tuple[list, list]] = {}
    for source, target, kind in relationships:
        if source not in positions or target not in positions:
            continue
        degree[source] += 1
        degree[target] += 1
        xs, ys = by_kind.setdefault(kind, ([], []))
        (x0, y0), (x1, y1) = positions[source], positions[target]
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    dash = {"conflict": "dot", "funding": "dash"}
    for kind, (xs, ys) in by_kind.items():
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": str(kinds.get(kind, kind)),
                "x": xs,
                "y": ys,
                "hoverinfo": "skip",
                "line": {
                    "width": 0.8,
                    "color": "#c0392b" if kind == "conflict" else "#9aa5b4",
                    "dash": dash.get(kind, "solid"),
                },
            }
        )
    top = max(degree.values(), default=0) or 1
    labels = {k: str(v) for k, v in (("degree", _("Grad")), ("between", _("Zwischen")), ("close", _("Nähe")))}
    labels["eigen"] = str(_("Eigenvektor"))
    for sector, label in Sector.choices:
        nodes = [pk for pk, s in stakeholders.items() if s.sector == sector]
        if not nodes:
            continue
        sizes, texts = [], []
        for pk in nodes:
            m = (measures or {}).get(str(pk))
            share = m[size_by] if m and size_by in m else degree[pk] / top
            sizes.append(8 + 22 * min(max(share, 0.0), 1.0) ** 0.5)
            text = display_name(stakeholders[pk], personal)
            if m:
                text += (
                    f"<br>{labels['degree']} {m['degree']:.2f} · {labels['between']} {m['betweenness']:.3f}"
                    f"<br>{labels['close']} {m['closeness']:.2f} · {labels['eigen']} {m['eigenvector']:.2f}"
                )
            texts.append(text)
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": str(label),
                "x": [positions[pk][0] for pk in nodes],
                "y": [positions[pk][1] for pk in nodes],
                "text": texts,
                "customdata": [urls[pk] for pk in nodes],
                "hovertemplate": "%{text}<extra></extra>",
                "marker": {
                    "size": sizes,
                    "color": SECTOR_COLORS[sector],
                    "line": {"width": 1, "color": "#fff"},
                },
            }
        )
    hidden = {"visible": False, "range": [-1.8, 1.8]}
    layout = {
        **_LAYOUT,
        "xaxis": hidden,
        "yaxis": {**hidden, "scaleanchor": "x"},
        "height": 620,
        "showlegend": True,
    }
    return {"data": data, "layout": layout}
