"""Environment variables and secrets: the production env file, development defaults, hardcoded credentials.

Nothing here ever returns a secret's value: findings say *which* variable or *which* file and line
holds a secret, and what kind it is.  Known development defaults that are long (the Supabase local
demo keys and JWT secret) are kept as SHA-256 digests, so this module does not itself look like a
leak to secret scanners; a JWT issued by ``supabase-demo`` is recognised by its claims.

Hardcoded credentials are found with detect-secrets (its default plugins and filters) over the
repository's tracked files; when ``.secrets.baseline`` exists, its settings are used and its
entries are accepted unless audited as real secrets (``is_secret: true``), as detect-secrets-hook
does for pre-commit.  One filter is added: GitHub Actions references (``secrets: inherit``,
``${{ secrets.X }}``) name a secret, they do not hold one.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.repo.git_repo import run_git

__all__ = [
    "DEV_DEFAULTS",
    "EnvFileFacts",
    "HardcodedFacts",
    "assess_env_file",
    "assess_hardcoded",
    "assess_rotated",
    "dev_default_reason",
    "gather_env_file",
    "jwt_claims",
    "parse_env_file",
    "password_in",
    "private_mode",
    "scan_hardcoded",
]

#: Short, well-known development values (compared case-insensitively).
DEV_DEFAULTS = frozenset(
    {
        "postgres",
        "password",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "admin",
        "root",
        "test",
        "example",
        "default",
        "123456",
        "12345678",
        "password123",
        "letmein",
        "supabase",
        "redis",
        "dev",
        "development",
        "your-password",
        "your-secret",
        "your_secret_here",
        "xxx",
        "todo",
    }
)
#: SHA-256 of long public development values: Supabase local anon key, service_role key, JWT secret.
DEV_DEFAULT_SHA256 = {
    "bf1725a8f98bea37e88618702e725ba84bd8acdb2647c5e0ed638bfd685791cf": "Supabase demo anon key",
    "70541e07fd4f900b66e289f5be55c85f9bef1def4924a5b0c518c45ea1688c12": "Supabase demo service_role key",
    "a064b502e61d27e94b8717290e5e1b32e36720e9fbdf952ec81a84c07128cb37": "Supabase local JWT secret",
}
SECRET_NAME = re.compile(r"(password|passwd|pwd|secret|token|key\b|service[_-]?role)", re.I)
GIT_TIMEOUT_S = 10.0
MAX_SCAN_BYTES = 1_000_000
SKIP_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", "dist", "build", ".next", "vendor"}
)


# ------------------------------------------------------------------------------- env file


@dataclass(frozen=True)
class EnvFileFacts:
    path: str
    exists: bool
    mode: int | None = None
    in_git: bool = False
    ignored: bool | None = None
    tracked: bool | None = None


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_git(repo, args, GIT_TIMEOUT_S)


def gather_env_file(path: Path) -> EnvFileFacts:
    """Existence, permission bits and git status (ignored, tracked) of the env file."""
    if not path.is_file():
        return EnvFileFacts(str(path), False)
    mode = stat.S_IMODE(path.stat().st_mode)
    folder = path.parent
    inside = _git(folder, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return EnvFileFacts(str(path), True, mode, in_git=False)
    ignored = _git(folder, "check-ignore", "-q", "--no-index", path.name).returncode == 0
    tracked = _git(folder, "ls-files", "--error-unmatch", "--", path.name).returncode == 0
    return EnvFileFacts(str(path), True, mode, in_git=True, ignored=ignored, tracked=tracked)


def private_mode(subject: str, mode: int) -> Finding:
    """A file holding secrets gives no permission to group or others (mode 600 or stricter)."""
    private = mode & 0o077 == 0
    note = "" if private else "readable or writable by group/others"
    return Finding(subject, f"{mode:o}", "600 or stricter", private, note)


def assess_env_file(facts: EnvFileFacts) -> Assessment:
    """The file exists, has no group/other permission, and git ignores it and does not track it."""
    if not facts.exists:
        return Assessment.single("production env file", facts.path, "missing", "present", False)
    mode = facts.mode or 0
    findings = [
        Finding(f"{facts.path} exists", True, True, True),
        private_mode(f"{facts.path} mode", mode),
    ]
    if facts.in_git:
        findings.append(
            Finding(
                f"{facts.path} git",
                {"ignored": facts.ignored, "tracked": facts.tracked},
                {"ignored": True, "tracked": False},
                bool(facts.ignored) and not facts.tracked,
                "committed secrets stay in the history" if facts.tracked else "",
            )
        )
    else:
        findings.append(
            Finding(f"{facts.path} git", "not inside a git work tree", "cannot be committed", True)
        )
    return Assessment.of("production env file secured", findings)


def parse_env_file(path: Path) -> list[tuple[int, str, str]]:
    """``(line, name, value)`` of every assignment in a dotenv file (python-dotenv's parser)."""
    from dotenv.parser import parse_stream

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ProbeError(f"{path}: cannot read ({exc.strerror})") from None
    return [
        (b.original.line, b.key, b.value or "")
        for b in parse_stream(io.StringIO(text))
        if b.key and not b.error
    ]


# --------------------------------------------------------------------------- dev defaults


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT-shaped string (not verified), or None."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[0].startswith("eyJ"):
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def password_in(value: str) -> str | None:
    """The password inside a URL (``scheme://user:pw@host``) or a libpq ``key=value`` DSN."""
    if "://" in value:
        try:
            pw = urlsplit(value).password
        except ValueError:
            return None
        return unquote(pw) if pw else None
    m = re.search(r"(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", value)
    if m:
        return m.group(1).strip("'")
    return None


def dev_default_reason(value: str, extra: Iterable[str] = ()) -> str | None:
    """Why ``value`` is a development default, or None.  Never returns the value."""
    text = value.strip()
    if not text:
        return None
    if text.lower() in DEV_DEFAULTS or text in set(extra):
        return "a well-known development default"
    known = DEV_DEFAULT_SHA256.get(hashlib.sha256(text.encode()).hexdigest())
    if known:
        return known
    claims = jwt_claims(text)
    if claims and claims.get("iss") == "supabase-demo":
        return "a JWT issued by supabase-demo (local development)"
    return None


def assess_rotated(candidates: Sequence[tuple[str, str]], extra: Iterable[str] = ()) -> Assessment:
    """No configured secret (subject, value) equals a development default; values never reported."""
    extra = list(extra)
    findings = []
    for subject, value in candidates:
        reason = dev_default_reason(value, extra)
        findings.append(
            Finding(subject, reason or "not a known default", "not a development default", reason is None)
        )
    return Assessment.of("secrets rotated from development values", findings, empty_ok=False)


def secret_candidates(
    sections: Mapping[str, Mapping[str, Any]],
    secret_keys: Mapping[str, Iterable[str]],
    env_entries: Sequence[tuple[int, str, str]],
    env_name: str,
) -> list[tuple[str, str]]:
    """Secrets to compare: secret keys of the environment (passwords of DSNs) and the env file's."""
    out: list[tuple[str, str]] = []
    for section, keys in secret_keys.items():
        for key in keys:
            value = sections.get(section, {}).get(key)
            if not isinstance(value, str) or not value:
                continue
            pw = password_in(value)
            if pw is not None:
                out.append((f"[{section}] {key} password", pw))
            elif "://" not in value and "=" not in value:
                out.append((f"[{section}] {key}", value))
    for line, name, value in env_entries:
        pw = password_in(value)
        if pw is not None:
            out.append((f"{env_name}:{line} {name} password", pw))
        elif SECRET_NAME.search(name) and value:
            out.append((f"{env_name}:{line} {name}", value))
    return out


# ------------------------------------------------------------------------- detect-secrets

WORKFLOW_FILTER = "pytest_readiness.probes.repo.secrets.is_workflow_reference"
_WORKFLOW_EXPRESSION = re.compile(r"""(?:\$\{\{[^}'"`]*\}\}\s*)+""")


def _is_actions_file(filename: str) -> bool:
    parts = Path(filename).parts
    return Path(filename).suffix in (".yml", ".yaml") and (
        ".github" in parts or Path(filename).name in ("action.yml", "action.yaml")
    )


def is_workflow_reference(secret: str, filename: str) -> bool:
    """detect-secrets filter: GitHub Actions syntax that names a secret without holding it.

    ``secrets: inherit`` and values made only of ``${{ ... }}`` expressions (``${{ secrets.X }}``,
    ``${{ github.token }}``, ``${{ steps.a.outputs.b }}``) are references resolved by the runner; an
    expression with a string literal inside, or any literal value, is still reported.
    """
    if not _is_actions_file(filename):
        return False
    value = secret.strip().strip("'\"").strip()
    return value == "inherit" or bool(_WORKFLOW_EXPRESSION.fullmatch(value))


@dataclass(frozen=True)
class HardcodedFacts:
    files_scanned: int
    findings: list[dict[str, Any]] = field(default_factory=list)  # file, line, type (never the secret)
    baseline: str | None = None
    accepted: int = 0


def repo_files(repo: Path) -> list[str]:
    """Tracked files (``git ls-files``) or, outside git, every file but vendored/build folders."""
    inside = _git(repo, "rev-parse", "--is-inside-work-tree")
    if inside.returncode == 0 and inside.stdout.strip() == "true":
        out = _git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        names = [n for n in out.stdout.split("\0") if n]
    else:
        names = []
        for root, dirs, files in os.walk(repo):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            names.extend(os.path.relpath(os.path.join(root, f), repo) for f in files)
    keep = []
    for name in sorted(names):
        p = repo / name
        try:
            if p.is_file() and not p.is_symlink() and p.stat().st_size <= MAX_SCAN_BYTES:
                keep.append(name)
        except OSError:
            continue
    return keep


def scan_hardcoded(repo: Path, files: Sequence[str] | None = None) -> HardcodedFacts:
    """detect-secrets over the repository, honouring ``.secrets.baseline``."""
    from detect_secrets.core import baseline as ds_baseline
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings, get_filters, transient_settings

    names = list(files) if files is not None else repo_files(repo)
    base_path = repo / ".secrets.baseline"
    accepted_keys: set[tuple[str, str, str]] = set()
    collection = SecretsCollection(root=str(repo))
    if base_path.is_file():
        try:
            data = ds_baseline.load_from_file(str(base_path))
            data = ds_baseline.upgrade(data)
        except Exception as exc:  # detect-secrets raises bare errors on malformed baselines
            raise ProbeError(
                f"{base_path}: unreadable detect-secrets baseline ({type(exc).__name__})"
            ) from None
        for filename, entries in (data.get("results") or {}).items():
            for e in entries:
                if e.get("is_secret") is not True:
                    accepted_keys.add((filename, str(e.get("type")), str(e.get("hashed_secret"))))
        ctx = transient_settings({k: v for k, v in data.items() if k in ("plugins_used", "filters_used")})
    else:
        ctx = default_settings()
    with ctx as settings:
        settings.filters[WORKFLOW_FILTER] = {}
        get_filters.cache_clear()
        for name in names:
            if name == ".secrets.baseline":
                continue
            collection.scan_file(name)
    findings, accepted = [], 0
    for filename, secret in collection:
        if (filename, secret.type, secret.secret_hash) in accepted_keys:
            accepted += 1
            continue
        findings.append({"file": filename, "line": secret.line_number, "type": secret.type})
    findings.sort(key=lambda f: (f["file"], f["line"] or 0, f["type"]))
    return HardcodedFacts(
        len(names), findings, ".secrets.baseline" if base_path.is_file() else None, accepted
    )


def assess_hardcoded(facts: HardcodedFacts) -> Assessment:
    findings = [
        Finding(
            f"{f['file']}:{f['line']}",
            f["type"],
            "no credential in the code",
            False,
            "potential secret (value not shown); remove it and rotate",
        )
        for f in facts.findings
    ]
    note = f"{facts.files_scanned} files scanned"
    if facts.baseline:
        note += f"; {facts.accepted} finding(s) accepted by {facts.baseline}"
    findings.append(Finding("repository scan (detect-secrets)", note, "completed", True))
    return Assessment.of("no hardcoded credentials", findings)
