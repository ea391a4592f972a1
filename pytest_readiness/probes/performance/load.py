"""The built-in load probe: a bounded, open-loop (constant arrival rate) HTTP GET load generator.

Why open loop: a closed-loop tool (one request after the other per connection, like ``wrk``) sends
nothing while the server stalls, so the stall hides in a handful of samples ("coordinated
omission").  Here request *i* is due at ``t0 + i / rate`` whatever happened before, and its latency
is measured from that intended time: requests that could not be sent because every connection was
stuck carry the wait in their latency, as wrk2 and k6's arrival-rate executors do.  A worker that
was idle and slept until the slot is not charged for up to :data:`TIMER_JITTER_S` of timer
overshoot (that is the generator's clock, not the server).

Safety: GET only, hard caps on rate, duration, total requests and connections, a timeout on every
request and a deadline on the whole run.  Refusing production is the fixture's job (it knows the
environment); the caps here hold whatever the caller asks.

Transport: one asyncio event loop, a pool of keep-alive HTTP/1.1 connections (asyncio streams and a
minimal response parser: status line, Content-Length, chunked), enough for several thousand
requests per second on one core.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pytest_readiness.assessment import Assessment, Finding
from pytest_readiness.errors import ProbeError
from pytest_readiness.probes.performance.slo import FIGURES, PerfFigures

__all__ = [
    "MAX_CONNECTIONS",
    "MAX_DURATION_S",
    "MAX_RATE",
    "MAX_REQUESTS",
    "LoadPlan",
    "LoadResult",
    "assess_run",
    "percentile",
    "run_load",
]

MAX_RATE = 5000.0
MAX_DURATION_S = 300.0
MAX_REQUESTS = 200_000
MAX_CONNECTIONS = 256
MAX_BODY_BYTES = 16 * 1024 * 1024
TIMER_JITTER_S = 0.002
USER_AGENT = "pytest-readiness-load/1"


@dataclass(frozen=True)
class LoadPlan:
    """GET ``urls`` round-robin at ``rate`` req/s for ``duration_s``, at most ``max_requests`` in all."""

    urls: tuple[str, ...]
    rate: float
    duration_s: float
    max_requests: int = 10_000
    connections: int = 64
    timeout_s: float = 10.0
    headers: Mapping[str, str] = field(default_factory=dict)
    ssl_context: ssl.SSLContext | None = None

    @property
    def total(self) -> int:
        return min(self.max_requests, math.floor(self.rate * self.duration_s))

    def validate(self) -> None:
        """Refuse plans outside the hard caps instead of silently clamping them."""
        if not self.urls:
            raise ProbeError("load probe: no endpoint configured ([load] endpoints)")
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ProbeError(f"load probe: {url!r} is not an http(s) URL")
        checks = (
            (0 < self.rate <= MAX_RATE, f"rate {self.rate} req/s outside (0, {MAX_RATE:g}]"),
            (
                0 < self.duration_s <= MAX_DURATION_S,
                f"duration {self.duration_s} s outside (0, {MAX_DURATION_S:g}]",
            ),
            (
                0 < self.max_requests <= MAX_REQUESTS,
                f"max_requests {self.max_requests} outside (0, {MAX_REQUESTS}]",
            ),
            (
                0 < self.connections <= MAX_CONNECTIONS,
                f"connections {self.connections} outside (0, {MAX_CONNECTIONS}]",
            ),
            (self.timeout_s > 0, "timeout must be positive"),
            (self.total >= 1, "the plan sends no request (rate x duration < 1)"),
        )
        for ok, why in checks:
            if not ok:
                raise ProbeError(f"load probe refused: {why}")


@dataclass(frozen=True)
class Sample:
    """One request: when it was due (s after t0), its latency from then, its status (0: transport error)."""

    due_s: float
    latency_ms: float
    status: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of unsorted values."""
    if not values:
        raise ProbeError("no sample to compute a percentile from")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class LoadResult:
    plan_rate: float
    planned: int
    samples: tuple[Sample, ...]
    #: Rate at which requests actually left (first to last send): did the generator hold the plan?
    send_rate: float
    #: Completed requests per second of wall time (first send to last completion).
    throughput: float
    elapsed_s: float
    urls: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if not s.ok)

    def error_kinds(self) -> dict[str, int]:
        return dict(Counter(s.error or f"HTTP {s.status}" for s in self.samples if not s.ok))

    def latency(self, q: float, due_from: float | None = None, due_to: float | None = None) -> float:
        """Percentile of the latencies (ms) of requests due in ``[due_from, due_to)`` (all by default)."""
        lo = -math.inf if due_from is None else due_from
        hi = math.inf if due_to is None else due_to
        return percentile([s.latency_ms for s in self.samples if lo <= s.due_s < hi], q)

    def figures(self) -> PerfFigures:
        rate = 100.0 * self.errors / len(self.samples) if self.samples else None
        note = f"built-in load probe, {len(self.samples)} requests at {self.plan_rate:g} req/s planned"
        return PerfFigures(
            source="load-probe",
            p50_ms=self.latency(50) if self.samples else None,
            p95_ms=self.latency(95) if self.samples else None,
            p99_ms=self.latency(99) if self.samples else None,
            error_rate_percent=rate,
            availability_percent=None if rate is None else 100.0 - rate,
            throughput_rps=self.throughput,
            requests=len(self.samples),
            notes=dict.fromkeys(FIGURES, note)
            | {"availability_percent": note + "; success ratio of the probe's requests"},
        )

    def summary(self) -> dict[str, float | int]:
        s = self.figures()
        return {
            "planned": self.planned,
            "completed": len(self.samples),
            "errors": self.errors,
            "send_rate": round(self.send_rate, 1),
            "throughput": round(self.throughput, 1),
            "p50_ms": round(s.p50_ms or 0, 2),
            "p95_ms": round(s.p95_ms or 0, 2),
            "p99_ms": round(s.p99_ms or 0, 2),
        }


class _Target:
    """A URL pre-split into connection key and request bytes."""

    def __init__(self, url: str, headers: Mapping[str, str]) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.tls else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc.rsplit("@", 1)[-1]
        lines = [f"GET {path} HTTP/1.1", f"Host: {host_header}", f"User-Agent: {USER_AGENT}", "Accept: */*"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.key = (self.tls, self.host, self.port)


Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _exchange(
    conns: dict[tuple[bool, str, int], Conn], target: _Target, ctx: ssl.SSLContext | None
) -> int:
    """Send one GET on a pooled connection; return the status.  Drops the connection on any doubt."""
    conn = conns.get(target.key)
    if conn is None:
        conn = await asyncio.open_connection(
            target.host,
            target.port,
            ssl=ctx if target.tls else None,
            server_hostname=target.host if target.tls else None,
            limit=1 << 20,
        )
        conns[target.key] = conn
    reader, writer = conn
    writer.write(target.request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        raise ConnectionError("malformed status line") from None
    length: int | None = None
    chunked = close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if chunked:
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            total += size
            if total > MAX_BODY_BYTES:
                raise ConnectionError("response body too large")
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        if length > MAX_BODY_BYTES:
            raise ConnectionError("response body too large")
        await reader.readexactly(length)
    elif status not in (204, 304) and not 100 <= status < 200:
        await reader.read(MAX_BODY_BYTES)  # body until close
        close = True
    if close:
        del conns[target.key]
        writer.close()
    return status


async def _run(plan: LoadPlan) -> LoadResult:
    loop = asyncio.get_running_loop()
    targets = [_Target(u, plan.headers) for u in plan.urls]
    ctx = plan.ssl_context or ssl.create_default_context()
    total = plan.total
    interval = 1.0 / plan.rate
    t0 = loop.time() + 0.05
    state = {"next": 0}
    samples: list[Sample] = []
    sends: list[float] = []
    last_done = [t0]

    async def worker() -> None:
        conns: dict[tuple[bool, str, int], Conn] = {}
        try:
            while state["next"] < total:
                i = state["next"]
                state["next"] = i + 1
                due = t0 + i * interval
                now = loop.time()
                forgiven = 0.0
                if due > now:
                    await asyncio.sleep(due - now)
                    forgiven = min(max(loop.time() - due, 0.0), TIMER_JITTER_S)
                target = targets[i % len(targets)]
                sends.append(loop.time())
                status, error = 0, ""
                try:
                    async with asyncio.timeout(plan.timeout_s):
                        status = await _exchange(conns, target, ctx)
                except TimeoutError:
                    error = "timeout"
                except (
                    OSError,
                    ConnectionError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                    ssl.SSLError,
                ) as exc:
                    error = type(exc).__name__
                if error:
                    dropped = conns.pop(target.key, None)
                    if dropped is not None:
                        dropped[1].close()
                done = loop.time()
                last_done[0] = max(last_done[0], done)
                samples.append(Sample(due - t0, (done - due - forgiven) * 1000.0, status, error))
        finally:
            for _, writer in conns.values():
                writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(min(plan.connections, total))]
    deadline = total * interval + plan.timeout_s + 5.0
    done, pending = await asyncio.wait(workers, timeout=deadline)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            raise ProbeError(f"load probe worker failed: {task.exception()!r}")
    if not sends:
        raise ProbeError("load probe sent nothing")
    span = sends[-1] - sends[0]
    send_rate = (len(sends) - 1) / span if span > 0 else float(len(sends))
    elapsed = last_done[0] - sends[0]
    throughput = len(samples) / elapsed if elapsed > 0 else float(len(samples))
    if all(s.status == 0 for s in samples):
        kinds = Counter(s.error for s in samples).most_common(2)
        raise ProbeError(f"load probe: no HTTP answer from {', '.join(plan.urls)} ({kinds})")
    samples.sort(key=lambda s: s.due_s)
    return LoadResult(plan.rate, total, tuple(samples), send_rate, throughput, elapsed, plan.urls)


def run_load(plan: LoadPlan) -> LoadResult:
    """Validate the plan, then drive it on a fresh event loop (blocking for about ``duration_s``)."""
    plan.validate()
    started = time.monotonic()
    result = asyncio.run(_run(plan))
    if time.monotonic() - started > plan.duration_s + plan.timeout_s + 30:
        raise ProbeError("load probe overran its deadline")  # pragma: no cover - defensive
    return result


def assess_run(result: LoadResult, tolerance: float = 0.05) -> Assessment:
    """The run is evidence only if every planned request completed and the generator held the rate."""
    held = result.send_rate >= (1 - tolerance) * result.plan_rate
    return Assessment.of(
        "built-in load probe executed",
        [
            Finding(
                "load-probe requests",
                len(result.samples),
                result.planned,
                len(result.samples) == result.planned,
                ", ".join(result.urls),
            ),
            Finding(
                "load-probe send rate",
                round(result.send_rate, 1),
                f">= {(1 - tolerance) * result.plan_rate:.1f} req/s ({result.plan_rate:g} planned)",
                held,
                ""
                if held
                else "the generator could not hold the planned rate: its figures understate the load",
            ),
        ],
        empty_ok=False,
    )
