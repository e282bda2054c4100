"""The tensors of a recorded pass: the article's vectors and matrices, read from its scalar nodes.

A graph query (pure Python; no graphviz, matplotlib or widgets). The article's ``gpt()`` works
on lists of scalars: ``q``, ``k``, ``v``, ``attn_weights``, the MLP's hidden layer… The engine
records each entry as a named scalar node (``pos2.layer0.mlp.relu[5]``); a **tensor** here is
the set of scalar nodes sharing a name prefix, in index order, with the data and grad each of
them recorded. Nothing is recomputed: every number is the recorded node's.

- ``Tensor``: one vector, matrix or scalar: its ``name`` (the common prefix), ``shape``,
  ``labels`` (the index of each entry as the scalar names write it, so that
  ``name + "[" + label + "]"`` is a scalar's name), the trace ``ids``, ``data`` and ``grad``.
- ``vector(fp, name)``, ``parameter(fp, key)``, ``scalar(fp, name)``: one tensor of a pass.
- ``cache(fp, pos, layer, "k" | "v")``: the KV cache as position ``pos`` reads it: the keys
  (or values) of positions 0 … pos, one row each.
- ``position_tensors(fp, pos)``: every tensor of one position's pass, in the order the
  article's ``gpt()`` computes them (``explorer.model_view`` draws them).
- ``across_positions(fp, what)``: one per-position vector (``layer0.resid_mid``, ``probs`` …)
  stacked over every position of the pass: a positions × dimensions matrix.

A tensor whose scalars the root does not reach (the probabilities of the tokens that were not
the target) lists them with the grad they hold: 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from microgpt.errors import MicrogptError
from microgpt.validate import _short, check_choice, check_instance, check_str

from .checks import check_layer, check_model_pass, check_pass

__all__ = [
    "PER_POSITION",
    "Tensor",
    "across_positions",
    "cache",
    "parameter",
    "position_tensors",
    "scalar",
    "vector",
]


@dataclass
class Tensor:
    """One tensor of a recorded pass (see the module docstring).

    ``var`` is the article's variable (``tok_emb``, ``q``, ``x`` …) when it differs from the
    last part of ``name``; ``op`` says how it was computed from ``inputs`` (the names of the
    tensors it reads), e.g. ``linear`` or ``rmsnorm``; ``scalars`` are the full names of its
    entries (``name[label]`` except for the KV cache, whose rows are earlier positions'
    vectors). A matrix is ``rows × columns``, its ``labels``, ``data`` and ``grad`` row-major.
    """

    name: str
    shape: list[int]
    labels: list[str]
    ids: list[int]
    data: list[float]
    grad: list[float]
    scalars: list[str]
    var: str = ""
    op: str = ""
    inputs: list[str] = field(default_factory=list)
    #: Where it sits in the model: ``embed``, ``layer0.attn``, ``layer0.attn.head1``,
    #: ``layer0.mlp``, ``lm_head``, ``loss`` or ``params`` (a parameter matrix).
    stage: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    def entry(self, label: str) -> tuple[float, float]:
        """``(data, grad)`` of the entry with this label."""
        try:
            k = self.labels.index(label)
        except ValueError:
            raise MicrogptError(
                f"{self.name} has no entry {_short(label)}: its labels run "
                f"{self.labels[0]!r} … {self.labels[-1]!r}"
            ) from None
        return self.data[k], self.grad[k]


def _read(fp, scalars: list[str]) -> tuple[list[int], list[float], list[float]]:
    """The trace ids, data and grads of these named nodes (a clear error for a missing one)."""
    trace = fp.trace
    names = trace.names
    ids, data, grad = [], [], []
    id_of = trace.id_of
    for full in scalars:
        v = names.get(full)
        if v is None:
            trace.find(full)  # raises, suggesting close names
        ids.append(id_of(v))
        data.append(v.data)
        grad.append(v.grad)
    return ids, data, grad


def _make(fp, name: str, shape, labels, scalars, **extra) -> Tensor:
    ids, data, grad = _read(fp, scalars)
    return Tensor(name, list(shape), list(labels), ids, data, grad, list(scalars), **extra)


def vector(fp, name: str, labels: list[str] | None = None, **extra) -> Tensor:
    """The vector ``name[0]``, ``name[1]``, … (or ``name[label]`` for each of ``labels``)."""
    check_pass(fp, "vector")
    check_str(name, "name", fix="a vector's name, e.g. 'pos1.layer0.attn.q'")
    if labels is not None:
        check_instance(labels, "labels", (list, tuple), "a list of index labels or None")
    if labels is None:
        labels, names = [], fp.trace.names
        while f"{name}[{len(labels)}]" in names:
            labels.append(str(len(labels)))
        if not labels:
            fp.trace.find(f"{name}[0]")  # raises: no such vector, with close names
    labels = [str(x) for x in labels]
    return _make(fp, name, [len(labels)], labels, [f"{name}[{x}]" for x in labels], **extra)


def scalar(fp, name: str, **extra) -> Tensor:
    """One named scalar node as a tensor of shape ``[]`` (its one label is ``""``)."""
    check_pass(fp, "scalar")
    check_str(name, "name", fix="a node's name, e.g. 'pos1.loss'")
    return _make(fp, name, [], [""], [name], **extra)


def _row_labels(fp, key: str, rows: int) -> list[str]:
    if key in ("wte", "lm_head"):
        return list(fp.source.token_labels)
    return [str(r) for r in range(rows)]


def parameter(fp, key: str, **extra) -> Tensor:
    """The parameter matrix ``key`` (``wte``, ``layer0.mlp_fc1`` …): data, and the gradient
    backward gave it from the pass's root."""
    shapes = _config(fp, "parameter").matrix_shapes()
    check_choice(key, "key", shapes, fix="a parameter matrix of the model")
    rows, cols = shapes[key]
    labels = [f"{r},{c}" for r in _row_labels(fp, key, rows) for c in range(cols)]
    scalars = [f"{key}[{x}]" for x in labels]
    extra.setdefault("stage", "params")
    return _make(fp, key, [rows, cols], labels, scalars, **extra)


def parameter_row(fp, key: str, row: str, **extra) -> Tensor:
    """One row of ``wte`` or ``wpe`` (the article's ``tok_emb`` / ``pos_emb``): a vector whose
    labels are ``row,column`` (``wte[e,4]`` is ``name[label]``)."""
    cols = _config(fp, "parameter_row").n_embd
    check_choice(key, "key", ("wte", "wpe"), fix="an embedding matrix")
    if isinstance(row, int) and not isinstance(row, bool):
        row = str(row)  # wpe's rows are positions
    check_str(row, "row", fix="a token's label for wte ('e', 'BOS'), a position for wpe")
    labels = [f"{row},{c}" for c in range(cols)]
    return _make(fp, key, [cols], labels, [f"{key}[{x}]" for x in labels], **extra)


def cache(fp, pos: int, layer: int, which: str, **extra) -> Tensor:
    """The keys (``which="k"``) or values (``"v"``) of layer ``layer`` that position ``pos``
    attends over: rows 0 … pos, each an earlier position's ``k`` (or ``v``). Named
    ``pos{pos}.layer{layer}.attn.keys`` (or ``.values``), the article's ``keys[li]``."""
    cfg = _config(fp, "cache")
    pos = fp.check_pos(pos)
    layer = check_layer(fp, layer)
    check_choice(which, "which", ("k", "v"), fix="the cache holds keys ('k') and values ('v')")
    n = cfg.n_embd
    labels = [f"{t},{i}" for t in range(pos + 1) for i in range(n)]
    scalars = [f"pos{t}.layer{layer}.attn.{which}[{i}]" for t in range(pos + 1) for i in range(n)]
    word = "keys" if which == "k" else "values"
    name = f"pos{pos}.layer{layer}.attn.{word}"
    return _make(fp, name, [pos + 1, n], labels, scalars, **extra)


def _config(fp, function: str = "this query"):
    """The model's shape; ``fp`` must be a recorded pass of the model."""
    check_model_pass(fp, function)
    return fp.source.config


def position_tensors(fp, pos: int) -> list[Tensor]:
    """Every tensor of position ``pos``'s pass, in the order the article's ``gpt()`` computes
    them, with the parameter matrices each step reads (see ``explorer.model_view``)."""
    cfg = _config(fp, "position_tensors")
    pos = fp.check_pos(pos)
    out = _embedding(fp, pos)
    x = f"pos{pos}.embed.resid_pre"
    for li in range(cfg.n_layer):
        out += _attention(fp, pos, li, cfg.n_head, x)
        x = f"pos{pos}.layer{li}.resid_mid"
        out += _mlp(fp, pos, li, x)
        x = f"pos{pos}.layer{li}.resid_post"
    return out + _output(fp, pos, x)


def _embedding(fp, pos: int) -> list[Tensor]:
    """The token's and the position's rows, their sum and its RMSNorm."""
    token = fp.source.token_labels[fp.tokens[pos]]
    p = f"pos{pos}"
    return [
        parameter_row(
            fp, "wte", token, var="tok_emb", op=f"token {token}'s row of wte", stage="embed"
        ),
        parameter_row(
            fp, "wpe", str(pos), var="pos_emb", op=f"position {pos}'s row of wpe", stage="embed"
        ),
        vector(
            fp,
            f"{p}.embed.x_emb",
            var="x",
            op="tok_emb + pos_emb",
            inputs=["wte", "wpe"],
            stage="embed",
        ),
        vector(
            fp,
            f"{p}.embed.resid_pre",
            var="x",
            op="rmsnorm",
            inputs=[f"{p}.embed.x_emb"],
            stage="embed",
        ),
    ]


def _attention(fp, pos: int, li: int, n_head: int, x: str) -> list[Tensor]:
    """Layer ``li``'s attention block on the residual ``x``: q, k, v, the caches, each head
    and the output projection, up to ``resid_mid``."""
    a, w, stage = f"pos{pos}.layer{li}.attn", f"layer{li}.", f"layer{li}.attn"
    out = [vector(fp, f"{a}.x_norm", var="x", op="rmsnorm", inputs=[x], stage=stage)]
    for v in ("q", "k", "v"):
        out.append(parameter(fp, f"{w}attn_w{v}"))
        out.append(vector(fp, f"{a}.{v}", op="linear", stage=stage,
                          inputs=[f"{a}.x_norm", f"{w}attn_w{v}"]))  # fmt: skip
    out.append(cache(fp, pos, li, "k", var=f"keys[{li}]", op="append k", stage=stage,
                     inputs=[f"{a}.k"]))  # fmt: skip
    out.append(cache(fp, pos, li, "v", var=f"values[{li}]", op="append v", stage=stage,
                     inputs=[f"{a}.v"]))  # fmt: skip
    which = [f"k={t}" for t in range(pos + 1)]
    heads = []
    for h in range(n_head):
        hd, hs = f"{a}.head{h}", f"{stage}.head{h}"
        out.append(vector(fp, f"{hd}.attn_logits", which, op="q_h·k_h / √head_dim",
                          inputs=[f"{a}.q", f"{a}.keys"], stage=hs))  # fmt: skip
        out.append(vector(fp, f"{hd}.attn_weights", which, op="softmax",
                          inputs=[f"{hd}.attn_logits"], stage=hs))  # fmt: skip
        out.append(vector(fp, f"{hd}.head_out", op="Σ attn_weights·v_h",
                          inputs=[f"{hd}.attn_weights", f"{a}.values"], stage=hs))  # fmt: skip
        heads.append(f"{hd}.head_out")
    out.append(parameter(fp, f"{w}attn_wo"))
    out.append(vector(fp, f"{a}.attn_out", op="linear(x_attn, attn_wo)", stage=stage,
                      inputs=[*heads, f"{w}attn_wo"]))  # fmt: skip
    out.append(vector(fp, f"pos{pos}.layer{li}.resid_mid", var="x", op="attn_out + x",
                      inputs=[f"{a}.attn_out", x], stage=stage))  # fmt: skip
    return out


def _mlp(fp, pos: int, li: int, x: str) -> list[Tensor]:
    """Layer ``li``'s MLP block on the residual ``x``, up to ``resid_post``."""
    m, w, stage = f"pos{pos}.layer{li}.mlp", f"layer{li}.", f"layer{li}.mlp"
    return [
        vector(fp, f"{m}.x_norm", var="x", op="rmsnorm", inputs=[x], stage=stage),
        parameter(fp, f"{w}mlp_fc1"),
        vector(
            fp, f"{m}.fc1", var="x", op="linear", stage=stage, inputs=[f"{m}.x_norm", f"{w}mlp_fc1"]
        ),
        vector(fp, f"{m}.relu", var="x", op="relu", inputs=[f"{m}.fc1"], stage=stage),
        parameter(fp, f"{w}mlp_fc2"),
        vector(
            fp, f"{m}.fc2", var="x", op="linear", stage=stage, inputs=[f"{m}.relu", f"{w}mlp_fc2"]
        ),
        vector(
            fp,
            f"pos{pos}.layer{li}.resid_post",
            var="x",
            op="fc2 + x",
            inputs=[f"{m}.fc2", x],
            stage=stage,
        ),
    ]


def _output(fp, pos: int, x: str) -> list[Tensor]:
    """The logits from the last residual ``x``, the probabilities and the position's loss."""
    labels = fp.source.token_labels
    p = f"pos{pos}"
    target = labels[fp.tokens[pos + 1]]
    return [
        parameter(fp, "lm_head"),
        vector(
            fp,
            f"{p}.lm_head.logits",
            labels,
            op="linear(x, lm_head)",
            inputs=[x, "lm_head"],
            stage="lm_head",
        ),
        vector(
            fp, f"{p}.probs", labels, op="softmax", inputs=[f"{p}.lm_head.logits"], stage="loss"
        ),
        scalar(fp, f"{p}.loss", op=f"−log probs[{target}]", inputs=[f"{p}.probs"], stage="loss"),
    ]


#: What ``across_positions`` stacks: a per-position vector's name after ``pos{p}.``.
PER_POSITION = (
    "embed.x_emb",
    "embed.resid_pre",
    "layer{l}.attn.x_norm",
    "layer{l}.attn.q",
    "layer{l}.attn.k",
    "layer{l}.attn.v",
    "layer{l}.attn.attn_out",
    "layer{l}.resid_mid",
    "layer{l}.mlp.x_norm",
    "layer{l}.mlp.fc1",
    "layer{l}.mlp.relu",
    "layer{l}.mlp.fc2",
    "layer{l}.resid_post",
    "lm_head.logits",
    "probs",
)


def across_positions(fp, what: str) -> Tensor:
    """The vector ``pos{p}.{what}`` of every position ``p`` of the pass, stacked: a matrix of
    positions × dimensions named ``what`` (e.g. ``layer0.resid_mid``, ``layer0.mlp.relu``,
    ``probs``), its labels ``p,i``."""
    _config(fp, "across_positions")
    check_str(what, "what", fix="a vector's name after pos{p}., e.g. 'layer0.resid_mid'")
    tokens = what in ("lm_head.logits", "probs")
    dims = fp.source.token_labels if tokens else None
    rows = [vector(fp, f"pos{p}.{what}", dims) for p in range(fp.positions)]
    width = rows[0].size
    labels = [f"{p},{x}" for p, row in enumerate(rows) for x in row.labels]
    scalars = [s for row in rows for s in row.scalars]
    return Tensor(
        what,
        [len(rows), width],
        labels,
        [i for row in rows for i in row.ids],
        [d for row in rows for d in row.data],
        [g for row in rows for g in row.grad],
        scalars,
        stage="positions",
    )
