"""Selections: which nodes of a recorded pass a view draws.

A graph query (pure Python; no graphviz, matplotlib or widgets). ``select`` slices the root's
graph by position, head, scope prefix or name pattern; a slice that matches nothing raises a
``MicrogptError`` that suggests close matches. It reads a ``ForwardPass`` (``explorer.forward``)
and its ``GraphIndex`` (``explorer.graph``); the views (``explorer.views``, ``explorer.path``)
import it, never the other way round.
"""

from __future__ import annotations

from microgpt.errors import MicrogptError
from microgpt.model import parse_name
from microgpt.trace import MAX_NAME_CHARS, pattern_regex
from microgpt.validate import quoted

from .checks import check_options, check_pass
from .forward import check_head
from .graph import GraphIndex

__all__ = ["select", "unknown_pattern"]


def select(
    fp,
    *,
    pos: int | None = None,
    head: int | None = None,
    scope: str | None = None,
    pattern: str | None = None,
) -> set[int]:
    """Ids in the root's graph that match every given slice (all of them if none is given)."""
    check_pass(fp, "select")
    check_options(pos=pos, head=head, scope=scope, pattern=pattern)
    index: GraphIndex = fp.index
    ids = set(index.in_graph)
    if pos is not None:
        fp.check_pos(pos)
        ids = _where(index, ids, lambda at: at.pos == pos)
        if not ids:  # e.g. root loss@3 and pos 5: in range, but the root does not read it
            raise MicrogptError(
                f"position {pos} is not in the graph of the root {index.label(index.root)}: "
                "choose an earlier position, or another root (e.g. --root loss)"
            )
    if head is not None:
        head = check_head(fp, head)
        ids = _where(index, ids, lambda at: at.head == head)
    if scope is not None:
        ids = {i for i in ids if _in_scope(index.scope[i], scope)}
        if not ids:
            raise MicrogptError(_unknown_scope(index, scope))
    if pattern is not None:
        regex = pattern_regex(pattern)
        ids = {i for i in ids if index.name[i] is not None and regex.fullmatch(index.name[i])}
        if not ids:
            raise MicrogptError(unknown_pattern(fp, pattern))
    return ids


def _where(index: GraphIndex, ids: set[int], keep) -> set[int]:
    """The ids whose scope, read by ``parse_name``, ``keep`` takes (each scope read once)."""
    verdict: dict[str, bool] = {}
    out = set()
    for i in ids:
        scope = index.scope[i]
        ok = verdict.get(scope)
        if ok is None:
            ok = verdict[scope] = keep(parse_name(scope))
        if ok:
            out.add(i)
    return out


def _in_scope(node_scope: str, prefix: str) -> bool:
    return node_scope == prefix or node_scope.startswith(prefix + ".")


def _unknown_scope(index: GraphIndex, scope: str) -> str:
    import difflib

    scopes = sorted(set(index.scope) - {""})
    close = []  # a text longer than any scope has no close one (and difflib would be slow)
    if len(scope) <= MAX_NAME_CHARS:
        close = difflib.get_close_matches(scope, scopes, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else f" Scopes look like {scopes[:3]}."
    return f"no node of the root's graph is in scope {quoted(scope)}.{hint}"


def unknown_pattern(fp, pattern: str) -> str:
    """The message for a name pattern that matches no named node, with close names if any."""
    import difflib

    names = [n for n in fp.index.name if n is not None]
    close = []
    if len(pattern) <= MAX_NAME_CHARS:
        close = difflib.get_close_matches(pattern, names, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return (
        f"no named node of the root's graph matches {quoted(pattern)} (* matches anything, ? one "
        f"character, brackets are literal).{hint}"
    )
