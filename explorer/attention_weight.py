"""One attention weight explained: from the query and key slices to the softmax, as recorded.

A graph query (pure Python; no graphviz, matplotlib, numpy or widgets). For (layer, head,
query position t, key position k) the article's ``head()`` computes

    attn_logits[k] = sum(q_h[j] * k_h[j] for j in range(head_dim)) / head_dim ** 0.5
    attn_weights   = softmax(attn_logits[0 … t])

``explain_weight`` reads every step of that from the recorded pass, nothing recomputed: ``q_h``
(head h's slice of ``pos{t}.layer{l}.attn.q``), ``k_h`` (the slice of position k's ``k``), the
head_dim products ``q_h[j] * k_h[j]`` and their sum (anonymous nodes the engine recorded,
found by walking the graph down from ``pos{t}.layer{l}.attn.head{h}.attn_logits[k=k]``: the
logit is ``sum * (1/√head_dim)``, the sum an add chain over the products and the 0 Python's
``sum`` starts from), the constant 1/√head_dim, the logit, the row of logits and of weights of
query t, and the chosen weight. Every item is a ``Term``: its scalar node's id as the scalar
graph writes it (the name, or ``#id`` for an anonymous node: ``GraphIndex.label``), trace id,
data and grad. ``explorer.panels_svg.weight_svg`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.errors import ConfigError, MicrogptError
from microgpt.validate import check_int, quoted

from .checks import check_head, check_layer
from .positions import check_model_pass

__all__ = ["ExplainedWeight", "Term", "explain_weight"]


@dataclass(frozen=True)
class Term:
    """One recorded scalar node: ``id`` as the scalar graph's ``data-id`` writes it (a name or
    ``#id``), its trace id ``ref``, an index ``label`` (``j=2``, ``k=0``, or ``""``), and the
    recorded ``data`` and ``grad``."""

    id: str
    ref: int
    label: str
    data: float
    grad: float


@dataclass
class ExplainedWeight:
    """Every step of one attention weight (see the module docstring). ``chars`` are the input
    characters of positions 0 … ``query`` (the keys'); ``scale`` is the recorded constant
    1/√head_dim the sum is multiplied by."""

    doc: str
    layer: int
    head: int
    query: int
    key: int
    head_dim: int
    chars: list[str]
    q: list[Term]
    k: list[Term]
    products: list[Term]
    total: Term
    scale: Term
    logit: Term
    logits: list[Term]
    weights: list[Term]

    @property
    def weight(self) -> Term:
        """The explained weight: ``attn_weights[k=key]`` of query ``query``."""
        return self.weights[self.key]

    @property
    def query_char(self) -> str:
        return self.chars[self.query]

    @property
    def key_char(self) -> str:
        return self.chars[self.key]


def _term(index, i: int, label: str = "") -> Term:
    v = index.values[i]
    return Term(index.label(i), i, label, v.data, v.grad)


def _id(fp, name: str) -> int:
    v = fp.trace.names.get(name)
    if v is None:
        v = fp.trace.find(name)  # raises, suggesting close names
    return fp.index.id_of(v)


def _not_as_built(what: str) -> MicrogptError:
    return MicrogptError(
        f"the recorded graph of {what} is not q_h·k_h summed and scaled as the article's "
        "head() builds it: this pass was not recorded by microgpt.model"
    )


def _dot_product(index, logit: int, what: str) -> tuple[int, int, list[int]]:
    """``(sum id, constant id, product ids in j order)`` under the logit node ``logit``."""
    op, children = index.op, index.children
    if op[logit] != "mul" or len(children[logit]) != 2:
        raise _not_as_built(what)
    total, const = children[logit]
    if op[total] != "add" or op[const] != "const":
        raise _not_as_built(what)
    terms, node = [], total
    while True:  # down the add chain's left spine, collecting the right-hand terms
        left, right = children[node]
        terms.append(right)
        if op[left] != "add" or index.name[left] is not None:
            terms.append(left)
            break
        node = left
    terms.reverse()
    # the bottom add is `product0 + 0` (Python's sum() starts from 0): drop the constant 0
    products = [t for t in terms if not (op[t] == "const" and index.values[t].data == 0)]
    if any(op[t] != "mul" for t in products):
        raise _not_as_built(what)
    return total, const, products


def explain_weight(fp, layer: int, head: int, query: int, key: int) -> ExplainedWeight:
    """The attention weight of query position ``query`` on key position ``key`` in head
    ``head`` of layer ``layer``, step by step as recorded (see the module docstring)."""
    check_model_pass(fp, "explain_weight")
    cfg = fp.source.config
    layer, head = check_layer(fp, layer), check_head(fp, head)
    last = fp.positions - 1
    query = check_int(query, "query", 0, last,
                      fix=f"{quoted(fp.doc)} has positions 0 to {last}")  # fmt: skip
    key = check_int(key, "key", fix=f"a position from 0 to the query, {query}")
    if not 0 <= key <= query:
        raise ConfigError(
            f"key {key} is not a key of query {query}: attention is causal, a query at position "
            f"{query} reads the keys 0…{query}"
        )
    index = fp.index
    hd = cfg.head_dim
    lo = head * hd
    a, hname = f"pos{query}.layer{layer}.attn", f"pos{query}.layer{layer}.attn.head{head}"
    q_ids = [_id(fp, f"{a}.q[{lo + j}]") for j in range(hd)]
    k_ids = [_id(fp, f"pos{key}.layer{layer}.attn.k[{lo + j}]") for j in range(hd)]
    logit_name = f"{hname}.attn_logits[k={key}]"
    logit = _id(fp, logit_name)
    total, const, products = _dot_product(index, logit, logit_name)
    consumers = index.consumers
    if len(products) != hd or any(
        index.children[p] != (qi, ki) or p not in consumers[qi]
        for p, qi, ki in zip(products, q_ids, k_ids)
    ):
        raise _not_as_built(logit_name)
    which = [f"k={t}" for t in range(query + 1)]
    logits = [_id(fp, f"{hname}.attn_logits[{w}]") for w in which]
    weights = [_id(fp, f"{hname}.attn_weights[{w}]") for w in which]
    return ExplainedWeight(
        doc=fp.doc,
        layer=layer,
        head=head,
        query=query,
        key=key,
        head_dim=hd,
        chars=list(fp.chars[: query + 1]),
        q=[_term(index, i, f"j={j}") for j, i in enumerate(q_ids)],
        k=[_term(index, i, f"j={j}") for j, i in enumerate(k_ids)],
        products=[_term(index, i, f"j={j}") for j, i in enumerate(products)],
        total=_term(index, total),
        scale=_term(index, const),
        logit=_term(index, logit, f"k={key}"),
        logits=[_term(index, i, w) for i, w in zip(logits, which)],
        weights=[_term(index, i, w) for i, w in zip(weights, which)],
    )
