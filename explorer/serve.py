"""``microgpt serve``: the classroom dashboard as a Voilà app for a whole class.

Called by ``microgpt.cli`` (which prints); nothing here prints. :func:`plan` checks everything a
user can get wrong before anything starts (Voilà installed, the notebook a readable regular
file holding a notebook, the shipped model readable, the port free, the pool within this
machine's available memory, Voilà and jupyter_server at the versions tested) and raises
:class:`MicrogptError` with what to do; :func:`serve` then runs Voilà in this process until
Ctrl-C.

The rules below are plain Python here (:class:`ClassroomKernels`, :class:`PagesAwaited`,
:class:`RefillSchedule`); :mod:`explorer.voila_adapter` is the one module that wires them into
Voilà's internals, and says which versions that is tested on. A Voilà or jupyter_server outside
the range pyproject.toml pins is refused with the pip command; one inside it but not the
version tested is served, after a warning line.

What the server is set up for (each a Voilà / Jupyter Server setting, see ``voila_config``):

- **pre-started kernels**: Voilà's ``preheat_kernel`` keeps a pool of kernels that have already
  run the notebook, so a student's page is served from a finished dashboard; the pool refills
  one kernel at a time, the first 10 s after a student takes a kernel and then one every
  ``REFILL_EVERY`` seconds (Voilà would start every refill of a burst at once, competing with
  the students' pages for the cores).
- **culling**: a kernel with no browser connected and idle for ``cull_idle`` seconds is shut
  down (``MappingKernelManager.cull_*``, ``cull_connected=False``: an open tab is never
  culled, however idle). Kernels waiting in the pool are never culled (Voilà spares them).
- **a closed tab frees its kernel at once**: Voilà's page sends a shutdown request when it is
  closed, with the ``_xsrf`` cookie as its XSRF token; Voilà's own page never sets that cookie,
  so the request was refused (403) and only culling freed the kernel. The app page here sets it.
- **an output timeout for a burst**: ``VoilaExecutor.iopub_timeout`` (Voilà's default, 4 s,
  dropped the dashboard's output of some pages when 20 students opened it at once).
- a kernel leaving the pool counts as active then: it may have waited there longer than the
  cull timeout, and would otherwise be culled before the student's page connects to it; a
  kernel still starting is not asked for its idle time (Voilà's culler logged an error for it),
  and a kernel handed out to a page (from the pool, or started for it when the pool is
  empty) is not culled before the page has connected to it (``PagesAwaited``, up to
  ``PAGE_GRACE`` seconds): in a burst, pages take longer than a short cull timeout to load,
  and their kernels were culled under them.
- ``GET /api/kernels``: the server's kernels (id, state, connections, last activity), read
  only; standalone Voilà has no such list. Starting or stopping kernels stays Voilà's.
- the shipped model, shared read-only: every kernel reads the checkpoint inside the package;
  training in the dashboard changes the kernel's copy in memory, never the file.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from microgpt.errors import ConfigError, DataError, MicrogptError
from microgpt.validate import check_input_file, check_int, human_bytes, quoted, read_input_file

from . import voila_adapter
from .lessons import DASHBOARD, lessons_dir

__all__ = [
    "KERNEL_BYTES",
    "ClassroomKernels",
    "PagesAwaited",
    "RefillSchedule",
    "ServePlan",
    "available_memory",
    "check_pool",
    "find_notebook",
    "handout_url",
    "plan",
    "serve",
    "voila_config",
]

NOTEBOOK = DASHBOARD
#: Memory one kernel of the pool holds once it has run the classroom dashboard (measured with
#: nbclient: 145 MB resident, 130 MB of it its own; 150 MB after a long name such as
#: christopher): a pool is refused if that many kernels would not fit in the memory available.
KERNEL_BYTES = 150_000_000
#: The largest notebook served (the classroom dashboard is a few KB).
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
#: Seconds a kernel handed out to a page is kept while the page has not connected to it yet
#: (its front end loading: a minute or more when a whole class opens it at once on a small
#: server), whatever the cull timeout.
PAGE_GRACE = 300.0
#: Seconds from a student taking a kernel to the first refill of the pool (Voilà's default, 1 s,
#: started refills while the burst's pages were still being served).
FILL_DELAY = 10.0
#: Seconds between two refills of the pool after students took kernels (one kernel's warm-up,
#: the notebook run, takes about 2-3 CPU-seconds).
REFILL_EVERY = 4.0
#: Defaults, also quoted by ``microgpt serve --help``.
DEFAULTS = {
    "host": "0.0.0.0",
    "port": 8866,
    "pool": 2,
    "cull_idle": 120,
    "iopub_timeout": 60,
}
INSTALL_VOILA = (
    "pip install 'microgpt-explorer[voila]' (from a clone of the repository: "
    "pip install -e '.[voila]')"
)


@dataclass
class RefillSchedule:
    """When the pool's refills start. Voilà refills a taken kernel ``fill_delay`` after it was
    taken: after a burst of students every refill would warm up at once (a notebook run each)
    while the students' pages still load. Here the first refill starts ``first`` seconds after
    a kernel is taken and the next ones one every ``every`` seconds."""

    first: float
    every: float
    _next: float = float("-inf")  # the earliest start of the next refill (event loop time)

    def delay(self, now: float) -> float:
        """Seconds from ``now`` until the refill asked for now starts."""
        start = max(now + self.first, self._next)
        self._next = start + self.every
        return start - now


@dataclass
class PagesAwaited:
    """Kernels handed out to a student's page that has not connected to them yet.

    Voilà's culler counts a kernel with no connection as abandoned once it has been idle for
    the cull timeout; but a page connects only when its front end has loaded, which in a burst
    of students takes longer than a short timeout: the culler then shut down the kernels of
    pages still loading, and those pages never showed the dashboard. Such a kernel is spared
    for ``grace`` seconds or until its page connects (then the usual rules apply)."""

    grace: float
    _since: dict = field(default_factory=dict)  # kernel id -> when it was handed out

    def handed_out(self, kernel_id: str, now: float) -> None:
        self._since[kernel_id] = now

    def spare(self, kernel_id: str, connections: int, now: float) -> bool:
        """Whether the culler must leave this kernel alone now."""
        since = self._since.get(kernel_id)
        if since is None:
            return False
        if connections == 0 and now - since < self.grace:
            return True
        del self._since[kernel_id]  # its page came (or never will): the usual rules
        return False


@dataclass
class ClassroomKernels:
    """The class's rules for kernels, which :mod:`explorer.voila_adapter` asks (its
    ``KernelRules``): pages still loading keep their kernels, refills start one at a time."""

    awaited: PagesAwaited
    refills: RefillSchedule

    @classmethod
    def for_a_class(cls) -> ClassroomKernels:
        return cls(PagesAwaited(grace=PAGE_GRACE), RefillSchedule(FILL_DELAY, REFILL_EVERY))

    def handed_out(self, kernel_id: str, now: float) -> None:
        self.awaited.handed_out(kernel_id, now)

    def spare(self, kernel_id: str, connections: int, now: float) -> bool:
        return self.awaited.spare(kernel_id, connections, now)

    def refill_delay(self, now: float) -> float:
        return self.refills.delay(now)


@dataclass(frozen=True)
class ServePlan:
    """What ``microgpt serve`` will run: checked, not yet started."""

    notebook: Path
    host: str
    port: int
    url: str  #: the address to hand out to the students
    config: dict = field(repr=False)  #: Voilà's traitlets configuration
    notes: tuple[str, ...] = ()  #: warnings printed first (a server version not the tested one)

    def lines(self) -> list[str]:
        """What the command prints before serving."""
        where = "this machine only" if self.host in ("127.0.0.1", "localhost", "::1") else None
        return [
            *self.notes,
            f"serving {self.notebook.name} with Voilà on {self.host}:{self.port}"
            + (f" ({where})" if where else ""),
            f"students open: {self.url}",
            "Ctrl-C stops the server and every kernel",
        ]


def find_notebook(path: str | os.PathLike | None = None) -> Path:
    """The notebook to serve: ``path`` (a readable regular file holding a Jupyter notebook),
    else the classroom dashboard among the package's lessons (``explorer.lessons``)."""
    if path is not None:
        if isinstance(path, (str, os.PathLike)) and not Path(path).exists():
            raise DataError(
                f"no notebook at {quoted(str(path))}: check the path given to --notebook"
            )
        notebook = check_input_file(path, "--notebook", MAX_NOTEBOOK_BYTES)
        if notebook.suffix != ".ipynb":
            raise DataError(f"--notebook {quoted(str(notebook))} is not a notebook (.ipynb)")
        check_notebook(notebook)
        return notebook.resolve()
    return lessons_dir() / NOTEBOOK  # the package's lessons (a wheel) or the tree's notebooks/


def check_notebook(path: Path) -> None:
    """Refuse a file Voilà could not serve (students would get an HTTP error page): one that
    cannot be read, is not UTF-8 JSON, or is not a notebook of format 4."""
    raw = read_input_file(path, "--notebook", MAX_NOTEBOOK_BYTES)
    where = f"--notebook {quoted(str(path))}"
    try:
        nb = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise DataError(f"{where} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    except (ValueError, RecursionError) as e:
        raise DataError(f"{where} is not a notebook: not valid JSON ({e})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise DataError(f"{where} is not a Jupyter notebook: it has no list of cells")
    if nb.get("nbformat") != 4:
        raise DataError(
            f"{where} is notebook format {nb.get('nbformat')!r}; Voilà serves format 4: open "
            "and save it in JupyterLab"
        )


def available_memory() -> int | None:
    """Bytes of memory this machine can still give to new processes (Linux's MemAvailable,
    else the free pages), or ``None`` where neither can be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def check_pool(pool: int, available: int | None) -> None:
    """Refuse a pool whose kernels (``KERNEL_BYTES`` each) would not fit in ``available``
    bytes of memory, with the numbers."""
    if available is None or pool * KERNEL_BYTES <= available:
        return
    fits = available // KERNEL_BYTES
    raise ConfigError(
        f"--pool {pool:,} would hold about {human_bytes(pool * KERNEL_BYTES)} of memory "
        f"({human_bytes(KERNEL_BYTES)} per kernel that has run the dashboard, measured), and "
        f"this machine has {human_bytes(available)} available: at most {fits:,} kernels fit. "
        "Use a smaller --pool (each student who finds the pool empty waits a few seconds)"
    )


def check_voila() -> tuple[str, ...]:
    """Refuse a missing Voilà, or one (or a jupyter_server) outside the versions tested; return
    the warning lines for a version within the tested range but not the one tested."""
    if importlib.util.find_spec("voila") is None:
        raise MicrogptError(f"microgpt serve needs Voilà, which is not installed: {INSTALL_VOILA}")
    return tuple(voila_adapter.check_versions(voila_adapter.installed_versions()))


def check_model() -> None:
    """Every kernel reads the shipped model: make sure it loads before students arrive."""
    from microgpt.checkpoint import load_checkpoint

    load_checkpoint()  # raises MicrogptError with the reason


def check_port(host: str, port: int) -> None:
    """Refuse a port some other server holds (Voilà would otherwise pick another port and the
    address handed out would be wrong)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado binds
        try:
            sock.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise MicrogptError(
                    f"port {port} on {host} is in use (another microgpt serve or Voilà?): "
                    "stop it, or choose another port with --port"
                ) from None
            if e.errno == errno.EACCES:
                raise MicrogptError(
                    f"no permission to listen on port {port}: choose one above 1023 with --port"
                ) from None
            raise MicrogptError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def handout_url(host: str, port: int) -> str:
    """The address students type: for a server on every interface, this machine's address on
    the network (the interface of its default route; no packet is sent)."""
    if host in ("", "0.0.0.0", "::"):
        address = None
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the route
                address = sock.getsockname()[0]
            except OSError:
                pass
        if not address or address.startswith("0."):
            address = socket.gethostname()
    else:
        address = host
    if ":" in address:
        address = f"[{address}]"
    return f"http://{address}:{port}/"


def voila_config(
    notebook: Path,
    host: str,
    port: int,
    pool: int,
    cull_idle: int,
    iopub_timeout: int,
) -> dict:
    """The traitlets configuration of the Voilà app (sections as in ``voila --help-all``)."""
    interval = max(2, min(60, cull_idle // 4))
    return {
        "Voila": {
            "ip": host,
            "port": port,
            "port_retries": 0,  # the address handed out must be the one served
            "open_browser": False,
            "root_dir": str(notebook.parent),
            "notebook_path": str(notebook),
        },
        "VoilaConfiguration": {
            "preheat_kernel": pool > 0,
            "default_pool_size": pool,
            "show_tracebacks": False,
        },
        "VoilaExecutor": {"iopub_timeout": iopub_timeout},
        # Refill the pool FILL_DELAY after a student takes a kernel (Voilà: 1 s): in a burst,
        # the students' pages are served before new kernels compete with them for the cores.
        "VoilaKernelManager": {"fill_delay": FILL_DELAY},
        "MappingKernelManager": {
            "cull_idle_timeout": cull_idle,
            "cull_interval": interval,
            "cull_connected": False,  # an open tab keeps its kernel
            "cull_busy": False,
        },
    }


def plan(
    host: str = DEFAULTS["host"],
    port: int = DEFAULTS["port"],
    pool: int = DEFAULTS["pool"],
    cull_idle: int = DEFAULTS["cull_idle"],
    iopub_timeout: int = DEFAULTS["iopub_timeout"],
    notebook: str | os.PathLike | None = None,
) -> ServePlan:
    """Check what ``microgpt serve`` needs; raise :class:`MicrogptError` on what is wrong."""
    port = check_int(port, "--port")
    pool = check_int(pool, "--pool", fix="the number of kernels kept started, e.g. 20")
    cull_idle = check_int(cull_idle, "--cull-idle")
    iopub_timeout = check_int(iopub_timeout, "--iopub-timeout")
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be 1 to 65535, got {port}")
    if pool < 0:
        raise ConfigError(f"--pool must be 0 or more, got {pool}")
    if cull_idle < 5:
        raise ConfigError(f"--cull-idle must be at least 5 seconds, got {cull_idle}")
    if iopub_timeout < 1:
        raise ConfigError(f"--iopub-timeout must be at least 1 second, got {iopub_timeout}")
    check_pool(pool, available_memory())
    path = find_notebook(notebook)
    notes = check_voila()
    check_model()
    check_port(host, port)
    config = voila_config(path, host, port, pool, cull_idle, iopub_timeout)
    return ServePlan(path, host, port, handout_url(host, port), config, notes)


def serve(serve_plan: ServePlan) -> int:
    """Run Voilà as planned until Ctrl-C (which stops every kernel); return the exit status."""
    voila_adapter.run(serve_plan.config, ClassroomKernels.for_a_class())
    return 0
