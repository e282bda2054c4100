"""Backward replayed from the record, in backward's own order: the one engine behind the
backward stepper (``explorer.stepper``) and the backward player (``explorer.playback``).

A graph query (pure Python over a recorded pass's ``GraphIndex``). ``Value.backward()`` walks
the recorded topological order reversed (the article's ``for node in reversed(topo)``); a node,
when backward reaches it, holds its final grad and adds ``local_grad × grad`` to each input.
Everything that needs is recorded: the order (``GraphIndex.backward_order``), each node's local
gradients and its final grad. So backward's ``grad +=`` can be replayed without running
anything again: ``BackwardReplay`` walks the consumers of the nodes a caller watches in
backward's order and gives what each sends to its inputs. Added up in that order, from 0, the
sends are backward's sums to the last bit.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

from .checks import check_pass
from .recorded import RecordedPass

__all__ = ["BackwardReplay", "backward_order", "backward_rank"]


def backward_order(fp: RecordedPass):
    """The ids of the root's graph in the order backward reached them (the root first): the
    recorded topological order, kept by the pass's index."""
    check_pass(fp, "backward_order")
    return fp.index.backward_order


def backward_rank(fp: RecordedPass) -> array:
    """Each node's place in backward's order (0: the root, which goes first; -1: not in the
    root's graph), from the topological order the recorded backward returned."""
    memo = fp.memo.get("playback.rank")
    if memo is None:
        memo = array("l", [-1]) * len(fp.index)  # compact: 8 bytes a node, not a list of ints
        for r, i in enumerate(backward_order(fp)):  # the order backward() walked
            memo[i] = r
        fp.memo["playback.rank"] = memo
    return memo


class BackwardReplay:
    """A cursor over backward's ``grad +=`` into the nodes ``watched``: ``until(place)`` gives
    each of their consumers up to ``place`` in backward's order, once, with what it sent."""

    def __init__(self, fp: RecordedPass, watched: Iterable[int]) -> None:
        check_pass(fp, "BackwardReplay")
        index = fp.index
        self.rank = rank = backward_rank(fp)
        watched = list(watched)
        if 4 * len(watched) > len(index.in_graph):  # most of the pass: all of backward
            self.consumers = backward_order(fp)
        else:
            consumers_of = index.consumers
            self.consumers = sorted(
                {c for i in watched for c in consumers_of[i] if rank[c] >= 0},
                key=rank.__getitem__,
            )
        self._values, self._children = index.values, index.children
        self._k = 0

    def until(self, place: int) -> Iterator[tuple[int, tuple, tuple, float]]:
        """``(consumer, its inputs, their local grads, its grad)`` for every consumer not given
        yet whose place in backward's order is at most ``place``: backward added
        ``local_grad × grad`` (the consumer's recorded, final grad) to each input, in this
        order. The caller multiplies (only where it watches: most inputs are not watched)."""
        rank, consumers, values, children = self.rank, self.consumers, self._values, self._children
        k, n = self._k, len(consumers)
        while k < n and rank[consumers[k]] <= place:
            i = consumers[k]
            k += 1
            self._k = k
            v = values[i]
            yield i, children[i], v._local_grads, v.grad  # final: its consumers went before

    def rest(self) -> Iterator[tuple[int, tuple, tuple, float]]:
        """``until`` the end of backward."""
        return self.until(len(self.rank))
