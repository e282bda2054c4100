"""The article's training step on plain floats: the loss and every parameter's gradient, with
no ``Value`` graph, bit for bit equal to ``GPT.loss(tokens)`` followed by ``loss.backward()``.

This module sits beside ``microgpt.model`` (it imports nothing from the package): ``Run.replayed``
uses it to replay the training steps between a snapshot and the step asked for, ~10x faster
than building the scalar graph. Training itself (``Run.train_step``) stays on the ``Value``
engine, which is the article's algorithm; this module is a second, exact implementation of the
same arithmetic, checked against it by ``tests/test_floats.py``.

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
  to 0 (one per position);
- within a position the first element of every vector is reached first, through the path
  ``loss -> lm_head row of the target -> x[0] -> fc2 row 0 -> relu[0] -> ... -> q[0] -> x[0]``,
  and the other elements in index order, so a matrix's input gets its rows' contributions from
  the last row to the first, with two exceptions: ``lm_head``'s target row comes last (it is
  reached first), and attention's normalized input gets, per head from the last, its v rows,
  then its k rows, then its q rows (last row first in each); at position 0, where the key is
  this position's own, the k and q rows interleave (``k[j], q[j]`` for j from the last);
- a vector that feeds an RMSNorm and a residual gets the residual's gradient first, then the
  normalized output's, then the square's two equal terms; a softmax exp gets its output's term
  before the total's; a query, a softmax total and an attention weight get their terms from the
  last key / output to the first.

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
from operator import add, mul

__all__ = ["loss_and_grads"]


def _dot(row, x) -> float:
    """``sum(w * x)`` as Python's ``sum`` adds ``Value`` products: from 0, left to right."""
    return reduce(add, map(mul, row, x), 0.0)


def _matvec(rows, x) -> list[float]:
    """``linear(x, rows)``: one ``_dot`` per row."""
    return [reduce(add, map(mul, row, x), 0.0) for row in rows]


def _back_rows(rows, grads) -> list[float]:
    """d/dx of ``linear(x, rows)``: ``sum_r rows[r][i] * grads[r]``, added in the order the
    rows are given (callers pass them in the engine's order, usually the last row first)."""
    return [reduce(add, map(mul, col, grads), 0.0) for col in zip(*rows)]


def _add_outer(gw, g, x) -> None:
    """``gw[r][i] += x[i] * g[r]`` for every row: each weight's one term from this position."""
    for r, gr in enumerate(g):
        gw[r] = list(map(add, gw[r], map(mul, x, repeat(gr))))


def _rmsnorm(x, inv_len):
    """``x * (mean(x²) + 1e-5) ** -0.5``; returns the output, the scale and ``ms + 1e-5``."""
    ms = reduce(add, map(mul, x, x), 0.0) * inv_len
    ms_eps = ms + 1e-5
    s = ms_eps**-0.5
    return [xi * s for xi in x], s, ms_eps


def _rmsnorm_back(x, s, ms_eps, g_out, inv_len, g_first=None) -> list[float]:
    """The gradient of an RMSNorm's input ``x``, given its outputs' gradients ``g_out``.

    ``g_first`` is what the input receives before the norm's terms (a residual connection's
    gradient), if anything.
    """
    g_s = reduce(add, map(mul, x[::-1], g_out[::-1]), 0.0)  # outputs: the last first
    g_sq = inv_len * ((-0.5 * ms_eps**-1.5) * g_s)  # scale -> ms_eps -> ms -> each square
    if g_first is None:
        return [(0.0 + s * go + xi * g_sq) + xi * g_sq for xi, go in zip(x, g_out)]
    return [(0.0 + gf + s * go + xi * g_sq) + xi * g_sq for xi, go, gf in zip(x, g_out, g_first)]


def loss_and_grads(config, weights, tokens):
    """The loss of one tokenized document and the gradient of every parameter.

    ``config`` is a ``GPTConfig`` (anything with its fields), ``weights`` the parameters' values
    flat in ``GPT.params`` order, ``tokens`` a document as ``Tokenizer.encode_doc`` gives it.
    Returns ``(loss, grads)``: ``loss`` equals ``GPT.loss(tokens)[0].data`` and ``grads[i]``
    equals ``model.params[i].grad`` after its ``backward()``, bit for bit.
    """
    E, H, V = config.n_embd, config.n_head, config.vocab_size
    D, L = E // H, config.n_layer
    n = min(config.block_size, len(tokens) - 1)
    inv_e = E**-1  # rmsnorm's `sum / len(x)` is `sum * len(x)**-1`
    scale = (D**0.5) ** -1  # attention's `/ head_dim**0.5`

    # -- the weights as matrices (rows of lists), in the article's creation order ------------
    mats = []
    i = 0
    for rows, cols in _shapes(config):
        mats.append([weights[i + r * cols : i + (r + 1) * cols] for r in range(rows)])
        i += rows * cols
    wte, wpe, lm_head = mats[0], mats[1], mats[2]
    layers = [mats[3 + 6 * li : 9 + 6 * li] for li in range(L)]

    # -- forward, position by position, keeping what the backward pass needs ---------------
    keys = [[] for _ in range(L)]
    values = [[] for _ in range(L)]
    saved = []
    losses = []
    for p in range(n):
        tok, target = tokens[p], tokens[p + 1]
        xe = list(map(add, wte[tok], wpe[p]))
        x, s_e, mse_e = _rmsnorm(xe, inv_e)
        pos = {"xe": xe, "s": s_e, "mse": mse_e, "x0": x, "layers": []}
        for li, (wq, wk, wv, wo, fc1, fc2) in enumerate(layers):
            lay = {"x": x}
            xn, lay["s_a"], lay["mse_a"] = _rmsnorm(x, inv_e)
            q, k, v = _matvec(wq, xn), _matvec(wk, xn), _matvec(wv, xn)
            keys[li].append(k)
            values[li].append(v)
            xa = []
            heads = []
            for h in range(H):
                lo, hi = h * D, (h + 1) * D
                q_h = q[lo:hi]
                logits = [_dot(q_h, k_t[lo:hi]) * scale for k_t in keys[li]]
                top = max(logits)
                exps = [math.exp(z - top) for z in logits]
                total = reduce(add, exps, 0.0)
                inv = total**-1
                w_h = [e * inv for e in exps]
                v_h = [v_t[lo:hi] for v_t in values[li]]
                xa.extend(_dot(w_h, col) for col in zip(*v_h))
                heads.append((exps, total, inv, w_h))
            ao = _matvec(wo, xa)
            rm = list(map(add, ao, x))
            xm, lay["s_m"], lay["mse_m"] = _rmsnorm(rm, inv_e)
            f1 = _matvec(fc1, xm)
            r = [a if a > 0 else 0.0 for a in f1]
            x = list(map(add, _matvec(fc2, r), rm))
            lay.update(xn=xn, q=q, heads=heads, xa=xa, rm=rm, xm=xm, f1=f1, r=r)
            pos["layers"].append(lay)
        logits = _matvec(lm_head, x)
        top = max(logits)
        exps = [math.exp(z - top) for z in logits]
        total = reduce(add, exps, 0.0)
        inv = total**-1
        prob = exps[target] * inv
        losses.append(math.log(prob) * -1)
        pos.update(xf=x, exps=exps, total=total, inv=inv, prob=prob, target=target, tok=tok)
        saved.append(pos)
    loss = reduce(add, losses, 0.0) * (1 / n)

    # -- backward: the last position first (see the module docstring for the orders) -------
    grads = [[[0.0] * len(row) for row in mat] for mat in mats]
    g_wte, g_wpe, g_lm = grads[0], grads[1], grads[2]
    g_layers = [grads[3 + 6 * li : 9 + 6 * li] for li in range(L)]
    g_keys = [[[0.0] * E for _ in range(n)] for _ in range(L)]
    g_values = [[[0.0] * E for _ in range(n)] for _ in range(L)]
    g_loss_p = 1 / n  # d loss / d (each position's loss): (1/n) * 1, then 1 * g down the sum
    for p in reversed(range(n)):
        pos = saved[p]
        exps, total, inv, prob, target = (
            pos["exps"], pos["total"], pos["inv"], pos["prob"], pos["target"]
        )  # fmt: skip
        g_prob = (1 / prob) * (-1 * g_loss_p)
        g_total = (-1 * total**-2) * (exps[target] * g_prob)
        g_exps = [g_total] * V
        g_exps[target] = (0.0 + inv * g_prob) + g_total  # probs[target]'s term first
        g_logits = list(map(mul, exps, g_exps))
        _add_outer(g_lm, g_logits, pos["xf"])
        order = [c for c in reversed(range(V)) if c != target] + [target]
        g_x = _back_rows([lm_head[c] for c in order], [g_logits[c] for c in order])

        for li in reversed(range(L)):
            wq, wk, wv, wo, fc1, fc2 = layers[li]
            gq_w, gk_w, gv_w, go_w, g1_w, g2_w = g_layers[li]
            lay = pos["layers"][li]
            # MLP: fc2, relu, fc1, its rmsnorm; the residual's gradient comes first
            _add_outer(g2_w, g_x, lay["r"])
            g_r = _back_rows(fc2[::-1], g_x[::-1])
            g_f1 = [float(a > 0) * g for a, g in zip(lay["f1"], g_r)]
            _add_outer(g1_w, g_f1, lay["xm"])
            g_xm = _back_rows(fc1[::-1], g_f1[::-1])
            rm = lay["rm"]
            g_rm = _rmsnorm_back(rm, lay["s_m"], lay["mse_m"], g_xm, inv_e, g_first=g_x)
            # attention output
            xa = lay["xa"]
            _add_outer(go_w, g_rm, xa)
            g_xa = _back_rows(wo[::-1], g_rm[::-1])
            q = lay["q"]
            g_q = [0.0] * E
            ks, vs = keys[li], values[li]
            gks, gvs = g_keys[li], g_values[li]
            for h, (hexps, htotal, hinv, w_h) in enumerate(lay["heads"]):
                lo, hi = h * D, (h + 1) * D
                g_out_rev = g_xa[lo:hi][::-1]
                g_w = []
                for t in range(p + 1):
                    g_w.append(_dot(vs[t][lo:hi][::-1], g_out_rev))
                    gv = gvs[t]
                    wt = w_h[t]
                    for j in range(lo, hi):
                        gv[j] += wt * g_xa[j]
                lg_total = -1 * htotal**-2
                g_total = reduce(add, [lg_total * (e * g) for e, g in zip(hexps, g_w)][::-1], 0.0)
                g_dots = [scale * (e * ((0.0 + hinv * g) + g_total)) for e, g in zip(hexps, g_w)]
                for j in range(lo, hi):
                    qj = q[j]
                    g_q[j] = reduce(
                        add, [ks[t][j] * g_dots[t] for t in reversed(range(p + 1))], 0.0
                    )
                    for t in range(p + 1):
                        gks[t][j] += qj * g_dots[t]
            g_k, g_v = gks[p], gvs[p]
            xn = lay["xn"]
            _add_outer(gq_w, g_q, xn)
            _add_outer(gk_w, g_k, xn)
            _add_outer(gv_w, g_v, xn)
            rows, gs = [], []
            for h in reversed(range(H)):
                lo, hi = h * D, (h + 1) * D
                rows += wv[lo:hi][::-1]
                gs += g_v[lo:hi][::-1]
                if p == 0:  # the key is this position's own: q[j], k[j] alternate
                    for j in reversed(range(lo, hi)):
                        rows += (wk[j], wq[j])
                        gs += (g_k[j], g_q[j])
                else:
                    rows += wk[lo:hi][::-1] + wq[lo:hi][::-1]
                    gs += g_k[lo:hi][::-1] + g_q[lo:hi][::-1]
            g_xn = _back_rows(rows, gs)
            g_x = _rmsnorm_back(lay["x"], lay["s_a"], lay["mse_a"], g_xn, inv_e, g_first=g_rm)

        g_xe = _rmsnorm_back(pos["xe"], pos["s"], pos["mse"], g_x, inv_e)
        tok = pos["tok"]
        g_wte[tok] = list(map(add, g_wte[tok], g_xe))
        g_wpe[p] = list(map(add, g_wpe[p], g_xe))

    # parameters the document never reached keep the engine's int 0
    used = set(tokens[:n])
    for tok in range(V):
        if tok not in used:
            g_wte[tok] = [0] * E
    for p in range(n, config.block_size):
        g_wpe[p] = [0] * E
    return loss, [g for mat in grads for row in mat for g in row]


def _shapes(config):
    """Every parameter matrix's (rows, columns), in ``GPT.params`` order."""
    e = config.n_embd
    shapes = [(config.vocab_size, e), (config.block_size, e), (config.vocab_size, e)]
    for _ in range(config.n_layer):
        shapes += [(e, e)] * 4 + [(4 * e, e), (e, 4 * e)]
    return shapes
