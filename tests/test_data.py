"""Data: loading documents, the bundled dataset, the tokenizer, and bad input."""

from __future__ import annotations

import pytest

from microgpt import MicrogptError
from microgpt.data import Tokenizer, load_docs, read_docs


def test_bundled_dataset_is_lowercase_names_by_count():
    docs = load_docs()
    assert len(docs) == len(set(docs)) > 25_000
    assert all(d.isalpha() and d.islower() and d.isascii() for d in docs)
    assert docs[:3] == ["emma", "liam", "olivia"]  # the most common names of the latest year
    assert load_docs("names") == docs


def test_read_docs_strips_and_drops_empty_lines(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text("  ann \n\n\tbob\n   \ncy", encoding="utf-8")
    assert read_docs(p) == ["ann", "bob", "cy"]


def test_article_dataset_has_32033_documents(names_path):
    # 32,032 newline-terminated lines in the file as counted by wc, one more without a newline
    docs = read_docs(names_path)
    assert len(docs) == 32033 and docs[0] == "emma"


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_dataset_is_refused(tmp_path, content):
    p = tmp_path / "empty.txt"
    p.write_text(content)
    with pytest.raises(MicrogptError, match="no documents"):
        read_docs(p)


def test_missing_and_non_text_files_are_refused(tmp_path):
    with pytest.raises(MicrogptError, match="does not exist"):
        load_docs(tmp_path / "nope.txt")
    with pytest.raises(MicrogptError, match="directory"):
        load_docs(tmp_path)
    p = tmp_path / "bin.txt"
    p.write_bytes(b"\xff\xfe\x00abc")
    with pytest.raises(MicrogptError, match="not UTF-8"):
        load_docs(p)


def test_makemore_download_offline_says_what_to_do(monkeypatch, tmp_path):
    import urllib.error
    import urllib.request

    monkeypatch.setenv("MICROGPT_CACHE", str(tmp_path / "cache"))

    def offline(*a, **k):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(MicrogptError, match="offline"):
        load_docs("makemore")
    assert not list((tmp_path / "cache").glob("*"))  # nothing half-written


def test_makemore_download_is_cached_whole(monkeypatch, tmp_path):
    import io
    import urllib.request

    monkeypatch.setenv("MICROGPT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(b"emma\nzoe\n"))
    assert load_docs("makemore") == ["emma", "zoe"]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["makemore_names.txt"]
    big = io.BytesIO(b"x" * (64 * 1024 * 1024 + 2))
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: big)
    monkeypatch.setenv("MICROGPT_CACHE", str(tmp_path / "other"))
    with pytest.raises(MicrogptError, match="larger than"):
        load_docs("makemore")
    assert not list((tmp_path / "other").glob("*"))  # nothing half-written


def test_makemore_uses_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MICROGPT_CACHE", str(tmp_path))
    (tmp_path / "makemore_names.txt").write_text("emma\nolivia\n")
    assert load_docs("makemore") == ["emma", "olivia"]


def test_tokenizer_follows_the_article():
    tok = Tokenizer.from_docs(["emma", "ava"])
    assert tok.chars == ("a", "e", "m", "v")
    assert tok.BOS == 4 and tok.vocab_size == 5
    assert tok.encode_doc("ava") == [4, 0, 3, 0, 4]
    assert tok.decode([4, 1, 2, 2, 0, 4]) == "emma"
    assert [tok.label(i) for i in range(5)] == ["a", "e", "m", "v", "BOS"]


def test_unknown_characters_are_named():
    tok = Tokenizer.from_docs(["emma"])
    with pytest.raises(MicrogptError, match=r"'z', 'Q'"):
        tok.encode("ezzQ")
    assert tok.unknown("ezzQ") == ["z", "Q"]


def test_non_ascii_characters_are_named_by_code_point():
    import random

    from microgpt.model import GPT, NAME_RE, GPTConfig
    from microgpt.trace import trace

    tok = Tokenizer.from_docs(["josé", "zoë"])
    assert tok.label(tok.chars.index("é")) == "U+00E9"
    labels = [tok.label(i) for i in range(tok.vocab_size)]
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, n_embd=4, n_head=2), random.Random(0), labels)
    with trace() as t:
        t.adopt(model.named_parameters())
        model.loss(tok.encode_doc("josé"))
    names = [n for n in t.node_names() if n is not None]
    assert names and all(NAME_RE.fullmatch(n) for n in names)
