"""The one place that touches Voilà's and jupyter_server's internals (``microgpt serve``).

:mod:`explorer.serve` decides what a class needs (which kernel to spare from the culler, when
the pool refills) as plain Python: a :class:`KernelRules` object. This module wires those
rules into Voilà's app and kernel manager, and nothing else does: when Voilà changes, this is
the file to read. Voilà is imported inside functions only (``microgpt serve`` checks it is
installed first; ``import explorer.voila_adapter`` loads no server library).

What it replaces, each in one function below:

- the kernel manager's ``cull_kernel_if_idle`` (:func:`_hook_culling`): a kernel still
  starting is skipped, and one the rules spare is left alone;
- its ``start_kernel`` and Voilà's ``get_rendered_notebook`` (:func:`_hook_handouts`): a kernel
  given to a page is reported to the rules (and one leaving the pool counts as active then);
- Voilà's ``fill_if_needed`` (:func:`_hook_refills`): a refill starts when the rules say;
- two handlers (:func:`_handlers`): ``GET /api/kernels`` (read only) and the app page, which
  sets the ``_xsrf`` cookie its close request sends.

Versions: these hooks are tested on the versions in :data:`TESTED`, which pyproject.toml's
``voila`` and ``test`` extras pin. :func:`check_versions` refuses a release outside the pinned
range (a :class:`MicrogptError` with the pip command) and returns a warning line for one
inside the range that is not the one tested (a newer patch of Voilà, a newer minor of
jupyter_server, which follows semantic versioning and whose public kernel-manager API is
all this module uses).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from typing import Protocol

from microgpt.errors import MicrogptError

__all__ = [
    "TESTED",
    "KernelRules",
    "Pin",
    "app_class",
    "check_versions",
    "installed_versions",
    "run",
]


class KernelRules(Protocol):
    """What the adapter asks the class's rules (``explorer.serve.ClassroomKernels``); ``now``
    is a monotonic clock in seconds."""

    def handed_out(self, kernel_id: str, now: float) -> None:
        """A kernel was given to a student's page, which has not connected yet."""

    def spare(self, kernel_id: str, connections: int, now: float) -> bool:
        """Whether the culler must leave this (started, idle) kernel alone now."""

    def refill_delay(self, now: float) -> float:
        """Seconds from ``now`` until a refill asked for now starts."""


@dataclass(frozen=True)
class Pin:
    """One server package: the version the tests ran, and the first release outside the
    range pyproject.toml pins (``package>=tested,<below``)."""

    package: str
    tested: str
    below: str

    @property
    def requirement(self) -> str:
        return f"{self.package}>={self.tested},<{self.below}"


#: Voilà is 0.x: any minor release may change the kernel manager hooked here.
TESTED = (Pin("voila", "0.5.13", "0.6"), Pin("jupyter_server", "2.21.1", "3"))


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string (``2.21.1.post1`` -> (2, 21, 1); a pre-release
    such as ``0.6.0a1`` counts as its release, so it is outside ``<0.6``)."""
    match = re.match(r"\d+(\.\d+)*", version.strip())
    if not match:
        raise MicrogptError(f"cannot read the version {version!r}")
    return tuple(int(part) for part in match.group(0).split("."))


def _pad(release: tuple[int, ...], length: int) -> tuple[int, ...]:
    return release + (0,) * (length - len(release))


def check_versions(installed: Mapping[str, str | None], pins=TESTED) -> list[str]:
    """Compare ``installed`` (package -> version, ``None`` when missing) with ``pins``: raise
    :class:`MicrogptError` for a package missing or outside its pinned range; return one
    warning line for each within the range but not the version tested."""
    notes = []
    for pin in pins:
        version = installed.get(pin.package)
        fix = f"pip install '{pin.requirement}'"
        if version is None:
            raise MicrogptError(f"microgpt serve needs {pin.package}, not installed: {fix}")
        found, low, high = _release(version), _release(pin.tested), _release(pin.below)
        width = max(len(found), len(low), len(high))
        found, low, high = _pad(found, width), _pad(low, width), _pad(high, width)
        if not low <= found < high:
            raise MicrogptError(
                f"{pin.package} {version} is installed; microgpt serve is tested with "
                f"{pin.package} {pin.tested} (it hooks into the kernel manager, which changes "
                f"between releases): {fix}"
            )
        if found != low:
            notes.append(
                f"note: {pin.package} {version} is installed, tested with {pin.tested}; "
                f"if kernels misbehave: pip install '{pin.package}=={pin.tested}'"
            )
    return notes


def installed_versions(pins=TESTED) -> dict[str, str | None]:
    """The installed version of each pinned package (``None`` when it is not installed)."""
    versions: dict[str, str | None] = {}
    for pin in pins:
        try:
            versions[pin.package] = metadata.version(pin.package)
        except metadata.PackageNotFoundError:
            versions[pin.package] = None
    return versions


def run(config: dict, rules: KernelRules) -> None:
    """Run Voilà with ``config`` (traitlets sections) and ``rules`` until Ctrl-C or SIGTERM,
    which stop every kernel."""
    from traitlets.config import Config

    app = app_class(rules)(config=Config(config))
    app.initialize([])
    app.start()  # blocks


def app_class(rules: KernelRules) -> type:
    """Voilà's app class with the hooks and handlers above installed at start."""
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.utils import url_path_join

    kernel_list, app_page = _handlers()

    class ClassroomVoila(Voila):
        def init_settings(self):
            settings = super().init_settings()
            _hook_culling(self.kernel_manager, rules)
            _hook_handouts(self.kernel_manager, rules)
            _hook_refills(self.kernel_manager, rules)
            return settings

        def init_handlers(self):
            handlers = [
                (h[0], app_page, *h[2:]) if h[1] is TornadoVoilaHandler else h
                for h in super().init_handlers()
            ]
            kernels = (url_path_join(self.server_url, "/api/kernels"), kernel_list)
            return [kernels, *handlers]

    return ClassroomVoila


def _handlers() -> tuple[type, type]:
    """``GET /api/kernels`` (standalone Voilà lists no kernels) and the app page."""
    from jupyter_server.base.handlers import APIHandler
    from tornado import web
    from traitlets import TraitError
    from voila.tornado.handler import TornadoVoilaHandler

    class KernelListHandler(APIHandler):
        """The server's kernels (id, state, connections, last activity), read only."""

        @web.authenticated
        async def get(self):
            km = self.kernel_manager
            models = []
            for kid in km.list_kernel_ids():
                try:
                    models.append(km.kernel_model(kid))
                except TraitError:  # a kernel still starting has no last_activity yet
                    models.append({"id": kid, "execution_state": "starting"})
            self.finish(json.dumps(models, default=str))

    class AppPageHandler(TornadoVoilaHandler):
        """The app page, which also sets the ``_xsrf`` cookie its close request sends (Voilà's
        own page never set it, so closing a tab was refused and only culling freed the kernel)."""

        async def prepare(self, **kwargs):
            await super().prepare(**kwargs)
            self.xsrf_token  # noqa: B018 - reading it sets the cookie

    return KernelListHandler, AppPageHandler


def _hook_culling(km, rules: KernelRules) -> None:
    """The culler skips a kernel still starting and one the rules spare."""
    from tornado.web import HTTPError
    from traitlets import TraitError

    cull = km.cull_kernel_if_idle

    async def cull_started(kernel_id):
        # A kernel still starting has no last activity yet: Voilà's culler asked it anyway
        # and logged a TraitError for each such kernel at every cull interval. (A kernel
        # already gone is a 404 HTTPError in jupyter_server, a KeyError in Voilà's pool.)
        try:
            km.get_kernel(kernel_id).last_activity  # noqa: B018 - raises while starting
            connections = km.kernel_model(kernel_id)["connections"]
        except (KeyError, TraitError, HTTPError):
            return None
        if rules.spare(kernel_id, connections, time.monotonic()):
            return None
        return await cull(kernel_id)

    km.cull_kernel_if_idle = cull_started


def _hook_handouts(km, rules: KernelRules) -> None:
    """Every kernel given to a page is reported to the rules: one started for it (the pool
    empty) and one taken from the pool (made active: it may have waited there longer than the
    cull timeout, and would be culled before the page connects)."""
    start = km.start_kernel

    async def started_for_a_page(*args, **kwargs):
        # The pool's own kernels start through the class's method, not this attribute.
        kernel_id = start(*args, **kwargs)
        if inspect.isawaitable(kernel_id):
            kernel_id = await kernel_id
        rules.handed_out(kernel_id, time.monotonic())
        return kernel_id

    km.start_kernel = started_for_a_page
    if not hasattr(km, "get_rendered_notebook"):  # no pool of pre-started kernels
        return
    take = km.get_rendered_notebook

    async def taken_from_the_pool(*args, **kwargs):
        task, cache, kernel_id = await take(*args, **kwargs)
        km.get_kernel(kernel_id).last_activity = datetime.now(timezone.utc)
        rules.handed_out(kernel_id, time.monotonic())
        return task, cache, kernel_id

    km.get_rendered_notebook = taken_from_the_pool


def _hook_refills(km, rules: KernelRules) -> None:
    """A refill (``delay=None``) starts when the rules say; the first fill (``delay=0``)
    starts at once."""
    if not hasattr(km, "fill_if_needed"):
        return
    fill = km.fill_if_needed

    def staggered(delay=None, *args, **kwargs):
        if delay is None:
            delay = rules.refill_delay(asyncio.get_event_loop().time())
        return fill(delay, *args, **kwargs)

    km.fill_if_needed = staggered
