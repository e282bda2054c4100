"""Across positions: a pass's per-position tensors stacked over its positions, and each
character's loss.

A graph query (pure Python; no graphviz, matplotlib, numpy or widgets): it reads the recorded
pass through ``explorer.tensors`` and recomputes nothing. ``explorer.panels_svg`` draws what it
returns.

- ``stream(fp, layer)``: one layer's residual stream as positions × dimensions matrices, in
  the order the model computes them: the stream into the layer (``embed.x_emb`` and
  ``embed.resid_pre`` for layer 0, the previous layer's ``resid_post`` after that), the
  attention's ``q``, ``k`` and ``v``, the stream after attention (``resid_mid``), the MLP's
  hidden layer (``mlp.relu``: its zeros are the dead ReLUs, the ReLU mask) and the stream
  after the MLP (``resid_post``). Each is a ``Tensor`` of ``across_positions`` (labels
  ``p,i``, data and grad as recorded), its rows labelled by the input characters.
- ``sublayer_norms(fp, layer)``: per position, the size (L2 norm) of the stream into the layer,
  of what attention adds to it (``attn_out``), of what the MLP adds (``fc2``) and of the stream
  out; ``dead_units`` / ``always_dead``: the ReLU mask as counts, and the units dead at every
  position (tables and lists a lesson shows).
- ``letters(fp)``: for each position its input character, the target it should predict,
  the probability the model gave that target (``pos{p}.probs[target]``) and the position's
  loss (``pos{p}.loss``), each with its grad and its node's name; and the mean loss.
"""

from __future__ import annotations

from dataclasses import dataclass

from microgpt.errors import MicrogptError
from microgpt.validate import _short, check_str

from .checks import check_layer, check_model_pass
from .tables import Table
from .tensors import Tensor, across_positions

__all__ = [
    "Letter",
    "Letters",
    "Stream",
    "always_dead",
    "check_model_pass",
    "dead_units",
    "letters",
    "stream",
    "sublayer_norms",
]


@dataclass
class Stream:
    """One layer's tensors across positions (see the module docstring). ``rows`` are the input
    characters of the positions (``BOS`` first), the row labels of every tensor;
    ``head_dim`` how many of q's (k's, v's) columns each head reads."""

    doc: str
    layer: int
    rows: list[str]
    tensors: list[Tensor]
    head_dim: int

    def tensor(self, name: str) -> Tensor:
        """The tensor named ``name`` (``layer0.resid_mid``)."""
        check_str(name, "name", fix="a tensor of the stream, e.g. 'layer0.resid_mid'")
        for t in self.tensors:
            if t.name == name:
                return t
        raise MicrogptError(
            f"layer {self.layer}'s stream has no tensor {_short(name)}: it has "
            f"{', '.join(t.name for t in self.tensors)}"
        )


@dataclass(frozen=True)
class Letter:
    """One position: it reads ``input`` and should predict ``target``. ``p`` is the recorded
    probability of the target (node ``p_id``), ``loss`` the position's loss (node
    ``loss_id``: −log p), each with the grad backward gave it from the pass's root."""

    pos: int
    input: str
    target: str
    p: float
    p_grad: float
    p_id: str
    loss: float
    loss_grad: float
    loss_id: str


@dataclass
class Letters:
    """The loss of every character of a document (``letters``). ``mean_loss`` is the recorded
    mean over positions (node ``mean_id``, ``loss``); ``vocab_size`` how many tokens the model
    chooses from (a uniform guess loses ln vocab_size)."""

    doc: str
    letters: list[Letter]
    mean_loss: float
    mean_id: str
    vocab_size: int


def stream(fp, layer: int = 0) -> Stream:
    """Layer ``layer``'s residual stream, q / k / v and ReLU mask across positions (see the
    module docstring)."""
    check_model_pass(fp, "stream")
    layer = check_layer(fp, layer)
    into = ["embed.x_emb", "embed.resid_pre"] if layer == 0 else [f"layer{layer - 1}.resid_post"]
    names = [
        *into,
        f"layer{layer}.attn.q",
        f"layer{layer}.attn.k",
        f"layer{layer}.attn.v",
        f"layer{layer}.resid_mid",
        f"layer{layer}.mlp.relu",
        f"layer{layer}.resid_post",
    ]
    tensors = [across_positions(fp, n) for n in names]
    return Stream(fp.doc, layer, list(fp.chars), tensors, fp.source.config.head_dim)


def letters(fp) -> Letters:
    """Each position's input, target, p(target) and loss, as recorded (see the module
    docstring)."""
    check_model_pass(fp, "letters")
    labels = fp.source.token_labels
    names = fp.trace.names
    out = []
    for p, loss in enumerate(fp.losses):
        target = labels[fp.tokens[p + 1]]
        p_id = f"pos{p}.probs[{target}]"
        prob = names.get(p_id) or fp.trace.find(p_id)
        out.append(
            Letter(
                pos=p,
                input=labels[fp.tokens[p]],
                target=target,
                p=prob.data,
                p_grad=prob.grad,
                p_id=p_id,
                loss=loss.data,
                loss_grad=loss.grad,
                loss_id=fp.trace.label(loss),
            )
        )
    return Letters(fp.doc, out, fp.loss.data, fp.trace.label(fp.loss), len(labels))


def _rows(t: Tensor) -> list[list[float]]:
    width = t.shape[1]
    return [t.data[k : k + width] for k in range(0, len(t.data), width)]


def _norm(row: list[float]) -> float:
    return sum(x * x for x in row) ** 0.5


def sublayer_norms(fp, layer: int = 0) -> Table:
    """Per position: the L2 norm of the residual stream into layer ``layer``, of what its
    attention adds (``attn_out``), of what its MLP adds (``fc2``), and of the stream out
    (``resid_post``), from the recorded values."""
    check_model_pass(fp, "sublayer_norms")
    layer = check_layer(fp, layer)
    into = "embed.resid_pre" if layer == 0 else f"layer{layer - 1}.resid_post"
    names = [into, f"layer{layer}.attn.attn_out", f"layer{layer}.mlp.fc2",
             f"layer{layer}.resid_post"]  # fmt: skip
    columns = [[_norm(r) for r in _rows(across_positions(fp, n))] for n in names]
    rows = [[p, fp.chars[p], *(c[p] for c in columns)] for p in range(fp.positions)]
    header = ["position", "input", "|x| in", "|attn_out| added", "|fc2| added", "|x| out"]
    return Table(header, rows, f"{fp.doc!r}, layer {layer}: the size (L2 norm) of each vector")


def dead_units(fp, layer: int = 0) -> Table:
    """Per position: how many of the MLP's units are dead (relu exactly 0) and which fire."""
    check_model_pass(fp, "dead_units")
    layer = check_layer(fp, layer)
    relu = across_positions(fp, f"layer{layer}.mlp.relu")
    rows = []
    for p, row in enumerate(_rows(relu)):
        alive = [i for i, x in enumerate(row) if x != 0]
        rows.append([p, fp.chars[p], len(row) - len(alive), ", ".join(map(str, alive)) or "none"])
    header = ["position", "input", "dead units", "units that fire"]
    return Table(header, rows, f"{fp.doc!r}, layer {layer}: the ReLU mask")


def always_dead(fp, layer: int = 0) -> list[int]:
    """The MLP units of layer ``layer`` that are dead (relu exactly 0) at every position."""
    check_model_pass(fp, "always_dead")
    layer = check_layer(fp, layer)
    rows = _rows(across_positions(fp, f"layer{layer}.mlp.relu"))
    return [i for i in range(len(rows[0])) if all(r[i] == 0 for r in rows)]
