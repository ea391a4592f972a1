"""Environment files: ``environments/NAME.toml`` parsed, ``${VAR}`` resolved, validated, secrets registered.

Every problem is a :class:`~pytest_readiness.errors.ConfigError` naming the file, the key and the
problem, raised before any probe runs.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_readiness import redact, sql_text
from pytest_readiness.env_schema import BOUNDS, REMOVED, SCHEMA, SCHEMES, Key
from pytest_readiness.errors import ConfigError
from pytest_readiness.thresholds import DEFAULTS

_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
_SECRET_NAME = re.compile(r"(password|passwd|secret|token|api[_-]?key|private[_-]?key)", re.I)
PRODUCTION_NAMES = frozenset({"prod", "production"})


@dataclass(frozen=True)
class Environment:
    """A validated environment: what the suites may probe, and how."""

    name: str
    file: Path
    root: Path
    data: Mapping[str, Mapping[str, Any]] = field(repr=False)
    secrets: frozenset[str] = field(default_factory=frozenset, repr=False)

    def section(self, name: str) -> Mapping[str, Any]:
        return self.data.get(name, {})

    def get(self, section: str, key: str, default: Any = None) -> Any:
        """The value set in the file, else its ``[thresholds]`` entry, else the schema's default.

        The schema (:class:`~pytest_readiness.env_schema.Key`) owns each default: the project's call
        sites pass none (``tests/core/test_schema_defaults.py``); ``default`` serves keys it lacks.
        """
        values = self.data.get(section, {})
        if key in values:
            return values[key]
        spec = SCHEMA.get(section, {}).get(key)
        if spec is not None and spec.threshold:
            return self.threshold(spec.threshold)
        if spec is not None and spec.default is not None:
            return copy.copy(spec.default)
        return default

    def path(self, section: str, key: str) -> Path | None:
        value = self.get(section, key)
        if value is None:
            return None
        return _resolve(self.root, value)

    def threshold(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise KeyError(f"unknown threshold {name!r}")
        return self.data.get("thresholds", {}).get(name, DEFAULTS[name])

    @property
    def timeout(self) -> float:
        return float(self.get("settings", "timeout_s"))

    @property
    def is_production(self) -> bool:
        value = self.get("settings", "production")  # default: the environment's name says so
        return self.name.lower() in PRODUCTION_NAMES if value is None else bool(value)

    def describe(self) -> dict[str, Any]:
        """The configured sections and keys, secrets masked: safe for reports."""
        out: dict[str, Any] = {}
        for section, values in self.data.items():
            out[section] = {
                k: (
                    redact.MASK
                    if SCHEMA.get(section, {}).get(k, Key("str")).secret
                    else redact.redact_value(v)
                )
                for k, v in values.items()
            }
        return out


def _resolve(root: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (root / path).resolve()


def available(env_dir: Path) -> list[str]:
    return sorted(p.stem for p in env_dir.glob("*.toml")) if env_dir.is_dir() else []


def locate(name_or_path: str, env_dir: Path) -> Path:
    """``--env NAME`` is ``env_dir/NAME.toml``; a value ending in ``.toml`` is a path."""
    if name_or_path.endswith(".toml"):
        path = Path(name_or_path)
        if path.is_dir():
            raise ConfigError(str(path), "", "is a directory, not an environment file")
        if not path.is_file():
            raise ConfigError(str(path), "", "environment file not found")
        return path
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", name_or_path):
        raise ConfigError(str(env_dir), "", f"invalid environment name {name_or_path!r}")
    path = env_dir / f"{name_or_path}.toml"
    if path.is_dir():
        raise ConfigError(str(path), "", "is a directory, not an environment file")
    if not path.is_file():
        known = ", ".join(available(env_dir)) or "none"
        raise ConfigError(str(path), "", f"unknown environment {name_or_path!r} (known: {known})")
    return path


def load(
    name_or_path: str, env_dir: Path, root: Path, environ: Mapping[str, str] | None = None
) -> Environment:
    """Read, interpolate and validate an environment file; register its secrets for redaction."""
    path = locate(name_or_path, env_dir)
    environ = os.environ if environ is None else environ
    shown = _shown(path, root)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(shown, "", f"malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, "", f"cannot read: {exc}") from None

    data: dict[str, dict[str, Any]] = {}
    secrets: set[str] = set()
    for section, values in raw.items():
        if section not in SCHEMA:
            raise ConfigError(shown, section, f"unknown section (known: {', '.join(sorted(SCHEMA))})")
        if not isinstance(values, dict):
            raise ConfigError(shown, section, "must be a table ([section])")
        data[section] = {}
        for key, value in values.items():
            dotted = f"{section}.{key}"
            spec = _spec(section, key, shown)
            templated = isinstance(value, str) and "${" in value
            value = _interpolate(value, environ, shown, dotted, secrets if spec.secret else None)
            if templated:
                value = _coerce(value, spec, shown, dotted)
            data[section][key] = _check_type(value, spec, shown, dotted)
            if spec.kind == "list" and spec.default and value == []:
                # an empty list would judge nothing (no page, no resource): the item must not pass on it
                problem = f"must not be empty (leave it out for {json.dumps(spec.default)})"
                raise ConfigError(shown, dotted, problem)
            _check_value(data[section][key], shown, dotted)
            _collect_secrets(key, spec, data[section][key], secrets)
            if spec.secret and isinstance(value, str) and value:
                data[section][key] = redact.Secret(value)  # its repr never shows it
    _warn_second_spellings(data.get("thresholds", {}), shown)
    redact.register(secrets)
    if "hosts" in data:
        from pytest_readiness import hosts_config

        hosts_config.validate(data["hosts"], shown, root)
    return Environment(name=path.stem, file=path, root=root, data=data, secrets=frozenset(secrets))


def _warn_second_spellings(thresholds: Mapping[str, Any], shown: str) -> None:
    """A number with a key of its own is set there; its ``[thresholds]`` spelling works one more release."""
    for section, keys in SCHEMA.items():
        for key, spec in keys.items():
            if spec.threshold and spec.threshold in thresholds:
                warnings.warn(
                    f"{shown}: [thresholds] {spec.threshold} is deprecated and goes in the next release; "
                    f"set [{section}] {key} instead",
                    FutureWarning,
                    stacklevel=3,
                )


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _spec(section: str, key: str, shown: str) -> Key:
    if section == "thresholds":
        if key not in DEFAULTS:
            raise ConfigError(
                shown, f"thresholds.{key}", f"unknown threshold (known: {', '.join(sorted(DEFAULTS))})"
            )
        default = DEFAULTS[key]
        return Key("str") if isinstance(default, str) else Key("float")
    if section == "applicability":
        return Key("str")  # keys are checklist IDs or globs, checked against the catalog
    if f"{section}.{key}" in REMOVED:
        raise ConfigError(
            shown,
            f"{section}.{key}",
            "no longer accepted: free text cannot pass an item; attest "
            f"{REMOVED[section + '.' + key]} in attestations.toml instead ([[attestation]] id, by, date, "
            "evidence_url, expires)",
        )
    spec = SCHEMA[section].get(key)
    if spec is None and section == "hosts":
        return Key("table")  # a named group of targets, validated by hosts_config
    if spec is None:
        raise ConfigError(
            shown, f"{section}.{key}", f"unknown key (known: {', '.join(sorted(SCHEMA[section]))})"
        )
    return spec


def _interpolate(
    value: Any, environ: Mapping[str, str], shown: str, dotted: str, secrets: set[str] | None
) -> Any:
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            name, default = match["name"], match["default"]
            if name in environ and (environ[name] or default is not None):
                resolved = environ[name] or (default or "")
            elif name in environ:
                hint = f"use ${{{name}:-}} to allow empty"
                raise ConfigError(shown, dotted, f"environment variable {name} is set but empty ({hint})")
            elif default is not None:
                resolved = default
            else:
                raise ConfigError(shown, dotted, f"environment variable {name} is not set")
            if secrets is not None or _SECRET_NAME.search(name):
                (secrets if secrets is not None else _extra).add(resolved)
            return resolved

        _extra: set[str] = set()
        out = _VAR.sub(sub, value)
        if _extra:
            redact.register(_extra)
        return out
    if isinstance(value, list):
        return [_interpolate(v, environ, shown, f"{dotted}[{i}]", secrets) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _interpolate(v, environ, shown, f"{dotted}.{k}", secrets) for k, v in value.items()}
    return value


def _coerce(value: str, spec: Key, shown: str, dotted: str) -> Any:
    """A number or boolean may come from a variable: ``port = "${DNS_PORT}"``."""
    try:
        if spec.kind == "int":
            return int(value)
        if spec.kind == "float":
            return float(value)
    except ValueError:
        raise ConfigError(shown, dotted, f"expected a {spec.kind} from the variable, got {value!r}") from None
    if spec.kind == "bool" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _check_type(value: Any, spec: Key, shown: str, dotted: str) -> Any:
    kind = spec.kind
    ok: bool
    if kind in ("str", "secret", "path"):
        ok = isinstance(value, str)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif kind == "table":
        ok = isinstance(value, dict)
    elif kind == "tables":
        ok = isinstance(value, list) and all(isinstance(v, dict) for v in value)
    elif kind == "sql":
        ok = isinstance(value, str)
        if ok and sql_text.statement_count(value) > 1:
            problem = "must hold one SQL statement, not several (it runs alone, in a read-only transaction)"
            raise ConfigError(shown, dotted, problem)
    else:
        ok = True
    if not ok:
        expected = {
            "list": "a list of strings",
            "tables": "a list of tables",
            "secret": "a string",
            "path": "a string (path)",
            "sql": "a string (one SQL statement)",
        }.get(kind, f"a {kind}")
        raise ConfigError(shown, dotted, f"expected {expected}, got {type(value).__name__}")
    return value


def _check_value(value: Any, shown: str, dotted: str) -> None:
    """Per-key value rules: URL/DSN schemes (:data:`SCHEMES`) and numeric bounds (:data:`BOUNDS`)."""
    allowed = SCHEMES.get(dotted)
    if allowed:
        for i, url in enumerate(value if isinstance(value, list) else [value]):
            problem = _scheme_problem(url, allowed, dotted.endswith(".dsn"))
            if problem:
                where = f"{dotted}[{i}]" if isinstance(value, list) else dotted
                raise ConfigError(shown, where, problem)
    bounds = BOUNDS.get(dotted)
    if bounds and isinstance(value, int | float):
        low, high = bounds
        if not (math.isfinite(value) and low < value <= high):
            raise ConfigError(shown, dotted, f"must be > {low:g} and <= {high:g}, got {value!r}")


def _scheme_problem(url: Any, allowed: tuple[str, ...], dsn: bool) -> str | None:
    """Why ``url`` has the wrong scheme (never quoting it: a DSN holds a password), else None."""
    if not isinstance(url, str) or not url:
        return None  # empty: explicitly not configured (``${VAR:-}``)
    want = ", ".join(allowed)
    if "://" not in url:
        if dsn and "=" in url:
            return None  # libpq keyword/value DSN: host=... dbname=...
        return f"no URL scheme (allowed: {want})"
    scheme = url.split("://", 1)[0].lower()
    if scheme not in allowed:
        return f"scheme {scheme!r} not allowed (allowed: {want})"
    return None


def _collect_secrets(key: str, spec: Key, value: Any, secrets: set[str]) -> None:
    if spec.secret and isinstance(value, str) and value:
        secrets.add(value)
        secrets.update(redact.secrets_in_url(value))
    elif isinstance(value, str) and "://" in value:
        secrets.update(redact.secrets_in_url(value))
    elif isinstance(value, list | dict):
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            if isinstance(item, dict):
                for k, v in item.items():
                    if isinstance(v, str) and _SECRET_NAME.search(k):
                        secrets.add(v)
            elif isinstance(item, str) and "://" in item:
                secrets.update(redact.secrets_in_url(item))
    if isinstance(value, str) and _SECRET_NAME.search(key):
        secrets.add(value)
