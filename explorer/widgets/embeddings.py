"""``EmbeddingView``: the token (``wte``) or position (``wpe``) embeddings on two principal
components, at any training snapshot, projected on the final step's components so that the
points move only as the weights do."""

from __future__ import annotations

import ipywidgets as W
import traitlets

from ..plots import embedding_pca, pca_2d
from .images import chart_image, show_chart
from .lazy import ShownLater

__all__ = ["EmbeddingView"]


class EmbeddingView(ShownLater, W.VBox):
    """PCA of an embedding matrix over the checkpoint's snapshots (``concealed``: made in a
    hidden tab, it draws when first shown). Traits:"""

    step = traitlets.Int(0)
    matrix = traitlets.Enum(("wte", "wpe"), default_value="wte")

    def __init__(self, source, concealed: bool = False, **kwargs) -> None:
        self.source = source
        self.figure = None
        # a Dashboard makes it in a hidden tab: its first drawing waits until the tab is shown
        self._concealed = concealed
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
        super().__init__([controls, self.image], **kwargs)
        self.add_class("microgpt-embeddings")
        self._bases = {}
        self.step = steps[-1]
        traitlets.link((self, "step"), (self._step, "value"))
        traitlets.link((self, "matrix"), (self._matrix, "value"))

    def set_source(self, source, step: int | None = None) -> None:
        """Show ``source``'s weights (e.g. after a training step taken by hand) at ``step``
        (default: its final step); kept on the first source's components, so points move only
        as the weights do."""
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
        self._draw()

    def _draw(self) -> None:
        if self._later():  # in a hidden tab: drawn when shown
            return
        weights = self.source.weights_at(self.step)[self.matrix]
        title = f"{self.matrix} at step {self.step} (final step's components)"
        ax = embedding_pca(weights, self.labels(), basis=self._basis(self.matrix), title=title)
        self.figure = ax.figure  # the chart shown (for tests and tools)
        show_chart(self.image, ax.figure)
