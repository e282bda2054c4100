"""Small HTML tables for the objects a lesson displays (their ``_repr_html_``).

Numbers are shown as every picture shows them (``style.fmt``: 4 significant digits), with the
full recorded value in the cell's ``title`` (the hover tooltip). Pure Python: the query
objects (``NodeReport``, ``AdamPreview``, ``GradCheck``) build their tables with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .style import fmt

__all__ = ["Table", "html_table", "number", "text"]

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


def html_table(header: list[str] | None, rows: list[list[str]], caption: str | None = None) -> str:
    """A table: ``header`` is plain text (``None``: no header row); ``rows`` and ``caption``
    are HTML (build cells with ``number`` and ``text``)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header or [])
    head = f"<thead><tr>{head}</tr></thead>" if header else ""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f'<table class="{TABLE_CLASS}">{cap}{head}<tbody>{body}</tbody></table>'


@dataclass
class Table:
    """Rows a lesson shows as a table (an exercise's answer, a summary): ``header`` and
    ``rows`` hold plain values (numbers are formatted as every picture formats them, with
    the full value as the tooltip; anything else is shown as text)."""

    header: list
    rows: list
    caption: str | None = None

    def _cell(self, value) -> str:
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
            return number(value) if isinstance(value, float) else escape(f"{value:,}")
        return text(value)

    def _repr_html_(self) -> str:
        rows = [[self._cell(v) for v in row] for row in self.rows]
        caption = escape(self.caption) if self.caption else None
        return html_table([str(h) for h in self.header], rows, caption)

    def __repr__(self) -> str:
        cells = [[fmt(v) if isinstance(v, float) else str(v) for v in row] for row in self.rows]
        width = [max(len(str(h)), *(len(r[k]) for r in cells)) if cells else len(str(h))
                 for k, h in enumerate(self.header)]  # fmt: skip
        lines = ["  ".join(f"{h!s:<{w}}" for h, w in zip(self.header, width))]
        lines += ["  ".join(f"{v:<{w}}" for v, w in zip(row, width)) for row in cells]
        return "\n".join(([self.caption] if self.caption else []) + lines)
