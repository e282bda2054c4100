"""``ProbabilitiesView``: the model's next-token distribution at a position, reshaped by a
temperature, and sampling one character at a time from the end of the document."""

from __future__ import annotations

import html
import random

import ipywidgets as W
import numpy as np
import traitlets

from ..plots import apply_temperature, figure_to_png, next_token_probs

__all__ = ["ProbabilitiesView"]


class ProbabilitiesView(W.VBox):
    """Next-token probabilities of the pass given to ``show``. Traits:"""

    pos = traitlets.Int(0)
    temperature = traitlets.Float(1.0)
    #: The last character sampled ("" for BOS: the model ends the name there).
    sampled = traitlets.Unicode("")
    sample_count = traitlets.Int(0)

    def __init__(self, seed: int = 0, **kwargs) -> None:
        self.fp = None
        self.rng = random.Random(seed)
        self._temperature = W.FloatSlider(description="temperature", min=0.1, max=2.0,
                                          step=0.05, continuous_update=False)  # fmt: skip
        self._sample = W.Button(description="sample next character", icon="random")
        self._sample.add_class("microgpt-sample-next")
        self._sample.on_click(lambda _: self.sample_next())
        self._info = W.HTML()
        self.image = W.Image(format="png")
        super().__init__([W.HBox([self._temperature, self._sample]), self._info, self.image],
                         **kwargs)  # fmt: skip
        self.add_class("microgpt-probs")
        traitlets.link((self, "temperature"), (self._temperature, "value"))

    def show(self, fp) -> None:
        self.fp = fp
        self._draw()

    @traitlets.observe("pos", "temperature")
    def _on_change(self, change) -> None:
        self._draw()

    def distribution(self, pos: int | None = None) -> np.ndarray:
        """The distribution sampling would draw from at ``pos`` (at this temperature)."""
        p = self.fp.probs(self.fp.check_pos(self.pos if pos is None else pos))
        return apply_temperature(p, self.temperature)

    def _draw(self) -> None:
        if self.fp is None:
            return
        pos = min(self.pos, self.fp.positions - 1)
        labels = self.fp.source.token_labels
        target = self.fp.tokens[pos + 1]
        title = f"after {self.fp.chars[pos]!r} at position {pos}"
        ax = next_token_probs(self.fp.probs(pos), labels, target=target,
                              temperature=self.temperature, title=title)  # fmt: skip
        self.image.value = figure_to_png(ax.figure)
        self._info.value = (
            f"position {pos} reads <b>{self.fp.chars[pos]}</b>; the document continues with "
            f"<b>{labels[target]}</b> (probability {self.fp.probs(pos)[target]:.3f})"
        )

    def sample_next(self) -> str:
        """Draw the character after the whole document (from its last position) and say what
        was drawn; the dashboard appends it and runs the model again. Returns the character,
        or "" for BOS (the end of the name)."""
        if len(self.fp.doc) + 1 > self.fp.positions:
            self._info.value = "the document fills the model's context: nothing comes after it"
            return ""
        weights = self.distribution(self.fp.positions - 1)
        token = self.rng.choices(range(len(weights)), weights=list(weights))[0]
        tokenizer = self.fp.source.tokenizer
        self.sampled = "" if token == tokenizer.BOS else tokenizer.chars[token]
        label = tokenizer.label(token)
        self._info.value = (
            f"sampled after {html.escape(repr(self.fp.doc))} at temperature "
            f"{self.temperature:g}: <b>{label}</b> (probability {weights[token]:.3f})"
            + (" — the model ends the name" if token == tokenizer.BOS else "")
        )
        self.sample_count += 1
        return self.sampled
