"""What an anonymous node is, read from the recorded structure: its *role*.

The model names the points a learner reads; the nodes between them have a scope but no name
(``#21610 mul``): the products and the add chain inside a dot product (a linear layer, the
q·k of attention, the weighted sum of values, rmsnorm's Σ x²), the 0 that Python's ``sum()``
starts from, and plain numbers wrapped as constants. ``describe(fp, i)`` says which, e.g.
``attn_wq[5,3]·x_norm[3]: term j=3 of 16 in attn.q[5] (pos1)`` (a product) or ``partial sum
j=0…1 of 4 of q·k in attn_logits[k=1] (head1, pos2)``.

Everything comes from the graph, never from ids: a ``sum()`` chain is walked as
``explorer.fold`` folds it (an anonymous add read only by the next add, as its left operand),
its *head* (last add) is the named node the sum makes or feeds, a product's term index is its
place in the chain, and a constant is described by the node that reads it. Pure Python over a
``GraphIndex``; ``Roles`` keeps what it has worked out, so describing every anonymous node of a
pass walks each chain once (linear in the pass), and one node costs one chain; ``roles_of(fp)``
is the one ``Roles`` of a pass, kept with it, that the views and the node report share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from microgpt.errors import ArgumentTypeError
from microgpt.model import parse_name
from microgpt.validate import _short, check_int

from .graph import GraphIndex
from .style import fmt

__all__ = ["Role", "Roles", "describe", "role", "roles_of", "short_name"]

_OP_WORD = {"mul": "×", "add": "+"}
#: How far a role looks through anonymous readers for the named node a value goes into.
_MAX_HOPS = 16


def short_name(name: str, layers: bool = False) -> tuple[str, str]:
    """``(short, where)`` of a scoped name: ``pos2.layer0.attn.head1.attn_logits[k=1]`` gives
    ``("attn_logits[k=1]", "head1, pos2")``. The head, position and (if ``layers``: the model
    has several) layer move to ``where``; ``attn`` goes with the head it implies."""
    try:
        at = parse_name(name)
    except ArgumentTypeError:
        raise ArgumentTypeError(
            f"name must be a node's name (a string), got {_short(name)}"
        ) from None
    place = {k: f"{k}{n}" for k in ("head", "pos", "layer") if (n := getattr(at, k)) is not None}
    parts = (at.where.split(".") if at.where else []) + ([at.leaf] if at.leaf else [])
    kept = [p for p in parts if p not in place.values()]  # never split inside brackets
    if "head" in place and kept and kept[0] == "attn":
        kept = kept[1:]
    where = [p for k, p in place.items() if k != "layer" or layers]
    return ".".join(kept), ", ".join(where)


class Role(NamedTuple):
    """What an anonymous node is.

    ``kind``: ``product`` (a term of a sum), ``partial sum`` (an inner add of a ``sum()``
    chain), ``sum`` (a whole sum that a named node then scales), ``start`` (the 0 ``sum()``
    starts from), ``constant`` (a wrapped plain number) or ``other``. ``target`` is the named
    node its value goes into (``None`` if none can be told); ``term`` is a product's index in
    its sum (a partial sum's last index), ``terms`` how many terms the sum has.
    """

    kind: str
    target: int | None
    text: str
    term: int | None = None
    terms: int | None = None

    def __str__(self) -> str:
        return self.text


@dataclass
class _Chain:
    """One ``sum()`` chain: its adds bottom first, its terms, each add's last term index."""

    head: int
    spine: list[int]
    terms: list[int]
    upto: dict[int, int]
    start: int | None  # the constant 0 sum() starts from, if there is one
    target: int | None = None  # the named node the sum makes or feeds
    pos: str | None = None  # the target's position (``pos2``)
    phrase: str = ""  # where the sum goes, in words

    @property
    def is_sum(self) -> bool:
        return len(self.spine) > 1 or self.start is not None


class Roles:
    """The roles of one pass's anonymous nodes, worked out on demand and kept.

    ``Roles(fp)`` (or a ``GraphIndex``); ``role(i)`` gives a ``Role`` (``None`` for a named
    node), ``describe(i)`` its text. Each chain is walked once whatever asks for it.
    """

    def __init__(self, fp_or_index) -> None:
        index = fp_or_index if isinstance(fp_or_index, GraphIndex) else fp_or_index.index
        self.index: GraphIndex = index
        config = getattr(getattr(fp_or_index, "source", None), "config", None)
        n_layer = getattr(config, "n_layer", 1)
        self._layers = isinstance(n_layer, int) and n_layer > 1
        self._head_of: dict[int, int] = {}
        self._chains: dict[int, _Chain] = {}
        self._roles: dict[int, Role] = {}
        self._words: dict[tuple[str, int], str] = {}  # ("named", id) -> text
        self._factors: dict[tuple[int, str | None], str] = {}

    # -- structure ------------------------------------------------------------------------
    def _readers(self, i: int) -> list[int]:
        return list(dict.fromkeys(self.index.consumers[i]))

    def _next_add(self, a: int) -> int | None:
        """The add that continues a ``sum()`` chain above add ``a`` (or ``None``)."""
        index = self.index
        readers = index.consumers[a]
        if len(readers) != 1 or index.op[a] != "add" or index.name[a] is not None:
            return None
        c = readers[0]
        return c if index.op[c] == "add" and index.children[c][0] == a else None

    def _head(self, a: int) -> int:
        """The last add of the chain add ``a`` belongs to."""
        path, node = [], a
        while (head := self._head_of.get(node)) is None:
            path.append(node)
            up = self._next_add(node)
            if up is None:
                head = node
                break
            node = up
        for p in path:
            self._head_of[p] = head
        return head

    def chain(self, head: int) -> _Chain:
        """The chain whose last add is ``head`` (walked once, then kept)."""
        found = self._chains.get(head)
        if found is not None:
            return found
        index = self.index
        spine, node = [head], head
        while True:
            left = index.children[node][0]
            if self._next_add(left) != node:
                break
            spine.append(left)
            node = left
        spine.reverse()
        terms: list[int] = []
        upto: dict[int, int] = {}
        start = None
        bottom = list(index.children[spine[0]])
        last = bottom[-1]
        if len(bottom) == 2 and index.op[last] == "const" and index.values[last].data == 0:
            start = bottom.pop()  # sum(xs) is ((xs0 + 0) + xs1) + …
        terms.extend(bottom)
        upto[spine[0]] = len(terms) - 1
        for a in spine[1:]:
            terms.extend(index.children[a][1:])
            upto[a] = len(terms) - 1
        chain = _Chain(head, spine, terms, upto, start)
        for a in spine:
            self._head_of[a] = head
        self._chains[head] = chain
        chain.target = self.target(head)
        chain.pos = self._pos(chain.target)
        chain.phrase = self._phrase(chain)
        return chain

    def target(self, i: int) -> int | None:
        """The named node the value of node ``i`` goes into (itself if named)."""
        index = self.index
        for _ in range(_MAX_HOPS):
            if index.name[i] is not None:
                return i
            if index.op[i] == "add":
                i = self._head(i)
                if index.name[i] is not None:
                    return i
            readers = self._readers(i)
            if len(readers) != 1:
                return None
            i = readers[0]
        return None

    # -- words ----------------------------------------------------------------------------
    def named(self, i: int) -> str:
        """A named node in short: ``q[5] (pos1)``."""
        text = self._words.get(("named", i))
        if text is None:
            short, where = short_name(self.index.name[i], self._layers)
            text = self._words["named", i] = f"{short} ({where})" if where else short
        return text

    def _pos(self, i: int | None) -> str | None:
        """The position a named node belongs to (``pos2``), if its name starts with one."""
        name = self.index.name[i] if i is not None else None
        pos = parse_name(name).pos if name is not None else None
        return None if pos is None else f"pos{pos}"

    def _factor(self, c: int, pos: str | None) -> str:
        """An operand of a product: its last part (``x_norm[3]``), with its position if it
        is not the position of the sum (``pos0.k[5]``: a key from the cache)."""
        key = (c, pos)
        text = self._factors.get(key)
        if text is None:
            name = self.index.name[c]
            if name is None:
                text = f"#{c}"
            else:
                own, leaf = self._pos(c), parse_name(name).leaf or name
                text = (f"{own}." if own is not None and own != pos else "") + leaf
            self._factors[key] = text
        return text

    def _what(self, c: int) -> str:
        name = self.index.name[c]
        return f"#{c}" if name is None else parse_name(name).what or name

    def _kind(self, chain: _Chain) -> str:
        """What a chain sums, from its first term: ``q·k``, ``x_emb²``, ``loss``."""
        index = self.index
        first = chain.terms[0] if chain.terms else None
        if first is None:
            return "nothing"
        if index.name[first] is None and index.op[first] == "mul":
            a, b = index.children[first]
            if a == b:
                return f"{self._what(a)}²"
            return f"{self._what(a)}·{self._what(b)}"
        return self._what(first)

    def _phrase(self, chain: _Chain) -> str:
        """Where a chain's sum goes: ``in q[5] (pos1)``, ``of q·k in attn_logits[k=1] (…)``."""
        head, target = chain.head, chain.target
        if self.index.name[head] is not None:
            return f"in {self.named(head)}"
        where = self.named(target) if target is not None else f"#{head}"
        return f"of {self._kind(chain)} in {where}"

    # -- roles ----------------------------------------------------------------------------
    def role(self, i: int) -> Role | None:
        """The role of node ``i``; ``None`` for a named node (its name says what it is)."""
        found = self._roles.get(i)
        if found is not None or self.index.name[i] is not None:
            return found
        index = self.index
        # a node of a sum: its adds, its products and its starting 0 are described at once
        if index.op[i] == "add":
            self._fill(self.chain(self._head(i)))
        else:
            readers = index.consumers[i]
            if readers and index.op[readers[0]] == "add" and readers.count(readers[0]) == 1:
                self._fill(self.chain(self._head(readers[0])))
        found = self._roles.get(i)
        if found is None:
            found = self._roles[i] = self._other(i)
        return found

    def roles(self, ids) -> dict[int, Role]:
        """The roles of the anonymous nodes among ``ids`` (each chain walked once)."""
        name, role = self.index.name, self.role
        return {i: role(i) for i in ids if name[i] is None}

    def describe(self, i: int) -> str | None:
        r = self.role(i)
        return None if r is None else r.text

    def _fill(self, chain: _Chain) -> None:
        """The roles of a chain's adds, of the products it sums and of its starting 0."""
        if chain.head in self._roles or not chain.is_sum:
            return
        index, roles = self.index, self._roles
        name, op, consumers = index.name, index.op, index.consumers
        n, target, phrase, pos = len(chain.terms), chain.target, chain.phrase, chain.pos
        for a in chain.spine:
            if name[a] is None:
                if a == chain.head:
                    roles[a] = Role("sum", target, f"sum of all {n} terms {phrase}", n - 1, n)
                else:
                    last = chain.upto[a]
                    text = f"partial sum j=0…{last} of {n} {phrase}"
                    roles[a] = Role("partial sum", target, text, last, n)
        if chain.start is not None:
            text = f"the 0 that sum() starts from, {phrase}"
            roles[chain.start] = Role("start", target, text)
        factor = self._factor
        for j, t in enumerate(chain.terms):
            if name[t] is not None or op[t] != "mul" or len(consumers[t]) != 1:
                continue  # a named term, or a product something else reads too
            a, b = index.children[t]
            text = f"{factor(a, pos)}·{factor(b, pos)}: term j={j} of {n} {phrase}"
            roles[t] = Role("product", target, text, j, n)

    def _other(self, i: int) -> Role:
        """A constant (by the node that reads it) or any other anonymous node."""
        index = self.index
        readers = list(dict.fromkeys(index.consumers[i]))
        target = self.target(i)
        where = self.named(target) if target is not None else None
        if index.op[i] == "const":
            sym = _OP_WORD.get(index.op[readers[0]], index.op[readers[0]]) if readers else ""
            if where is None:
                where = f"#{readers[0]}" if readers else "nothing"
            text = f"constant {fmt(index.values[i].data)}: {sym} in {where}"
            return Role("constant", target, text.replace(":  in", ":"))
        if where is None:
            where = f"{len(readers)} nodes" if len(readers) > 1 else "nothing"
        return Role("other", target, f"{index.op[i]}, read by {where}")


def roles_of(fp) -> Roles:
    """The ``Roles`` of a pass, made once and kept with the pass (like its index), so that
    the views drawn from one pass walk each chain once."""
    memo = getattr(fp, "memo", None)
    found = memo.get("roles") if memo is not None else None
    if isinstance(found, Roles) and found.index is fp.index:
        return found
    found = Roles(fp)
    if memo is not None:  # a pass-like object without a memo: described afresh each time
        memo["roles"] = found
    return found


def role(fp, i: int) -> Role | None:
    """The ``Role`` of node ``i`` of a pass (``None`` for a named node)."""
    return roles_of(fp).role(_check_id(fp, i, "role"))


def describe(fp, i: int) -> str | None:
    """What node ``i`` of a pass is, in words (``None`` for a named node: its name says it)."""
    return roles_of(fp).describe(_check_id(fp, i, "describe"))


def _check_id(fp, i, function: str) -> int:
    if not hasattr(fp, "index") or not hasattr(fp, "trace"):
        raise ArgumentTypeError(
            f"{function} takes a recorded pass, got {type(fp).__name__} {_short(fp)}: e.g. "
            "ForwardPass('emma')"
        )
    last = len(fp.trace) - 1
    return check_int(i, "i", 0, last, fix=f"a node id of the pass, 0 to {last}")
