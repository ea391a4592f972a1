"""pytest-readiness wiring: options, marker, environment loading, controller-only reporting.

Nothing here probes or decides; see ``collector.py`` (verdicts), ``reporters/`` (outputs),
``fixtures/`` (targets) and ``probes/`` (knowledge of each system).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_readiness import applicability, distribution, environment, interrupt, redact, wire
from pytest_readiness import catalog as catalog_mod
from pytest_readiness.errors import ConfigError
from pytest_readiness.fixtures import modules as fixture_modules
from pytest_readiness.state import CATALOG_KEY, COLLECTOR_KEY, ENVIRONMENT_KEY

#: Release features (waivers, attestations, phases, drift, Markdown/HTML) and the pytest-html hooks.
pytest_plugins = [
    "pytest_readiness.release",
    "pytest_readiness.reporters.pytest_html",
    "pytest_readiness.distribution",
]

MARKER = "checklist"
CORE_FIXTURES = "pytest_readiness.fixtures.core"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_readiness import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("readiness", "production readiness")
    group.addoption(
        "--env",
        dest="readiness_env",
        metavar="NAME",
        help="environment to check: environments/NAME.toml (or a path to a .toml file)",
    )
    group.addoption(
        "--readiness-envdir",
        dest="readiness_envdir",
        metavar="DIR",
        help="folder of environment files (default: ini readiness_environments or ./environments)",
    )
    group.addoption(
        "--readiness-dir",
        dest="readiness_dir",
        metavar="DIR",
        help="folder for readiness.json, checklist.md, readiness.html (default: reports)",
    )
    group.addoption(
        "--readiness-catalog",
        dest="readiness_catalog",
        metavar="FILE",
        help="checklist catalog TOML (default: ini readiness_catalog or the packaged catalog)",
    )
    group.addoption(
        "--readiness-load",
        action="store_true",
        default=False,
        dest="readiness_load",
        help="run the built-in load probe against [load] endpoints (bounded; refused on production)",
    )
    group.addoption(
        "--readiness-allow-production-load",
        action="store_true",
        default=False,
        dest="readiness_allow_production_load",
        help="allow --readiness-load against an environment marked production",
    )
    parser.addini("readiness_environments", "folder of environment files", default="environments")
    parser.addini("readiness_catalog", "checklist catalog TOML file", default="")
    parser.addini("readiness_dir", "folder for the readiness reports", default="reports")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*ids): the checklist item IDs this test proves (see `readiness checklist list`)"
    )
    _register(config, [CORE_FIXTURES])
    catalog = _load_catalog(config)
    config.stash[CATALOG_KEY] = catalog
    env_name = config.getoption("readiness_env")
    if not env_name:
        return  # inert: the project's own tests pay nothing for the target fixtures and probes
    if config.option.debug:
        raise pytest.UsageError(
            "readiness configuration error: --debug is refused with --env: pytestdebug.log records every"
            " hook argument (fixture values, reports) outside redaction and would hold the secrets"
        )
    _register(config, fixture_modules())
    root = config.rootpath
    env_dir = Path(config.getoption("readiness_envdir") or config.getini("readiness_environments"))
    env_dir = env_dir if env_dir.is_absolute() else root / env_dir
    try:
        env = environment.load(env_name, env_dir, root)
        config.stash[applicability.GATE_KEY] = applicability.gate(env)
        config.stash[applicability.DECLARED_KEY] = applicability.declared(env, catalog)
    except ConfigError as exc:
        raise pytest.UsageError(f"readiness configuration error: {exc}") from None
    config.stash[ENVIRONMENT_KEY] = env
    _register(config, ["pytest_readiness.deadline"])  # the per-check deadline, last resort
    _prefer_loadgroup(config)
    _redact_log_records()
    if not hasattr(config, "workerinput") and not config.option.collectonly:
        from pytest_readiness.collector import Collector

        out_dir = Path(config.getoption("readiness_dir") or config.getini("readiness_dir"))
        collector = Collector(config, catalog, env, out_dir if out_dir.is_absolute() else root / out_dir)
        config.stash[COLLECTOR_KEY] = collector
        config.pluginmanager.register(collector, "readiness-collector")
        interrupt.install()


def _register(config: pytest.Config, names: list[str]) -> None:
    for name in names:
        if not config.pluginmanager.has_plugin(name):
            config.pluginmanager.register(importlib.import_module(name), name)


def pytest_unconfigure(config: pytest.Config) -> None:
    collector = config.stash.get(COLLECTOR_KEY, None)
    if collector is not None:
        interrupt.restore()
        del config.stash[COLLECTOR_KEY]
        config.pluginmanager.unregister(collector)


def _load_catalog(config: pytest.Config) -> catalog_mod.Catalog:
    option = config.getoption("readiness_catalog") or config.getini("readiness_catalog")
    path = None
    if option:
        path = Path(option)
        path = path if path.is_absolute() else config.rootpath / path
    try:
        return catalog_mod.load(path)
    except ConfigError as exc:
        raise pytest.UsageError(f"readiness configuration error: {exc}") from None


def _redact_log_records() -> None:
    """Scrub secrets from every log record at creation, whatever handler later prints it."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_readiness", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if redact.registered():
            record.msg = redact.redact(record.getMessage())
            record.args = ()
        return record

    make._readiness = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Collector, name: str, obj: object
) -> Generator[None, Any, Any]:
    """Unknown checklist IDs are collection errors of the module, naming the closest known IDs."""
    result = yield
    items = result if isinstance(result, list) else [result] if result is not None else []
    catalog = collector.config.stash.get(CATALOG_KEY, None)
    if catalog is None:
        return result
    for item in items:
        if not isinstance(item, pytest.Item):
            continue
        for item_id in wire.marked_ids(item):
            if item_id not in catalog:
                close = ", ".join(catalog.closest(item_id)) or "none"
                raise collector.CollectError(
                    f"{item.nodeid}: unknown checklist ID {item_id!r} (closest known: {close})"
                )
    return result


@pytest.hookimpl(tryfirst=True)  # before xdist's worker hook turns xdist_group marks into nodeid suffixes
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group checks per suite module for xdist; without ``--env``, skip checks that need a target."""
    if config.stash.get(ENVIRONMENT_KEY, None) is not None:
        _deselect_declared(config, items)
        if distribution.loadgroup(config):
            _group_by_module(items)
        return
    skip = pytest.mark.skip(reason="no environment selected (--env NAME)")
    for item in items:
        if item.get_closest_marker(MARKER) is not None and _uses_target_fixtures(item):
            item.add_marker(skip)


def _deselect_declared(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Checks that prove only items declared in ``[applicability]`` do not run (nothing to probe)."""
    declared = config.stash.get(applicability.DECLARED_KEY, {})
    if not declared:
        return
    drop = [i for i in items if applicability.covers(declared, wire.marked_ids(i))]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]


def _group_by_module(items: list[pytest.Item]) -> None:
    """Checks that share a target run on one worker, so each target is probed once per run.

    The unit is a suite module (or an ``xdist_group`` it names); units whose checks use the same
    session target fixture (``postgres_db`` in four suites, ``k8s_inventory`` in five) are merged
    into one group, named after its first unit.  Only effective with ``--dist loadgroup``, which
    :func:`_prefer_loadgroup` selects for readiness runs.
    """
    marked = [item for item in items if item.get_closest_marker(MARKER) is not None]
    groups = distribution.shared_target_groups({item: _unit(item) for item in marked}, _target_fixtures)
    for item in marked:
        item.add_marker(pytest.mark.xdist_group(groups[_unit(item)]))


def _unit(item: pytest.Item) -> str:
    named = item.get_closest_marker("xdist_group")
    if named is not None and named.args:
        return str(named.args[0])
    module = getattr(item, "module", None)
    return str(getattr(module, "__name__", item.path.stem))


def _target_fixtures(item: pytest.Item) -> set[str]:
    """Session fixtures of the target modules (``pytest_readiness.fixtures.*``) a check uses."""
    info = getattr(item, "_fixtureinfo", None)
    found: set[str] = set()
    for name, defs in (getattr(info, "name2fixturedefs", None) or {}).items():
        definition = defs[-1]
        module = getattr(definition.func, "__module__", "")
        if (
            definition.scope == "session"
            and module.startswith("pytest_readiness.fixtures.")
            and (module != CORE_FIXTURES)
        ):
            found.add(name)
    return found


def _prefer_loadgroup(config: pytest.Config) -> None:
    """Under xdist's default ``load`` distribution, switch to ``loadgroup`` (see _group_by_module).

    A worker re-parses the command line before xdist turns ``-n 2`` into ``load``, so it cannot tell
    by itself: the controller's mode reaches it in ``workerinput`` (see distribution.py).
    """
    if hasattr(config, "workerinput"):
        distribution.configure_worker(config)
        return
    if config.pluginmanager.hasplugin("xdist") and getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def _uses_target_fixtures(item: pytest.Item) -> bool:
    """True if the item asks for a fixture that only exists with ``--env`` (a target fixture)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    missing = set(info.names_closure) - set(info.name2fixturedefs) - {"request"}
    return bool(missing)


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """A parametrize value holding a secret gets a masked id: node ids are printed everywhere."""
    if isinstance(val, redact.Secret):
        return f"{argname}={redact.MASK}"
    if isinstance(val, str) and redact.registered():
        clean = redact.redact(val)
        return clean if clean != val else None
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Attach IDs and failure kind to the report; scrub secrets before it leaves the process."""
    report: pytest.TestReport = yield
    if item.config.stash.get(ENVIRONMENT_KEY, None) is not None:
        wire.annotate(item, call, report)
    return report
