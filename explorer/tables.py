"""Small HTML tables for the objects a lesson displays (their ``_repr_html_``).

Numbers are shown as every picture shows them (``style.fmt``: 4 significant digits), with the
full recorded value in the cell's ``title`` (the hover tooltip). Pure Python: the query
objects (``NodeReport``, ``AdamPreview``, ``GradCheck``) build their tables with it.
"""

from __future__ import annotations

from html import escape

from .style import fmt

__all__ = ["html_table", "number", "text"]

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
