"""The harness itself: browser -> JupyterLab -> kernel -> Python observers -> DOM, end to end.

The notebook is written by the test into the server's temp root; nothing is committed.
"""

from __future__ import annotations

import textwrap

import pytest
from labharness import error_outputs, expect, open_and_run_all, wait_for_error_output

pytestmark = pytest.mark.browser

CELL_IPYWIDGETS = textwrap.dedent(
    """
    import ipywidgets as widgets

    button = widgets.Button(description="press me")
    button.add_class("harness-button")
    label = widgets.Label(value="not pressed")
    label.add_class("harness-label")
    presses = 0

    def on_click(_button):
        global presses
        presses += 1
        label.value = f"pressed {presses} time(s)"

    button.on_click(on_click)
    widgets.HBox([button, label])
    """
)

CELL_ANYWIDGET = textwrap.dedent(
    """
    import anywidget
    import traitlets

    class Clicker(anywidget.AnyWidget):
        _esm = '''
        export default {
          render({ model, el }) {
            const div = document.createElement("div");
            div.className = "harness-any";
            div.textContent = "click me";
            div.addEventListener("click", () => {
              model.set("clicks", model.get("clicks") + 1);
              model.save_changes();
            });
            el.appendChild(div);
          },
        };
        '''
        clicks = traitlets.Int(0).tag(sync=True)

    clicker = Clicker()
    any_label = widgets.Label(value="clicks: 0")
    any_label.add_class("harness-any-label")
    clicker.observe(lambda change: setattr(any_label, "value", f"clicks: {change.new}"), "clicks")
    widgets.VBox([clicker, any_label])
    """
)


def test_click_round_trips_through_the_kernel(lab_server, page, console_errors):
    path = lab_server.write_notebook("harness.ipynb", [CELL_IPYWIDGETS, CELL_ANYWIDGET])
    open_and_run_all(page, path)

    button, label = page.locator(".harness-button"), page.locator(".harness-label")
    expect(button).to_have_text("press me")
    expect(label).to_have_text("not pressed")
    button.click()
    expect(label).to_have_text("pressed 1 time(s)")
    button.click()
    expect(label).to_have_text("pressed 2 time(s)")

    clicker, any_label = page.locator(".harness-any"), page.locator(".harness-any-label")
    expect(any_label).to_have_text("clicks: 0")
    clicker.click()
    expect(any_label).to_have_text("clicks: 1")  # set in JS, seen by a Python observer
    clicker.click()
    expect(any_label).to_have_text("clicks: 2")

    assert error_outputs(page) == []
    assert console_errors == []


CELLS_WITH_ERRORS = [
    "import sys\nprint('warned on stderr', file=sys.stderr)",
    textwrap.dedent(
        """
        import anywidget
        import ipywidgets as widgets

        def explode(_button):
            raise ValueError("click handler exploded")

        boom = widgets.Button(description="boom")
        boom.add_class("harness-boom")
        boom.on_click(explode)

        class Broken(anywidget.AnyWidget):
            _esm = "export default { render({ model, el }) { this is not javascript } };"

        widgets.VBox([boom, Broken()])
        """
    ),
    "1 / 0",
    "print('never runs')",
]


def test_error_detectors_fire(lab_server, page, console_errors):
    """The detectors the other tests rely on do fire: a stderr line, a cell traceback, an
    exception in a click handler (it reaches no cell), a widget whose JS fails (console)."""
    path = lab_server.write_notebook("harness_errors.ipynb", CELLS_WITH_ERRORS)
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        open_and_run_all(page, path)
    errors = error_outputs(page)
    assert len(errors) == 2, errors
    assert errors[0] == "stderr/traceback output: warned on stderr"
    assert "ZeroDivisionError: division by zero" in errors[1]
    assert page.locator(".jp-OutputArea-output", has_text="never runs").count() == 0

    page.locator(".harness-boom").click()
    errors = wait_for_error_output(page, "click handler exploded")
    assert len(errors) == 3, errors
    assert errors[2].startswith("kernel message (no cell):")
    assert errors[2].endswith("ValueError: click handler exploded")

    assert any("Unexpected identifier" in error for error in console_errors), console_errors
