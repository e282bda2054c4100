"""Recording: ``with trace() as t:`` keeps every ``Value`` created inside, with its scope and name.

Sits directly on ``microgpt.engine`` (it sets the engine's ``RECORDER``); the model opens scopes
and names its points with ``scope`` and ``name``; the explorer reads a finished ``Trace``.

- Node ids are creation indices inside one trace (0, 1, 2, …), never ``id()``: the same forward
  pass gives the same ids in every run.
- ``scope("layer0")`` nests: names and scopes are dot-joined paths such as ``pos3.layer0.attn``.
- ``name(v, "q", 3)`` gives a node the name ``<scope>.q[3]``. Only points a learner reads are
  named (see ``microgpt.model`` for the vocabulary); anonymous intermediates keep their scope.
- Nested traces are independent: each records every node created while it is open (an outer
  trace also sees the nodes of an inner one), each with its own ids.
- State lives in context variables and trace objects, never in module-level lists. Outside a
  trace, scopes and names cost one check each, and a new node one check.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .engine import RECORDER, Value
from .errors import ArgumentTypeError, ConfigError, UnknownNameError
from .validate import _short, check_int, check_str, quoted

__all__ = ["Trace", "trace", "scope", "name", "name_all", "current_scope", "pattern_regex"]

#: The longest name searched for close names (the model's are under 60 characters).
MAX_NAME_CHARS = 200
#: The scope path now in force, innermost last.
_SCOPE: ContextVar[tuple[str, ...]] = ContextVar("microgpt_scope", default=())
#: The traces now open, outermost first.
_OPEN: ContextVar[tuple[Trace, ...]] = ContextVar("microgpt_open_traces", default=())


def current_scope() -> str:
    """The dot-joined scope path in force (``""`` at the top)."""
    return ".".join(_SCOPE.get())


def pattern_regex(pattern: str) -> re.Pattern:
    """Compile a name pattern: ``*`` matches any run of characters, ``?`` one; all else literal.

    Brackets are literal (unlike ``fnmatch``), so ``pos3.*.attn_weights[k=0]`` works as typed.
    """
    parts = []
    for ch in pattern:
        parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


class Trace:
    """The nodes created inside one ``with trace()`` block, in creation order.

    ``nodes[i]`` is the node with id ``i``. Scopes are stored as runs (the id where each scope
    path starts), names in a dict for the named nodes only, to keep recording cheap.
    """

    def __init__(self) -> None:
        self.nodes: list[Value] = []
        self._names: dict[Value, str] = {}
        self._run_starts: list[int] = [0]
        self._run_scopes: list[str] = [""]
        self._index: dict[Value, int] | None = None
        self._by_name: dict[str, Value] | None = None
        self.closed = False

    # -- recording (called by the engine, ``scope`` and ``name``) ---------------------------
    def _enter_scope(self, path: str) -> None:
        start = len(self.nodes)
        if self._run_starts[-1] == start:  # no node in the previous run: replace it
            self._run_scopes[-1] = path
        else:
            self._run_starts.append(start)
            self._run_scopes.append(path)

    def _set_name(self, value: Value, full_name: str) -> None:
        self._names[value] = full_name
        self._by_name = None

    def adopt(self, named_values: Iterable[tuple[str, Value]]) -> None:
        """Record nodes made outside the trace (e.g. the model's parameters) under names.

        They get the next ids, as if created now. Use it before the forward pass so that every
        node a backward pass reaches has an id and parameters keep the same ids in every run.
        """
        for full_name, value in named_values:
            self.nodes.append(value)
            self._names[value] = full_name
        self._index = None
        self._by_name = None

    # -- reading ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Value]:
        return iter(self.nodes)

    def __contains__(self, value: object) -> bool:
        return value in self._node_index()

    def node_ids(self) -> dict[Value, int]:
        """Every recorded node's id, by node: one dict, built once and shared (do not modify
        it; queries such as ``explorer.graph.GraphIndex`` read it rather than build their own)."""
        return self._node_index()

    def _node_index(self) -> dict[Value, int]:
        if self._index is None or len(self._index) != len(self.nodes):
            self._index = {v: i for i, v in enumerate(self.nodes)}
        return self._index

    def id_of(self, value: Value) -> int:
        """The id (creation index) of a recorded node."""
        if not isinstance(value, Value):
            raise ArgumentTypeError(
                f"id_of takes a Value recorded in this trace, got {_short(value)}: give a "
                "node (e.g. t.find('loss')), or use the id itself"
            )
        try:
            return self._node_index()[value]
        except KeyError:
            raise UnknownNameError(
                f"{_short(value)} was not recorded in this trace: it was created outside the "
                "`with trace()` block (record parameters with Trace.adopt)"
            ) from None

    def node(self, node_id: int) -> Value:
        """The node with this id."""
        if type(node_id) is not int:  # one check on the common path; numpy ints are welcome
            node_id = check_int(node_id, "node_id", fix="a node's id (its creation index)")
        if not 0 <= node_id < len(self.nodes):
            raise ConfigError(f"no node with id {node_id}: ids run from 0 to {len(self.nodes) - 1}")
        return self.nodes[node_id]

    def _node_or_id(self, node) -> Value:
        return node if isinstance(node, Value) else self.node(_as_id(node))

    def name_of(self, node: Value | int) -> str | None:
        """The node's full name, or ``None`` for an anonymous intermediate."""
        return self._names.get(self._node_or_id(node))

    def scope_of(self, node: Value | int) -> str:
        """The scope path that was current when the node was created."""
        node_id = self.id_of(node) if isinstance(node, Value) else _as_id(node)
        self.node(node_id)  # range check
        return self._run_scopes[bisect.bisect_right(self._run_starts, node_id) - 1]

    def label(self, node: Value | int) -> str:
        """The node's name, or ``#id`` for an anonymous one."""
        node_id = self.id_of(node) if isinstance(node, Value) else _as_id(node)
        full = self.name_of(node_id)
        return full if full is not None else f"#{node_id}"

    def node_scopes(self) -> list[str]:
        """Every node's scope path, by id (one list, for queries over the whole trace)."""
        starts, scopes, n = self._run_starts, self._run_scopes, len(self.nodes)
        out: list[str] = []
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else n
            out.extend([scopes[k]] * (end - start))
        return out

    def node_names(self) -> list[str | None]:
        """Every node's name (``None`` for anonymous ones), by id."""
        names = self._names
        return [names.get(v) for v in self.nodes]

    @property
    def names(self) -> dict[str, Value]:
        """Every named node, by name."""
        if self._by_name is None:
            self._by_name = {n: v for v, n in self._names.items()}
        return self._by_name

    def find(self, full_name: str) -> Value:
        """The node with exactly this name; ``UnknownNameError`` (a ``KeyError``) suggesting close
        names otherwise."""
        try:
            return self.names[full_name]
        except (KeyError, TypeError):  # checked here, off the common path
            check_str(full_name, "a node name", fix="e.g. 'pos1.loss' or 'wte[e,3]'")
            close = []  # a name longer than any the model gives has no close one (and is slow)
            if len(full_name) <= MAX_NAME_CHARS:
                close = difflib.get_close_matches(full_name, list(self.names), n=3, cutoff=0.6)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UnknownNameError(
                f"no node named {quoted(full_name)} in this trace.{hint}"
            ) from None

    def match(self, pattern: str | re.Pattern) -> list[Value]:
        """Named nodes whose full name matches, in id order.

        ``pattern`` is a glob (``*``, ``?``; brackets literal, see ``pattern_regex``) or a
        compiled regular expression (matched with ``fullmatch``).
        """
        if not isinstance(pattern, re.Pattern):
            check_str(pattern, "pattern", fix="a glob such as 'pos3.*' or a compiled regex")
            if len(pattern) > MAX_NAME_CHARS:  # compiling it alone would take seconds
                raise ConfigError(
                    f"pattern {quoted(pattern)} is longer than any name ({MAX_NAME_CHARS} "
                    "characters at most): give a glob such as 'pos3.*'"
                )
        regex = pattern if isinstance(pattern, re.Pattern) else pattern_regex(pattern)
        index = self._node_index()
        found = [v for n, v in self.names.items() if regex.fullmatch(n)]
        return sorted(found, key=index.__getitem__)


def _as_id(node) -> int:
    if type(node) is int:
        return node
    return check_int(node, "node", fix="a Value recorded in this trace, or its id")


@contextmanager
def trace() -> Iterator[Trace]:
    """Record every ``Value`` created inside the block into a new ``Trace``.

    >>> from microgpt.engine import Value
    >>> with trace() as t:
    ...     c = Value(2.0) * Value(3.0)
    >>> len(t), t.id_of(c)
    (3, 2)
    """
    t = Trace()
    t._run_scopes[0] = current_scope()
    opened = _OPEN.get() + (t,)
    if len(opened) == 1:
        record = t.nodes.append  # the common case: one C call per node
    else:
        appends = tuple(o.nodes.append for o in opened)

        def record(value: Value) -> None:
            for append in appends:
                append(value)

    open_token = _OPEN.set(opened)
    record_token = RECORDER.set(record)
    try:
        yield t
    finally:
        RECORDER.reset(record_token)
        _OPEN.reset(open_token)
        t.closed = True


@contextmanager
def scope(part: str) -> Iterator[str]:
    """Open a scope: nodes created and named inside get the path ``<outer>.<part>``."""
    check_str(part, "a scope part", fix="e.g. scope('layer0')")
    if "." in part:
        raise ConfigError(
            f"a scope part must contain no '.', got {_short(part)}: open one scope per part"
        )
    path = _SCOPE.get() + (part,)
    token = _SCOPE.set(path)
    opened = _OPEN.get()
    if opened:
        joined = ".".join(path)
        for t in opened:
            t._enter_scope(joined)
    try:
        yield ".".join(path)
    finally:
        _SCOPE.reset(token)
        if opened:
            outer = ".".join(path[:-1])
            for t in opened:
                t._enter_scope(outer)


def _full_name(what: str, which) -> str:
    path = _SCOPE.get()
    if which is None:
        local = what
    elif isinstance(which, tuple):
        local = f"{what}[{','.join(str(w) for w in which)}]"
    else:
        local = f"{what}[{which}]"
    return ".".join(path + (local,)) if path else local


def name(value: Value, what: str, which=None) -> Value:
    """Name a node ``<scope>.<what>[<which>]`` in every open trace; returns the node.

    ``which`` is an index label (``3``, ``"k=0"``) or a tuple of them (``("e", 4)`` gives
    ``[e,4]``). Outside a trace this is one check.
    """
    opened = _OPEN.get()
    if opened:
        full = _full_name(what, which)
        for t in opened:
            t._set_name(value, full)
    return value


def _check_name_all(values, what) -> None:
    if not isinstance(values, (list, tuple)):
        raise ArgumentTypeError(f"name_all names a list of Values, got {_short(values)}")
    check_str(what, "the name", fix="e.g. name_all(xs, 'q')")


def name_all(values: list[Value], what: str, which: Iterable | None = None) -> list[Value]:
    """Name a list of nodes ``<what>[<which_i>]`` (``which`` defaults to 0, 1, 2, …)."""
    opened = _OPEN.get()
    if opened:
        # once per list (not per node): the list and the name it gets
        if not isinstance(values, list) or type(what) is not str:
            _check_name_all(values, what)
        labels = range(len(values)) if which is None else which
        for value, label in zip(values, labels):
            full = _full_name(what, label)
            for t in opened:
                t._set_name(value, full)
    return values
