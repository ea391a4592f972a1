"""API documentation: an OpenAPI document that validates, and that documents every live route.

Validated with ``openapi-spec-validator`` (Swagger 2.0, OpenAPI 3.0/3.1/3.2 detected from the
document), every error listed with its location.  Route coverage matches configured routes
(``GET /users/42`` or ``/health``) against the documented path templates (``/users/{id}``), with the
path prefix of the first ``servers`` URL (or ``basePath``) taken into account.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from pytest_readiness import safe_yaml
from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError

DEFAULT_LOCATIONS = (
    "openapi.yaml",
    "openapi.yml",
    "openapi.json",
    "swagger.yaml",
    "swagger.yml",
    "swagger.json",
    "docs/openapi.yaml",
    "docs/openapi.yml",
    "docs/openapi.json",
    "docs/api/openapi.yaml",
    "docs/api/openapi.json",
    "api/openapi.yaml",
    "api/openapi.yml",
    "api/openapi.json",
    "spec/openapi.yaml",
    "backend/openapi.yaml",
    "backend/openapi.json",
    "public/openapi.json",
    "docs/swagger.yaml",
    "docs/swagger.json",
)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class OpenApiDoc:
    source: str
    version: str
    errors: tuple[str, ...]
    operations: tuple[tuple[str, str], ...]  # (METHOD, path template)
    base_path: str


def find_document(root: Path, configured: str | None = None) -> Path | None:
    if configured:
        return root / configured
    return next((root / c for c in DEFAULT_LOCATIONS if (root / c).is_file()), None)


def load(text: str, source: str) -> OpenApiDoc:
    """Parse (JSON or YAML) and validate; a document that is not even a mapping raises ``ProbeError``."""
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else safe_yaml.load(text, source)
    except (ValueError, yaml.YAMLError) as exc:
        return OpenApiDoc(source, "?", (f"not parsable: {str(exc).splitlines()[0]}",), (), "")
    if not isinstance(data, Mapping):
        raise ProbeError(f"{source}: not an OpenAPI document (top level is not a mapping)")
    version = str(data.get("openapi") or data.get("swagger") or "?")
    return OpenApiDoc(
        source, version, tuple(_errors(data, source)), tuple(_operations(data)), _base_path(data)
    )


def _errors(data: Mapping[str, Any], source: str) -> Iterable[str]:
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    try:
        cls = get_validator_cls(data)
    except ValidatorDetectError:
        yield "no 'openapi' or 'swagger' version field"
        return
    base = Path(source).resolve().as_uri() if "://" not in source else source
    validator = cls(SchemaPath.from_dict(data, base_uri=base))
    for n, err in enumerate(validator.iter_errors()):
        if n >= 20:
            yield "... more errors"
            break
        where = "/".join(str(p) for p in getattr(err, "path", ()) or ())
        yield f"{where or '(root)'}: {getattr(err, 'message', str(err))[:200]}"


def _operations(data: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    paths = data.get("paths") or {}
    if not isinstance(paths, Mapping):
        return
    for path, item in paths.items():
        if isinstance(item, Mapping):
            for method in METHODS:
                if method in item:
                    yield method.upper(), str(path)


def _base_path(data: Mapping[str, Any]) -> str:
    if "basePath" in data:
        return str(data["basePath"]).rstrip("/")
    servers = data.get("servers") or []
    if servers and isinstance(servers[0], Mapping):
        return urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")
    return ""


def assess_valid(doc: OpenApiDoc | None, expected_where: str) -> Assessment:
    if doc is None:
        return Assessment.single(
            "OpenAPI document valid", "OpenAPI document", "not found", expected_where, False
        )
    return Assessment.single(
        "OpenAPI document valid",
        doc.source,
        {"version": doc.version, "errors": list(doc.errors), "operations": len(doc.operations)},
        {"errors": [], "operations": ">= 1"},
        not doc.errors and bool(doc.operations),
    )


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template.rstrip("/") or "/")
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "/?", re.I)


def assess_routes(doc: OpenApiDoc, routes: Iterable[str]) -> Assessment:
    """Every configured route (``[METHOD ]/path``) is documented by some operation."""
    compiled = [(m, _template_regex(doc.base_path + p), p) for m, p in doc.operations]
    findings = []
    for route in routes:
        method, _, path = route.strip().rpartition(" ")
        method = method.upper().strip()
        path = urlsplit(path).path or "/"
        match = next((p for m, rx, p in compiled if rx.fullmatch(path) and (not method or m == method)), None)
        findings.append(Finding(route, match or "undocumented", "a documented operation", match is not None))
    return Assessment.of("every live route documented", findings)
