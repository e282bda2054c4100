"""The chart widgets on their data, no browser: each chart is a 2× PNG whose width and height
(CSS px) are the figure's natural size and whose layout shrinks but never stretches it; control
labels keep their whole text; sampling stops at BOS, keeps its message until the next action
and its chart names the prefix and the document (tests/browser/test_charts.py checks the page).
"""

from __future__ import annotations

import base64
import html
import struct

import pytest

from explorer.plots import PIXEL_RATIO, figure_css_size
from explorer.widgets import AttentionView, Dashboard, EmbeddingView, ProbabilitiesView, Session
from microgpt import MicrogptError


@pytest.fixture(scope="module")
def session():
    return Session()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _assert_natural(image, figure) -> None:
    w, h = figure_css_size(figure)
    assert (image.width, image.height) == (str(w), str(h))
    assert _png_size(image.value) == (PIXEL_RATIO * w, PIXEL_RATIO * h)
    assert image.layout.max_width == "100%" and image.layout.height == "auto"
    assert image.layout.align_self == "flex-start"  # a box never stretches it


def test_probabilities_and_embeddings_are_shown_at_natural_size(session):
    probs = ProbabilitiesView()
    probs.show(session.forward_pass("christopher"))
    _assert_natural(probs.image, probs.figure)
    emb = EmbeddingView(session.source)
    _assert_natural(emb.image, emb.figure)
    emb.matrix = "wpe"
    _assert_natural(emb.image, emb.figure)
    assert emb.figure.axes[0].get_title().startswith("wpe at step 1000")


def test_attention_is_a_2x_png_in_a_box_of_its_natural_width(session):
    view = AttentionView()
    view.show(session.forward_pass("christopher"))
    w, h = figure_css_size(view.figure)
    assert _png_size(base64.b64decode(view.image.png)) == (PIXEL_RATIO * w, PIXEL_RATIO * h)
    assert view.image.layout.width == f"{w}px" and view.image.layout.max_width == "100%"


def test_control_labels_keep_their_width_and_rows_wrap(session):
    att, probs, emb = AttentionView(), ProbabilitiesView(), EmbeddingView(session.source)
    for control in (att._layer, att._head, probs._temperature, emb._step):
        assert control.style.description_width == "initial", control.description
    for view in (att, probs, emb):
        assert view.children[0].layout.flex_flow == "row wrap"
    assert att._head.layout.display == "flex"  # "head" beside its buttons, not above them
    assert probs._sample.layout.width == "auto"


def _force(view, monkeypatch, label: str) -> None:
    """The next draw picks ``label`` (a character or "BOS")."""
    tok = view.fp.source.tokenizer
    token = tok.BOS if label == "BOS" else tok.chars.index(label)
    monkeypatch.setattr(view.rng, "choices", lambda *a, **k: [token])


def test_sampling_stops_at_bos_and_refuses_to_continue(session, monkeypatch):
    view = ProbabilitiesView()
    view.show(session.forward_pass("emma"))
    _force(view, monkeypatch, "BOS")
    assert view.sample_next() == "" and view.sampled == "" and view.sample_count == 1
    assert view.ended and "BOS ends the name: 'emma' is complete" in view.message
    assert view._info.value == html.escape(view.message)  # shown on the page
    assert view._sample.disabled and "name complete" in view._sample.description
    _force(view, monkeypatch, "a")  # BOS is not followed by anything: no draw, nothing counted
    assert view.sample_next() == "" and view.sample_count == 1
    assert "complete" in view.message and view.refusal()
    view.show(session.forward_pass("mia"))  # another document: sampling again
    assert not view.ended and not view._sample.disabled and view.message == ""
    assert view.sample_next() == "a" and view.sample_count == 2


def test_sampling_refuses_past_the_context(session, monkeypatch):
    view = ProbabilitiesView()
    view.show(session.forward_pass("abcdefghijklmno"))  # 15 characters: 16 positions
    _force(view, monkeypatch, "a")
    assert view.sample_next() == "" and view.sample_count == 0
    assert "fills the model's context" in view.message and view._sample.disabled
    with pytest.raises(MicrogptError, match="show a forward pass"):
        ProbabilitiesView().sample_next()


def test_sample_message_stays_until_the_next_action_and_the_title_names_the_prefix():
    d = Dashboard(doc="christopher")
    probs = d.probs
    d._tabs.selected_index = 2  # the next-token tab: a hidden tab draws only when shown
    d.pos = 7
    title = probs.figure.axes[0].get_title()
    assert "BOS + 'christo'" in title and "position 7 of 'christopher'" in title
    probs.rng.seed(1)  # the shipped model draws "a", then BOS
    assert probs.sample_next() == "a"
    assert d.doc == "christophera" and probs.fp.doc == "christophera"
    assert probs.message.startswith("sampled after 'christopher' (position 11)")
    # the chart moved to where the sample was drawn (issue 18, item 7), in the new document
    assert d.pos == 11 and "position 11 of 'christophera'" in probs.figure.axes[0].get_title()
    assert probs.sample_next() == ""  # BOS: the dashboard does not append it
    assert d.doc == "christophera" and probs.ended
    assert "'christophera' is complete" in probs.message
    before = d.session.computed
    probs._sample.click()  # refused: nothing drawn, nothing recomputed
    assert d.doc == "christophera" and probs.sample_count == 2 and d.session.computed == before
    probs.temperature = 0.5  # the learner's next action clears the message, not the end
    assert probs.message == "" and probs.ended
    d.doc = "emma"
    assert not probs.ended and not probs._sample.disabled
