"""One source for probabilities with temperature: ``microgpt.sample.temperature_probs``.

``sample`` draws from it (through the same nodes), the ProbabilitiesView samples and draws its
bars from it, and ``explorer.plots.apply_temperature`` computes it from probabilities.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from explorer import ForwardPass
from explorer.plots import apply_temperature
from explorer.widgets import ProbabilitiesView
from microgpt.errors import ArgumentTypeError, ConfigError
from microgpt.sample import sample, temperature_probs
from microgpt.trace import trace

TEMPERATURES = (0.5, 1.0, 1.7)


def logits_at(fp: ForwardPass, pos: int) -> list[float]:
    return [fp.node(f"pos{pos}.lm_head.logits[{c}]").data for c in fp.source.token_labels]


@pytest.fixture(scope="module")
def em(source):
    return ForwardPass("em", source=source)


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_the_weights_are_the_ones_sample_draws_with(source, em, temperature):
    """``sample`` after "em", traced: its probabilities at position 2 are ours, bit for bit."""
    with trace() as t:
        sample(em.model, source.tokenizer, random.Random(0), temperature, prefix="em")
    drawn_from = [t.find(f"pos2.probs[{c}]").data for c in source.token_labels]
    assert temperature_probs(logits_at(em, 2), temperature) == drawn_from


def test_at_temperature_1_they_are_the_models_probabilities(em):
    for pos in range(em.positions):
        assert temperature_probs(logits_at(em, pos), 1.0) == em.probs(pos)


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_the_widget_samples_what_sample_draws_for_the_same_rng(source, em, temperature):
    tok = source.tokenizer
    drawn = set()
    for seed in range(12):
        view = ProbabilitiesView(seed=seed)
        view.pos, view.temperature = 2, temperature
        view.show(em)  # draws once
        assert list(view.distribution(2)) == temperature_probs(logits_at(em, 2), temperature)
        heights = [bar.get_height() for bar in view.figure.axes[0].patches]
        assert heights == list(view.distribution(2))  # the bars are what it draws from
        got = view.sample_next()
        expected = sample(em.model, tok, random.Random(seed), temperature, prefix="em")[2:3]
        assert got == expected, (seed, temperature)
        drawn.add(got)
    assert len(drawn) > 1  # the seeds drew different characters: the comparison can fail


def test_nothing_is_recorded_in_an_open_trace(em):
    with trace() as t:
        temperature_probs(logits_at(em, 1), 0.5)
    assert len(t) == 0


def test_apply_temperature_agrees_and_keeps_zeros(em):
    probs = em.probs(1)
    for temperature in (0.1, *TEMPERATURES):
        np.testing.assert_allclose(
            apply_temperature(probs, temperature),
            temperature_probs(logits_at(em, 1), temperature),
            rtol=1e-9,
            atol=1e-300,
        )
    assert list(apply_temperature([0.0, 0.25, 0.75], 0.5)) == pytest.approx([0.0, 0.1, 0.9])


@pytest.mark.parametrize(
    "logits, temperature, error, message",
    [
        ([1.0, 2.0], 0, ConfigError, "temperature must be a positive"),
        ([1.0, 2.0], 1e-6, ConfigError, "between"),
        ([], 1.0, ArgumentTypeError, "non-empty list"),
        ("ab", 1.0, ArgumentTypeError, "non-empty list"),
        ([1.0, "2"], 1.0, ArgumentTypeError, "must be numbers"),
        ([1.0, math.nan], 1.0, ConfigError, "finite"),
        ([1.0, math.inf], 1.0, ConfigError, "finite"),
        ([-math.inf, -math.inf], 1.0, ConfigError, "every logit is -inf"),
    ],
)
def test_bad_input_is_a_clear_error(logits, temperature, error, message):
    with pytest.raises(error, match=message):
        temperature_probs(logits, temperature)


def test_an_impossible_token_is_never_drawn():
    assert temperature_probs([-math.inf, 0.0, 0.0], 0.5) == [0.0, 0.5, 0.5]
