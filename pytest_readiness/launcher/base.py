"""Shared machinery for launching throw-away servers as child processes.

Every probe in this project is tested against *real* servers, so the launcher must be boring and
leak-proof: each service lives in its own temporary folder and process group, readiness is polled
with a real protocol round-trip under a deadline, failures carry the server's log tail, and every
started service is registered so that ``atexit`` and SIGTERM/SIGINT can still stop it.
"""

from __future__ import annotations

import abc
import atexit
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import ClassVar, NamedTuple, Self, TypedDict, Unpack, overload

from pytest_readiness.errors import ReadinessError

__all__ = [
    "POLL_INTERVAL",
    "Binary",
    "LauncherError",
    "Service",
    "ServicePath",
    "Timeouts",
    "find_binary",
    "free_port",
    "pid_alive",
    "registered_services",
    "stop_all",
]

#: Pause between two readiness polls; the only sleep the launcher ever does.
POLL_INTERVAL = 0.05
#: How many lines of server log an error message carries.
LOG_TAIL_LINES = 40
#: Markers in a server log meaning "someone grabbed our port between bind(0) and exec".
_PORT_RACE_MARKERS = ("address already in use", "address in use", "bind() to", "could not bind")


class LauncherError(ReadinessError):
    """A local server could not be prepared, started or stopped; the message carries its log tail."""


class Timeouts(TypedDict, total=False):
    """Per-instance overrides of a service's start/stop deadlines (defaults: class attributes)."""

    start_timeout: float
    stop_timeout: float


# --------------------------------------------------------------------------------------------------
# small helpers


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_binary(name: str, *candidates: str, env: str | None = None) -> str:
    """Locate a server binary or raise: a missing server must fail CI loudly, never skip."""
    if env and os.environ.get(env):
        override = os.environ[env]
        if os.access(override, os.X_OK):
            return override
        raise LauncherError(f"{env}={override!r} is not an executable file")
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return found
    where = ", ".join(candidates) or "PATH"
    raise LauncherError(f"server binary {name!r} not found (looked in {where}); install it")


class Binary(NamedTuple):
    """Where a server binary is found: its name on PATH, usual paths, the variable overriding them."""

    name: str
    paths: tuple[str, ...]
    env: str

    def find(self) -> str:
        """The executable, or :class:`LauncherError` naming where it was looked for."""
        return find_binary(self.name, *self.paths, env=self.env)


#: The servers the launcher starts from a fixed binary (PostgreSQL's come from its bindir), read by
#: the services and by ``readiness demo``'s prerequisite check.
PGBOUNCER = Binary("pgbouncer", ("/usr/sbin/pgbouncer",), "READINESS_PGBOUNCER")
REDIS = Binary("redis-server", ("/usr/bin/redis-server",), "READINESS_REDIS_SERVER")
NGINX = Binary("nginx", ("/usr/sbin/nginx",), "READINESS_NGINX")
PROMETHEUS = Binary("prometheus", ("/usr/bin/prometheus",), "READINESS_PROMETHEUS")
ALERTMANAGER = Binary(
    "prometheus-alertmanager",
    ("/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"),
    "READINESS_ALERTMANAGER",
)
SSHD = Binary("sshd", ("/usr/sbin/sshd",), "READINESS_SSHD")


def pid_alive(pid: int) -> bool:
    """True when ``pid`` is a running (non-zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # state is the first field after the parenthesised command name
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def group_alive(pgid: int) -> bool:
    """True when any non-zombie process still belongs to process group ``pgid``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def tail(paths: Sequence[Path], lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of each existing log file, labelled, for error messages."""
    chunks = []
    for path in paths:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        last = text.splitlines()[-lines:]
        if last:
            chunks.append(f"--- {path.name} (last {len(last)} lines) ---\n" + "\n".join(last))
    return "\n".join(chunks) if chunks else "(no log output)"


def generate_password() -> str:
    """A URL-safe random password, so DSNs never need escaping."""
    return secrets.token_urlsafe(18)


def tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def unverified_tls() -> ssl.SSLContext:
    """A client TLS context that accepts any certificate: readiness polls of our own servers only."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """Status code of a plain GET, or None when nothing answered (TLS is not verified here)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout, context=unverified_tls()) as resp:
            status: int = resp.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------------------------------
# running as an unprivileged user


def launch_prefix(user: str | None) -> list[str]:
    """``setpriv`` argv prefix: kernel parent-death signal, plus running as ``user`` when we are root.

    setpriv execs in place (unlike runuser, which forks), so the pid we track is the server itself.
    ``--pdeathsig TERM`` makes the kernel stop the server even if pytest is SIGKILLed (it fires when
    the *thread* that launched it dies, so start services from the main thread).
    """
    setpriv = shutil.which("setpriv", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
    as_root = os.geteuid() == 0
    if user is not None and as_root:
        try:
            pwd.getpwnam(user)
        except KeyError as exc:
            raise LauncherError(f"system user {user!r} (to run the server as non-root) is missing") from exc
        if setpriv is None:
            raise LauncherError("setpriv (util-linux) is required to run servers as a non-root user")
        return [setpriv, "--reuid", user, "--regid", user, "--init-groups", "--pdeathsig", "TERM", "--"]
    if setpriv is None:
        return []
    return [setpriv, "--pdeathsig", "TERM", "--"]


def chown_tree(path: Path, user: str) -> None:
    """Give ``path`` (recursively) to ``user`` when we are root; no-op otherwise."""
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


# --------------------------------------------------------------------------------------------------
# registry + emergency cleanup

_REGISTRY: dict[int, Service] = {}
_REGISTRY_LOCK = threading.RLock()
_PREVIOUS_HANDLERS: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}
_HANDLERS_INSTALLED = False


def registered_services() -> list[Service]:
    """Services started in this process and not yet stopped."""
    with _REGISTRY_LOCK:
        return list(_REGISTRY.values())


def stop_all() -> None:
    """Stop every registered service; used by atexit, signal handlers and tests. Never raises."""
    for service in reversed(registered_services()):
        with contextlib.suppress(Exception):
            service.stop()


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """Stop our servers first, then behave exactly as the previous handler would have."""
    stop_all()
    previous = _PREVIOUS_HANDLERS.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
        return
    if previous == signal.SIG_IGN:
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_signal_handlers() -> None:
    """Chain SIGTERM/SIGINT handlers once, from the main thread only (Python's rule)."""
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED or threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if previous is _on_signal:
            continue
        _PREVIOUS_HANDLERS[signum] = previous
        signal.signal(signum, _on_signal)
    _HANDLERS_INSTALLED = True


atexit.register(stop_all)


# --------------------------------------------------------------------------------------------------
# the Service abstraction


class ServicePath:
    """A file or folder inside the service's private folder, declared in one line as a class attribute.

    ``conf_path = ServicePath("redis.conf", "The generated redis.conf.")`` reads as
    ``service.dir / "redis.conf"``; like :attr:`Service.dir` it raises before start.
    """

    def __init__(self, relative: str, doc: str | None = None) -> None:
        self.relative = relative
        self.__doc__ = doc or f"``<service dir>/{relative}``."

    @overload
    def __get__(self, service: None, owner: type[Service]) -> ServicePath: ...
    @overload
    def __get__(self, service: Service, owner: type[Service]) -> Path: ...
    def __get__(self, service: Service | None, owner: type[Service]) -> Path | ServicePath:
        return self if service is None else service.dir / self.relative


class Service(abc.ABC):
    """One server process in its own temp folder, process group and registry slot.

    Subclasses fill in :meth:`prepare` (write config into :attr:`dir`), :meth:`command` (argv) and
    :meth:`is_ready` (a real protocol round-trip).  Ports are allocated in :meth:`allocate_ports`
    and re-allocated if the server reports the port was taken in the meantime.
    """

    #: Short name used for the temp folder prefix, log file and messages.
    name: ClassVar[str] = "service"
    #: Signal asking the server for a clean, quick shutdown.
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM
    #: Non-root user the server must run as when we are root (None: run as ourselves).
    run_as: ClassVar[str | None] = None
    #: Attempts when the freshly picked port turned out to be taken.
    port_attempts: ClassVar[int] = 3
    #: Seconds until the server must answer :meth:`is_ready`, and until it must exit after stop_signal.
    start_timeout: float = 60.0
    stop_timeout: float = 15.0
    #: The server binary, looked up at construction (None: the subclass finds its own).
    binary_spec: ClassVar[Binary | None] = None
    binary: str

    host = "127.0.0.1"

    def __init__(self, **timeouts: Unpack[Timeouts]) -> None:
        self.start_timeout = timeouts.get("start_timeout", self.start_timeout)
        self.stop_timeout = timeouts.get("stop_timeout", self.stop_timeout)
        if self.binary_spec is not None:
            self.binary = self.binary_spec.find()
        self.port = 0
        self._dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_handle: int | None = None
        self._stopping = False
        self.pid: int | None = None

    # -- to implement ---------------------------------------------------------------------------

    def allocate_ports(self) -> None:
        """Pick the port(s) this service listens on."""
        self.port = free_port()

    @abc.abstractmethod
    def prepare(self) -> None:
        """Write configuration / data files into :attr:`dir` before the server starts."""

    @abc.abstractmethod
    def command(self) -> list[str]:
        """argv of the server, running in the foreground."""

    @abc.abstractmethod
    def is_ready(self) -> bool:
        """One readiness poll: TCP connect plus a real protocol check. Must not raise."""

    def log_files(self) -> list[Path]:
        """Files whose tail explains a failure; the captured stdout/stderr by default."""
        return [self.log_path]

    # -- paths ------------------------------------------------------------------------------------

    @property
    def dir(self) -> Path:
        """The service's private temporary folder (exists between start and stop)."""
        if self._dir is None:
            raise LauncherError(f"{self.name}: not started")
        return self._dir

    @property
    def log_path(self) -> Path:
        """Captured stdout+stderr of the server process."""
        return self.dir / f"{self.name}.log"

    pidfile = ServicePath("launcher.pid", "File holding the server's pid, to check it is gone after stop.")

    def url_for(
        self,
        scheme: str,
        path: str = "",
        *,
        user: str = "",
        password: str | None = None,
        port: int | None = None,
    ) -> str:
        """``scheme://[user[:password]@]host:port[path]`` reaching this server (``port``: :attr:`port`)."""
        userinfo = f"{user}:{password}@" if password is not None else f"{user}@" if user else ""
        return f"{scheme}://{userinfo}{self.host}:{self.port if port is None else port}{path}"

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> Self:
        """Prepare, launch and wait until ready; on failure clean up and raise LauncherError."""
        if self._proc is not None:
            raise LauncherError(f"{self.name}: already started")
        _install_signal_handlers()
        for attempt in range(1, self.port_attempts + 1):
            try:
                self._start_once()
                return self
            except LauncherError as exc:
                retry = attempt < self.port_attempts and any(
                    marker in str(exc).lower() for marker in _PORT_RACE_MARKERS
                )
                if not retry:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _start_once(self) -> None:
        self._stopping = False
        self._dir = Path(tempfile.mkdtemp(prefix=f"readiness-{self.name}-"))
        try:
            self.allocate_ports()
            self.prepare()
            if self.run_as is not None:
                chown_tree(self.dir, self.run_as)
            argv = launch_prefix(self.run_as) + self.command()
            self._launch(argv)
            self._wait_ready(argv)
        except BaseException as exc:
            message = str(exc) if isinstance(exc, LauncherError) else None
            log = tail(self.log_files()) if message is None else None
            self.stop()
            if message is None and isinstance(exc, Exception):
                raise LauncherError(f"{self.name}: failed to start: {exc!r}\n{log}") from exc
            raise

    def _launch(self, argv: list[str]) -> None:
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._log_handle = fd
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise LauncherError(f"{self.name}: cannot execute {argv[0]!r}: {exc}") from exc
        self.pid = self._proc.pid
        with _REGISTRY_LOCK:
            _REGISTRY[id(self)] = self
        self.pidfile.write_text(f"{self._proc.pid}\n")

    def _wait_ready(self, argv: list[str]) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self._proc.poll()
            if code is not None:
                raise LauncherError(
                    f"{self.name}: exited with status {code} during startup\n"
                    f"command: {' '.join(argv)}\n{tail(self.log_files())}"
                )
            if self.is_ready():
                return
            if time.monotonic() > deadline:
                raise LauncherError(
                    f"{self.name}: not ready after {self.start_timeout:.0f}s on port {self.port}\n"
                    f"command: {' '.join(argv)}\n{tail(self.log_files())}"
                )
            time.sleep(POLL_INTERVAL)

    def stop(self) -> None:
        """Stop the server (stop_signal, then SIGKILL to the whole group) and delete its folder.

        Idempotent and safe to call from a signal handler while another stop() is in progress.
        """
        if self._stopping:
            return
        self._stopping = True
        try:
            if self._proc is not None:
                self._terminate(self._proc)
        finally:
            proc = self._proc
            if proc is not None and proc.poll() is None:  # interrupted mid-stop: no graceful path left
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
            with _REGISTRY_LOCK:
                _REGISTRY.pop(id(self), None)
            if self._log_handle is not None:
                with contextlib.suppress(OSError):
                    os.close(self._log_handle)
                self._log_handle = None
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)
                self._dir = None
            self._proc = None

    def _terminate(self, proc: subprocess.Popen[bytes]) -> None:
        pgid = proc.pid  # start_new_session: the server leads its own group
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(self.stop_signal)
            if not self._wait_exit(proc, self.stop_timeout):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                if not self._wait_exit(proc, 5.0):
                    raise LauncherError(f"{self.name}: pid {proc.pid} survived SIGKILL")
        # stragglers (workers, backends) that outlived the leader
        deadline = time.monotonic() + 5.0
        while group_alive(pgid) and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            time.sleep(POLL_INTERVAL)

    @staticmethod
    def _wait_exit(proc: subprocess.Popen[bytes], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            if time.monotonic() > deadline:
                return False
            time.sleep(POLL_INTERVAL)
        return True

    def __enter__(self) -> Self:
        return self.start() if self._proc is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid={self.pid} port={self.port}" if self._proc is not None else "stopped"
        return f"<{type(self).__name__} {state}>"
