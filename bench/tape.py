"""A tape compiled from recorded ``Value`` traces: one training step's loss and every gradient on
plain floats, replayed in the engine's own order (issue 21, item 4; an experiment for
``bench/bench_tape.py``, not part of the package).

What a tape is
==============

``model.loss(tokens)`` is recorded on the ``Value`` engine (``microgpt.trace``), and the graph is
flattened into a tape: every node's op code and operand indices, in creation order, with

- **parameters** as indices into the flat weights (``GPT.params`` order);
- **slots** for the parameters a document chooses by its token ids (the embedding rows): a slot
  is ``(matrix offset, columns, position j, column)`` and reads ``tokens[j]``'s row;
- **constants** inlined, except those that depend on the data: a softmax subtracts the plain
  number ``max(logits)``, so its constants are recomputed as ``-max(...)`` of their partners;
- **gradients in pull form**: for every node and parameter, its parents in the order the
  engine's ``backward()`` adds their terms (read off the engine's own topological order), so
  ``grad = ((0 + term_1) + term_2) + ...`` is the engine's ``+=`` sequence, float for float.

Nothing about the model is written here: slots, data-dependent constants and the nodes whose
order depends on the targets are all found by comparing recordings (different tokens, different
weights, every target at every position) and checked, or refused with ``TapeError``.

What depends on the document
============================

The graph's node count and creation order depend only on the document's length ``n``, so there
is one tape per length. The tokens change it in two ways: the embedding rows (slots, above) and
the targets. A target decides which probability is logged, so it changes which nodes the
backward pass reaches and the order in which it reaches them (the target's ``lm_head`` row is
reached first, so its term comes last): those *variant* nodes (about ``3 * vocab + n_embd``
per position) get one pull list per target, found once from ``vocab_size`` full-length
recordings (every target at every position), and are computed through a small function per
(node, target), compiled when first needed. A target also chooses an operand (the logged
probability): the forward pass reads it through a table indexed by the target. Everything else
is straight-line Python generated from the tape (``v[i] = v[a] * w[k]``,
``g[i] = 0 + v[b] * g[u] + g[u2]``), compiled once per length in chunks.

Making it fast, exactly
=======================

With ``fuse`` (the default), a node whose value only its one consumer reads, and whose data no
local gradient needs, is built into that consumer's expression (a dot product becomes one
expression, as in ``microgpt.floats``): the same operations on the same floats. A node whose
only gradient term comes from an add has its parent's gradient (``0 + g`` is ``g``: no
gradient is ever -0.0, since each starts from the engine's int 0), so it is an alias, not a
statement. Unfused, the tape has one statement per node and per pull list (``fuse=False``).
"""

from __future__ import annotations

import bisect
import math
import random
from array import array
from dataclasses import dataclass

from microgpt.engine import LEAF_OPS, OPS, gc_paused
from microgpt.errors import MicrogptError
from microgpt.model import GPT, GPTConfig
from microgpt.trace import trace

__all__ = ["TapeCompiler", "LengthTape", "TapeError", "Recording", "record"]

#: Statements per compiled function (CPython compiles one huge function slowly).
CHUNK = 2000


class TapeError(MicrogptError):
    """A recorded graph the tape cannot replay exactly (a data dependence it cannot express)."""


@dataclass
class Recording:
    """One recorded ``model.loss(tokens)``: the flat graph and the engine's backward order.

    ``ops[i]``, ``operands[i]`` (refs ``("n", id)`` node, ``("p", k)`` parameter), ``data[i]``,
    ``exponent[i]`` for node ``i`` in creation order; ``pulls`` maps a ref to its parents'
    ``(parent id, child index)`` in the order ``backward()`` adds their terms; ``rank[i]`` is
    node i's place in that order; ``ends[p]`` the id of position p's loss (its last node).
    """

    tokens: list[int]
    ops: list[str]
    operands: list[tuple]
    data: list
    exponent: list
    scopes: list[str]
    pulls: dict
    rank: dict
    root: int
    ends: list[int]


def record(model: GPT, tokens: list[int]) -> Recording:
    """Record ``model.loss(tokens)`` and read the engine's backward order off its graph."""
    with gc_paused():
        with trace() as t:
            loss, losses = model.loss(tokens)
        ids = t.node_ids()
        params = {p: k for k, p in enumerate(model.params)}
        ops, operands, data, exponent = [], [], [], []
        for node in t.nodes:
            ops.append(node.op)
            data.append(node.data)
            exponent.append(node.exponent)
            refs = []
            for child in node.children:
                if child in ids:
                    refs.append(("n", ids[child]))
                elif child in params:
                    refs.append(("p", params[child]))
                else:
                    raise TapeError(f"a node's operand {child!r} was made outside the recording")
            operands.append(tuple(refs))
        topo = loss.topological_order()
        pulls: dict = {}
        rank = {}
        # the engine's loop: reversed topological order, each node's children in tuple order
        for r, node in enumerate(reversed(topo)):
            if not node.children:
                continue  # a leaf (a parameter or a constant) passes nothing on
            u = ids[node]
            rank[u] = r
            for ci, ref in enumerate(operands[u]):
                pulls.setdefault(ref, []).append((u, ci))
    return Recording(
        tokens=list(tokens),
        ops=ops,
        operands=operands,
        data=data,
        exponent=exponent,
        scopes=t.node_scopes(),
        pulls={ref: tuple(terms) for ref, terms in pulls.items()},
        rank=rank,
        root=ids[loss],
        ends=[ids[x] for x in losses],
    )


def _flat(ops: list[str], operands: list[tuple]) -> array:
    """The tape as one array of ints: per node its op code (``OPS`` index), its operand count
    and its operands (a node id, or ``-1 - k`` for parameter k); constants live in the code."""
    flat = array("i")
    for op, refs in zip(ops, operands):
        flat.append(OPS.index(op))
        flat.append(len(refs))
        flat.extend(x if kind == "n" else -1 - x for kind, x in refs)
    return flat


def _literal(x) -> str:
    return f"({x!r})"


@dataclass
class LengthTape:
    """The compiled tape of one document length: call ``loss_and_grads(weights, tokens)``."""

    n: int
    num_nodes: int
    num_params: int
    root: int
    slots: list[tuple]  # (matrix offset, columns, position j, column)
    forward: list  # compiled chunks
    backward: list
    params: list
    variants: list  # one _Variant per variant node, indexed by the generated code
    flat: array  # the flat tape: per node its op code, operand count and operands
    statements: int = 0
    _scratch: tuple | None = None

    def loss_and_grads(self, weights: list[float], tokens: list[int]):
        """``(loss, grads)``: bit for bit ``model.loss(tokens)`` and ``backward()``'s grads."""
        n = self.n
        if len(tokens) - 1 < n:
            raise TapeError(
                f"this tape is for {n} positions: it needs {n + 1} tokens or more, "
                f"got {len(tokens)}"
            )
        si = [off + tokens[j] * cols + col for off, cols, j, col in self.slots]
        s = [weights[k] for k in si]
        targets = tokens[1 : n + 1]
        # v and g are reused: every entry a step reads, it writes first (the forward pass
        # writes every node it keeps, and a gradient is written before any child reads it)
        if self._scratch is None:
            self._scratch = [0] * self.num_nodes, [0] * self.num_nodes
        v, g = self._scratch
        grads = [0] * self.num_params
        variants = self.variants
        for chunk in self.forward:
            chunk(v, g, weights, s, si, targets, variants, grads)
        g[self.root] = 1
        for chunk in self.backward:
            chunk(v, g, weights, s, si, targets, variants, grads)
        for chunk in self.params:
            chunk(v, g, weights, s, si, targets, variants, grads)
        return v[self.root], grads


class _Variant(dict):
    """One variant node's gradient function per target, compiled when first asked for."""

    def __init__(self, compiler, pull_of_target, term):
        super().__init__()
        self._pull_of_target = pull_of_target
        self._term = term
        self._compiler = compiler

    def __missing__(self, target: int):
        terms = self._pull_of_target(target)
        body = " + ".join(["0", *(self._term(u, ci) for u, ci in terms)])
        source = f"lambda v, g, w, s, T: {body}"
        fn = self._compiler._variant_fns.get(source)  # shared by every length's tape
        if fn is None:
            fn = eval(compile(source, "<tape variant>", "eval"), self._compiler.namespace)
            self._compiler._variant_fns[source] = fn
        self[target] = fn
        return fn


class TapeCompiler:
    """Compiles and keeps one ``LengthTape`` per document length for one ``GPTConfig``.

    ``compile_targets()`` (once: ``vocab_size`` recordings at full length) finds the nodes whose
    gradient order depends on a target; ``tape(n)`` compiles length ``n`` (two recordings).
    """

    def __init__(
        self,
        config: GPTConfig,
        *,
        seed: int = 1,
        fuse: bool = True,
        max_length: int | None = None,
        make_model=GPT,
    ):
        self.config = config
        self.fuse = fuse
        #: the longest document (in positions) the tapes serve; the target recordings are
        #: this long, so a smaller one compiles faster
        self.max_length = config.block_size if max_length is None else max_length
        if not 1 <= self.max_length <= config.block_size:
            raise TapeError(
                f"max_length must be from 1 to block_size {config.block_size}, got {max_length}"
            )
        self.make_model = make_model  # (config, rng) -> a model with .loss and .params
        self.seed = seed
        self.namespace = {"log": math.log, "exp": math.exp, "max": max, "__builtins__": {}}
        self.tapes: dict[int, LengthTape] = {}
        self._chunks: dict[str, object] = {}  # compiled chunks by source: lengths share them
        self._variant_fns: dict[str, object] = {}  # compiled variant functions by source
        self.variant_ids: set[int] | None = None
        self._variant_pulls: dict[int, dict[int, tuple]] = {}  # target -> node -> terms
        self._variant_base: dict[int, tuple] = {}
        self._full_ends: list[int] = []
        #: (node, operand index) -> {target: ref}: operands the target chooses (the log-prob)
        self.target_operands: dict[tuple[int, int], dict[int, tuple]] = {}
        self.offsets = []  # (offset, rows, cols) per matrix, in params order
        offset = 0
        for rows, cols in config.matrix_shapes().values():
            self.offsets.append((offset, rows, cols))
            offset += rows * cols
        self.num_params = offset

    # -- models and documents the compiler records -------------------------------------
    def _model(self, which: int) -> GPT:
        return self.make_model(self.config, random.Random(self.seed * 1000 + which))

    def _where(self, k: int) -> tuple[int, int, int, int]:
        """A parameter's (matrix offset, columns, row, column)."""
        i = bisect.bisect_right([o for o, _, _ in self.offsets], k) - 1
        off, _, cols = self.offsets[i]
        return off, cols, (k - off) // cols, (k - off) % cols

    # -- the targets: which nodes' pull lists they change --------------------------------
    def compile_targets(self) -> None:
        """Record a full-length document once per target (every position predicting it) and
        keep, for every node whose pull list differs between targets, its list per target."""
        if self.variant_ids is not None:
            return
        V, n = self.config.vocab_size, self.max_length
        model = self._model(0)
        base: dict | None = None
        differ: dict[int, dict[int, tuple]] = {}
        for t in range(V):
            rec = record(model, [(t + 1) % V] + [t] * n)
            nodes = {ref[1]: terms for ref, terms in rec.pulls.items() if ref[0] == "n"}
            if base is None:
                base = nodes
                base_operands = rec.operands
                self._full_ends = rec.ends
                continue
            for i, (x, y) in enumerate(zip(base_operands, rec.operands)):
                for ci, (rx, ry) in enumerate(zip(x, y)):
                    if rx != ry and "n" in (rx[0], ry[0]):  # a node chosen by the target
                        self.target_operands.setdefault((i, ci), {0: rx})[t] = ry
            for i in set(base) | set(nodes):
                terms = nodes.get(i, ())
                if terms != base.get(i, ()):
                    differ.setdefault(t, {})[i] = terms
        self.variant_ids = {i for d in differ.values() for i in d}
        self._variant_base = {i: base.get(i, ()) for i in self.variant_ids}
        self._variant_pulls = differ

    def _variant_terms(self, i: int, t: int) -> tuple:
        return self._variant_pulls.get(t, {}).get(i, self._variant_base[i])

    # -- one length ---------------------------------------------------------------------
    def tape(self, n: int) -> LengthTape:
        """The tape of documents with ``n`` positions (compiled on first use)."""
        if n in self.tapes:
            return self.tapes[n]
        if not 1 <= n <= self.max_length:
            raise TapeError(
                f"a document of {n} positions: this compiler's tapes serve 1 to "
                f"{self.max_length} (max_length)"
            )
        self.compile_targets()
        V = self.config.vocab_size
        if n > V - 1:
            raise TapeError(f"{n} positions need distinct tokens: vocab_size {V} is too small")
        rec_a = record(self._model(1), [j % V for j in range(n + 1)])
        rec_b = record(self._model(2), [(j + 1) % V for j in range(n + 1)])
        tape = self._compile(n, rec_a, rec_b)
        self.tapes[n] = tape
        return tape

    def _compile(self, n: int, a: Recording, b: Recording) -> LengthTape:
        if a.ops != b.ops or a.root != b.root or a.exponent != b.exponent:
            raise TapeError(f"length {n}: the graph's ops depend on the tokens or weights")
        if a.ends != self._full_ends[:n]:
            raise TapeError(f"length {n}: positions are not laid out as in a full-length document")
        N = len(a.ops)
        ends = a.ends
        by_target = {}  # (node, operand index) -> expression of the chosen node's data
        for (i, ci), refs in self.target_operands.items():
            if i > ends[-1]:
                continue
            p = bisect.bisect_left(ends, i)
            ids = [refs.get(t, refs[0]) for t in range(self.config.vocab_size)]
            for rec in (a, b):
                if rec.operands[i][ci] != ids[rec.tokens[p + 1]] or ids[0][0] != "n":
                    raise TapeError(f"length {n}: node {i}'s operand is not chosen by target {p}")
            by_target[i, ci] = f"v[{tuple(r[1] for r in ids)}[T[{p}]]]"
        slots, slot_of = self._slots(n, a, b, by_target)
        consts = self._constants(n, a, b)
        variants = {i for i in self.variant_ids if i <= a.ends[-1]}
        changed = {
            ref[1]
            for ref in set(a.pulls) | set(b.pulls)
            if ref[0] == "n" and a.pulls.get(ref, ()) != b.pulls.get(ref, ())
        }
        if not changed <= variants:
            raise TapeError(
                f"length {n}: {len(changed - variants)} nodes' gradient order changes with the "
                "tokens in a way the targets do not explain"
            )

        ops, operands, exponent = a.ops, a.operands, a.exponent
        fuse = self.fuse

        def is_const(ref) -> bool:
            return ref[0] == "n" and ref[1] in consts

        # nodes whose data the backward pass reads (a product's other operand, the operand of
        # pow, log and relu, an exp's output), the data-dependent constants' partners and the
        # nodes a target chooses: these get a place in v; the others may be fused
        read = {a.root}
        for u in range(N):
            op, refs = ops[u], operands[u]
            if op == "mul":
                read.update(x[1] for x, y in (refs, refs[::-1]) if x[0] == "n" and not is_const(y))
            elif op in ("pow", "log", "relu"):
                read.update(x[1] for x in refs if x[0] == "n")
            elif op == "exp":
                read.add(u)
        read.update(x for xs in consts.first.values() for x in xs)
        for refs in self.target_operands.values():
            read.update(r[1] for r in refs.values())
        uses = [0] * N
        for i, refs in enumerate(operands):
            for ci, ref in enumerate(refs):
                if ref[0] == "n" and (i, ci) not in by_target:
                    uses[ref[1]] += 1
        fusable = {
            i
            for i in range(N)
            if fuse and uses[i] == 1 and i not in read and ops[i] not in LEAF_OPS
        }
        inline: dict[int, tuple[str, int]] = {}  # a fused node's expression and precedence

        def data(ref) -> tuple[str, int]:
            """An operand's data as an expression and its precedence (4: an atom)."""
            kind, x = ref
            if kind == "p":
                return (f"s[{slot_of[x]}]" if x in slot_of else f"w[{x}]"), 4
            if x in consts:
                return consts[x], 4
            if x in inline:
                return inline.pop(x)
            return f"v[{x}]", 4

        def operand(i: int, ci: int) -> tuple[str, int]:
            """The data of node i's operand ci: a node, parameter, slot, constant, fused
            expression, or the node its position's target chooses."""
            if (i, ci) in by_target:
                return by_target[i, ci], 4
            return data(operands[i][ci])

        def wrap(x: tuple[str, int], prec: int, right: bool = False) -> str:
            # Python's + and * associate to the left: a left operand of the same precedence
            # needs no parentheses (a dot product stays flat), a right one does
            text, p = x
            return f"({text})" if p < prec or (right and p == prec) else text

        # forward: every node in creation order; leaves are inlined, fused nodes are built into
        # their one consumer's expression (the same operations, so the same floats)
        fwd = []
        for i in range(N):
            op = ops[i]
            if op in LEAF_OPS:
                if i in consts.first:
                    partners = ", ".join(f"v[{x}]" for x in consts.first[i])
                    fwd.append(f"v[{i}] = -max(({partners},))")
                continue
            xs = [operand(i, ci) for ci in range(len(operands[i]))]
            if op == "add":
                expr = (f"{wrap(xs[0], 1)} + {wrap(xs[1], 1, True)}", 1)
            elif op == "mul":
                expr = (f"{wrap(xs[0], 2)} * {wrap(xs[1], 2, True)}", 2)
            elif op == "pow":
                expr = (f"{wrap(xs[0], 4)} ** {_literal(exponent[i])}", 3)
            elif op in ("log", "exp"):
                expr = (f"{op}({xs[0][0]})", 4)
            elif op == "relu":
                x = wrap(xs[0], 4)
                expr = (f"{x} if {x} > 0 else 0", 0)
            else:
                raise TapeError(f"unknown op {op!r}")
            if i in fusable:
                inline[i] = expr
            else:
                fwd.append(f"v[{i}] = {expr[0]}")

        def grad(u: int) -> str:
            return alias.get(u, f"g[{u}]")

        def term(u: int, ci: int) -> str:
            op = ops[u]
            if op == "add":
                return grad(u)
            if op == "mul":
                return f"{operand(u, 1 - ci)[0]} * {grad(u)}"
            x = operand(u, 0)[0]
            if op == "pow":
                e = exponent[u]
                return f"({_literal(e)} * {x} ** {_literal(e - 1)}) * {grad(u)}"
            if op == "log":
                return f"(1 / {x}) * {grad(u)}"
            if op == "exp":
                return f"v[{u}] * {grad(u)}"
            if op == "relu":
                return f"(1.0 if {x} > 0 else 0.0) * {grad(u)}"
            raise TapeError(f"op {op!r} has no local gradient")

        # backward in pull form, in reverse creation order (a parent is always made after its
        # children, so every parent's gradient is final before a child reads it). A node whose
        # one term comes from an add has its parent's gradient: 0 + g is g, since no gradient
        # is ever -0.0 (each is 0 plus its terms), so it is an alias, not a statement
        alias: dict[int, str] = {}
        bwd = []
        variant_fns = []
        for i in reversed(range(N)):
            if ops[i] in LEAF_OPS or i == a.root:
                continue
            if i in variants:
                p = bisect.bisect_left(ends, i)
                for t in range(self.config.vocab_size):
                    for u, _ in self._variant_terms(i, t):
                        if u > ends[-1]:
                            raise TapeError(f"length {n}: node {i}'s target order crosses {u}")
                fn = _Variant(self, lambda t, i=i: self._variant_terms(i, t), term)
                bwd.append(f"g[{i}] = f[{len(variant_fns)}][T[{p}]](v, g, w, s, T)")
                variant_fns.append(fn)
                continue
            terms = a.pulls.get(("n", i))
            if not terms:
                continue
            if fuse and len(terms) == 1 and ops[terms[0][0]] == "add":
                alias[i] = grad(terms[0][0])
                continue
            bwd.append(f"g[{i}] = 0 + " + " + ".join(term(u, ci) for u, ci in terms))

        # parameters: one sum each; slots (rows chosen by tokens) add their terms in the
        # engine's order, since two positions with the same token share a row
        par = []
        slot_terms = []
        for ref, terms in a.pulls.items():
            if ref[0] != "p":
                continue
            if ref[1] in slot_of:
                j = slot_of[ref[1]]
                slot_terms += [(a.rank[u], f"G[si[{j}]] += {term(u, ci)}") for u, ci in terms]
            else:
                par.append(f"G[{ref[1]}] = 0 + " + " + ".join(term(u, ci) for u, ci in terms))
        slot_mats = {self._where(k)[0] for k in slot_of}
        fixed = [r[1] for r in a.pulls if r[0] == "p" and r[1] not in slot_of]
        if any(self._where(k)[0] in slot_mats for k in fixed):
            raise TapeError(f"length {n}: a matrix is read both by token and by position")
        par += [s for _, s in sorted(slot_terms)]

        return LengthTape(
            n=n,
            num_nodes=N,
            num_params=self.num_params,
            root=a.root,
            slots=slots,
            forward=self._chunked(fwd),
            backward=self._chunked(bwd),
            params=self._chunked(par),
            variants=variant_fns,
            flat=_flat(ops, operands),
            statements=len(fwd) + len(bwd) + len(par),
        )

    def _slots(self, n: int, a: Recording, b: Recording, by_target: dict):
        """Parameters chosen by a token: their rule ``(offset, cols, j, col)`` and slot index
        by the parameter recording ``a`` used."""
        slots, slot_of = [], {}
        for i, (ra, rb) in enumerate(zip(a.operands, b.operands)):
            for ci, (x, y) in enumerate(zip(ra, rb)):
                if x == y or (i, ci) in by_target:
                    continue
                if x[0] != "p" or y[0] != "p":
                    raise TapeError(f"length {n}: node {i}'s operands depend on the tokens")
                (oa, ca, row_a, col_a), (ob, _, row_b, col_b) = self._where(x[1]), self._where(y[1])
                js = [
                    j
                    for j in range(n)
                    if a.tokens[j] == row_a and b.tokens[j] == row_b
                ]  # fmt: skip
                if oa != ob or col_a != col_b or len(js) != 1:
                    raise TapeError(f"length {n}: node {i} reads a parameter no token explains")
                rule = (oa, ca, js[0], col_a)
                if x[1] in slot_of:
                    if slots[slot_of[x[1]]] != rule:
                        raise TapeError(f"length {n}: parameter {x[1]} has two rules")
                    continue
                slot_of[x[1]] = len(slots)
                slots.append(rule)
        return slots, slot_of

    def _constants(self, n: int, a: Recording, b: Recording) -> _Consts:
        """Constant leaves as expressions: a literal when both recordings agree, else the
        negated max of its group's partners (a softmax's ``- max(logits)``), checked."""
        consts = _Consts()
        groups: dict = {}
        parent = {}
        for i, refs in enumerate(a.operands):
            for ci, ref in enumerate(refs):
                if ref[0] == "n" and a.ops[ref[1]] in LEAF_OPS:
                    parent[ref[1]] = (i, ci)
        for i, op in enumerate(a.ops):
            if op not in LEAF_OPS:
                continue
            x, y = a.data[i], b.data[i]
            if type(x) is type(y) and x == y and math.copysign(1, x) == math.copysign(1, y):
                consts[i] = _literal(x)
                continue
            if i not in parent or a.ops[parent[i][0]] != "add" or parent[i][1] != 1:
                raise TapeError(f"length {n}: constant node {i} depends on the data")
            groups.setdefault((a.scopes[i], x, y), []).append(i)
        for members in groups.values():
            partners = [a.operands[parent[i][0]][0] for i in members]
            for rec in (a, b):
                if rec.data[members[0]] != -max(rec.data[r[1]] for r in partners):
                    raise TapeError(f"length {n}: constant node {members[0]} is not a -max")
            if any(r[0] != "n" or r[1] > members[0] for r in partners):
                raise TapeError(f"length {n}: constant node {members[0]}'s partners come later")
            first = members[0]
            consts.first[first] = [r[1] for r in partners]
            for i in members:
                consts[i] = f"v[{first}]"
        return consts

    def _chunked(self, statements: list[str]) -> list:
        out = []
        for start in range(0, len(statements), CHUNK):
            body = "\n    ".join(statements[start : start + CHUNK])
            source = f"def chunk(v, g, w, s, si, T, f, G):\n    {body}\n"
            fn = self._chunks.get(source)
            if fn is None:
                namespace = dict(self.namespace)
                exec(compile(source, "<tape chunk>", "exec"), namespace)
                fn = self._chunks[source] = namespace["chunk"]
            out.append(fn)
        return out

    def loss_and_grads(self, weights: list[float], tokens: list[int]):
        """One training step's loss and gradients for any document (its length's tape)."""
        n = min(self.config.block_size, len(tokens) - 1)
        return self.tape(n).loss_and_grads(weights, tokens)


class _Consts(dict):
    """Constant node id -> expression; ``first`` maps a data-dependent group's first constant
    to its partners' node ids (it is computed into ``v`` as ``-max`` of their data)."""

    def __init__(self):
        super().__init__()
        self.first: dict[int, list[int]] = {}
