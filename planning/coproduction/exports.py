"""The comparison of a facility's financing models as a PDF for a council committee (Ausschussvorlage):
the models side by side (present values from the budget's and from all parties' perspective, coverage
gap), cost and net burden per year, who pays what, the sensitivity table and the risks in words. The
figures are those of the comparison page (``selectors.facility_comparison``); the layout is the one PDF
presenter of the project (``core.pdf``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from core.numbers import format_money, format_number, format_percent
from core.pdf import PdfDocument
from planning.coproduction import selectors as sel
from planning.coproduction.models import Facility


def _eur(value: Decimal) -> str:
    return format_money(value, 0)


def comparison_pdf(facility: Facility) -> bytes:
    """Raises ``selectors.CoproductionError`` (e.g. a missing parameter) like the page does."""
    data = sel.facility_comparison(facility)
    models = data["models"]
    years = data["years"]
    doc = PdfDocument(
        _("Finanzierungsmodelle im Vergleich: %(f)s") % {"f": facility.name},
        subtitle=facility.municipality.name,
        landscape=len(models) > 1,
    )
    if facility.description:
        doc.paragraph(facility.description)
    doc.paragraph(
        _(
            "Horizont %(a)s–%(b)s (%(n)s Jahre); Kalkulationszins %(i)s (gültig am 1. Januar %(a)s). "
            "Nettobelastung = Zuschuss aus dem Haushalt − Kosten in Eigenregie; negativ heißt Entlastung. "
            "Ehrenamtsstunden sind mit dem Schattenlohn des Jahres bewertet."
        )
        % {
            "a": years[0],
            "b": years[-1],
            "n": len(years),
            "i": format_percent(data["discount_rate"], 2),
        }
    )
    if not models:
        doc.paragraph(_("Noch keine Modelle."))
        return doc.output()

    doc.heading(_("Modelle nebeneinander"))
    names = [m["model"].name + (" (" + _("gewählt") + ")" if m["model"].chosen else "") for m in models]
    numeric = set(range(1, len(models) + 1))
    doc.table(
        ["", *names],
        [
            [_("Organisationsform"), *[m["model"].get_form_display() for m in models]],
            [_("Kosten über den Horizont"), *[_eur(m["total_cost"]) for m in models]],
            [_("Barwert Haushalt"), *[_eur(m["result"].pv_municipal) for m in models]],
            [_("Barwert Eigenregie"), *[_eur(m["result"].pv_baseline) for m in models]],
            [_("Barwert Nettobelastung"), *[_eur(m["result"].pv_net_burden) for m in models]],
            [_("Barwert alle Beteiligten"), *[_eur(m["result"].pv_economic_cost) for m in models]],
            [_("Deckungslücke"), *[_eur(m["gap"]) for m in models]],
        ],
        numeric=numeric,
    )

    doc.heading(_("Kosten und Nettobelastung je Jahr"))
    # the models as letters in this wide table (A = the first model ...), named in a legend above it
    letters = [chr(ord("A") + i) if i < 26 else str(i + 1) for i in range(len(models))]
    doc.paragraph("; ".join(f"{letter} = {name}" for letter, name in zip(letters, names, strict=True)))
    header = [_("Jahr"), _("Eigenregie")]
    for letter in letters:
        header += [
            f"{letter}: {_('Kosten')}",
            f"{letter}: {_('Lücke')}",
            f"{letter}: {_('Haushalt')}",
            f"{letter}: {_('Netto')}",
        ]
    rows = []
    for i, year in enumerate(years):
        first = models[0]["years"][i]
        row = [str(year), _eur(first.baseline)]
        for m in models:
            r = m["years"][i]
            row += [_eur(r.economic_cost), _eur(r.gap), _eur(r.municipal), _eur(r.net_burden)]
        rows.append(row)
    doc.table(header, rows, numeric=set(range(1, len(header))), widths=[0.7, *[1.0] * (len(header) - 1)])
    doc.paragraph(_("Netto = Nettobelastung des Haushalts gegenüber der Eigenregie (negativ: Entlastung)."))

    doc.heading(_("Sensitivität (Barwert der Nettobelastung)"))
    variants = [
        ("base", _("Basis")),
        ("rate_low", _("Zins − 1 Punkt")),
        ("rate_high", _("Zins + 1 Punkt")),
        ("hours_low", _("halbe Ehrenamtsstunden")),
        ("grant_loss", _("alle Fördermittel fallen weg")),
    ]
    doc.table(
        [_("Annahme"), *names],
        [[label, *[_eur(m["sensitivity"][key]) for m in models]] for key, label in variants],
        numeric=numeric,
    )

    for m, name in zip(models, names, strict=True):
        doc.heading(name)
        if m["model"].note:
            doc.paragraph(m["model"].note)
        doc.heading(_("Wer trägt was (über den Horizont)"), level=2)
        share_rows = [
            [
                s["name"],
                s.get("partner") or "–",
                s["kind"],
                _eur(s["value"]),
                f"{format_number(s['share'], 1)} %",
            ]
            for s in m["shares"]
        ]
        if m["gap"]:
            share_rows.append(
                [_("Deckungslücke"), "–", "–", _eur(m["gap"]), f"{format_number(m['gap_share'], 1)} %"]
            )
        doc.table([_("Quelle"), _("Partner"), _("Art"), _("Wert"), _("Anteil")], share_rows, numeric={3, 4})
        doc.heading(_("Risiken"), level=2)
        if m["risks"]:
            doc.bullets(m["risks"])
        else:
            doc.paragraph(
                _("Keine der geprüften Risiken (Deckungslücke, auslaufende Förderung, Abhängigkeit).")
            )
    return doc.output()
