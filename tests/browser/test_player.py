"""Backward played on the graph in a real browser: the classroom dashboard on both reference
screens (the player opens at step 0; press play after typing "christopher": grads become final
in the script's order and fill in meanwhile; step back to the start and forward again: the same
picture; the controls fit the projector), and an exported page that plays with the network
off."""

from __future__ import annotations

import pytest
from labharness import error_outputs

from .test_screens import CUT_TEXT_JS, close_menu, dashboard_on, screenshots, tool

pytestmark = pytest.mark.browser

#: One sample of the player, read in one go (the page cannot move on in between): the step
#: shown, the script's order, and per node of the script its state, text and fill.
SAMPLE_JS = """(root) => {
  const svg = root.querySelector(".microgpt-viewer-canvas svg");
  const status = root.querySelector(".microgpt-viewer-play-status").textContent;
  const m = /step (\\d+) \\/ (\\d+)/.exec(status);
  const step = (g) => Number(g.getAttribute("data-step"));  // the step that makes it final
  const nodes = [...svg.querySelectorAll("g.node[data-step]")].sort((a, b) => step(a) - step(b));
  return {
    k: Number(m[1]), n: Number(m[2]), order: nodes.map((g) => g.dataset.id),
    pending: nodes.map((g) => g.classList.contains("microgpt-play-pending")),
    texts: nodes.map((g) => [...g.querySelectorAll("text")].map((t) => t.textContent).join("|")),
    fills: nodes.map((g) => g.querySelector("rect, circle").getAttribute("fill")),
    current: [...svg.querySelectorAll("g.node.microgpt-play-current")].map((g) => g.dataset.id),
    labels: [...svg.querySelectorAll("text.microgpt-play-label")].map((t) => t.textContent),
    steps: nodes.map(step),
  };
}"""


def _picture(sample: dict) -> tuple:
    return (sample["k"], sample["pending"], sample["texts"], sample["fills"], sample["current"],
            sample["labels"])  # fmt: skip


def _check_in_order(sample: dict, drawn: dict) -> None:
    """After k steps the first k nodes of the script are final and show the picture's own
    text; the others are pending."""
    k = sample["k"]
    assert sample["pending"] == [j >= k for j in range(sample["n"])]
    for j in range(k):
        assert sample["texts"][j] == drawn["texts"][j], sample["order"][j]
    if k:
        assert sample["order"][k - 1] in sample["current"]


def test_play_backward_on_the_classroom_dashboard(screen, lab_server, browser_artifacts_dir):
    from playwright.sync_api import expect

    name, page = screen
    shots = screenshots(browser_artifacts_dir)
    graph, _ = dashboard_on(page, lab_server, "christopher")
    # the dashboard opens on the model view (tensors: nothing to play); the overview plays
    tool(graph, ".microgpt-view-pick select").select_option("overview")
    close_menu(graph)
    expect(graph.locator('g.node[data-id^="group/pos"]').first).to_be_attached()
    bar = graph.locator(".microgpt-viewer-play")
    expect(bar).to_be_visible()
    dashboard = page.locator(".microgpt-dashboard")
    assert dashboard.evaluate(CUT_TEXT_JS) == []  # the controls fit, nothing cut
    root = graph.element_handle()
    opened = root.evaluate(SAMPLE_JS)  # the player opens at step 0: nothing final yet
    assert opened["k"] == 0 and all(opened["pending"]) and opened["n"] > 10
    graph.locator(".microgpt-viewer-play-end").click()
    drawn = root.evaluate(SAMPLE_JS)  # the picture as recorded: the end of backward
    assert drawn["k"] == drawn["n"] == len(drawn["order"]) > 10
    assert [int(x) for x in drawn["steps"]] == list(range(1, drawn["n"] + 1))
    assert not any(drawn["pending"])

    # back to the start: nothing final, the grads at 0 (the root's at 1)
    graph.locator(".microgpt-viewer-play-start").click()
    start = root.evaluate(SAMPLE_JS)
    assert start["k"] == 0 and all(start["pending"])
    assert sum(t != d for t, d in zip(start["texts"], drawn["texts"])) >= len(drawn["texts"]) - 1

    # play: sample between steps; grads become final in the script's order
    graph.locator(".microgpt-viewer-play-speed").select_option("20")
    graph.locator(".microgpt-viewer-play-play").click()
    seen, filling = [], False
    while True:
        sample = root.evaluate(SAMPLE_JS)
        _check_in_order(sample, drawn)
        seen.append(sample["k"])
        # a pending node whose grad has arrived in part: it shows a number of its own
        filling |= any(
            p and t not in (s, d)
            for p, t, s, d in zip(
                sample["pending"], sample["texts"], start["texts"], drawn["texts"]
            )  # fmt: skip
        )
        if sample["k"] == sample["n"]:
            break
        page.wait_for_timeout(120)
    assert seen == sorted(seen) and len(set(seen)) >= 5, seen
    assert filling, "no grad filled in before its node was final"
    end = root.evaluate(SAMPLE_JS)
    assert end["texts"] == drawn["texts"] and end["fills"] == drawn["fills"]
    page.screenshot(path=str(shots / f"{name}-player-end.png"))

    # step back to the start and forward again: identical states
    graph.locator(".microgpt-viewer-play-start").click()
    states = []
    for _ in range(6):
        graph.locator(".microgpt-viewer-play-step").click()
        states.append(_picture(root.evaluate(SAMPLE_JS)))
    assert [s[0] for s in states] == [1, 2, 3, 4, 5, 6]
    page.screenshot(path=str(shots / f"{name}-player-step6.png"))
    for _ in range(6):
        graph.locator(".microgpt-viewer-play-back").click()
    again = []
    for _ in range(6):
        graph.locator(".microgpt-viewer-play-step").click()
        again.append(_picture(root.evaluate(SAMPLE_JS)))
    assert again == states
    assert dashboard.evaluate(CUT_TEXT_JS) == []
    assert error_outputs(page) == []
    assert page.console_errors == []


def test_exported_html_plays_backward_offline(browser, tmp_path):
    from playwright.sync_api import expect

    from explorer import ForwardPass, scope_view
    from explorer.export import write_view
    from explorer.playback import backward_script

    fp = ForwardPass("emma")
    view = scope_view(fp, "pos1.layer0.attn.head0")
    path = write_view(view, tmp_path / "head.html", fp=fp)
    context = browser.new_context(offline=True)
    requests, errors = [], []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        root = page.locator(".microgpt-export-graph").element_handle()
        assert root.evaluate(SAMPLE_JS)["k"] == 0  # it opens at step 0
        page.locator(".microgpt-viewer-play-end").click()
        drawn = root.evaluate(SAMPLE_JS)
        assert drawn["n"] == sum(1 for n in view.nodes if n.kind in ("value", "group"))
        assert drawn["order"] == list(backward_script(fp, view).nodes)
        page.locator(".microgpt-viewer-play-start").click()
        page.locator(".microgpt-viewer-play-step").click()
        first = root.evaluate(SAMPLE_JS)
        _check_in_order(first, drawn)
        # the first node's edges into its op circle carry what it sent to its inputs
        assert first["labels"] and all(t.startswith("+= ") for t in first["labels"])
        page.locator(".microgpt-viewer-play-speed").select_option("50")
        page.locator(".microgpt-viewer-play-play").click()
        expect(page.locator(".microgpt-viewer-play-status")).to_contain_text(
            f"step {drawn['n']} / {drawn['n']}"
        )
        end = root.evaluate(SAMPLE_JS)
        assert end["texts"] == drawn["texts"] and not any(end["pending"])
    finally:
        context.close()
    assert [u for u in requests if not u.startswith("file:")] == []
    assert errors == []
