"""The Next.js frontend's environment variables: what the code reads, what is set, what leaks.

Next.js inlines every ``NEXT_PUBLIC_*`` variable into the JavaScript shipped to browsers, so a
secret there (a Supabase ``service_role`` key, a Stripe secret key, a database URL) is public.  A
variable the code reads without a fallback and that nothing sets builds into ``undefined``.
Reads the checkout only; values are never reported, only *that* and *where*.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pytest_readiness.assessment import Assessment, Finding

SOURCE_SUFFIXES = frozenset({".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts"})
SKIP_DIRS = frozenset(
    {"node_modules", ".next", "dist", "build", "out", "coverage", ".git", ".turbo", ".vercel"}
)
#: The files ``next build`` loads in production, in precedence order.
DOTENV_FILES = (".env.production.local", ".env.local", ".env.production", ".env")
#: Set by Node, Next.js or the hosting platform, never by the project.
BUILTIN_VARS = frozenset(
    {"NODE_ENV", "NEXT_RUNTIME", "NEXT_PHASE", "PORT", "HOSTNAME", "CI", "TZ", "HOME", "PATH"}
)
BUILTIN_PREFIXES = ("VERCEL", "npm_", "__NEXT", "NEXT_PRIVATE_")
_REF = re.compile(
    r"process\.env(?:\.(?P<dot>[A-Za-z_][A-Za-z0-9_]*)|\[\s*['\"](?P<idx>[A-Za-z_][A-Za-z0-9_]*)['\"]\s*\])"
    r"(?P<fallback>\s*(?:\|\||\?\?))?"
)
_SECRET_NAME = re.compile(
    r"(SECRET|SERVICE_ROLE|PRIVATE_KEY|PASSWORD|PASSWD|DATABASE_URL|DB_URL|POSTGRES_URL|REDIS_URL|"
    r"JWT_SECRET|WEBHOOK_SECRET|SIGNING_KEY)",
    re.I,
)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.\-]*://[^:/@\s]+:[^@/\s]+@", re.I)
_STRIPE_SECRET = re.compile(r"^(sk|rk)_(live|test)_[A-Za-z0-9]{8,}")


@dataclass(frozen=True)
class FrontendEnv:
    """Variables the source reads (with where) and variables set (with by which file)."""

    folder: str
    referenced: Mapping[str, tuple[str, ...]]
    optional: frozenset[str]
    defined: Mapping[str, str]
    public_values: Mapping[str, str] = field(repr=False)


def parse_dotenv(text: str) -> dict[str, str]:
    """``KEY=value`` lines (``export`` prefix, quotes and comments allowed), as Next.js reads them."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", key):
            continue
        value = value.strip()
        if value[:1] in ("'", '"') and value.endswith(value[0]) and len(value) >= 2:
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out[key] = value
    return out


def _sources(folder: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            if Path(name).suffix in SOURCE_SUFFIXES:
                yield Path(dirpath) / name


def gather_frontend_env(
    folder: Path, extra_env_files: Iterable[Path] = (), environ: Mapping[str, str] | None = None
) -> FrontendEnv:
    """Scan the source for ``process.env`` reads and collect what the dotenv files and process set."""
    referenced: dict[str, list[str]] = {}
    with_fallback: dict[str, bool] = {}
    for path in _sources(folder):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        rel = path.relative_to(folder).as_posix()
        for match in _REF.finditer(text):
            name = match["dot"] or match["idx"]
            line = text.count("\n", 0, match.start()) + 1
            referenced.setdefault(name, []).append(f"{rel}:{line}")
            # Optional only if every read has a fallback.
            with_fallback[name] = with_fallback.get(name, True) and bool(match["fallback"])
    defined: dict[str, str] = {}
    public: dict[str, str] = {}
    environ = os.environ if environ is None else environ
    for name, value in environ.items():
        defined[name] = "process environment"
        if name.startswith("NEXT_PUBLIC_"):
            public[name] = value
    files = [folder / n for n in DOTENV_FILES] + list(extra_env_files)
    for path in reversed(files):  # highest precedence last, so it wins
        if path.is_file():
            values = parse_dotenv(path.read_text(encoding="utf-8", errors="replace"))
            for name, value in values.items():
                if name not in environ:
                    defined[name] = _rel(path, folder)
                    if name.startswith("NEXT_PUBLIC_"):
                        public[name] = value
    return FrontendEnv(
        folder=str(folder),
        referenced={k: tuple(v) for k, v in sorted(referenced.items())},
        optional=frozenset(k for k, v in with_fallback.items() if v),
        defined=defined,
        public_values=public,
    )


def _rel(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def _builtin(name: str) -> bool:
    return name in BUILTIN_VARS or name.startswith(BUILTIN_PREFIXES)


def assess_env_set(facts: FrontendEnv, required: Iterable[str] | None = None) -> Assessment:
    """Every variable the build needs is set: the configured list, else every read without a fallback."""
    if required is None:
        names = [n for n in facts.referenced if n not in facts.optional and not _builtin(n)]
    else:
        names = list(required)
    findings = []
    for name in names:
        where = facts.defined.get(name)
        used = list(facts.referenced.get(name, ()))[:3]
        findings.append(
            Finding(
                f"{name}",
                {"set_in": where, "read_at": used},
                "set (dotenv file or environment)",
                where is not None,
                "" if where else "read without a fallback but not set: builds to undefined",
            )
        )
    return Assessment.of("frontend environment variables set", findings)


def _jwt_role(value: str) -> str | None:
    parts = value.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    role = payload.get("role") if isinstance(payload, dict) else None
    return role if isinstance(role, str) else None


def secret_kind(name: str, value: str, known_secrets: Iterable[str] = ()) -> str | None:
    """Why a public variable holds a secret, or None; never returns the value itself."""
    if value and value in set(known_secrets):
        return "value equals a secret of the environment file"
    role = _jwt_role(value)
    if role in ("service_role", "supabase_admin"):
        return f"value is a Supabase JWT with role {role}"
    if _PEM.search(value):
        return "value is a PEM private key"
    if _URL_PASSWORD.match(value):
        return "value is a URL with an embedded password"
    if _STRIPE_SECRET.match(value):
        return "value is a Stripe secret key"
    if _SECRET_NAME.search(name.removeprefix("NEXT_PUBLIC_")):
        return "name says it is a secret"
    return None


def assess_no_public_secrets(facts: FrontendEnv, known_secrets: Iterable[str] = ()) -> Assessment:
    """No secret in a ``NEXT_PUBLIC_*`` variable, by name (set or read) or by value."""
    known = [s for s in known_secrets if len(s) >= 8]
    names = sorted(set(facts.public_values) | {n for n in facts.referenced if n.startswith("NEXT_PUBLIC_")})
    findings = []
    for name in names:
        why = secret_kind(name, facts.public_values.get(name, ""), known)
        where = facts.defined.get(name) or ", ".join(facts.referenced.get(name, ())[:2])
        findings.append(
            Finding(
                f"{name} ({where})",
                why or "no secret",
                "no secret in a browser-exposed variable",
                why is None,
                "NEXT_PUBLIC_ variables are inlined into the client bundle" if why else "",
            )
        )
    return Assessment.of("no secret in NEXT_PUBLIC_ variables", findings)
