"""Shared fixtures: the article's dataset (read in place, never copied) and tiny runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_NAMES = REPO.parent / "shared" / "data" / "names.txt"

#: A tiny dataset and model shape for fast tests (the article's shape is much slower).
TINY_DOCS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper"]
TINY_SHAPE = {"n_embd": 8, "n_head": 2, "n_layer": 1, "block_size": 8}


def find_article_names() -> Path | None:
    """The article's names.txt, read where it is: ``$MICROGPT_NAMES``, ``../shared/data`` beside
    the repository, or the makemore download's cache (``microgpt train --data makemore``)."""
    from microgpt.data import cache_dir

    given = os.environ.get("MICROGPT_NAMES")
    for path in (Path(given) if given else None, SHARED_NAMES,
                 cache_dir() / "makemore_names.txt"):  # fmt: skip
        if path is not None and path.is_file():
            return path
    return None


@pytest.fixture(scope="session")
def names_path() -> Path:
    """The article's names.txt (32,032 names), never copied into the project. Without it the
    faithfulness tests skip and say how to get it, except in CI (``CI=true``): a failure."""
    path = find_article_names()
    if path is None:
        reason = (
            "the faithfulness tests need the article's names.txt: run `microgpt train --data "
            "makemore` once (downloads it to the cache), or set MICROGPT_NAMES=/path/names.txt"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture
def tiny_docs_file(tmp_path) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(TINY_DOCS) + "\n", encoding="utf-8")
    return path


#: The tiny finished run of ``tiny_finished``: 9 steps, snapshots at 0, 4, 8 and 9.
TINY_FINISHED_STEPS, TINY_FINISHED_SNAPSHOTS = 9, 4


@pytest.fixture(scope="session")
def tiny_finished(tmp_path_factory):
    """A tiny run trained to its end and saved: ``(checkpoint path, weights after every step,
    the run)``. Nothing modifies it."""
    from microgpt import Run, save_checkpoint
    from microgpt.train import Hyperparams

    hp = Hyperparams(num_steps=TINY_FINISHED_STEPS, snapshot_every=TINY_FINISHED_SNAPSHOTS)
    run = Run.start(TINY_DOCS, hp, **TINY_SHAPE)
    weights = [run.model.weights()]
    while not run.done:
        run.train_step()
        weights.append(run.model.weights())
    path = tmp_path_factory.mktemp("tiny-finished") / "tiny.json"
    save_checkpoint(run.to_checkpoint(), path)
    return path, weights, run


def pytest_addoption(parser):
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite the golden DOT files under tests/golden from the current renderer "
        "(review the diff before committing)",
    )


@pytest.fixture
def regen_golden(request) -> bool:
    return request.config.getoption("--regen-golden")


# -- recorded passes on the shipped model, shared by the explorer tests (none mutates them) ----
@pytest.fixture(scope="session")
def source():
    """The shipped checkpoint, loaded once."""
    from explorer import ModelSource

    return ModelSource()


@pytest.fixture(scope="session")
def fp(source):
    """'christopher' (12 positions, 103,675 nodes), back-propagated from the mean loss."""
    from explorer import ForwardPass

    return ForwardPass("christopher", source=source)


@pytest.fixture(scope="session")
def fp3(source):
    """'christopher' back-propagated from position 3's loss."""
    from explorer import ForwardPass

    return ForwardPass("christopher", root="loss@3", source=source)
