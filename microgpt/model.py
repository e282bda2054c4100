"""The GPT: parameters, ``linear`` / ``softmax`` / ``rmsnorm``, one position's forward pass.

The algorithm and its order of floating-point operations are the article's, exactly (the same
seed gives the same numbers). On top of it the model opens scopes and names the points a
learner reads; outside a ``trace`` that costs one check per scope or name.

Name vocabulary
===============

A name is ``where.what[which]``: *where* is the scope path, *what* the variable name in the
article's code, *which* named indices. Tokens appear as their character (``BOS`` for the
begin/end token; characters other than ASCII letters, digits, ``_``, ``-`` and ``'`` as ``U+XXXX``).

Parameters (leaves, op ``param``)::

    wte[c,i]                       token embedding of token c, dimension i
    wpe[p,i]                       position embedding of position p
    lm_head[c,i]                   output row of token c
    layer{l}.attn_wq[r,i]          also attn_wk, attn_wv, attn_wo (n_embd × n_embd)
    layer{l}.mlp_fc1[r,i]          (4·n_embd × n_embd); mlp_fc2 (n_embd × 4·n_embd)

One position p (``pos{p}``; i runs over the embedding, j inside a head, k=t over the cached
positions t ≤ p, c over the vocabulary)::

    pos{p}.embed.x_emb[i]                      tok_emb[i] + pos_emb[i]
    pos{p}.embed.rmsnorm.{ms,ms_eps,scale}     mean square, + 1e-5, its ** -0.5
    pos{p}.embed.resid_pre[i]                  the normalized embedding: layer 0's input
    pos{p}.layer{l}.attn.rmsnorm.{ms,ms_eps,scale}
    pos{p}.layer{l}.attn.x_norm[i]
    pos{p}.layer{l}.attn.{q,k,v}[i]
    pos{p}.layer{l}.attn.head{h}.attn_logits[k=t]        q_h · k_t,h / √head_dim
    pos{p}.layer{l}.attn.head{h}.softmax.{shifted,exp,inv_total}[k=t], .total
    pos{p}.layer{l}.attn.head{h}.attn_weights[k=t]
    pos{p}.layer{l}.attn.head{h}.head_out[j]             (concatenated: x_attn)
    pos{p}.layer{l}.attn.attn_out[i]                      linear(x_attn, attn_wo)
    pos{p}.layer{l}.resid_mid[i]                          attn_out + residual
    pos{p}.layer{l}.mlp.rmsnorm.{ms,ms_eps,scale}
    pos{p}.layer{l}.mlp.{x_norm,fc1,relu,fc2}[i]
    pos{p}.layer{l}.resid_post[i]                         fc2 + residual
    pos{p}.lm_head.logits[c]
    pos{p}.softmax.{shifted,exp,inv_total}[c], pos{p}.softmax.total
    pos{p}.probs[c]
    pos{p}.log_prob, pos{p}.loss                          log probs[target], its negation
    loss                                                  mean of the positions' losses

In sampling, ``pos{p}.scaled_logits[c]`` (logits / temperature) comes before the softmax.
Anonymous intermediates (the products and the add chain inside a dot product or a sum, the
constant 0 that Python's ``sum`` starts from, wrapped plain numbers) have a scope but no name.
``NAME_RE`` matches exactly the names above; ``parse_name`` reads one back (where, what, which).
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass

from .engine import Value
from .errors import ArgumentTypeError, ConfigError, MicrogptError
from .params import ParamLayout
from .trace import name, name_all, scope
from .validate import _short, check_instance, check_int, check_model_size

__all__ = [
    "GPTConfig",
    "GPT",
    "linear",
    "softmax",
    "rmsnorm",
    "embed",
    "attention",
    "head",
    "mlp",
    "NAME_RE",
    "ParsedName",
    "parse_name",
    "loss_position",
    "matrix_names",
]

_TOKEN = r"(?:BOS|[A-Za-z0-9_'-]|U\+[0-9A-F]{4,6})"
_INT = r"\d+"
_SOFTMAX = r"softmax\.(?:total|(?:shifted|exp|inv_total)\[{which}\])"
_RMSNORM = r"rmsnorm\.(?:ms|ms_eps|scale)"
_HEAD = (
    rf"head{_INT}\.(?:attn_logits\[k={_INT}\]|attn_weights\[k={_INT}\]|head_out\[{_INT}\]|"
    + _SOFTMAX.format(which=rf"k={_INT}")
    + ")"
)
_LAYER = (
    rf"layer{_INT}\.(?:resid_mid\[{_INT}\]|resid_post\[{_INT}\]|"
    rf"attn\.(?:{_RMSNORM}|(?:x_norm|q|k|v|attn_out)\[{_INT}\]|{_HEAD})|"
    rf"mlp\.(?:{_RMSNORM}|(?:x_norm|fc1|relu|fc2)\[{_INT}\]))"
)
_POSITION = (
    rf"pos{_INT}\.(?:embed\.(?:x_emb\[{_INT}\]|resid_pre\[{_INT}\]|{_RMSNORM})|{_LAYER}|"
    rf"lm_head\.logits\[{_TOKEN}\]|scaled_logits\[{_TOKEN}\]|probs\[{_TOKEN}\]|"
    + _SOFTMAX.format(which=_TOKEN)
    + "|log_prob|loss)"
)
_PARAM = (
    rf"(?:(?:wte|lm_head)\[{_TOKEN},{_INT}\]|wpe\[{_INT},{_INT}\]|"
    rf"layer{_INT}\.(?:attn_w[qkvo]|mlp_fc[12])\[{_INT},{_INT}\])"
)
#: Every name the model gives (see the module docstring).
NAME_RE = re.compile(rf"(?:{_PARAM}|{_POSITION}|loss)")


# -- reading a name back: where, what, which --------------------------------------------------
#: Scope parts that are not a quantity (a text ending in one is a scope, not a node's name).
_SCOPE_WORDS = frozenset({"embed", "attn", "mlp", "lm_head", "softmax", "rmsnorm"})
#: Quantities indexed by a token (``logits[e]``); ``wte`` / ``lm_head`` rows are tokens too.
_BY_TOKEN = frozenset({"logits", "scaled_logits", "probs"})
_SOFTMAX_PARTS = frozenset({"shifted", "exp", "inv_total"})
_LAYER_MATRICES = frozenset({"attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2"})


@dataclass(frozen=True)
class ParsedName:
    """A node's name (or a scope) read back: see ``parse_name``.

    ``where`` is the scope path (``""`` for none), ``what`` the quantity (``None`` for a
    scope), ``which`` its indices (ints, ``k=t`` gives t; a token stays its label, ``"e"``).
    ``pos``, ``layer`` and ``head`` are ``None`` when the name has none.
    """

    text: str
    where: str
    what: str | None
    which: tuple[int | str, ...] = ()
    pos: int | None = None
    layer: int | None = None
    head: int | None = None

    @property
    def parameter(self) -> bool:
        """Whether it names a parameter matrix or an entry of one (``wte``, ``wte[e,4]``,
        ``layer0.attn_wq[1,2]``; ``wte[e]``, a model view's row, too)."""
        if self.what in ("wte", "wpe", "lm_head"):
            return self.where == ""
        return self.what in _LAYER_MATRICES and self.where == f"layer{self.layer}"

    @property
    def leaf(self) -> str:
        """The last part as written, ``what[which]``: ``attn_logits[k=1]`` (``""`` for a scope)."""
        return "" if self.what is None else self.text[len(self.where) + 1 if self.where else 0 :]

    @property
    def local(self) -> str:
        """The text after its position: ``layer0.attn.q[2]`` (``""`` for ``pos2`` itself; all
        of it when there is no position)."""
        if self.pos is None:
            return self.text
        cut = self.text.find(".")
        return "" if cut < 0 else self.text[cut + 1 :]

    def at(self, pos: int) -> str:
        """The same name at position ``pos`` (``pos1.…`` -> ``pos3.…``); unchanged without one."""
        if self.pos is None:
            return self.text
        local = self.local
        return f"pos{pos}.{local}" if local else f"pos{pos}"


def _number(part: str, word: str) -> int | None:
    """``3`` for ``pos3`` (word ``pos``), else ``None``."""
    digits = part[len(word) :]
    if part.startswith(word) and digits.isascii() and digits.isdigit():
        return int(digits)
    return None


def _index(label: str) -> int | str:
    key = label[2:] if label.startswith("k=") else label
    return int(key) if key.isascii() and key.isdigit() else label


def _which(what: str, inside: str, in_head: bool) -> tuple[int | str, ...]:
    labels = inside.split(",")
    if what in _BY_TOKEN or (what in _SOFTMAX_PARTS and not in_head):
        return (inside,)  # a token's label (never a number, even "3")
    if what in ("wte", "lm_head"):  # rows are tokens (a model view's row: ``wte[e]``)
        return (labels[0], *map(_index, labels[1:]))
    return tuple(_index(label) for label in labels)


def parse_name(text: str) -> ParsedName:
    """Read a name of the vocabulary above (or a scope) back into where, what and which.

    Grammar (the module docstring lists every name the model gives)::

        name  := [where "."] what ["[" which "]"]   |   where
        where := part ("." part)*          e.g. pos2.layer0.attn.head1
        which := index ("," index)*        an int, k=t (key position t) or a token's label

    ``pos{p}`` counts as the position only as the first part; ``layer{l}`` and ``head{h}``
    anywhere in ``where``. A text with no brackets whose last part is a place (``pos2``,
    ``layer0``, ``head1``) or a scope word (``embed``, ``attn``, ``mlp``, ``softmax``,
    ``rmsnorm``, ``lm_head`` under a position) is a scope: ``what`` is ``None``. Examples::

        pos3.layer0.attn.head1.q[2]   where pos3.layer0.attn.head1, what q, which (2,)
        pos0.layer0.attn.head1.attn_weights[k=1]   what attn_weights, which (1,)
        pos0.lm_head.logits[e]        what logits, which ("e",)
        wte[e,7]                      where "", what wte, which ("e", 7)
        layer0.attn_wq[1,2]           where layer0, layer 0, what attn_wq, which (1, 2)
        loss                          where "", what loss
        pos2.layer0.attn.head1        a scope: pos 2, layer 0, head 1, what None

    Any string parses (a name the model never gives reads by the same rules; brackets not at
    the end make the rest of the text from the part they open ``what``); anything else is an
    ``ArgumentTypeError``.
    """
    if not isinstance(text, str):
        raise ArgumentTypeError(f"a node's name must be a string, got {_short(text)}")
    bracket = text.find("[")
    parts = (text if bracket < 0 else text[:bracket]).split(".")
    leaf = parts[-1]
    if bracket >= 0 and not (text.endswith("]") and text.find("]") == len(text) - 1):
        leaf, bracket = leaf + text[bracket:], -1  # brackets not at the end: all of it is what
    is_scope = bracket < 0 and (
        any(_number(leaf, w) is not None for w in ("pos", "layer", "head"))
        or (leaf in _SCOPE_WORDS and not (leaf == "lm_head" and len(parts) == 1))
    )
    where_parts = parts if is_scope else parts[:-1]
    pos = _number(parts[0], "pos") if where_parts else None
    layer = next((n for p in where_parts if (n := _number(p, "layer")) is not None), None)
    head = next((n for p in where_parts if (n := _number(p, "head")) is not None), None)
    where = ".".join(where_parts)
    if is_scope:
        return ParsedName(text, where, None, (), pos, layer, head)
    which = () if bracket < 0 else _which(leaf, text[bracket + 1 : -1], head is not None)
    return ParsedName(text, where, leaf, which, pos, layer, head)


_LOSS_AT = re.compile(r"loss@(-?\d+)\Z")


def loss_position(root: str) -> int | None:
    """The position T of a backward root written ``loss@T`` (``pos{T}.loss``), else ``None``
    (``loss``, a node's name, anything else). The one reading of it: a minus sign reads, and
    whoever takes the root refuses a position the pass does not have."""
    m = _LOSS_AT.match(root) if isinstance(root, str) else None
    return int(m[1]) if m else None


@dataclass(frozen=True)
class GPTConfig:
    """The model's shape. ``n_embd`` must be divisible by ``n_head``."""

    vocab_size: int
    n_embd: int = 16
    n_head: int = 4
    n_layer: int = 1
    block_size: int = 16

    def __post_init__(self) -> None:
        for field in ("vocab_size", "n_embd", "n_head", "n_layer", "block_size"):
            value = check_int(getattr(self, field), field, 1, fix="a positive integer")
            object.__setattr__(self, field, value)  # numpy.int64(16) is stored as 16
        if self.vocab_size < 2:
            raise MicrogptError(
                f"vocab_size must be at least 2 (one character and BOS), got {self.vocab_size}"
            )
        if self.n_head > self.n_embd:
            raise ConfigError(
                f"n_head ({self.n_head}) must be at most n_embd ({self.n_embd}): each head gets "
                "n_embd // n_head dimensions"
            )
        check_model_size(self)  # before anything is built (and before the loop below)
        if self.n_embd % self.n_head:
            raise MicrogptError(
                f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}): each head "
                f"gets n_embd // n_head dimensions. Try --n-head "
                f"{max(d for d in range(1, self.n_head + 1) if self.n_embd % d == 0)} or "
                f"--n-embd {self.n_embd + self.n_head - self.n_embd % self.n_head}"
            )

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def to_dict(self) -> dict:
        return asdict(self)

    def matrix_shapes(self) -> dict[str, tuple[int, int]]:
        """Every parameter matrix's (rows, columns), in the article's creation order."""
        e = self.n_embd
        shapes = {
            "wte": (self.vocab_size, e),
            "wpe": (self.block_size, e),
            "lm_head": (self.vocab_size, e),
        }
        for i in range(self.n_layer):
            for w in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
                shapes[f"layer{i}.{w}"] = (e, e)
            shapes[f"layer{i}.mlp_fc1"] = (4 * e, e)
            shapes[f"layer{i}.mlp_fc2"] = (e, 4 * e)
        return shapes

    def num_params(self) -> int:
        return sum(r * c for r, c in self.matrix_shapes().values())


def matrix_names(key: str, rows: int, cols: int, token_labels=None) -> list[list[str]]:
    """The names of a parameter matrix's entries (``wte[e,4]``: rows of wte and lm_head are
    tokens, labelled by ``token_labels``; rows of other matrices are indices)."""
    if key in ("wte", "lm_head") and token_labels is not None:
        row_labels = list(token_labels)
    else:
        row_labels = [str(r) for r in range(rows)]
    return [[f"{key}[{row_labels[r]},{c}]" for c in range(cols)] for r in range(rows)]


# -- the article's three helpers, with names on their outputs ---------------------------------
def linear(x: list[Value], w: list[list[Value]]) -> list[Value]:
    """One output per row of ``w``: ``sum(w_j * x_j)`` (len(w) outputs)."""
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits: list[Value], which=None) -> list[Value]:
    """``exp(z_i - max) / sum(exp)`` (len(logits) outputs); the max is a plain number.

    Nodes are built in the article's order; ``e / total`` is ``e * total**-1``, so every output
    has its own ``total**-1`` node. Internals are named in scope ``softmax``.
    """
    max_val = max(val.data for val in logits)
    labels = list(range(len(logits)) if which is None else which)
    with scope("softmax"):
        shifted, exps = [], []
        for val in logits:
            shifted.append(val - max_val)
            exps.append(shifted[-1].exp())
        name_all(shifted, "shifted", labels)
        name_all(exps, "exp", labels)
        total = name(sum(exps), "total")
        out = []
        for e, label in zip(exps, labels):
            out.append(e * name(total**-1, "inv_total", label))
    return out


def rmsnorm(x: list[Value]) -> list[Value]:
    """``x_i * (mean(x²) + 1e-5) ** -0.5`` (len(x) outputs). Names internals in ``rmsnorm``."""
    with scope("rmsnorm"):
        ms = name(sum(xi * xi for xi in x) / len(x), "ms")
        ms_eps = name(ms + 1e-5, "ms_eps")
        s = name(ms_eps**-0.5, "scale")
    return [xi * s for xi in x]


# -- one position's pieces, split as nanoGPT splits its blocks --------------------------------
def embed(tok_emb: list[Value], pos_emb: list[Value]) -> list[Value]:
    """``rmsnorm(tok_emb + pos_emb)`` (scope ``embed``): the first layer's input."""
    with scope("embed"):
        x = name_all([t + p for t, p in zip(tok_emb, pos_emb)], "x_emb")
        return name_all(rmsnorm(x), "resid_pre")


def head(q_h: list[Value], k_h: list[list[Value]], v_h: list[list[Value]]) -> list[Value]:
    """One attention head at one position: the query ``q_h`` against every cached key ``k_h[t]``
    (scaled by √head_dim), softmax, then the weighted sum of the cached values ``v_h[t]``
    (head_dim outputs). Names in the scope in force (``head{h}``)."""
    head_dim = len(q_h)
    which = [f"k={t}" for t in range(len(k_h))]
    logits = [sum(q_h[j] * k_t[j] for j in range(head_dim)) / head_dim**0.5 for k_t in k_h]
    weights = name_all(
        softmax(name_all(logits, "attn_logits", which), which), "attn_weights", which
    )
    out = [sum(weights[t] * v_h[t][j] for t in range(len(v_h))) for j in range(head_dim)]
    return name_all(out, "head_out")


def attention(x: list[Value], w: tuple, keys: list, values: list, n_head: int) -> list[Value]:
    """Causal self-attention at one position (scope ``attn``): rmsnorm, q / k / v, this
    position's k and v appended to the caches, ``n_head`` heads over their slices, the heads'
    outputs concatenated in order and mixed by ``attn_wo``. ``w`` is ``(wq, wk, wv, wo)``."""
    wq, wk, wv, wo = w
    with scope("attn"):
        x = name_all(rmsnorm(x), "x_norm")
        q = name_all(linear(x, wq), "q")
        k = name_all(linear(x, wk), "k")
        v = name_all(linear(x, wv), "v")
        keys.append(k)
        values.append(v)
        head_dim = len(q) // n_head
        x_attn = []
        for h in range(n_head):
            s = slice(h * head_dim, (h + 1) * head_dim)
            with scope(f"head{h}"):
                x_attn.extend(head(q[s], [k_t[s] for k_t in keys], [v_t[s] for v_t in values]))
        return name_all(linear(x_attn, wo), "attn_out")


def mlp(x: list[Value], fc1: list[list[Value]], fc2: list[list[Value]]) -> list[Value]:
    """The MLP at one position (scope ``mlp``): rmsnorm, ``fc1``, relu, ``fc2``."""
    with scope("mlp"):
        x = name_all(rmsnorm(x), "x_norm")
        x = name_all(linear(x, fc1), "fc1")
        x = name_all([xi.relu() for xi in x], "relu")
        return name_all(linear(x, fc2), "fc2")


def _check_weights(weights, config: GPTConfig) -> None:
    """Loaded weights: a dict with every matrix of the config, each of its shape (the numbers
    themselves are checked as each parameter ``Value`` is made)."""
    check_instance(weights, "weights", dict, "a dict of matrices by key",
                   fix="e.g. GPT(...).weights() or a checkpoint's 'weights'")  # fmt: skip
    for key, (rows, cols) in config.matrix_shapes().items():
        matrix = weights.get(key)
        if (
            not isinstance(matrix, (list, tuple))
            or len(matrix) != rows
            or not all(isinstance(r, (list, tuple)) and len(r) == cols for r in matrix)
        ):
            raise ConfigError(
                f"weights[{key!r}] must be a {rows} x {cols} list of lists of numbers, got "
                f"{_short(matrix)}"
            )


class GPT:
    """The article's GPT: parameters in ``state_dict``, the flat list ``params`` for Adam.

    ``GPT(config, rng)`` draws every weight from ``rng.gauss(0, 0.08)`` in the article's order.
    ``token_labels`` (from ``Tokenizer.label``) name the rows of ``wte`` and ``lm_head`` and the
    entries of logits and probs; without it, token ids are used.
    """

    def __init__(
        self,
        config: GPTConfig,
        rng: random.Random | None = None,
        token_labels=None,
        weights: dict[str, list[list[float]]] | None = None,
    ):
        check_instance(config, "config", GPTConfig, "a GPTConfig",
                       fix="e.g. GPT(GPTConfig(vocab_size=27))")  # fmt: skip
        self.config = config
        if rng is not None and not isinstance(rng, random.Random):
            raise ArgumentTypeError(
                f"rng must be a random.Random or None, got {_short(rng)}: e.g. random.Random(42)"
            )
        if token_labels is not None:
            check_instance(token_labels, "token_labels", (list, tuple), "a list of strings")
            if len(token_labels) != config.vocab_size or not all(
                isinstance(t, str) for t in token_labels
            ):
                raise ConfigError(
                    f"token_labels must be {config.vocab_size} strings (one per token), got "
                    f"{_short(token_labels)}: e.g. Tokenizer.label of each token id"
                )
        if weights is not None:
            _check_weights(weights, config)
        self.token_labels = (
            list(token_labels)
            if token_labels is not None
            else [str(i) for i in range(config.vocab_size)]
        )
        if weights is None:
            rng = rng if rng is not None else random.Random(42)
            self.state_dict: dict[str, list[list[Value]]] = {
                key: [
                    [Value(rng.gauss(0, 0.08), op="param") for _ in range(cols)]
                    for _ in range(rows)
                ]
                for key, (rows, cols) in config.matrix_shapes().items()
            }
        else:  # loaded weights (shapes checked by the caller, e.g. microgpt.checkpoint)
            self.state_dict = {
                key: [[Value(x, op="param") for x in row] for row in weights[key]]
                for key in config.matrix_shapes()
            }
        #: Every parameter: matrix by matrix, row by row, entry by entry (Adam's order).
        self.params: list[Value] = ParamLayout(config).flatten(self.state_dict)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in ``params`` order, e.g. ``("wte[e,4]", Value)``."""
        out = []
        for key, mat in self.state_dict.items():
            names = matrix_names(key, len(mat), len(mat[0]), self.token_labels)
            for name_row, row in zip(names, mat):
                out.extend(zip(name_row, row))
        return out

    def weights(self) -> dict[str, list[list[float]]]:
        """The parameters' data as plain nested lists keyed like ``state_dict``."""
        return {key: [[p.data for p in row] for row in mat] for key, mat in self.state_dict.items()}

    def new_cache(self) -> tuple[list[list[list[Value]]], list[list[list[Value]]]]:
        """Empty key and value caches: one list per layer."""
        n = self.config.n_layer
        return [[] for _ in range(n)], [[] for _ in range(n)]

    def forward(self, token_id: int, pos_id: int, keys, values) -> list[Value]:
        """Logits (vocab_size of them) for one token at one position.

        Appends this position's key and value to ``keys[layer]`` and ``values[layer]`` (the KV
        cache): call it for positions 0, 1, 2, … in order with the same caches.
        """
        sd = self.state_dict
        with scope(f"pos{pos_id}"):
            x = embed(sd["wte"][token_id], sd["wpe"][pos_id])
            for li in range(self.config.n_layer):
                x = self.block(li, x, keys[li], values[li])
            with scope("lm_head"):
                logits = name_all(linear(x, sd["lm_head"]), "logits", self.token_labels)
        return logits

    def block(self, li: int, x: list[Value], keys: list, values: list) -> list[Value]:
        """Layer ``li`` at one position (scope ``layer{li}``): attention, then the MLP, each
        added to its input (the residual). ``keys`` and ``values`` are this layer's caches."""
        sd = self.state_dict
        w = f"layer{li}."
        with scope(f"layer{li}"):
            a = attention(
                x,
                (sd[w + "attn_wq"], sd[w + "attn_wk"], sd[w + "attn_wv"], sd[w + "attn_wo"]),
                keys,
                values,
                self.config.n_head,
            )
            x = name_all([ai + xi for ai, xi in zip(a, x)], "resid_mid")
            m = mlp(x, sd[w + "mlp_fc1"], sd[w + "mlp_fc2"])
            return name_all([mi + xi for mi, xi in zip(m, x)], "resid_post")

    def position_loss(self, logits: list[Value], target_id: int, pos_id: int) -> Value:
        """``-log softmax(logits)[target]`` for one position, named under ``pos{p}``."""
        with scope(f"pos{pos_id}"):
            probs = name_all(softmax(logits, self.token_labels), "probs", self.token_labels)
            log_prob = name(probs[target_id].log(), "log_prob")
            return name(-log_prob, "loss")

    def _check_tokens(self, tokens) -> None:
        """A document's token ids: a list of at least two ints in the vocabulary (one pass over
        a short list, before any node is made)."""
        check_instance(tokens, "tokens", (list, tuple), "a list of token ids",
                       fix="e.g. tokenizer.encode_doc('emma')")  # fmt: skip
        if len(tokens) < 2:
            raise ConfigError(
                f"tokens must hold at least 2 ids (an input and its target), got {_short(tokens)}:"
                " e.g. tokenizer.encode_doc('emma')"
            )
        last = self.config.vocab_size - 1
        for t in tokens:
            if type(t) is not int or not 0 <= t <= last:
                check_int(t, "each token", 0, last, fix=f"token ids run from 0 to {last}")

    def loss(self, tokens: list[int]) -> tuple[Value, list[Value]]:
        """The training loss of one tokenized document (``[BOS] + ids + [BOS]``).

        Returns ``(loss, per_position_losses)``: the mean over the first
        ``n = min(block_size, len(tokens) - 1)`` positions, each predicting the next token.
        """
        self._check_tokens(tokens)
        n = min(self.config.block_size, len(tokens) - 1)
        keys, values = self.new_cache()
        losses = []
        for pos_id in range(n):
            logits = self.forward(tokens[pos_id], pos_id, keys, values)
            losses.append(self.position_loss(logits, tokens[pos_id + 1], pos_id))
        loss = name((1 / n) * sum(losses), "loss")
        return loss, losses
