r"""Documents and the character tokenizer.

- ``load_docs(source)``: the bundled names (``None`` or ``"names"``), the article's makemore
  file (``"makemore"``, downloaded once into a cache directory, only when asked), or any text
  file with one document per line (a regular file, at most 64 MB). Lines are split on ``\n``
  (after text mode's newline translation, as the article's ``open()``), stripped; empty ones
  are dropped.
- ``Tokenizer``: the sorted set of characters; a character's id is its index; ``BOS`` (begin /
  end of sequence) is the number of characters; ``vocab_size`` is that plus one.

Nothing here runs at import time and nothing is downloaded unless asked.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ArgumentTypeError, ConfigError, DataError, MicrogptError
from .files import write_atomically
from .validate import (
    MAX_INPUT_BYTES,
    _short,
    check_docs,
    check_input_file,
    check_instance,
    check_int,
    check_str,
    quoted,
    read_input_file,
)

__all__ = [
    "Tokenizer",
    "load_docs",
    "read_docs",
    "docs_fingerprint",
    "cache_dir",
    "MAKEMORE_URL",
    "BUNDLED",
]

MAKEMORE_URL = "https://raw.githubusercontent.com/karpathy/makemore/refs/heads/master/names.txt"
#: The ``--data`` value that names the bundled dataset (also the default).
BUNDLED = "names"


def cache_dir() -> Path:
    """Where downloads are kept: ``$MICROGPT_CACHE``, else ``$XDG_CACHE_HOME/microgpt``,
    else ``~/.cache/microgpt``."""
    if os.environ.get("MICROGPT_CACHE"):
        return Path(os.environ["MICROGPT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "microgpt"


def _split_docs(text: str) -> list[str]:
    r"""The article's rule: the file's lines, stripped, empty ones dropped. ``text`` was read in
    text mode, as the article's ``open()`` reads it, so ``\r\n`` and ``\r`` are already
    ``\n``; lines split on ``\n`` only (``str.splitlines`` would also split on form feeds,
    ``\x1c``-``\x1e``, ``\x85``, ``\u2028``, …, which the article keeps inside a document)."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def read_docs(path: str | os.PathLike) -> list[str]:
    """The documents of a UTF-8 text file, one per line (stripped, empty lines dropped): a
    regular file of at most ``MAX_INPUT_BYTES``."""
    fix = (
        f"pass --data PATH to a text file with one document per line, --data {BUNDLED} "
        "for the bundled names, or --data makemore"
    )
    path = check_input_file(path, "dataset file", fix=fix)
    # one bounded read through a descriptor checked to be a regular file: a file swapped or
    # grown after the check is still read at most to the limit
    raw = read_input_file(path, "dataset file", fix=fix)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(
            f"dataset file {str(path)!r} is not UTF-8 text ({e.reason} at byte {e.start}): "
            "save it as UTF-8, one document per line"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as open() reads text
    docs = _split_docs(text)
    if not docs:
        raise DataError(
            f"dataset file {str(path)!r} holds no documents (it is empty or blank): "
            "give it at least one non-empty line"
        )
    return docs


def _bundled_docs() -> list[str]:
    text = resources.files("microgpt").joinpath("data", "names.txt").read_text(encoding="utf-8")
    return _split_docs(text)


def _makemore_docs() -> list[str]:
    target = cache_dir() / "makemore_names.txt"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with urllib.request.urlopen(MAKEMORE_URL, timeout=30) as response:
                data = response.read(MAX_INPUT_BYTES + 1)
        except (urllib.error.URLError, OSError) as e:
            raise MicrogptError(
                f"could not download the makemore names from {MAKEMORE_URL} ({e}). Are you "
                f"offline? Download the file by hand and pass --data PATH, or use the bundled "
                f"dataset (--data {BUNDLED})"
            ) from None
        if len(data) > MAX_INPUT_BYTES:
            raise DataError(
                f"the download from {MAKEMORE_URL} is larger than {MAX_INPUT_BYTES:,} bytes: "
                "not the names file; pass --data PATH"
            )
        write_atomically(target, data, what="makemore names cache")  # the one atomic writer
    return read_docs(target)


def load_docs(source: str | os.PathLike | None = None) -> list[str]:
    """Documents from ``source``: ``None`` / ``"names"`` (bundled), ``"makemore"``, or a path."""
    if isinstance(source, bool) or not isinstance(source, (str, os.PathLike, type(None))):
        raise ArgumentTypeError(
            f"the dataset must be a path, {BUNDLED!r} or 'makemore', got {_short(source)}"
        )
    if source is None or source == BUNDLED:
        return _bundled_docs()
    if source == "makemore":
        return _makemore_docs()
    return read_docs(source)


def docs_fingerprint(docs: list[str]) -> str:
    """A SHA-256 of the documents in order: resuming checks it is the same dataset."""
    docs = check_docs(docs)
    return hashlib.sha256("\n".join(docs).encode("utf-8")).hexdigest()


def _check_char(ch, what: str) -> None:
    if not isinstance(ch, str) or len(ch) != 1:
        raise ArgumentTypeError(f"{what} must be one character (a string of length 1), got "
                                f"{_short(ch)}")  # fmt: skip


def char_label(ch: str) -> str:
    """How a character appears inside a node name's brackets: itself if it is an ASCII letter
    or digit, ``_``, ``-`` or ``'``; else its code point (``U+0020``, ``U+00E9``), so names stay
    parseable."""
    _check_char(ch, "a character")
    if (ch.isascii() and ch.isalnum()) or ch in "_-'":
        return ch
    return f"U+{ord(ch):04X}"


@dataclass(frozen=True)
class Tokenizer:
    """Characters ↔ token ids. ``chars`` is the sorted vocabulary; ``BOS`` is ``len(chars)``."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        check_instance(self.chars, "chars", (tuple, list), "a tuple of characters",
                       fix="e.g. Tokenizer(('a', 'b')) or Tokenizer.from_docs(docs)")  # fmt: skip
        for ch in self.chars:
            _check_char(ch, "each of chars")
        if len(set(self.chars)) != len(self.chars):
            raise ConfigError(f"chars has repeated characters: {_short(self.chars)}")
        object.__setattr__(self, "chars", tuple(self.chars))

    @classmethod
    def from_docs(cls, docs: list[str]) -> Tokenizer:
        docs = check_docs(docs)
        return cls(tuple(sorted(set("".join(docs)))))

    @property
    def BOS(self) -> int:  # noqa: N802 - the article's name
        return len(self.chars)

    @property
    def vocab_size(self) -> int:
        return len(self.chars) + 1

    def unknown(self, text: str) -> list[str]:
        """The characters of ``text`` outside the vocabulary, each once, in order."""
        known = set(self.chars)
        return list(dict.fromkeys(ch for ch in text if ch not in known))

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no BOS). Unknown characters raise ``MicrogptError``."""
        check_str(text, "text", empty_ok=True, fix="a document, e.g. 'emma'")
        missing = self.unknown(text)
        if missing:
            shown = ", ".join(repr(ch) for ch in missing)
            raise MicrogptError(
                f"{quoted(text)} has characters outside the vocabulary: {shown}. The vocabulary is "
                f"{''.join(self.chars)!r}; use only those characters"
            )
        index = {ch: i for i, ch in enumerate(self.chars)}
        return [index[ch] for ch in text]

    def encode_doc(self, text: str) -> list[int]:
        """A training document: ``[BOS] + ids + [BOS]``."""
        return [self.BOS, *self.encode(text), self.BOS]

    def decode(self, ids: list[int]) -> str:
        """The text of token ids (BOS dropped)."""
        check_instance(ids, "ids", (list, tuple), "a list of token ids")
        ids = [self._check_id(i) for i in ids]
        return "".join(self.chars[i] for i in ids if i != self.BOS)

    def _check_id(self, token_id) -> int:
        if type(token_id) is int and 0 <= token_id <= len(self.chars):  # the common case
            return token_id
        return check_int(token_id, "token id", 0, self.BOS,
                         fix=f"ids run from 0 to {self.BOS} (BOS)")  # fmt: skip

    def label(self, token_id: int) -> str:
        """The token as it appears in node names: its character (see ``char_label``) or BOS."""
        token_id = self._check_id(token_id)
        return "BOS" if token_id == self.BOS else char_label(self.chars[token_id])
