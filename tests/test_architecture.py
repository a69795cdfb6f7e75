"""The layout is checkable: the doors of docs/architecture.md as tests over the source (AST, no imports run).

- Jobs have one door: services start them by kind (``core.jobs.job_start``); every kind a service starts is
  registered; views, consumers and tasks never create jobs; services never import task modules.
- Apps import one way (``core`` <- ``finance``, ``stakeholders``, ``swot`` <- ``planning``).
- Planning reads finance only through its read API (``finance.selectors``, ``finance.vocabulary``, the
  models for foreign keys and type hints).
- Pure engines (``planning/engine/``) import no Django.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from core.jobs import job_registered_kinds

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "finance", "stakeholders", "swot", "planning")
LEVEL = {"core": 0, "finance": 1, "stakeholders": 1, "swot": 1, "planning": 2}
JOB_DOOR = {"job_start", "job_create", "job_enqueue"}


@dataclass(frozen=True)
class Module:
    name: str  # dotted: planning.projection.services
    path: Path
    tree: ast.Module

    @property
    def app(self) -> str:
        return self.name.split(".")[0]

    @property
    def is_service(self) -> bool:
        return "services" in self.name.split(".")

    def imports(self) -> list[tuple[int, str]]:
        """(line, dotted module or module.name) of every import, including those inside functions."""
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        return found


@cache
def modules() -> tuple[Module, ...]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found.append(Module(dotted, path, ast.parse(path.read_text(), filename=str(path))))
    return tuple(found)


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }


def job_starts() -> list[tuple[Module, int, str | None]]:
    """(module, line, kind) of every ``job_start(kind, ...)`` call (kind None when not a constant)."""
    calls = []
    for module in modules():
        constants = _constants(module.tree)
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Call)
                and _called_name(node) == "job_start"
                and module.name != "core.jobs"
            ):
                arg = node.args[0] if node.args else None
                kind = None
                if isinstance(arg, ast.Constant):
                    kind = arg.value
                elif isinstance(arg, ast.Name):
                    kind = constants.get(arg.id)
                calls.append((module, node.lineno, kind))
    return calls


# -- one door for jobs ------------------------------------------------------------------------------


def test_every_job_kind_a_service_starts_is_registered():
    # Given every job_start call in the apps
    calls = job_starts()
    # Then each names its kind as a constant, and the kind has a registered task
    assert {m.name for m, _, _ in calls} >= {"finance.services", "planning.projection.services"}
    unresolved = [f"{m.path.relative_to(ROOT)}:{line}" for m, line, kind in calls if kind is None]
    assert not unresolved, f"job_start with a kind that is not a string constant: {unresolved}"
    unknown = {kind for _, _, kind in calls} - job_registered_kinds()
    assert not unknown, f"job kinds started but not registered by any tasks module: {unknown}"


def test_only_services_start_jobs():
    # Views, API views, consumers, tasks and commands call a service, which starts the job
    offenders = [
        f"{module.path.relative_to(ROOT)}:{node.lineno} {_called_name(node)}"
        for module in modules()
        if not module.is_service and module.name != "core.jobs"
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call) and _called_name(node) in JOB_DOOR
    ]
    assert offenders == []


def test_services_never_import_tasks():
    offenders = [
        f"{module.path.relative_to(ROOT)}:{line} imports {name}"
        for module in modules()
        if module.is_service
        for line, name in module.imports()
        if "tasks" in name.split(".") and name.split(".")[0] in APPS
    ]
    assert offenders == []


def test_unknown_job_kind_is_refused_before_anything_is_written(db):
    from core.jobs import job_start
    from core.models import Job

    with pytest.raises(LookupError):
        job_start("planning.no_such_job")
    assert not Job.objects.exists()


# -- imports flow one way ---------------------------------------------------------------------------
#: What planning may import from finance: the read API. Models only for foreign keys and type hints.
FINANCE_READ_API = ("finance.selectors", "finance.vocabulary", "finance.models.BudgetVersion")


def _app_of(imported: str) -> str | None:
    head = imported.split(".")[0]
    return head if head in APPS else None


def test_a_lower_app_never_imports_a_higher_one():
    # core <- finance, stakeholders, swot <- planning; apps of one level do not import each other
    offenders = [
        f"{module.path.relative_to(ROOT)}:{line} imports {name}"
        for module in modules()
        for line, name in module.imports()
        if (target := _app_of(name)) is not None
        and target != module.app
        and LEVEL[target] >= LEVEL[module.app]
    ]
    assert offenders == []


def test_planning_reads_finance_only_through_its_read_api():
    offenders = [
        f"{module.path.relative_to(ROOT)}:{line} imports {name}"
        for module in modules()
        if module.app == "planning"
        for line, name in module.imports()
        if _app_of(name) == "finance" and not name.startswith(FINANCE_READ_API)
    ]
    assert offenders == []


#: Planning features, lower first: a feature may import the ones before it, never those after it.
FEATURE_ORDER = ("population", "projection", "resilience", "districts")


def test_a_planning_feature_never_imports_a_higher_one():
    def feature(dotted: str) -> str | None:
        parts = dotted.split(".")
        return parts[1] if len(parts) > 2 and parts[0] == "planning" and parts[1] in FEATURE_ORDER else None

    offenders = [
        f"{module.path.relative_to(ROOT)}:{line} imports {name}"
        for module in modules()
        if (own := feature(module.name)) is not None
        for line, name in module.imports()
        if (other := feature(name)) is not None and FEATURE_ORDER.index(other) > FEATURE_ORDER.index(own)
    ]
    assert offenders == []


def test_pure_engines_import_no_django():
    offenders = [
        f"{module.path.relative_to(ROOT)}:{line} imports {name}"
        for module in modules()
        if module.name.startswith("planning.engine")
        for line, name in module.imports()
        if name.split(".")[0] in {"django", "rest_framework", "channels", "celery", *APPS} - {"planning"}
        or (name.startswith("planning.") and not name.startswith("planning.engine"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "name", "rule"),
    [
        ("core.views", "finance.models.BudgetLine", test_a_lower_app_never_imports_a_higher_one),
        (
            "planning.projection.services",
            "finance.models.BudgetRollup",
            test_planning_reads_finance_only_through_its_read_api,
        ),
        ("planning.engine.scenarios", "django.db.models", test_pure_engines_import_no_django),
        (
            "planning.population.services",
            "planning.projection.services.projection_run",
            test_a_planning_feature_never_imports_a_higher_one,
        ),
    ],
)
def test_the_rules_catch_a_wrong_import(monkeypatch, module, name, rule):
    # Given one module with an import that breaks the rule
    original = {m.name: m for m in modules()}
    bad = original[module]
    tree = ast.parse(
        bad.path.read_text() + f"\nfrom {name.rsplit('.', 1)[0]} import {name.rsplit('.', 1)[1]}\n"
    )
    patched = tuple(Module(m.name, m.path, tree) if m.name == module else m for m in original.values())
    monkeypatch.setitem(globals(), "modules", lambda: patched)
    # Then the rule fails
    with pytest.raises(AssertionError):
        rule()
