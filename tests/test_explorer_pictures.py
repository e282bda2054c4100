"""explorer.pictures: the tensor level's panels as objects a notebook shows and saves."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from explorer import ForwardPass
from explorer.pictures import Picture, letters_picture, stream_picture, weight_picture
from microgpt.errors import MicrogptError


@pytest.fixture(scope="module")
def emma():
    return ForwardPass("emma")


def ids(svg: str) -> set[str]:
    return {e.get("data-id") for e in ET.fromstring(svg).iter() if e.get("data-id")}


def test_each_picture_shows_its_nodes(emma):
    weight = weight_picture(emma, layer=0, head=1, query=3, key=1)
    assert "pos3.layer0.attn.head1.attn_weights[k=1]" in ids(weight.svg)
    assert weight._repr_svg_() == weight.svg and weight.svg in weight._repr_html_()
    stream = stream_picture(emma)
    assert "pos2.layer0.mlp.relu[5]" in ids(stream.svg) and "pos4.loss" in ids(stream.svg)
    letters = letters_picture(emma)
    assert "pos0.probs[e]" in ids(letters.svg)


def test_save_writes_the_svg_and_refuses_other_formats(emma, tmp_path):
    picture = letters_picture(emma)
    assert picture.save(tmp_path / "l.svg").read_text() == picture.svg
    with pytest.raises(MicrogptError, match="saved as .svg"):
        picture.save(tmp_path / "l.png")
    with pytest.raises(MicrogptError, match="does not exist"):
        picture.save(tmp_path / "nowhere" / "l.svg")
    assert not (tmp_path / "l.png").exists()
    assert picture.save(tmp_path / "l.svg") == tmp_path / "l.svg"  # its own picture: replaced
    mine = tmp_path / "mine.svg"
    mine.write_text("<svg>a learner's drawing</svg>")
    with pytest.raises(MicrogptError, match="already exists"):
        picture.save(mine)
    assert mine.read_text() == "<svg>a learner's drawing</svg>"
    assert picture.save(mine, force=True) == mine
    with pytest.raises(MicrogptError, match="must be a path"):
        picture.save(None)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda fp: weight_picture(fp, query=1, key=3), "key 3 is not a key of query 1"),
        (lambda fp: weight_picture(fp, head=9), "head"),
        (lambda fp: stream_picture(fp, layer=2), "layer"),
        (lambda fp: letters_picture("emma"), "ForwardPass"),
    ],
)
def test_bad_input_is_a_clear_error(emma, call, message):
    with pytest.raises(MicrogptError, match=message):
        call(emma)


def test_picture_repr_is_a_sentence():
    assert repr(Picture("<svg/>", "x")) == "Picture(x; 6 characters of SVG)"
