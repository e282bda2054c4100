"""What the widgets share: one loaded checkpoint, a small cache of recorded passes, and a
"latest request wins" scheduler for renders.

A forward pass is recomputed only when its document, root or step changes (a zoom, a position
or a selection never recomputes it). Renders triggered by controls are coalesced: inside a
running kernel they are deferred by a few milliseconds and only the latest one runs; with no
event loop (tests, scripts) they run at once.
"""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from pathlib import Path

from microgpt.errors import ArgumentTypeError
from microgpt.validate import check_int, check_str

from ..forward import ForwardPass, ModelSource
from .state import PassState

__all__ = ["Latest", "Session"]


class Session:
    """A checkpoint and the passes recorded on it (the last ``keep`` are cached).

    ``origin`` is the loaded checkpoint; ``source`` and ``step`` are the weights every view
    shows: the origin's after ``step`` training steps (None: its final step), or a run stepped
    by hand (``explorer.onestep.StepLab.source``). ``set_weights`` changes them.

    ``state`` is the selection the widgets of one Dashboard share (``PassState``: document,
    position, head, scope, selected node, view, …); ``step`` is its ``step``. Widgets built on
    their own over a shared Session keep their own selection.
    """

    def __init__(self, checkpoint: str | Path | ModelSource | None = None, keep: int = 3) -> None:
        if not (checkpoint is None or isinstance(checkpoint, (str, os.PathLike, ModelSource))):
            raise ArgumentTypeError(
                f"Session(checkpoint) must be a checkpoint's path, a ModelSource or None (the "
                f"shipped model), got {type(checkpoint).__name__} {_short(checkpoint)}"
            )
        self.source = checkpoint if isinstance(checkpoint, ModelSource) else ModelSource(checkpoint)
        self.origin = self.source
        self.state = PassState()
        self.keep = check_int(keep, "keep (passes cached)", 1, 100, "pass e.g. keep=1")
        self._passes: OrderedDict[tuple, ForwardPass] = OrderedDict()
        self.computed = 0  # how many passes were recorded (tests check the cache by it)

    def set_weights(self, source: ModelSource | None = None, step: int | None = None) -> None:
        """Show the weights of ``source`` (default: the origin) after ``step`` steps."""
        if not (source is None or isinstance(source, ModelSource)):
            raise ArgumentTypeError(
                f"Session.set_weights(source) must be a ModelSource or None (the checkpoint "
                f"loaded), got {type(source).__name__} {_short(source)}"
            )
        source = source or self.origin
        if step is not None:
            source.check_step(step)
        self.source, self.state.step = source, step

    @property
    def step(self) -> int | None:
        """The training step of the weights shown (None: the source's own)."""
        return self.state.step

    def forward_pass(self, doc: str, root: str = "loss", step: int | None = None) -> ForwardPass:
        """The pass for ``(doc, root, step)`` on the current weights: cached, or recorded now."""
        check_str(doc, "Session.forward_pass(doc)", "give a document, e.g. 'emma'", empty_ok=True)
        check_str(root, "Session.forward_pass(root)", "'loss', 'loss@T' or a node's name")
        step = self.step if step is None else check_int(step, "Session.forward_pass(step)", 0)
        key = (self.source.label, self.source.sha, doc, root, step)
        fp = self._passes.get(key)
        if fp is None:
            fp = ForwardPass(doc, root, self.source, step)
            self.computed += 1
            self._passes[key] = fp
            while len(self._passes) > self.keep:
                self._passes.popitem(last=False)
        else:
            self._passes.move_to_end(key)
        return fp


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kernel_loop():
    """The event loop of the Jupyter kernel we run in, or None (scripts, tests, or another
    library's loop, such as Playwright's: deferring onto it would never run the render)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets depends on IPython
        return None
    shell = get_ipython()
    if getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Latest:
    """Run ``fn`` soon; a newer request replaces one not yet run (slider drags coalesce)."""

    def __init__(self, fn, delay: float = 0.03) -> None:
        self.fn = fn
        self.delay = delay
        self._handle = None

    def __call__(self) -> None:
        loop = _kernel_loop()
        if loop is None:
            self.fn()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self._run)

    def _run(self) -> None:
        self._handle = None
        self.fn()
