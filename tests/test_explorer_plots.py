"""Plots, checked on their data, not pixels: the heatmap's image array is the attention weights
(masked above the diagonal) on a 0–1 scale, tick labels are the tokens, scatter offsets are the
PCA coordinates, line and bar data are the losses, gradient norms and probabilities; bad input
raises ValueError; the module never loads pyplot."""

from __future__ import annotations

import colorsys
import math
import struct
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.path import Path

from explorer import ForwardPass, ModelSource, plots


@pytest.fixture(scope="module")
def source():
    return ModelSource()


@pytest.fixture(scope="module")
def emma(source):
    return ForwardPass("emma", source=source)


def _ax():
    return Figure().subplots()


def _texts(labels):
    return [t.get_text() for t in labels]


# -- attention ------------------------------------------------------------------------------
def test_attention_matrix_puts_rows_in_the_lower_triangle_and_nan_above():
    m = plots.attention_matrix([[1.0], [0.25, 0.75], [0.1, 0.2, 0.7]])
    expected = np.array([[1.0, np.nan, np.nan], [0.25, 0.75, np.nan], [0.1, 0.2, 0.7]])
    np.testing.assert_array_equal(m, expected)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([], "no attention rows"),
        ([[1.0], [0.5]], "row 1 has 1 weights"),
        ([[1.0], [0.5, 0.5, 0.0]], "row 1 has 3 weights"),
        ([[0.5, 0.5]], "row 0 has 2 weights"),
        ([[1.0], [1.5, -0.5]], r"\[0, 1\]"),
        ([[float("nan")]], "finite"),
    ],
)
def test_attention_matrix_refuses_rows_that_are_not_the_causal_triangle(rows, message):
    with pytest.raises(ValueError, match=message):
        plots.attention_matrix(rows)


def test_heatmap_image_is_the_weights_with_the_future_masked(emma):
    rows = emma.attention(0, 1)
    n = len(rows)
    ax = plots.attention_heatmap(rows, emma.chars, title="layer 0 head 1")
    (im,) = ax.images
    arr = im.get_array()
    assert arr.shape == (n, n)
    for p, row in enumerate(rows):
        assert list(arr[p, : p + 1]) == row
    np.testing.assert_array_equal(np.ma.getmaskarray(arr), np.triu(np.ones((n, n), bool), k=1))
    assert im.get_clim() == (0.0, 1.0)
    assert to_hex(im.get_cmap().get_bad()) == plots.MASK_COLOUR
    assert _texts(ax.get_xticklabels()) == emma.chars == ["BOS", "e", "m", "m", "a"]
    assert _texts(ax.get_yticklabels()) == emma.chars
    assert im.colorbar is not None and im.colorbar.ax.get_ylabel() == "attention weight"
    assert ax.get_title() == "layer 0 head 1"


def test_heatmap_mask_patch_covers_exactly_the_future_cells(emma):
    rows = emma.attention(0, 0)
    n = len(rows)
    ax = plots.attention_heatmap(rows, emma.chars)
    (mask,) = [p for p in ax.patches if p.get_gid() == "causal-mask"]
    assert mask.get_hatch()
    outline = Path(mask.get_xy())
    for p in range(n):
        for k in range(n):
            assert outline.contains_point((k, p)) == (k > p), (p, k)


def test_heatmap_writes_each_weight_in_small_pictures_only(emma):
    rows = emma.attention(0, 2)
    ax = plots.attention_heatmap(rows, emma.chars)
    assert _texts(ax.texts) == [f"{w:.2f}" for row in rows for w in row]
    assert len(plots.attention_heatmap(rows, emma.chars, annotate=False).texts) == 0
    long = [[1 / (p + 1)] * (p + 1) for p in range(plots.ANNOTATE_UP_TO + 1)]
    assert len(plots.attention_heatmap(long, list("abcdefghi")).texts) == 0


def test_heatmap_draws_into_a_given_axes_and_can_skip_the_colourbar(emma):
    ax = _ax()
    out = plots.attention_heatmap(emma.attention(0, 0), emma.chars, ax=ax, colorbar=False)
    assert out is ax and ax.images[0].colorbar is None
    assert len(ax.figure.axes) == 1


def test_heatmap_refuses_a_token_count_that_does_not_match_the_rows(emma):
    with pytest.raises(ValueError, match="4 labels for 5 positions"):
        plots.attention_heatmap(emma.attention(0, 0), emma.chars[:4])


def test_grid_has_one_heatmap_per_layer_and_head_and_one_colourbar(emma, source):
    cfg = source.config
    attn = [[emma.attention(layer, h) for h in range(cfg.n_head)] for layer in range(cfg.n_layer)]
    fig = plots.attention_grid(attn, emma.chars, title="emma")
    heat = [ax for ax in fig.axes if ax.images]
    assert len(heat) == cfg.n_layer * cfg.n_head
    assert len(fig.axes) == len(heat) + 1  # + the shared colourbar
    assert sum(ax.images[0].colorbar is not None for ax in heat) == 1
    for i, ax in enumerate(heat):
        layer, head = divmod(i, cfg.n_head)
        assert ax.get_title() == f"layer {layer} · head {head}"
        arr = ax.images[0].get_array()
        np.testing.assert_array_equal(arr.filled(np.nan), plots.attention_matrix(attn[layer][head]))
        assert ax.images[0].get_clim() == (0.0, 1.0)
        assert any(p.get_gid() == "causal-mask" for p in ax.patches)
    assert _texts(heat[0].get_yticklabels()) == emma.chars
    assert _texts(heat[-1].get_xticklabels()) == emma.chars
    assert fig._suptitle.get_text() == "emma"


def test_grid_redraws_into_the_same_figure(emma):
    attn = [[emma.attention(0, 0), emma.attention(0, 1)]]
    fig = plots.attention_grid(attn, emma.chars)
    assert plots.attention_grid(attn, emma.chars, fig=fig) is fig
    assert len(fig.axes) == 3


@pytest.mark.parametrize(
    "attn, message",
    [
        ([], "non-empty"),
        ([[]], "non-empty"),
        ([[[[1.0]]], [[[1.0]], [[1.0]]]], "same number of heads"),
        ([[[[1.0]], [[1.0], [0.5, 0.5]]]], "same positions"),
    ],
)
def test_grid_refuses_ragged_layers_and_heads(attn, message):
    with pytest.raises(ValueError, match=message):
        plots.attention_grid(attn, ["BOS"])


# -- embeddings -----------------------------------------------------------------------------
def _reference_pca(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top two principal axes from the covariance matrix's eigenvectors (no SVD)."""
    c = m - m.mean(axis=0)
    vals, vecs = np.linalg.eigh(c.T @ c)
    order = np.argsort(vals)[::-1][:2]
    return c @ vecs[:, order], vals[order]


def test_pca_matches_an_eigendecomposition_up_to_sign(source):
    wte = np.array(source.ckpt.weights["wte"])
    coords, basis = plots.pca_2d(wte)
    ref, eigvals = _reference_pca(wte)
    assert coords.shape == (len(wte), 2) and basis.shape == (2, wte.shape[1])
    for j in range(2):
        sign = np.sign(coords[:, j] @ ref[:, j])
        np.testing.assert_allclose(coords[:, j], sign * ref[:, j], atol=1e-10)
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
    var = (coords**2).sum(axis=0)
    assert var[0] >= var[1]
    np.testing.assert_allclose(var, eigvals, rtol=1e-10)


def test_pca_signs_are_deterministic_and_a_fixed_basis_reproduces_coords(source):
    wte = np.array(source.ckpt.weights["wte"])
    coords, basis = plots.pca_2d(wte)
    for comp in basis:
        assert comp[np.argmax(np.abs(comp))] > 0
    coords2, basis2 = plots.pca_2d(-wte)  # same axes, up to sign: the rule picks the same signs
    np.testing.assert_allclose(basis2, basis, atol=1e-12)
    np.testing.assert_allclose(coords2, -coords, atol=1e-12)
    again, same = plots.pca_2d(wte, basis)
    assert same is basis or np.array_equal(same, basis)
    np.testing.assert_array_equal(again, coords)
    # an earlier snapshot on the final basis: its own rows, centred, on the same two axes
    first = np.array(source.ckpt.snapshots[0]["weights"]["wte"])
    early, _ = plots.pca_2d(first, basis)
    np.testing.assert_allclose(early, (first - first.mean(axis=0)) @ basis.T)


@pytest.mark.parametrize(
    "matrix, basis, message",
    [
        ([[1.0, 2.0]], None, "at least 2 rows"),
        ([1.0, 2.0, 3.0], None, "2-D"),
        ([[1.0, 2.0], [3.0]], None, "equal length"),
        ([[1.0, 2.0], [3.0, float("inf")]], None, "NaN or infinite"),
        ([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]], np.eye(2), r"2 × 3"),
    ],
)
def test_pca_refuses_bad_matrices(matrix, basis, message):
    with pytest.raises(ValueError, match=message):
        plots.pca_2d(matrix, basis)


def test_embedding_scatter_points_are_the_coords_and_labels_the_tokens(source):
    wte = source.ckpt.weights["wte"]
    ax = plots.embedding_pca(wte, source.token_labels, title="wte")
    coords, _ = plots.pca_2d(wte)
    (points,) = ax.collections
    np.testing.assert_allclose(points.get_offsets(), coords)
    assert _texts(ax.texts) == source.token_labels
    np.testing.assert_allclose([t.xy for t in ax.texts], coords)
    assert ax.get_xlabel().startswith("PC1 (") and ax.get_ylabel().startswith("PC2 (")
    assert ax.get_title() == "wte"


def test_position_embeddings_are_labelled_with_positions(source):
    wpe = source.ckpt.weights["wpe"]
    ax = plots.embedding_pca(wpe, range(len(wpe)))
    assert _texts(ax.texts) == [str(p) for p in range(source.config.block_size)]


def test_embedding_refuses_a_label_count_that_does_not_match_the_rows(source):
    with pytest.raises(ValueError, match="26 labels for 27 rows"):
        plots.embedding_pca(source.ckpt.weights["wte"], source.token_labels[:-1])


def test_embedding_over_training_projects_every_snapshot_on_the_final_basis(source):
    snaps = source.ckpt.snapshots
    mats = [s["weights"]["wte"] for s in snaps]
    steps = [s["step"] for s in snaps]
    _, basis = plots.pca_2d(mats[-1])
    tracks = np.stack([plots.pca_2d(m, basis)[0] for m in mats])
    ax = plots.embedding_over_training(mats, source.token_labels, steps, current=3)
    whole = [ln for ln in ax.lines if ln.get_gid() == "trajectory"]
    so_far = [ln for ln in ax.lines if ln.get_gid() == "trajectory-so-far"]
    assert len(whole) == len(so_far) == len(source.token_labels)
    for r, (line, past) in enumerate(zip(whole, so_far)):
        np.testing.assert_allclose(np.column_stack(line.get_data()), tracks[:, r])
        np.testing.assert_allclose(np.column_stack(past.get_data()), tracks[:4, r])
    np.testing.assert_allclose(ax.collections[0].get_offsets(), tracks[3])
    assert _texts(ax.texts) == source.token_labels
    assert ax.get_title() == f"step {steps[3]}"
    # the limits do not depend on which snapshot is current (a slider does not rescale)
    other = plots.embedding_over_training(mats, source.token_labels, steps, current=0)
    assert other.dataLim.bounds == ax.dataLim.bounds


def test_embedding_over_training_refuses_mismatched_inputs(source):
    mats = [s["weights"]["wte"] for s in source.ckpt.snapshots[:2]]
    with pytest.raises(ValueError, match="1 steps for 2 matrices"):
        plots.embedding_over_training(mats, source.token_labels, [0])
    with pytest.raises(ValueError, match="same shape"):
        plots.embedding_over_training([mats[0], mats[1][:5]], source.token_labels, [0, 1])
    with pytest.raises(ValueError, match="current=5"):
        plots.embedding_over_training(mats, source.token_labels, [0, 1], current=5)


# -- training -------------------------------------------------------------------------------
def test_smooth_losses_is_a_centred_mean_that_shrinks_at_the_ends():
    np.testing.assert_allclose(plots.smooth_losses([1, 2, 3, 4, 5], 3), [1.5, 2, 3, 4, 4.5])
    np.testing.assert_allclose(plots.smooth_losses([1, 2, 3], 1), [1, 2, 3])
    np.testing.assert_allclose(plots.smooth_losses([2, 4], 10), [3, 3])


def test_loss_curve_lines_are_the_losses_and_their_smoothed_mean(source):
    losses = source.ckpt.loss_history
    ax = plots.loss_curve(losses, baseline=math.log(source.config.vocab_size))
    raw, smooth, base = ax.lines
    assert list(raw.get_ydata()) == losses
    assert list(raw.get_xdata()) == list(range(1, len(losses) + 1))
    assert len(smooth.get_ydata()) == len(losses)
    assert smooth.get_ydata()[500] == pytest.approx(np.mean(losses[475:526]))
    assert smooth.get_label() == "mean over 51 steps"
    assert list(base.get_ydata()) == [math.log(27)] * 2
    assert _texts(ax.get_legend().get_texts()) == [ln.get_label() for ln in ax.lines]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "loss")


def test_loss_curve_without_smoothing_has_one_line():
    ax = plots.loss_curve([3.0, 2.5, 2.7], window=1)
    assert len(ax.lines) == 1 and list(ax.lines[0].get_ydata()) == [3.0, 2.5, 2.7]
    with pytest.raises(ValueError, match="flat list"):
        plots.loss_curve([[1.0, 2.0]])


def test_grad_norm_lines_follow_the_snapshots_and_skip_step_0(source):
    snaps = source.ckpt.snapshots
    assert snaps[0]["grad_norms"] is None
    ax = plots.grad_norms(snaps)
    keys = list(snaps[-1]["grad_norms"])
    assert [ln.get_label() for ln in ax.lines] == keys
    taken = snaps[1:]
    for key, line in zip(keys, ax.lines):
        assert list(line.get_xdata()) == [s["step"] for s in taken]
        assert list(line.get_ydata()) == [s["grad_norms"][key] for s in taken]
    assert ax.get_yscale() == "log"
    assert _texts(ax.get_legend().get_texts()) == keys
    picked = plots.grad_norms(snaps, keys=["lm_head", "wte"])
    assert [ln.get_label() for ln in picked.lines] == ["lm_head", "wte"]


def test_grad_norms_without_any_gradient_say_so_and_bad_snapshots_raise():
    ax = plots.grad_norms([{"step": 0, "grad_norms": None}])
    assert len(ax.lines) == 0 and "no gradient norms" in ax.texts[0].get_text()
    with pytest.raises(ValueError, match='"step" and "grad_norms"'):
        plots.grad_norms([{"step": 0}])


# -- next-token distribution ----------------------------------------------------------------
def test_probability_bars_are_the_probs_with_the_target_highlighted(emma, source):
    probs = emma.probs(2)  # after "BOS e", the document has "m" next
    labels = source.token_labels
    ax = plots.next_token_chart(probs, labels, target="m")
    bars = ax.patches
    assert [b.get_height() for b in bars] == probs
    assert _texts(ax.get_xticklabels()) == labels
    m = labels.index("m")
    colours = [to_hex(b.get_facecolor()) for b in bars]
    assert colours[m] == plots.HIGHLIGHT_COLOUR
    assert set(colours[:m] + colours[m + 1 :]) == {plots.BAR_COLOUR}
    assert ax.get_ylim() == (0.0, 1.0)
    by_index = plots.next_token_chart(probs, labels, target=m)
    assert [to_hex(b.get_facecolor()) for b in by_index.patches] == colours
    assert _texts(plots.next_token_chart(probs, labels).texts) == []


def test_temperature_reshapes_the_distribution_as_sampling_would(emma, source):
    probs = np.array(emma.probs(1))
    np.testing.assert_allclose(plots.apply_temperature(probs, 1.0), probs)
    t2 = plots.apply_temperature(probs, 2.0)
    np.testing.assert_allclose(t2, np.sqrt(probs) / np.sqrt(probs).sum())
    cold = plots.apply_temperature(probs, 0.05)
    assert cold.argmax() == probs.argmax() and cold.max() > probs.max()
    ax = plots.next_token_chart(probs, source.token_labels, temperature=2.0)
    np.testing.assert_allclose([b.get_height() for b in ax.patches], t2)
    assert "temperature 2" in ax.get_title()


@pytest.mark.parametrize(
    "probs, labels, kw, message",
    [
        ([0.5, 0.5], ["a"], {}, "1 labels for 2 probabilities"),
        ([0.5, 0.5], ["a", "b"], {"target": "z"}, "target 'z' is not one of"),
        ([0.5, 0.5], ["a", "b"], {"target": 2}, "outside 0 … 1"),
        ([1.5, -0.5], ["a", "b"], {}, "non-negative"),
        ([0.5, 0.5], ["a", "b"], {"temperature": 0}, "temperature must be above 0"),
        ([], [], {}, "non-empty"),
    ],
)
def test_probability_bars_refuse_bad_input(probs, labels, kw, message):
    with pytest.raises(ValueError, match=message):
        plots.next_token_chart(probs, labels, **kw)


# -- output and layering --------------------------------------------------------------------
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_figure_to_png_renders_a_figure_or_the_figure_of_an_axes():
    ax = plots.loss_curve([3.0, 2.0, 2.5])
    w, h = _png_size(plots.figure_to_png(ax, dpi=50))
    assert (w, h) == (round(ax.figure.get_figwidth() * 50), round(ax.figure.get_figheight() * 50))
    assert _png_size(plots.figure_to_png(ax.figure, dpi=100)) == (2 * w, 2 * h)


def test_plots_never_load_pyplot():
    code = (
        "import sys\n"
        "from explorer import plots\n"
        "ax = plots.attention_heatmap([[1.0], [0.4, 0.6]], ['BOS', 'a'])\n"
        "plots.next_token_chart([0.25, 0.75], ['a', 'b'], target='b')\n"
        "assert plots.figure_to_png(ax)[:4] == b'\\x89PNG'\n"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dataset_plots_count_lengths_and_characters():
    from explorer.plots import character_counts, length_histogram

    docs = ["ab", "abc", "b", "ccc", "abcdefgh"]
    ax = length_histogram(docs, block_size=4)
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == len(docs) and heights[:3] == [1, 1, 2]
    ax = character_counts(docs)
    assert [t.get_text() for t in ax.get_xticklabels()] == list("abcdefgh")
    assert [p.get_height() for p in ax.patches][:3] == [3, 4, 5]


# -- presentation: natural size, strong colours, nothing over the data -----------------------
def _rendered(fig):
    """Draw ``fig`` with the Agg canvas (as the PNGs are); return the renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _saturation_and_lightness(colour) -> tuple[float, float]:
    h, lightness, s = colorsys.rgb_to_hls(*to_rgb(colour))
    return s, lightness


def test_picture_is_a_2x_png_that_tells_jupyter_its_natural_size():
    ax = plots.loss_curve([3.0, 2.0, 2.5])
    png, meta = plots.picture(ax)._repr_png_()
    w, h = plots.figure_css_size(ax)
    assert (w, h) == (round(ax.figure.get_figwidth() * 100), round(ax.figure.get_figheight() * 100))
    assert meta == {"width": w, "height": h}
    assert _png_size(png) == (plots.PIXEL_RATIO * w, plots.PIXEL_RATIO * h)


@pytest.mark.parametrize("n", [10, 1000])
def test_the_loss_line_is_a_strong_colour_and_not_red(n):
    losses = list(np.linspace(3.3, 2.2, n))
    ax = plots.loss_curve(losses)
    curve = ax.lines[-1]  # the mean when there is one, else the losses themselves
    s, lightness = _saturation_and_lightness(curve.get_color())
    assert s >= 0.6 and lightness <= 0.5, curve.get_color()
    assert (curve.get_alpha() is None or curve.get_alpha() == 1) and curve.get_linewidth() >= 1.5
    for line in ax.lines:  # red is for errors
        h, _, s = colorsys.rgb_to_hls(*to_rgb(line.get_color()))
        assert not (s > 0.3 and (h < 0.06 or h > 0.94)), f"{line.get_label()} is red"


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize(
    "make",
    [
        lambda src: plots.loss_curve(src.ckpt.loss_history, baseline=math.log(27)),
        lambda src: plots.loss_curve(src.ckpt.loss_history[:40]),
        lambda src: plots.grad_norms(src.ckpt.snapshots),
        lambda src: plots.length_histogram(["ab", "abc", "abcdefgh"] * 3, block_size=4),
    ],
    ids=["loss", "loss-short", "grad-norms", "lengths"],
)
def test_legends_sit_off_the_data(make, source):
    ax = make(source)
    renderer = _rendered(ax.figure)
    legend = ax.get_legend().get_window_extent(renderer)
    assert not _overlaps(legend, ax.get_window_extent(renderer)), "the legend covers the axes"
    fig_box = ax.figure.bbox
    assert legend.x1 <= fig_box.x1 + 0.5 and legend.y0 >= fig_box.y0 - 0.5, "legend cut off"


def _label_boxes(ax, renderer):
    from matplotlib.text import Text

    return [Text.get_window_extent(t, renderer) for t in ax.texts]  # the text, not its leader


def _assert_labels_apart_and_inside(ax, dpi=100):
    ax.figure.set_dpi(dpi)
    renderer = _rendered(ax.figure)
    boxes = _label_boxes(ax, renderer)
    frame = ax.get_window_extent(renderer)
    names = [t.get_text() for t in ax.texts]
    clash = [
        (names[i], names[j])
        for i in range(len(boxes))
        for j in range(i)
        if _overlaps(boxes[i], boxes[j])
    ]
    assert clash == [], f"labels overlap at dpi {dpi}: {clash}"
    inside = [frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
              for b in boxes]  # fmt: skip
    out = [n for n, ok in zip(names, inside) if not ok]
    assert out == [], f"labels cut by the axes: {out}"
    points = ax.collections[0].get_offsets()
    centres = ax.transData.transform(points)
    for name, box in zip(names, boxes):  # no label covers a point's centre
        covered = [tuple(c) for c in centres if box.x0 < c[0] < box.x1 and box.y0 < c[1] < box.y1]
        assert covered == [], f"label {name!r} covers a point"


@pytest.mark.parametrize("dpi", [100, 200])
def test_embedding_labels_do_not_overlap_once_rendered(source, dpi):
    """The shipped model's wte: 'BOS' and 'y' lie close together (they overlapped once)."""
    ax = plots.embedding_pca(source.ckpt.weights["wte"], source.token_labels)
    _assert_labels_apart_and_inside(ax, dpi)
    ax = plots.embedding_pca(source.ckpt.weights["wpe"], range(16))
    _assert_labels_apart_and_inside(ax, dpi)


def test_embedding_labels_stay_apart_at_every_snapshot(source):
    snaps = source.ckpt.snapshots
    mats, steps = [s["weights"]["wte"] for s in snaps], [s["step"] for s in snaps]
    for current in (0, 1, len(snaps) // 2):  # step 0: every point in a small cluster
        ax = plots.embedding_over_training(mats, source.token_labels, steps, current=current)
        _assert_labels_apart_and_inside(ax)


def test_labels_of_coincident_points_are_placed_apart_with_leaders():
    ax = _ax()
    coords = np.array([[0.0, 0.0]] * 4 + [[1.0, 1.0], [-1.0, 0.5]])
    ax.scatter(coords[:, 0], coords[:, 1], s=18)
    ax.set_xlim(-2, 2)
    ax.set_ylim(-2, 2)
    texts = plots.place_labels(ax, coords, ["alpha", "beta", "gamma", "delta", "e", "f"])
    assert [t.get_text() for t in texts] == ["alpha", "beta", "gamma", "delta", "e", "f"]
    np.testing.assert_allclose([t.xy for t in texts], coords)  # anchored at their points
    renderer = _rendered(ax.figure)
    boxes = _label_boxes(ax, renderer)
    assert not any(_overlaps(boxes[i], boxes[j]) for i in range(6) for j in range(i))
    with pytest.raises(ValueError, match="2 labels for 6 points"):
        plots.place_labels(ax, coords, ["a", "b"])


def test_the_plots_package_reexports_every_submodule_name():
    """``from explorer.plots import X`` works for each chart module's public X, and the chart of
    the next-token distribution is not named like ``microgpt.sample``'s numbers."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(plots.__path__, "explorer.plots."):
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            assert getattr(plots, name) is getattr(module, name), (info.name, name)
            assert name in plots.__all__
    assert plots.next_token_chart.__module__ == "explorer.plots.next_token"
    assert not hasattr(plots, "next_token_probs")
