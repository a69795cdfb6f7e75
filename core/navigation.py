"""Sections of a municipality's navigation, contributed by each app in its AppConfig.ready().

Core cannot import the domain apps (imports flow one way), so they register themselves here:
``register_section("finance", _("Haushalt"), "finance:budget", order=20)``.
Overview panels work the same way: a template fragment plus a function that builds its context.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.permissions import Capability


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str  # reversed with kwargs={"slug": ...}
    order: int = 50
    capability: Capability = Capability.VIEW


@dataclass(frozen=True)
class OverviewPanel:
    key: str
    template: str
    context: Callable  # (request, municipality) -> dict
    order: int = 50


_sections: dict[str, Section] = {}
_panels: dict[str, OverviewPanel] = {}


def register_section(
    key: str, label, url_name: str, *, order: int = 50, capability: Capability = Capability.VIEW
) -> None:
    _sections[key] = Section(key, label, url_name, order, capability)


def register_overview_panel(key: str, template: str, context: Callable, *, order: int = 50) -> None:
    _panels[key] = OverviewPanel(key, template, context, order)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def overview_panels() -> list[OverviewPanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


@dataclass(frozen=True)
class SetupStep:
    """One step of a new municipality's first-run checklist (import a budget, set the opening balance ...)."""

    key: str
    label: str
    url_name: str  # reversed with kwargs={"slug": ...}
    done: Callable  # (municipality) -> bool
    order: int = 50
    capability: Capability = Capability.PLAN
    help: str = ""


_setup_steps: dict[str, SetupStep] = {}


def register_setup_step(step: SetupStep) -> None:
    _setup_steps[step.key] = step


def setup_steps() -> list[SetupStep]:
    return sorted(_setup_steps.values(), key=lambda s: (s.order, s.key))
