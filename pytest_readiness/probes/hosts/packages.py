"""No development packages in the running image: ``pip list`` there against the production set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.probes.hosts.connect import HostHandle, gatherer
from pytest_readiness.probes.repo.python_deps import DEV_TOOLS


@dataclass(frozen=True)
class InstalledFacts:
    subject: str
    packages: dict[str, str]  # canonical name -> version


@gatherer
def gather_installed(h: HostHandle, pip: str) -> InstalledFacts:
    """testinfra's pip module (``pip list --format=json``) with the image's pip."""
    found = h.host.pip.get_packages(pip_path=pip)
    return InstalledFacts(
        h.subject(pip), {canonicalize_name(k): str(v.get("version", "")) for k, v in found.items()}
    )


def assess_no_dev_packages(
    facts: InstalledFacts, production: Iterable[str], extra_dev: Iterable[str] = ()
) -> Assessment:
    prod = {canonicalize_name(p) for p in production}
    dev = DEV_TOOLS | {canonicalize_name(p) for p in extra_dev}
    bad = sorted(n for n in facts.packages if n in dev and n not in prod)
    findings = [
        Finding(
            f"{facts.subject} {n}",
            facts.packages[n],
            "not installed",
            False,
            "development tool in the production image",
        )
        for n in bad
    ]
    if not bad:
        findings.append(
            Finding(
                facts.subject,
                f"{len(facts.packages)} packages, no development tool",
                "no development tool",
                True,
            )
        )
    return Assessment.of("image dev packages", findings)
