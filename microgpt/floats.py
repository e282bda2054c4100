"""The article's training step on plain floats: the loss and every parameter's gradient, with
no ``Value`` graph, bit for bit equal to ``GPT.loss(tokens)`` followed by ``loss.backward()``.

This module sits beside ``microgpt.model`` (it imports nothing from the package). It is a
second, exact implementation of the engine's arithmetic, checked against it by
``tests/test_floats.py`` and ``tests/test_train_engines.py``, ~25x faster since it records no
scalar graph: ``Run.train`` steps on it by default (``engine="value"`` keeps the article's
``Value`` step), ``Run.replayed`` replays the steps between a snapshot and the step asked for,
and sampling (``microgpt.sample``) runs ``FloatGPT.forward`` with a KV cache and
``temperature_softmax`` where no trace records the pass.

Why it is exact
===============

The forward pass does the same float operations as the engine, in the same order: a ``linear``
is Python's ``sum()`` of ``Value`` products, i.e. ``((0 + w0*x0) + w1*x1) + ...`` one float at a
time (never the built-in ``sum`` of floats, which may use compensated summation); ``a / n`` is
``a * n**-1``; softmax subtracts the plain-number max and multiplies by ``total**-1``; relu of a
non-positive number is 0.

The backward pass must add the contributions to every gradient in the order the engine does:
``backward()`` walks the reverse of a depth-first post-order from the loss, and float addition
is not associative. Working that order out from the graph (children in tuple order) gives:

- positions are separate sections, the last position first, so a parameter, a cached key or
  value, or a repeated token's ``wte`` row, receives its contributions from position n-1 down
  to the first that uses it (one per position);
- within a position the first element of every vector is reached first, through the path
  ``loss -> lm_head row of the target -> x[0] -> fc2 row 0 -> relu[0] -> ... -> q[0] -> x[0]``,
  and the other elements in index order, so a matrix's input gets its rows' contributions from
  the last row to the first, with two exceptions: ``lm_head``'s target row comes last (it is
  reached first), and attention's normalized input gets, per head from the last, its v rows,
  then its k rows, then its q rows (last row first in each); at position 0, where the key is
  this position's own, the k and q rows interleave (``k[j], q[j]`` for j from the last; no test
  can see this one: a softmax over one key passes no gradient to its logit, so the q terms
  are zeros);
- a vector that feeds an RMSNorm and a residual gets the residual's gradient first, then the
  normalized output's, then the square's two equal terms; a softmax exp gets its output's term
  before the total's; a query, a softmax total and an attention weight get their terms from the
  last key / output to the first.

Every dot product ``((0.0 + a0*b0) + a1*b1) + ...`` runs in a kernel compiled once per vector
length (``FloatGPT.kernels``): one Python expression in that order, which CPython evaluates left
to right with its float ``+`` and ``*``, ~2.5x faster than the same operations through ``map``
and ``reduce`` (longer vectors than ``MAX_UNROLLED`` use those). A column of a matrix is a row
of its transpose, taken in the order the rows add their terms.

Gradients that start from the engine's ``0`` are kept exact; single-consumer intermediates may
differ from the engine's only by the sign of a zero, which no sum or product that reaches a
parameter's gradient can tell apart (every accumulation starts from 0, as the engine's do).
Parameters the document never reaches (``wte`` rows of absent tokens, ``wpe`` rows past its
length) keep the engine's int ``0``.
"""

from __future__ import annotations

import math
from functools import reduce
from itertools import repeat
from operator import add, itemgetter, mul

from .params import ParamLayout

__all__ = ["FloatGPT", "FloatCache", "loss_and_grads", "temperature_softmax"]


#: Dot products longer than this use the generic kernel (compiling one expression per length
#: costs ~20 µs per term; the article's longest is 64).
MAX_UNROLLED = 256


def _generic_matvec(rows, x) -> list[float]:
    """``[sum(r[i] * x[i]) for r in rows]``, each sum from 0, left to right, one float at a time
    (as Python's ``sum`` adds ``Value`` products)."""
    return [reduce(add, map(mul, row, x), 0.0) for row in rows]


def _unrolled_matvec(length: int):
    """``_generic_matvec`` for vectors of ``length``, compiled as one expression per row,
    ``0.0 + r[0] * x0 + r[1] * x1 + ...``: the same operations in the same order (Python
    evaluates it left to right), ~2.5x faster, since CPython runs float ``+`` and ``*`` in an
    expression without the calls a ``map`` or ``reduce`` makes."""
    names = ", ".join(f"x{i}" for i in range(length))
    terms = " + ".join(f"r[{i}] * x{i}" for i in range(length))
    source = f"def matvec(rows, x):\n    {names}, = x\n    return [0.0 + {terms} for r in rows]\n"
    namespace: dict = {}
    exec(compile(source, f"<microgpt.floats matvec {length}>", "exec"), namespace)
    return namespace["matvec"]


class _Kernels(dict):
    """``kernels[n]``: the matvec for vectors of length n, made when first asked for."""

    def __missing__(self, length: int):
        kernel = _unrolled_matvec(length) if length <= MAX_UNROLLED else _generic_matvec
        self[length] = kernel
        return kernel


def _qkv_order(E: int, H: int, own_key: bool) -> list[int]:
    """The order in which the rows of q, k and v (indices into q + k + v) add their terms to
    the gradient of attention's normalized input: per head from the last, the v rows, the k
    rows and the q rows, each from the last; with ``own_key`` (position 0, where the first key
    is this position's), ``k[j], q[j]`` alternate."""
    D = E // H
    order = []
    for h in reversed(range(H)):
        rows = range(h * D, (h + 1) * D)
        order += [2 * E + r for r in reversed(rows)]
        if own_key:
            for r in reversed(rows):
                order += [E + r, r]
        else:
            order += [E + r for r in reversed(rows)] + list(reversed(rows))
    return order


class FloatGPT:
    """The article's GPT for one ``GPTConfig``, on plain floats: ``loss_and_grads`` is one
    training step's forward and backward pass. Keep one per run: it compiles its dot-product
    kernels (one per vector length) the first time each is needed."""

    def __init__(self, config):
        self.config = config
        self.layout = ParamLayout(config)
        self.kernels = _Kernels()
        E, H = config.n_embd, config.n_head
        self._qkv_orders = [_qkv_order(E, H, own_key) for own_key in (True, False)]

    def loss_and_grads(self, weights, tokens):
        """The loss of one tokenized document and the gradient of every parameter.

        ``weights`` are the parameters' values flat in ``GPT.params`` order, ``tokens`` a
        document as ``Tokenizer.encode_doc`` gives it. Returns ``(loss, grads)``: ``loss``
        equals ``GPT.loss(tokens)[0].data`` and ``grads[i]`` equals ``model.params[i].grad``
        after its ``backward()``, bit for bit.
        """
        config, kernels = self.config, self.kernels
        E, H, V = config.n_embd, config.n_head, config.vocab_size
        D, L = E // H, config.n_layer
        n = min(config.block_size, len(tokens) - 1)
        inv_e = E**-1  # rmsnorm's `sum / len(x)` is `sum * len(x)**-1`
        scale = (D**0.5) ** -1  # attention's `/ head_dim**0.5`
        heads = [(h * D, (h + 1) * D) for h in range(H)]
        mv_e, mv_f, mv_d, mv_v = kernels[E], kernels[4 * E], kernels[D], kernels[V]
        mv_qkv = kernels[3 * E]

        def rmsnorm(x):
            """``x * (mean(x²) + 1e-5) ** -0.5``; the output, the scale and ``ms + 1e-5``."""
            ms_eps = mv_e((x,), x)[0] * inv_e + 1e-5
            s = ms_eps**-0.5
            return [xi * s for xi in x], s, ms_eps

        def rmsnorm_back(x, s, ms_eps, g_out, g_first=None):
            """The gradient of an RMSNorm's input, given its outputs' gradients; ``g_first``
            is what the input receives before the norm's terms (a residual's gradient)."""
            g_s = mv_e((x[::-1],), g_out[::-1])[0]  # the outputs add up from the last
            g_sq = inv_e * ((-0.5 * ms_eps**-1.5) * g_s)  # scale -> ms_eps -> ms -> squares
            if g_first is None:
                return [(0.0 + s * go + xi * g_sq) + xi * g_sq for xi, go in zip(x, g_out)]
            return [
                (0.0 + gf + s * go + xi * g_sq) + xi * g_sq for xi, go, gf in zip(x, g_out, g_first)
            ]

        # -- the weights as rows, and for the backward pass as columns in the order the rows
        # add their terms to the input's gradient (the last row first, unless said otherwise)
        mats = self.layout.matrices(weights)  # in GPT.params order
        wte, wpe, lm_head = mats[0], mats[1], mats[2]
        layers = []
        for li in range(L):
            wq, wk, wv, wo, fc1, fc2 = mats[3 + 6 * li : 9 + 6 * li]
            qkv = wq + wk + wv
            qkv_cols = [list(zip(*[qkv[r] for r in order])) for order in self._qkv_orders]
            cols = [list(zip(*m[::-1])) for m in (wo, fc1, fc2)]
            layers.append((wq, wk, wv, wo, fc1, fc2, *cols, qkv_cols))

        # -- forward, position by position, keeping what the backward pass needs -----------
        # per layer and head, every position's key and value slices (values also reversed)
        keys = [[[] for _ in heads] for _ in range(L)]
        values = [[[] for _ in heads] for _ in range(L)]
        values_rev = [[[] for _ in heads] for _ in range(L)]
        saved = []
        losses = []
        for p in range(n):
            tok = tokens[p]
            xe = list(map(add, wte[tok], wpe[p]))
            x, s_e, mse_e = rmsnorm(xe)
            mv_t = kernels[p + 1]
            per_layer = []
            for li, (wq, wk, wv, wo, fc1, fc2, *_) in enumerate(layers):
                x_in = x
                xn, s_a, mse_a = rmsnorm(x)
                q, k, v = mv_e(wq, xn), mv_e(wk, xn), mv_e(wv, xn)
                xa = []
                att = []
                for h, (lo, hi) in enumerate(heads):
                    keys_h, values_h = keys[li][h], values[li][h]
                    keys_h.append(k[lo:hi])
                    values_h.append(v[lo:hi])
                    values_rev[li][h].append(v[lo:hi][::-1])
                    q_h = q[lo:hi]
                    logits = [d * scale for d in mv_d(keys_h, q_h)]
                    top = max(logits)
                    exps = [math.exp(z - top) for z in logits]
                    total = reduce(add, exps, 0.0)
                    inv = total**-1
                    w_h = [e * inv for e in exps]
                    xa += mv_t(zip(*values_h), w_h)
                    att.append((q_h, exps, total, inv, w_h))
                rm = list(map(add, mv_e(wo, xa), x))
                xm, s_m, mse_m = rmsnorm(rm)
                f1 = mv_e(fc1, xm)
                r = [a if a > 0 else 0.0 for a in f1]
                x = list(map(add, mv_f(fc2, r), rm))
                per_layer.append((x_in, s_a, mse_a, xn, att, xa, rm, s_m, mse_m, xm, f1, r))
            logits = mv_e(lm_head, x)
            top = max(logits)
            exps = [math.exp(z - top) for z in logits]
            total = reduce(add, exps, 0.0)
            inv = total**-1
            prob = exps[tokens[p + 1]] * inv
            losses.append(math.log(prob) * -1)
            saved.append((xe, s_e, mse_e, per_layer, x, exps, total, inv, prob))
        loss = reduce(add, losses, 0.0) * (1 / n)

        # -- backward: the last position first (see the module docstring for the orders) ---
        # Each weight gets one term per position; the terms are summed at the end, from the
        # inputs (xs) and output gradients (gs) kept here in the order they come.
        xs = [[] for _ in mats]
        gs = [[] for _ in mats]
        # per layer and head, from each position done (the last first): the query, the
        # gradient of each attention logit, the weights and the gradient of the output; the
        # cached key and value of position t get their terms from these, from n-1 down to t
        later = [[([], [], [], []) for _ in heads] for _ in range(L)]
        g_wte = [0] * V  # a row per token the document reaches
        g_wpe = []
        lm_back = {}  # per target: lm_head's columns in the order its rows add up, a picker
        g_loss_p = 1 / n  # d loss / d (each position's loss): (1/n) * 1, then 1 * g down the sum
        for p in reversed(range(n)):
            xe, s_e, mse_e, per_layer, xf, exps, total, inv, prob = saved[p]
            target = tokens[p + 1]
            mv_t = kernels[p + 1]
            g_prob = (1 / prob) * (-1 * g_loss_p)
            g_total = (-1 * total**-2) * (exps[target] * g_prob)
            g_exps = [g_total] * V
            g_exps[target] = (0.0 + inv * g_prob) + g_total  # probs[target]'s term first
            g_logits = list(map(mul, exps, g_exps))
            xs[2].append(xf)
            gs[2].append(g_logits)
            if target not in lm_back:  # its own row is reached first, so it adds up last
                order = [c for c in reversed(range(V)) if c != target] + [target]
                lm_back[target] = (list(zip(*[lm_head[c] for c in order])), itemgetter(*order))
            cols, pick = lm_back[target]
            g_x = mv_v(cols, pick(g_logits))

            for li in reversed(range(L)):
                *_, wo_cols, fc1_cols, fc2_cols, qkv_cols = layers[li]
                x_in, s_a, mse_a, xn, att, xa, rm, s_m, mse_m, xm, f1, r = per_layer[li]
                m = 3 + 6 * li
                # MLP: fc2, relu, fc1, its rmsnorm; the residual's gradient comes first
                xs[m + 5].append(r)
                gs[m + 5].append(g_x)
                g_r = mv_e(fc2_cols, g_x[::-1])
                g_f1 = [float(a > 0) * g for a, g in zip(f1, g_r)]
                xs[m + 4].append(xm)
                gs[m + 4].append(g_f1)
                g_xm = mv_f(fc1_cols, g_f1[::-1])
                g_rm = rmsnorm_back(rm, s_m, mse_m, g_xm, g_first=g_x)
                # attention: wo, then each head back to q and to the cached keys and values
                xs[m + 3].append(xa)
                gs[m + 3].append(g_rm)
                g_xa = mv_e(wo_cols, g_rm[::-1])
                g_q, g_k, g_v = [], [], []
                mv_later = kernels[n - p]
                for h, (lo, hi) in enumerate(heads):
                    q_h, hexps, htotal, hinv, w_h = att[h]
                    g_out = g_xa[lo:hi]
                    g_w = mv_d(values_rev[li][h][: p + 1], g_out[::-1])
                    lg_total = -1 * htotal**-2
                    g_total = reduce(
                        add, [lg_total * (e * g) for e, g in zip(hexps, g_w)][::-1], 0.0
                    )
                    g_dots = [
                        scale * (e * ((0.0 + hinv * g) + g_total)) for e, g in zip(hexps, g_w)
                    ]
                    g_q += mv_t(zip(*keys[li][h][p::-1]), g_dots[::-1])
                    # this position's key and value: their terms from positions n-1 .. p
                    queries, g_logits_of, weights_of, g_outs = later[li][h]
                    queries.append(q_h)
                    g_logits_of.append(g_dots)
                    weights_of.append(w_h)
                    g_outs.append(g_out)
                    g_k += mv_later(zip(*queries), [g_d[p] for g_d in g_logits_of])
                    g_v += mv_later(zip(*g_outs), [w[p] for w in weights_of])
                for w, g in ((0, g_q), (1, g_k), (2, g_v)):
                    xs[m + w].append(xn)
                    gs[m + w].append(g)
                order = self._qkv_orders[p > 0]
                g_xn = mv_qkv(qkv_cols[p > 0], itemgetter(*order)(g_q + g_k + g_v))
                g_x = rmsnorm_back(x_in, s_a, mse_a, g_xn, g_first=g_rm)

            g_xe = rmsnorm_back(xe, s_e, mse_e, g_x)
            tok = tokens[p]
            g_wte[tok] = list(map(add, g_wte[tok] or repeat(0.0), g_xe))
            g_wpe.append(list(map(add, repeat(0.0), g_xe)))

        # the weights' sums; parameters the document never reached keep the engine's int 0
        grads = [g for row in g_wte for g in (row or repeat(0, E))]
        grads += [g for row in g_wpe[::-1] for g in row] + [0] * (E * (config.block_size - n))
        mv_n = kernels[n]
        for k in range(2, len(mats)):
            x_cols = list(zip(*xs[k]))
            for g_col in zip(*gs[k]):
                grads += mv_n(x_cols, g_col)
        return loss, grads

    # -- inference: one position at a time, as GPT.forward with its KV cache ------------------
    def matrices(self, weights) -> list[list[list[float]]]:
        """The weights (flat, ``GPT.params`` order) as the matrices of ``matrix_shapes()``."""
        return self.layout.matrices(weights)

    def forward(self, mats, token_id: int, pos_id: int, cache: FloatCache) -> list[float]:
        """The logits of one token at one position, bit for bit ``GPT.forward``'s data.

        ``mats`` from ``matrices``; ``cache`` (a ``FloatCache``) gets this position's keys and
        values: call it for positions 0, 1, 2, ... in order with the same cache. The operations
        and their order are the training forward's (``loss_and_grads``)."""
        config, kernels = self.config, self.kernels
        E, H = config.n_embd, config.n_head
        D = E // H
        inv_e = E**-1
        scale = (D**0.5) ** -1
        mv_e, mv_f, mv_d, mv_t = kernels[E], kernels[4 * E], kernels[D], kernels[pos_id + 1]
        wte, wpe, lm_head = mats[0], mats[1], mats[2]

        def rmsnorm(x):
            s = (mv_e((x,), x)[0] * inv_e + 1e-5) ** -0.5
            return [xi * s for xi in x]

        x = rmsnorm(list(map(add, wte[token_id], wpe[pos_id])))
        for li in range(config.n_layer):
            wq, wk, wv, wo, fc1, fc2 = mats[3 + 6 * li : 9 + 6 * li]
            xn = rmsnorm(x)
            q, k, v = mv_e(wq, xn), mv_e(wk, xn), mv_e(wv, xn)
            xa = []
            for h in range(H):
                lo, hi = h * D, (h + 1) * D
                keys_h, values_h = cache.keys[li][h], cache.values[li][h]
                keys_h.append(k[lo:hi])
                values_h.append(v[lo:hi])
                logits = [d * scale for d in mv_d(keys_h, q[lo:hi])]
                top = max(logits)
                exps = [math.exp(z - top) for z in logits]
                inv = reduce(add, exps, 0.0) ** -1
                xa += mv_t(zip(*values_h), [e * inv for e in exps])
            rm = list(map(add, mv_e(wo, xa), x))
            f1 = mv_e(fc1, rmsnorm(rm))
            x = list(map(add, mv_f(fc2, [a if a > 0 else 0.0 for a in f1]), rm))
        return mv_e(lm_head, x)


class FloatCache:
    """The KV cache of one float pass: ``keys[layer][head]`` and ``values[layer][head]``, one
    slice per position done."""

    def __init__(self, config) -> None:
        self.keys = [[[] for _ in range(config.n_head)] for _ in range(config.n_layer)]
        self.values = [[[] for _ in range(config.n_head)] for _ in range(config.n_layer)]


def temperature_softmax(logits, temperature) -> list[float]:
    """``softmax(logits / temperature)`` on floats, bit for bit the nodes sampling builds
    (``logit * temperature**-1``, the max subtracted, ``exp``, ``e * total**-1``)."""
    inv_t = temperature**-1
    scaled = [z * inv_t for z in logits]
    top = max(scaled)
    exps = [math.exp(z - top) for z in scaled]
    inv = reduce(add, exps, 0.0) ** -1
    return [e * inv for e in exps]


def loss_and_grads(config, weights, tokens):
    """``FloatGPT(config).loss_and_grads(weights, tokens)`` (keep a ``FloatGPT`` to reuse its
    kernels over many steps)."""
    return FloatGPT(config).loss_and_grads(weights, tokens)
