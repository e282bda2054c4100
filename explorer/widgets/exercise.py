"""``Exercise``: a question and an answer the learner reveals, computed from the model.

The answer is a callable, called only when the learner presses "show answer" (so an exercise
costs nothing until then, and its answer is always the real number, never a typed one). The
result is shown as the object shows itself: a widget as itself, an object with
``_repr_html_`` as that HTML (``explorer.tables.Table`` or ``Sentence``: what lessons
answer with), one with ``_repr_png_`` (``explorer.plots.picture``) as the image, a string as a
sentence, anything else as its pretty-printed repr. An answer that raises shows the error as
a message.
Controls and layout only.
"""

from __future__ import annotations

import base64
import html
import pprint
from collections.abc import Callable

import ipywidgets as W
import traitlets

from microgpt.errors import ArgumentTypeError, ConfigError, MicrogptError

from .args import Checked, flag

__all__ = ["Exercise"]

_NOT_COMPUTED = object()


def _as_html(result: object) -> str:
    """The answer as HTML: its ``_repr_html_``, its PNG, a sentence, or its repr (escaped)."""
    rich = getattr(result, "_repr_html_", None)
    if callable(rich):
        shown = rich()
        if shown is not None:
            return shown
    png = getattr(result, "_repr_png_", None)
    if callable(png):
        data = png()
        if data is not None:  # bytes, or (bytes, {"width": …, "height": …}) as Jupyter allows
            data, meta = data if isinstance(data, tuple) else (data, {})
            b64 = base64.b64encode(data).decode("ascii")
            size = "".join(f' {k}="{int(meta[k])}"' for k in ("width", "height") if k in meta)
            return f'<img src="data:image/png;base64,{b64}"{size} alt="answer">'
    if isinstance(result, str):  # a sentence: wraps like text, keeps its line breaks
        style = "white-space: pre-line"
        return f'<p class="microgpt-exercise-sentence" style="{style}">{html.escape(result)}</p>'
    text = pprint.pformat(result, width=90)  # a raw value: lessons answer with a Table
    return f'<pre class="microgpt-exercise-text">{html.escape(text)}</pre>'


class Exercise(Checked, W.VBox):
    """One exercise: ``question`` (HTML) and ``answer()``, revealed by a button. Traits:
    ``revealed``."""

    revealed = traitlets.Bool(False)  # the answer is showing

    _checks = {"revealed": flag()}

    def refuse(self, text: str) -> None:
        """A value refused: said where the answer shows (the exercise has no other message)."""
        self._refused.value = f'<p class="microgpt-message">{html.escape(text)}</p>'

    def __init__(self, question: str, answer: Callable[[], object], **kwargs) -> None:
        if not isinstance(question, str):
            raise ArgumentTypeError(
                f"Exercise(question) must be a string (HTML), got {type(question).__name__}"
            )
        if not question.strip():
            raise ConfigError("Exercise(question) is empty: an exercise needs a question")
        if not callable(answer):
            raise ArgumentTypeError(
                f"Exercise(answer) must be a function that computes the answer, e.g. "
                f"lambda: fp.loss.data; got {type(answer).__name__}"
            )
        asked = self.take_traits(kwargs, self._checks)
        self.question = question
        self._answer = answer
        self.result = _NOT_COMPUTED  # what answer() returned, once revealed
        self.error: str | None = None  # the message, if answer() raised
        self._question = W.HTML(question)
        self._question.add_class("microgpt-exercise-question")
        self._button = W.Button(description="show answer", icon="eye")
        self._button.add_class("microgpt-exercise-button")
        self._button.on_click(lambda _: self.toggle())
        self._refused = W.HTML()  # why a value was refused
        self._shown = W.Box()
        self._shown.add_class("microgpt-exercise-answer")
        self._shown.layout.display = "none"
        self._shown.layout.overflow = "auto"  # an answer wider than the page scrolls, uncut
        super().__init__([self._question, self._button, self._refused, self._shown], **kwargs)
        self.add_class("microgpt-exercise")
        self.layout.border = "1px solid #d0d0d0"
        self.layout.padding = "2px 10px 8px"
        self.layout.margin = "6px 0"
        self.apply(asked)
        self._live = True

    @property
    def computed(self) -> bool:
        """Whether ``answer()`` has been called (it is called once, on the first reveal)."""
        return self.result is not _NOT_COMPUTED or self.error is not None

    def toggle(self) -> None:
        """What the button does: show the answer, or hide it again."""
        self.revealed = not self.revealed

    @traitlets.observe("revealed")
    def _on_revealed(self, change) -> None:
        if change["new"] and not self.computed:
            self._compute()
        self._shown.layout.display = None if change["new"] else "none"
        self._button.description = "hide answer" if change["new"] else "show answer"
        self._button.icon = "eye-slash" if change["new"] else "eye"

    def _compute(self) -> None:
        try:
            result = self._answer()
            if isinstance(result, W.Widget):
                child = result
            else:
                child = W.HTML(_as_html(result))
                child.add_class("jp-RenderedHTMLCommon")  # tables styled as in the lesson
        except Exception as e:  # noqa: BLE001 - the learner sees any failure as a message
            self.error = str(e) if isinstance(e, MicrogptError) else f"{type(e).__name__}: {e}"
            child = W.HTML(f'<p class="microgpt-message">Error: {html.escape(self.error)}</p>')
        else:
            self.result = result
        self._shown.children = [child]

    @property
    def shown_html(self) -> str:
        """The HTML the answer area shows ("" before the first reveal or for a widget)."""
        kids = self._shown.children
        return kids[0].value if kids and isinstance(kids[0], W.HTML) else ""
