"""``microgpt.model.parse_name``: every name the model records reads back into where, what
and which, and the explorer's consumers agree with it."""

from __future__ import annotations

import pytest

from microgpt.errors import ArgumentTypeError
from microgpt.model import NAME_RE, ParsedName, loss_position, parse_name


def _rebuild(p: ParsedName) -> str:
    """The name written back from its parts (the grammar of ``parse_name``'s docstring)."""
    if p.what is None:
        return p.where
    text = f"{p.where}.{p.what}" if p.where else p.what
    if not p.which:
        return text
    keyed = p.head is not None and p.what in ("attn_logits", "attn_weights", "shifted", "exp",
                                              "inv_total")  # fmt: skip
    return text + "[" + ("k=" if keyed else "") + ",".join(map(str, p.which)) + "]"


@pytest.mark.parametrize(
    "text, where, what, which, pos, layer, head",
    [
        ("pos3.layer0.attn.head1.attn_logits[k=2]", "pos3.layer0.attn.head1", "attn_logits",
         (2,), 3, 0, 1),
        ("pos3.layer0.attn.q[2]", "pos3.layer0.attn", "q", (2,), 3, 0, None),
        ("pos0.lm_head.logits[5]", "pos0.lm_head", "logits", ("5",), 0, None, None),
        ("pos0.softmax.exp[BOS]", "pos0.softmax", "exp", ("BOS",), 0, None, None),
        ("pos1.layer2.attn.head0.softmax.total", "pos1.layer2.attn.head0.softmax", "total",
         (), 1, 2, 0),
        ("wte[3,7]", "", "wte", ("3", 7), None, None, None),
        ("wpe[3,7]", "", "wpe", (3, 7), None, None, None),
        ("layer1.attn_wq[1,2]", "layer1", "attn_wq", (1, 2), None, 1, None),
        ("layer0.mlp_fc2", "layer0", "mlp_fc2", (), None, 0, None),
        ("lm_head", "", "lm_head", (), None, None, None),
        ("loss", "", "loss", (), None, None, None),
        ("pos4.loss", "pos4", "loss", (), 4, None, None),
        ("pos2.layer0.attn.head1", "pos2.layer0.attn.head1", None, (), 2, 0, 1),
        ("pos2.lm_head", "pos2.lm_head", None, (), 2, None, None),
        ("pos12", "pos12", None, (), 12, None, None),
        ("", "", "", (), None, None, None),
    ],
)  # fmt: skip
def test_parse_name_examples(text, where, what, which, pos, layer, head):
    p = parse_name(text)
    assert (p.text, p.where, p.what, p.which) == (text, where, what, which)
    assert (p.pos, p.layer, p.head) == (pos, layer, head)


def test_a_place_needs_digits_and_pos_comes_first():
    assert parse_name("position.x").pos is None
    assert parse_name("posx.layer.q[1]").pos is None
    assert parse_name("posx.layer.q[1]").layer is None
    assert parse_name("pos٣.q[1]").pos is None  # ASCII digits only: it writes back the same
    assert parse_name("mlp.pos2.q[1]").pos is None  # a position is the first part
    assert parse_name("mlp.layer2.q[1]").layer == 2


def test_unknown_text_parses_without_raising():
    for text in ("a[1].b", "x]", "q[", "[]", "...", "pos2.*.attn_weights[*]"):
        p = parse_name(text)
        assert p.text == text
    assert parse_name("a[1].b") == ParsedName("a[1].b", "", "a[1].b")
    assert parse_name("pos2.*.attn_weights[*]").which == ("*",)


@pytest.mark.parametrize("bad", [None, 3, b"pos0.loss", ["loss"]])
def test_a_name_that_is_not_a_string_is_one_clear_error(bad):
    with pytest.raises(ArgumentTypeError, match="must be a string"):
        parse_name(bad)


def test_local_and_at_move_only_the_position():
    p = parse_name("pos1.layer0.attn.head0.softmax")
    assert p.local == "layer0.attn.head0.softmax"
    assert p.at(3) == "pos3.layer0.attn.head0.softmax"
    assert parse_name("pos1").at(3) == "pos3" and parse_name("pos1").local == ""
    assert parse_name("wte[e,1]").at(3) == "wte[e,1]"
    assert parse_name("pos0.layer0.attn.head1.attn_logits[k=1]").leaf == "attn_logits[k=1]"
    assert parse_name("wte[e,1]").leaf == "wte[e,1]" and parse_name("pos0.layer0.attn").leaf == ""
    assert parse_name("pos0.x[a.b]").leaf == "x[a.b]"  # a dot inside brackets never splits


def test_every_recorded_name_round_trips(fp):
    """A recorded pass: each name parses to its node's scope, reads back as written, and is
    of the vocabulary (``NAME_RE``); each anonymous node's scope parses as a scope."""
    names, scopes = fp.trace.node_names(), fp.trace.node_scopes()
    seen_what = set()
    for i, name in enumerate(names):
        if name is None:
            continue
        p = parse_name(name)
        assert NAME_RE.fullmatch(name), name
        assert _rebuild(p) == name, name
        seen_what.add(p.what)
        if i >= fp.num_params:  # made in the name's scope or inside it (a softmax's output)
            assert scopes[i] == p.where or scopes[i].startswith(p.where + "."), name
        assert p.pos == (int(scopes[i].split(".")[0][3:]) if scopes[i].startswith("pos") else None)
    assert {"q", "k", "v", "attn_weights", "logits", "probs", "loss", "wte", "attn_wq"} <= seen_what
    for scope in set(scopes) - {""}:
        p = parse_name(scope)
        assert (p.where, p.what) == (scope, None)


def test_sampling_names_round_trip():
    """Sampling's ``scaled_logits`` and its softmax: token labels, never numbers."""
    p = parse_name("pos0.scaled_logits[3]")
    assert (p.what, p.which, p.pos) == ("scaled_logits", ("3",), 0)
    assert NAME_RE.fullmatch(p.text) and _rebuild(p) == p.text


@pytest.mark.parametrize(
    "root, pos",
    [("loss@3", 3), ("loss@12", 12), ("loss@-1", -1), ("loss", None), ("loss@", None),
     ("loss@x", None), ("pos3.loss", None), ("loss@3 ", None), (3, None), (None, None)],
)  # fmt: skip
def test_loss_position_is_the_one_reading_of_loss_at(root, pos):
    assert loss_position(root) == pos


def test_a_negative_loss_root_is_refused_by_the_pass(source):
    from explorer import ForwardPass
    from microgpt.errors import MicrogptError

    with pytest.raises(MicrogptError, match="position"):
        ForwardPass("emma", root="loss@-1", source=source)


def test_consumers_agree_with_parse_name(fp, fp3):
    """The explorer's readers of names go through ``parse_name``: the weight a panel explains,
    the model view's default position, a role's position."""
    from explorer.model_view import default_pos
    from explorer.roles import short_name
    from explorer.widgets.panels import parse_weight

    weights = [n for n in fp.trace.names if ".attn_weights[" in n]
    assert weights
    for name in weights:
        p = parse_name(name)
        assert parse_weight(name) == (p.layer, p.head, p.pos, p.which[0])
    assert parse_weight("pos1.layer0.attn.head0.attn_logits[k=0]") is None
    assert parse_weight("pos1.layer0.attn.head0.attn_weights[0]") is None
    assert parse_weight(None) is None
    assert (default_pos(fp3), default_pos(fp)) == (3, fp.positions - 1)
    assert short_name("pos2.layer0.attn.head1.attn_logits[k=1]") == ("attn_logits[k=1]",
                                                                      "head1, pos2")  # fmt: skip
    assert short_name("pos2.layer1.mlp.relu[3]", layers=True) == ("mlp.relu[3]", "pos2, layer1")


# -- drawn nodes' ids: NodeKey, the one mapping ------------------------------------------------
@pytest.mark.parametrize(
    "node_id, kind, ref",
    [("op/pos0.loss", "op", "pos0.loss"), ("op/#215", "op", "#215"),
     ("group/pos2", "group", "pos2"), ("group/", "group", ""),
     ("input/pos1.layer0", "input", "pos1.layer0"),
     ("folded/pos3.mlp", "folded", "pos3.mlp"), ("pos0.loss", "node", "pos0.loss"),
     ("#21", "node", "#21"), ("wte[m]", "node", "wte[m]"), ("other/x", "node", "other/x")],
)  # fmt: skip
def test_node_key_round_trips(node_id, kind, ref):
    from explorer.graph import NodeKey

    key = NodeKey.parse(node_id)
    assert (key.kind, key.ref) == (kind, ref)
    assert key.id == node_id and NodeKey(kind, ref) == key


@pytest.mark.parametrize("kind, ref", [("tensor", "q"), ("op", 3), (None, "x")])
def test_a_node_key_of_no_kind_is_one_clear_error(kind, ref):
    from explorer.graph import NodeKey

    with pytest.raises(ArgumentTypeError, match="node key"):
        NodeKey(kind, ref)


@pytest.mark.parametrize("node_id", [None, 5, b"op/3"])
def test_reading_a_key_from_what_is_not_an_id_is_one_clear_error(node_id):
    from explorer.graph import NodeKey

    with pytest.raises(ArgumentTypeError, match="drawn node's id is a string"):
        NodeKey.parse(node_id)


def test_every_drawn_id_is_its_key(fp):
    """The views' producers build ids through ``NodeKey``: each node's key reads back its id,
    its kind matches the node's, and a group's key is its scope."""
    from explorer import build_view

    views = [
        build_view(fp, "overview"),
        build_view(fp, "scope", scope="pos2.layer0.attn.head1", detail=True),
        build_view(fp, "scope", scope="pos2.layer0.attn"),
        build_view(fp, "path", source="wte[c,0]"),
    ]
    kinds = set()
    for view in views:
        for node in view.nodes:
            key = node.key
            kinds.add(key.kind)
            assert key.id == node.id
            if key.kind in ("group", "input", "folded"):
                assert node.scope == key.ref and node.kind in ("group", "folded")
            elif key.kind == "op":
                assert node.kind in ("op", "sum") and node.ref is not None
            else:
                assert node.kind == "value" and node.id == fp.index.label(node.ref)
    assert kinds == {"node", "op", "group", "input", "folded"}


def test_the_dashboard_reads_a_panels_id_through_its_key():
    """``show_node``: ``group/posP`` moves the position and opens nothing; ``op/NAME`` is the
    node NAME; an ``input/…`` group's scope is not a position to move to."""
    from explorer.widgets import Dashboard

    d = Dashboard(doc="christopher", view="overview")
    d.show_node("group/pos3")
    assert d.pos == 3 and d.graph.view == "overview"
    d.show_node("input/pos5.layer0")
    assert d.pos == 3
    d.show_node("op/pos4.layer0.attn.head2.attn_weights[k=1]")
    assert d.pos == 4 and d.graph.selected == "pos4.layer0.attn.head2.attn_weights[k=1]"


def test_parameter_is_true_for_exactly_the_parameters(fp):
    names = fp.trace.node_names()
    for i, name in enumerate(names):
        if name is not None:
            assert parse_name(name).parameter == (i < fp.num_params), name
    for key in fp.source.config.matrix_shapes():  # the matrices' keys, and a model view's rows
        assert parse_name(key).parameter and parse_name(f"{key}[0]").parameter
    for text in ("pos0.layer0.attn.q", "layer0.attn", "pos0.lm_head", "mlp_fc1", "pos0.wte[a,0]"):
        assert not parse_name(text).parameter, text
