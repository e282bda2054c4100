"""``EmbeddingView``: the token (``wte``) or position (``wpe``) embeddings on two principal
components, at any training snapshot, projected on the final step's components so that the
points move only as the weights do."""

from __future__ import annotations

import os

import ipywidgets as W
import traitlets

from ..forward import ModelSource
from ..plots import embedding_pca, pca_2d
from .args import Checked, choice, flag, integer, need
from .images import chart_image, show_chart
from .lazy import ShownLater
from .session import Session

__all__ = ["EmbeddingView"]


def _source(source, what: str) -> ModelSource:
    """A ``ModelSource`` from what a learner may give: one, a ``Session`` (its weights shown),
    a checkpoint's path, or ``None`` (the shipped model)."""
    if isinstance(source, Session):
        return source.source
    if source is None or isinstance(source, (str, os.PathLike)):
        return ModelSource(source)  # a path is checked there (missing, too large, ...)
    takes = "a ModelSource, a Session, a checkpoint's path or None (the shipped model)"
    return need(ModelSource, what, takes, source)


class EmbeddingView(Checked, ShownLater, W.VBox):
    """PCA of an embedding matrix over the checkpoint's snapshots (``concealed``: made in a
    hidden tab, it draws when first shown). ``source``: a ``ModelSource``, a ``Session``, a
    checkpoint's path or ``None`` (the shipped model). Traits: ``step``, ``matrix``."""

    #: A snapshot of the checkpoint (one the step slider offers); default the final one.
    step = traitlets.Int(0)
    matrix = traitlets.Enum(("wte", "wpe"), default_value="wte")

    _checks = {
        "step": choice(lambda w: w._step.options, " (the checkpoint's snapshots)"),
        "matrix": choice(("wte", "wpe")),
    }

    def __init__(self, source=None, concealed: bool = False, **kwargs) -> None:
        source = _source(source, "EmbeddingView(source)")
        concealed = flag()(self, concealed, "EmbeddingView(concealed=...)")
        asked = self.take_traits(kwargs, self._checks)
        self.source = source
        self.figure = None
        # a Dashboard makes it in a hidden tab: its first drawing waits until the tab is shown
        self._concealed = concealed
        self._message = W.HTML()  # why a value was refused
        steps = source.steps
        self._step = W.SelectionSlider(description="step", options=steps, value=steps[-1],
                                       continuous_update=False)  # fmt: skip
        self._step.style.description_width = "initial"
        self._matrix = W.ToggleButtons(options=[("tokens (wte)", "wte"),
                                                ("positions (wpe)", "wpe")])  # fmt: skip
        self._matrix.style.button_width = "auto"  # the whole label on each button
        self.image = chart_image()
        controls = W.HBox([self._matrix, self._step],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))  # fmt: skip
        super().__init__([controls, self._message, self.image], **kwargs)
        self.add_class("microgpt-embeddings")
        self._bases = {}
        self.step = steps[-1]
        traitlets.link((self, "step"), (self._step, "value"))
        traitlets.link((self, "matrix"), (self._matrix, "value"))
        self.apply(asked)
        self._live = True

    def set_source(self, source, step: int | None = None) -> None:
        """Show ``source``'s weights (e.g. after a training step taken by hand) at ``step``
        (default: its final step); kept on the first source's components, so points move only
        as the weights do."""
        need(ModelSource, "EmbeddingView.set_source(source)", "a ModelSource", source)
        if step is not None:
            step = source.check_step(integer(0)(self, step, "EmbeddingView.set_source(step)"))
        shown = source.step if step is None else step
        self.source = source
        with self.hold_trait_notifications():
            self._step.options = sorted(set(source.steps) | {shown})
            self._step.value = shown
        if self.step == shown:
            self._draw()
        else:
            self.step = shown

    def labels(self) -> list[str]:
        if self.matrix == "wte":
            return list(self.source.token_labels)
        return [str(p) for p in range(self.source.config.block_size)]

    def _basis(self, key: str):
        if key not in self._bases:
            _, self._bases[key] = pca_2d(self.source.weights_at(None)[key])
        return self._bases[key]

    @traitlets.observe("step", "matrix")
    def _on_change(self, change) -> None:
        self._message.value = ""
        self._draw()

    def _draw(self) -> None:
        if self._later():  # in a hidden tab: drawn when shown
            return
        weights = self.source.weights_at(self.step)[self.matrix]
        title = f"{self.matrix} at step {self.step} (final step's components)"
        ax = embedding_pca(weights, self.labels(), basis=self._basis(self.matrix), title=title)
        self.figure = ax.figure  # the chart shown (for tests and tools)
        show_chart(self.image, ax.figure)
