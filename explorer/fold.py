"""Folding: constants become labels, and the add chain of a ``sum()`` becomes one Σ node.

Python's ``sum(xs)`` builds ``((xs0 + 0) + xs1) + …``: one add per term, each anonymous and
used only by the next. A chain's last add (its *head*, usually a named node such as
``pos3.layer0.attn.q[4]``) stands for the whole chain; the inner adds are *absorbed*. A chain's
inputs are the non-absorbed children of all its adds, in order, without the constant 0 that
``sum()`` starts from. Pure Python over a ``GraphIndex``.
"""

from __future__ import annotations

from microgpt.validate import check_instance

from .graph import GraphIndex

__all__ = ["Folding"]


class Folding:
    """Which nodes fold away in every view, computed once per pass.

    ``absorbed[i]`` is the chain head an inner add folds into (absent for every other node).
    """

    def __init__(self, index: GraphIndex) -> None:
        check_instance(index, "index", GraphIndex, "a pass's GraphIndex (fp.index)")
        self.index = index
        op, name, children, consumers = index.op, index.name, index.children, index.consumers
        in_graph = index.in_graph
        inner = set()
        for i in in_graph:
            if op[i] != "add" or name[i] is not None or i == index.root:
                continue
            users = [c for c in consumers[i] if c in in_graph]
            if len(users) == 1 and op[users[0]] == "add" and children[users[0]][0] == i:
                inner.add(i)
        self.absorbed: dict[int, int] = {}
        for i in sorted(inner, reverse=True):  # heads have larger ids than their inner adds
            user = next(c for c in consumers[i] if c in in_graph)
            self.absorbed[i] = self.absorbed.get(user, user)

    def is_hidden(self, i: int) -> bool:
        """Constants and inner adds are never drawn as nodes of their own."""
        return i in self.absorbed or self.index.op[i] == "const"

    def is_chain(self, i: int) -> bool:
        """Whether node i heads a chain of two or more adds."""
        kids = self.index.children[i]
        return bool(kids) and kids[0] in self.absorbed

    def chain_length(self, i: int) -> int:
        n, kids = 1, self.index.children[i]
        while kids and kids[0] in self.absorbed:
            n += 1
            kids = self.index.children[kids[0]]
        return n

    def inputs(self, i: int) -> list[tuple[int, float]]:
        """``(input id, local gradient)`` pairs of node i, chains flattened (local grad 1)."""
        index = self.index
        kids = index.children[i]
        locals_ = index.values[i]._local_grads
        if not self.is_chain(i):
            return list(zip(kids, locals_))
        out: list[tuple[int, float]] = []
        node = i
        while True:  # walk down the left spine; collect right-hand terms, then the bottom
            left, *rest = index.children[node]
            out.extend((r, 1) for r in reversed(rest))
            if left in self.absorbed:
                node = left
            else:
                out.append((left, 1))
                break
        out.reverse()
        # drop the constant 0 that sum() starts from (the bottom add's second child)
        return [
            (c, g) for c, g in out if not (index.op[c] == "const" and index.values[c].data == 0)
        ]
