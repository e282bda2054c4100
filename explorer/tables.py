"""Small HTML tables and sentences for what a lesson displays (their ``_repr_html_``).

Numbers are shown as every picture shows them (``style.fmt``: 4 significant digits), with the
full recorded value in the cell's ``title`` (the hover tooltip). Pure Python: the query
objects (``NodeReport``, ``AdamPreview``, ``GradCheck``) build their tables with it, and a
lesson shows its answers as a ``Table`` (rows) or a ``Sentence`` (numbers in words), never as
a Python tuple, list or dict.

How a value reads (``plain`` as text, ``cell`` as HTML): a float with ``fmt``; an int with
thousands separators; a bool as yes / no; a list, tuple or set as its items joined by commas
("none" when empty); ``None`` as "–"; anything else as its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from string import Formatter

from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.validate import _short, check_instance, check_str

from .style import fmt

__all__ = ["Sentence", "Table", "cell", "html_table", "number", "plain", "text"]

#: The class every such table carries (notebook CSS may style it).
TABLE_CLASS = "microgpt-table"


def number(x) -> str:
    """A table cell's HTML for a number: ``fmt(x)``, the full value as its tooltip."""
    if x is None:
        return "–"
    return f'<span title="{escape(repr(x))}">{escape(fmt(x))}</span>'


def text(s) -> str:
    """A table cell's HTML for text (escaped)."""
    return escape(str(s))


def plain(value, spec: str = "") -> str:
    """``value`` as text a learner reads (see the module docstring); ``spec``, if given, is a
    ``format`` spec for a number (``",.0f"``)."""
    if spec and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return format(value, spec)
        except (TypeError, ValueError):  # checked here, off the common path
            check_str(spec, "spec", fix="a format spec for a number, e.g. ',.0f'")
            raise ConfigError(
                f"spec {spec!r} is not a format spec for {_short(value)}: e.g. ',.0f' or '.3g'"
            ) from None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return ", ".join(plain(v, spec) for v in items) or "none"
    return "–" if value is None else str(value)


def cell(value, spec: str = "") -> str:
    """``value`` as HTML: ``plain(value, spec)`` escaped; a float carries its full value as
    the tooltip; text may break after a dot (a long node name wraps at its scopes instead of
    widening its table past a narrow screen)."""
    if isinstance(value, float):
        return f'<span title="{escape(repr(value))}">{escape(plain(value, spec))}</span>'
    shown = escape(plain(value, spec))
    return _breakable(shown) if isinstance(value, str) else shown


def _breakable(html: str) -> str:
    """``html`` with a line-break opportunity after each dot of a name (``pos2.<wbr>layer0``),
    none inside a number (``0.006703``)."""
    return re.sub(r"\.(?=[A-Za-z_])", ".<wbr>", html)


def html_table(
    header: list[str] | None,
    rows: list[list[str]],
    caption: str | None = None,
    left: set[int] = frozenset(),
    row_styles: list[str] | None = None,
) -> str:
    """A table: ``header`` is plain text (``None``: no header row); ``rows`` and ``caption``
    are HTML (build cells with ``number`` and ``text``). Columns in ``left`` (indices) are
    aligned left, as text reads; the others as the page aligns them (numbers: right).
    ``row_styles``: a CSS style per row ("" for none), e.g. the backward stepper's marks."""

    def td(tag: str, k: int, content: str) -> str:
        style = ' style="text-align: left"' if k in left else ""
        return f"<{tag}{style}>{content}</{tag}>"

    # a header may break after a dot (consumer.<wbr>grad) on a narrow screen
    head = "".join(td("th", k, _breakable(escape(h))) for k, h in enumerate(header or []))
    head = f"<thead><tr>{head}</tr></thead>" if header else ""
    styles = [""] * len(rows) if row_styles is None else list(row_styles)
    if len(styles) != len(rows):  # zip would drop rows without a word
        raise ConfigError(f"html_table: {len(rows)} rows but {len(styles)} row styles")
    body = "".join(
        (f'<tr style="{style}">' if style else "<tr>")
        + "".join(td("td", k, c) for k, c in enumerate(row))
        + "</tr>"
        for row, style in zip(rows, styles)
    )
    cap = f"<caption>{caption}</caption>" if caption else ""
    # left-aligned where it sits (JupyterLab centres a table outside an output area)
    style = "margin-left: 0; margin-right: auto"
    return f'<table class="{TABLE_CLASS}" style="{style}">{cap}{head}<tbody>{body}</tbody></table>'


@dataclass
class Table:
    """Rows a lesson shows as a table (an exercise's answer, a summary): ``header`` and
    ``rows`` hold plain values, each shown as ``cell`` shows it (a float as every picture
    formats it, with the full value as the tooltip)."""

    header: list
    rows: list
    caption: str | None = None

    def __post_init__(self) -> None:
        check_instance(self.header, "header", (list, tuple), "a list of column names",
                       fix="e.g. Table(['name', 'loss'], rows)")  # fmt: skip
        check_instance(self.rows, "rows", (list, tuple), "a list of rows (each a list)")
        for k, row in enumerate(self.rows):
            if not isinstance(row, (list, tuple)):
                raise ArgumentTypeError(f"rows[{k}] must be a list of cells, got {_short(row)}")
        if self.caption is not None:
            check_str(self.caption, "caption", empty_ok=True)

    def _repr_html_(self) -> str:
        """The caption as a line of text above the table (a table's own caption wraps to the
        table's width), then the table."""
        rows = [[cell(v) for v in row] for row in self.rows]
        table = html_table([str(h) for h in self.header], rows, None, self._text_columns())
        if not self.caption:
            return table
        return f'<p class="microgpt-caption">{escape(self.caption)}</p>{table}'

    def _text_columns(self) -> set[int]:
        """The columns holding text (anything but numbers and blanks): aligned left."""

        def is_text(v) -> bool:
            return v != "" and (isinstance(v, bool) or not isinstance(v, (int, float)))

        return {
            k
            for k in range(len(self.header))
            if any(is_text(r[k]) for r in self.rows if k < len(r))
        }

    def __repr__(self) -> str:
        cells = [[plain(v) for v in row] for row in self.rows]
        width = [max(len(str(h)), *(len(r[k]) for r in cells)) if cells else len(str(h))
                 for k, h in enumerate(self.header)]  # fmt: skip
        lines = ["  ".join(f"{h!s:<{w}}" for h, w in zip(self.header, width))]
        lines += ["  ".join(f"{v:<{w}}" for v, w in zip(row, width)) for row in cells]
        return "\n".join(([self.caption] if self.caption else []) + lines)


class Sentence:
    """A sentence a lesson shows, with numbers and names from the model in it:
    ``Sentence("{doc} has {n} positions; its loss is {loss}.", doc=fp.doc, n=5, loss=x)``.
    ``template`` is ``str.format`` syntax with named fields (a field may give a format spec
    for a number: ``{total:,.0f}``); each value is shown as ``cell`` shows it. In Jupyter it
    is a paragraph; its ``repr`` is the same sentence as text."""

    def __init__(self, template: str, /, **values) -> None:
        check_str(template, "template", empty_ok=True,
                  fix="a sentence with {fields}, e.g. Sentence('{n} steps', n=3)")  # fmt: skip
        self.template = template
        self.values = values
        try:
            self._parts = list(Formatter().parse(template))  # checks the template's syntax
        except ValueError as e:
            raise ConfigError(f"template {_short(template)} is not a format string: {e}") from None
        missing = {f for _, f, _, _ in self._parts if f is not None} - set(values)
        if missing:
            raise ConfigError(f"Sentence: no value given for {', '.join(sorted(missing))}")

    def _render(self, literal, value) -> str:
        return "".join(
            literal(lit) + (value(self.values[f], spec) if f is not None else "")
            for lit, f, spec, _ in self._parts
        )

    def __repr__(self) -> str:
        return self._render(str, plain)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return f'<p class="microgpt-sentence">{self._render(escape, cell)}</p>'
