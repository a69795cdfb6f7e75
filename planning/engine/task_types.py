"""Task types and the room to act they leave (seed, Tabelle 1), with defaults per NRW product area.

Tabelle 1 of the seed ("Kommunale Aufgabenstruktur und Gestaltungsspielräume ausgewählter
Sozialleistungen", modified after Weiß/Leeske 2014, p. 84; examples after Landtag NRW 2014): the latitude
of a municipality shrinks from voluntary self-government tasks via mandatory self-government tasks to
tasks by instruction and commissioned tasks. The planning app shows it next to each product so that a
planner sees where savings or new measures are possible at all.

Defaults are a starting point for the planner, who can override them per product: a product area mixes
task types (area 06 holds both mandatory youth welfare and voluntary youth clubs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class TaskType(StrEnum):
    """Aufgabenart of a municipal task."""

    VOLUNTARY_SELF_GOVERNMENT = "voluntary_self_government"  # freiwillige Selbstverwaltungsaufgabe
    MANDATORY_SELF_GOVERNMENT = "mandatory_self_government"  # pflichtige Selbstverwaltungsaufgabe
    MANDATORY_BY_INSTRUCTION = "mandatory_by_instruction"  # Pflichtaufgabe zur Erfüllung nach Weisung
    COMMISSIONED = "commissioned"  # Auftragsangelegenheit für Bund und Land


@dataclass(frozen=True)
class TaskTypeInfo:
    """One column of Tabelle 1, in German (the seed's words) and English.

    ``steerability_*`` holds the steerability of (outcome, effectiveness, efficiency), i.e.
    Steuerbarkeit von Wirkungsziel, Effektivität, Effizienz.
    """

    task_type: TaskType
    name_de: str
    name_en: str
    sphere_de: str
    sphere_en: str
    examples_de: str
    examples_en: str
    latitude_de: str
    latitude_en: str
    supervision_de: str
    supervision_en: str
    steerability_de: tuple[str, str, str]
    steerability_en: tuple[str, str, str]
    rank: int  # 3 = most room to act, 0 = none; for sorting and colour scales


TASK_TYPES: Mapping[TaskType, TaskTypeInfo] = {
    TaskType.VOLUNTARY_SELF_GOVERNMENT: TaskTypeInfo(
        TaskType.VOLUNTARY_SELF_GOVERNMENT,
        "Freiwillige Selbstverwaltungsaufgabe",
        "Voluntary self-government task",
        "Eigener Wirkungskreis",
        "Own sphere of action",
        "Jugendtreffs, Jugendfreizeit, Förderung von Vereinen",
        "Youth clubs, youth leisure, funding of clubs",
        "Ob und Wie sind der Gemeinde überlassen",
        "Whether and how are left to the municipality",
        "Rechtsaufsicht",
        "Legal supervision",
        ("groß", "groß", "groß"),
        ("high", "high", "high"),
        3,
    ),
    TaskType.MANDATORY_SELF_GOVERNMENT: TaskTypeInfo(
        TaskType.MANDATORY_SELF_GOVERNMENT,
        "Pflichtige Selbstverwaltungsaufgabe",
        "Mandatory self-government task",
        "Eigener Wirkungskreis",
        "Own sphere of action",
        "Sozialhilfe nach SGB XII (ohne GSiA), Jugendhilfe SGB VIII, Kriegsopferfürsorge, "
        "Unterhaltsvorschussgesetz, Durchführung Asylbewerberleistungsgesetz",
        "Social assistance SGB XII (without basic income in old age), youth welfare SGB VIII, war victims' "
        "welfare, maintenance advance, asylum seekers' benefits",
        "Wie ist der Gemeinde überlassen",
        "How is left to the municipality",
        "Rechtsaufsicht",
        "Legal supervision",
        ("eingeschränkt", "groß", "groß"),
        ("limited", "high", "high"),
        2,
    ),
    TaskType.MANDATORY_BY_INSTRUCTION: TaskTypeInfo(
        TaskType.MANDATORY_BY_INSTRUCTION,
        "Pflichtaufgabe zur Erfüllung nach Weisung",
        "Mandatory task by instruction",
        "Übertragener Wirkungskreis",
        "Delegated sphere of action",
        "Grundsicherung im Alter und bei Erwerbsminderung (GSiA), SGB II",
        "Basic income in old age and reduced earning capacity (GSiA), SGB II",
        "Ermessensspielraum beim Wie",
        "Discretion in how",
        "Rechts- und Fachaufsicht",
        "Legal and technical supervision",
        ("gering", "eingeschränkt", "eingeschränkt"),
        ("low", "limited", "limited"),
        1,
    ),
    TaskType.COMMISSIONED: TaskTypeInfo(
        TaskType.COMMISSIONED,
        "Auftragsangelegenheit für Bund und Land",
        "Task commissioned by Bund or Land",
        "Übertragener Wirkungskreis",
        "Delegated sphere of action",
        "Elterngeld, Betreuungsgeld",
        "Parental allowance, childcare allowance",
        "Ob und Wie sind geregelt",
        "Whether and how are prescribed",
        "Rechts- und Fachaufsicht",
        "Legal and technical supervision",
        ("keine", "minimal", "klein"),
        ("none", "minimal", "small"),
        0,
    ),
}

_V = TaskType.VOLUNTARY_SELF_GOVERNMENT
_M = TaskType.MANDATORY_SELF_GOVERNMENT
_W = TaskType.MANDATORY_BY_INSTRUCTION
_C = TaskType.COMMISSIONED

#: Default task type per NRW product area (Produktbereich 01-17) with the reason, English.
#: An area default is the dominant type by budget volume, not the only one.
PRODUCT_AREA_TASK_TYPES: Mapping[str, tuple[TaskType, str]] = {
    "01": (_M, "internal administration is needed to run any task; how to organise it is municipal"),
    "02": (_W, "public order authorities act by instruction (OBG NRW); fire service is mandatory self-gov."),
    "03": (
        _M,
        "being school authority (Schulträger) is mandatory; buildings and equipment are municipal choice",
    ),
    "04": (_V, "museums, theatres, libraries, music schools are voluntary"),
    "05": (_M, "SGB XII social assistance, asylum seekers' benefits (Tabelle 1); GSiA/SGB II: see groups"),
    "06": (_M, "youth welfare SGB VIII incl. day care is mandatory; youth clubs (group 06.02) are voluntary"),
    "07": (_W, "public health service tasks are assigned by Land law with technical supervision"),
    "08": (_V, "sport facilities and club funding are voluntary (Tabelle 1: Förderung von Vereinen)"),
    "09": (_M, "land-use planning is a mandatory self-government task (planning sovereignty)"),
    "10": (_W, "building supervision acts as special public order authority, by instruction"),
    "11": (_M, "waste water and waste disposal are mandatory; how is municipal (often fee-financed)"),
    "12": (_M, "road maintenance (Straßenbaulast) is mandatory; standards are municipal choice"),
    "13": (_V, "landscape care beyond the Kreis authority's tasks is voluntary"),
    "14": (_V, "climate and environmental programmes of a municipality are voluntary"),
    "15": (_V, "economic development and tourism are voluntary"),
    "16": (_M, "taxes and allocations are set by law; the municipality chooses its tax multipliers"),
    "17": (_V, "foundations follow their statutes; the municipality chose to run them"),
}

#: Product-group overrides where Tabelle 1 names the task, in the numbering of the NRW product plans
#: seen in practice (e.g. Wesel: 05.01 SGB II, 05.02 SGB XII, 05.05 Unterhaltsvorschuss, 06.02
#: Jugendarbeit). Product groups are not binding in NRW: a municipality with another numbering maps its own.
PRODUCT_GROUP_TASK_TYPES: Mapping[str, tuple[TaskType, str]] = {
    "05.01": (_W, "SGB II is a mandatory task by instruction (Tabelle 1)"),
    "05.02": (_M, "social assistance SGB XII (without GSiA) is mandatory self-government (Tabelle 1)"),
    "05.03": (_M, "asylum seekers' benefits are mandatory self-government (Tabelle 1)"),
    "05.05": (_M, "maintenance advance (UVG) is mandatory self-government (Tabelle 1)"),
    "06.01": (_M, "day care for children (SGB VIII) is mandatory self-government"),
    "06.02": (_V, "youth work, youth clubs and leisure are voluntary (Tabelle 1)"),
}


def normalise_area(area: str | int) -> str:
    """'5', 5, '05' -> '05'."""
    return f"{int(str(area).strip()):02d}"


def normalise_group(area: str | int, group: str | int) -> str:
    """(5, 1) or ('05', '01') -> '05.01'."""
    return f"{normalise_area(area)}.{int(str(group).strip()):02d}"


def default_task_type(area: str | int, group: str | int | None = None) -> tuple[TaskType, str]:
    """Task type and reason for a product area (1..17) and optionally its product group number."""
    if group is not None:
        hit = PRODUCT_GROUP_TASK_TYPES.get(normalise_group(area, group))
        if hit:
            return hit
    key = normalise_area(area)
    if key not in PRODUCT_AREA_TASK_TYPES:
        raise KeyError(f"unknown NRW product area {area!r} (expected 1..17)")
    return PRODUCT_AREA_TASK_TYPES[key]
