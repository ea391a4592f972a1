"""Container registry: do the images the manifests reference exist, at the release tag?

Speaks the Docker Registry HTTP API v2 / OCI distribution spec as GitHub Container Registry does:
``HEAD /v2/<name>/manifests/<reference>`` with the manifest media types in ``Accept``; a 401 carries
``WWW-Authenticate: Bearer realm=...,service=...,scope=...`` and the client fetches a pull token from
the realm (``GET /token?scope=repository:<name>:pull``), with the configured PAT as basic auth when
there is one (anonymous otherwise, which GHCR grants for public images).  HEAD only: nothing is pulled,
nothing is written.  Scanning, retention and access policies are not part of this API (GHCR exposes
none of them), so those items stay manual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

import requests

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes import transport
from pytest_readiness.probes.kubernetes.rules import parse_image

MANIFEST_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class ManifestFact:
    """What the registry said about ``repository@reference``."""

    repository: str
    reference: str
    exists: bool
    digest: str | None = None
    media_type: str | None = None


@dataclass(frozen=True)
class ImageCheck:
    """One reference to look up and the containers that use it."""

    repository: str
    reference: str
    tag: str | None
    digest: str | None
    used_by: tuple[str, ...] = ()


@dataclass
class RegistryClient:
    """A read-only v2 client with the bearer-token dance; tokens cached per repository."""

    url: str
    token: str | None = None
    username: str | None = None
    timeout: float = 10.0
    verify: bool | str = True
    session: requests.Session = field(default_factory=transport.new_session)
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlparse(self.url).netloc

    def manifest(self, repository: str, reference: str) -> ManifestFact:
        url = f"{self.url.rstrip('/')}/v2/{repository}/manifests/{reference}"
        headers = {"Accept": ", ".join(MANIFEST_TYPES)}
        resp = self._head(url, headers, repository)
        if resp.status_code == 401:
            self._authenticate(resp, repository)
            resp = self._head(url, headers, repository)
        what = f"{self.host}/{repository}:{reference}"
        if resp.status_code == 404:
            return ManifestFact(repository, reference, exists=False)
        if resp.status_code in (401, 403):
            raise ProbeError(
                f"registry denied pull of {what} (HTTP {resp.status_code}): token missing or lacks read"
            )
        if resp.status_code != 200:
            raise ProbeError(f"registry answered HTTP {resp.status_code} for {what}")
        return ManifestFact(
            repository,
            reference,
            exists=True,
            digest=resp.headers.get("Docker-Content-Digest"),
            media_type=resp.headers.get("Content-Type"),
        )

    def _head(self, url: str, headers: dict[str, str], repository: str) -> transport.Answer:
        bearer = self._tokens.get(repository)
        if bearer:
            headers = {**headers, "Authorization": f"Bearer {bearer}"}
        try:
            return transport.fetch(
                self.session,
                "HEAD",
                url,
                headers=headers,
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=True,
            )
        except transport.TransportError as exc:
            raise ProbeError(f"registry {self.host} {transport.describe(exc)}") from None

    def _authenticate(self, resp: transport.Answer, repository: str) -> None:
        challenge = resp.headers.get("WWW-Authenticate", "")
        scheme, _, params_text = challenge.partition(" ")
        params = dict(_CHALLENGE_PARAM.findall(params_text))
        if scheme.lower() != "bearer" or "realm" not in params:
            raise ProbeError(
                f"registry {self.host}: unsupported authentication challenge {scheme or '(none)'}"
            )
        query = {"scope": f"repository:{repository}:pull"}
        if params.get("service"):
            query["service"] = params["service"]
        auth = (self.username or "token", self.token) if self.token else None
        try:
            answer = transport.fetch(
                self.session,
                "GET",
                params["realm"],
                params=query,
                auth=auth,
                timeout=self.timeout,
                verify=self.verify,
            )
        except transport.TransportError as exc:
            raise ProbeError(f"registry token endpoint {transport.describe(exc)}") from None
        if answer.status_code != 200:
            raise ProbeError(
                f"registry token endpoint refused a pull token for {repository} (HTTP {answer.status_code})"
            )
        try:
            body = answer.json()
        except ValueError:
            raise ProbeError("registry token endpoint answered no JSON") from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise ProbeError("registry token endpoint answered no token")
        self._tokens[repository] = str(token)


def plan(
    images: Iterable[tuple[str, str]],
    registry_host: str,
    repositories: Sequence[str] = (),
    tag: str | None = None,
) -> list[ImageCheck]:
    """The references to look up: manifests' images hosted on ``registry_host`` (by digest when pinned,
    else by tag) and the configured ``repositories`` at the release ``tag``."""
    users: dict[tuple[str, str], list[str]] = {}
    meta: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for subject, image in images:
        if not image:
            continue
        ref = parse_image(image)
        if ref.registry != registry_host:
            continue
        reference = ref.digest or ref.tag or "latest"
        key = (ref.repository, reference)
        users.setdefault(key, []).append(subject)
        meta[key] = (ref.tag, ref.digest)
    if tag:
        for repo in repositories:
            key = (repo.removeprefix(registry_host + "/"), tag)
            users.setdefault(key, [])
            meta.setdefault(key, (tag, None))
    return [
        ImageCheck(repo, reference, *meta[(repo, reference)], used_by=tuple(users[(repo, reference)]))
        for repo, reference in sorted(users)
    ]


def assess_images_exist(
    checks: Sequence[ImageCheck], facts: Sequence[ManifestFact], host: str, release_tag: str | None = None
) -> Assessment:
    """Every referenced image exists in the registry; with a release tag, every image carries it."""
    by_key = {(f.repository, f.reference): f for f in facts}
    findings = []
    for check in checks:
        fact = by_key.get((check.repository, check.reference))
        exists = bool(fact and fact.exists)
        problems = [] if exists else ["manifest not found"]
        if release_tag and check.tag and check.tag != release_tag and not check.digest:
            problems.append(f"tag {check.tag} is not the release tag {release_tag}")
        observed: dict[str, object] = {"exists": exists, "digest": fact.digest if fact else None}
        if check.used_by:
            observed["used_by"] = list(check.used_by[:5]) + (
                [f"+{len(check.used_by) - 5}"] if len(check.used_by) > 5 else []
            )
        sep = "@" if check.reference.startswith("sha256:") else ":"
        findings.append(
            Finding(
                f"{host}/{check.repository}{sep}{check.reference}",
                observed,
                f"present{' at ' + release_tag if release_tag else ''}",
                not problems,
                "; ".join(problems),
            )
        )
    return Assessment.of("images in registry", findings, empty_ok=False)
