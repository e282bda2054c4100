"""``microgpt serve``: what it checks before serving, and the Voilà settings it serves with.
(tests/browser/test_serve.py serves the dashboard to three browser tabs.)"""

from __future__ import annotations

import importlib.util
import inspect
import socket
from pathlib import Path

import pytest

from explorer import serve, voila_adapter
from microgpt.cli import main
from microgpt.errors import MicrogptError

REPO = Path(__file__).resolve().parents[1]


def test_the_classroom_notebook_is_found_in_the_source_tree():
    assert serve.find_notebook() == REPO / "notebooks" / "classroom_dashboard.ipynb"


def test_a_missing_notebook_says_how_to_get_one(monkeypatch, tmp_path, capsys):
    assert main(["serve", "--notebook", str(tmp_path / "nope.ipynb")]) == 2
    assert "no notebook at" in capsys.readouterr().err
    # A package installed without its lessons (neither explorer/lessons nor notebooks/).
    from explorer import lessons

    monkeypatch.setattr(lessons, "__file__", str(tmp_path / "site-packages" / "explorer" / "x.py"))
    with pytest.raises(MicrogptError, match="lessons are not installed.*Reinstall"):
        serve.find_notebook()


def test_missing_voila_says_how_to_install_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a)
    )
    assert main(["serve", "--host", "127.0.0.1", "--port", "18999"]) == 2
    err = capsys.readouterr().err
    assert "needs Voilà" in err and "[voila]" in err
    assert "Traceback" not in err


def test_a_port_in_use_is_refused_with_the_reason(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port} on 127.0.0.1 is in use" in err and "--port" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--port", "70000"], "--port must be 1 to 65535"),
        (["--cull-idle", "2"], "--cull-idle must be at least 5"),
    ],
)
def test_bad_settings_are_refused(argv, message, capsys):
    assert main(["serve", "--host", "127.0.0.1", *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_address_to_hand_out():
    assert serve.handout_url("127.0.0.1", 8866) == "http://127.0.0.1:8866/"
    url = serve.handout_url("0.0.0.0", 8866)  # this machine's address, never 0.0.0.0
    assert url.startswith("http://") and url.endswith(":8866/") and "0.0.0.0" not in url


def test_voila_settings_for_a_class():
    notebook = REPO / "notebooks" / "classroom_dashboard.ipynb"
    config = serve.voila_config(notebook, "0.0.0.0", 8866, 3, 120, 60)
    assert config["Voila"]["notebook_path"] == str(notebook)
    assert config["Voila"]["port_retries"] == 0  # never another port than the one handed out
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    assert config["VoilaConfiguration"]["default_pool_size"] == 3
    assert config["VoilaExecutor"]["iopub_timeout"] == 60
    cull = config["MappingKernelManager"]
    assert cull["cull_idle_timeout"] == 120 and cull["cull_connected"] is False
    assert 0 < cull["cull_interval"] <= 120
    assert (
        serve.voila_config(notebook, "::", 1, 0, 5, 1)["VoilaConfiguration"]["preheat_kernel"]
        is False
    )


def test_help_says_what_each_option_costs(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "MB" in text and "--pool" in text and "--cull-idle" in text
    assert "--iopub-timeout" in text and "`microgpt lessons` writes out" in text


def test_refills_after_a_burst_start_one_at_a_time():
    schedule = serve.RefillSchedule(first=10, every=4)
    burst = [schedule.delay(now) for now in (100.0, 100.5, 101.0, 101.0)]
    assert burst == [10, 13.5, 17, 21]  # starts at 110, 114, 118, 122
    assert schedule.delay(200.0) == 10  # long after the burst: the usual delay again
    assert schedule.delay(203.0) == 11  # 4 s after the previous refill's start


def test_a_kernel_is_not_culled_while_its_page_is_still_loading():
    awaited = serve.PagesAwaited(grace=300)
    awaited.handed_out("k1", now=0.0)
    awaited.handed_out("k2", now=0.0)
    assert awaited.spare("k1", connections=0, now=60.0)  # the page still loads: spared
    assert not awaited.spare("k1", connections=1, now=61.0)  # it connected: usual rules
    assert not awaited.spare("k1", connections=0, now=62.0)  # and for good (tab closed later)
    assert awaited.spare("k2", connections=0, now=299.0)
    assert not awaited.spare("k2", connections=0, now=301.0)  # a page that never came
    assert not awaited.spare("pool-kernel", connections=0, now=1.0)  # never handed out


def test_the_pool_is_bounded_by_available_memory(monkeypatch, capsys):
    fits = 10 * serve.KERNEL_BYTES
    serve.check_pool(10, fits)  # fits exactly
    serve.check_pool(10**6, None)  # memory unknown: nothing to compare with
    with pytest.raises(MicrogptError, match=r"--pool 11 .* at most 10 kernels fit"):
        serve.check_pool(11, fits)
    assert serve.available_memory() > 0  # Linux: MemAvailable
    monkeypatch.setattr(serve, "available_memory", lambda: fits)
    assert main(["serve", "--host", "127.0.0.1", "--port", "18998", "--pool", "11"]) == 2
    err = capsys.readouterr().err
    assert "1.6 GB" in err and "1.5 GB available" in err and "150.0 MB per kernel" in err


def test_the_notebook_must_be_a_readable_notebook(tmp_path):
    notebook = REPO / "notebooks" / "classroom_dashboard.ipynb"
    assert serve.find_notebook(notebook) == notebook
    bad = {
        "v3.ipynb": ('{"nbformat": 3, "cells": []}', "format 4"),
        "nocells.ipynb": ('{"nbformat": 4}', "no list of cells"),
        "text.ipynb": ("print('hi')", "not valid JSON"),
    }
    for name, (text, message) in bad.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(MicrogptError, match=message):
            serve.find_notebook(tmp_path / name)
    with pytest.raises(MicrogptError, match="not a regular file"):
        serve.find_notebook("/dev/null")


# -- explorer.voila_adapter: the versions tested, and the hooks on the real Voilà ------------
def test_the_tested_versions_pass_and_a_patch_apart_is_a_warning():
    versions = {"voila": "0.5.13", "jupyter_server": "2.21.1"}
    assert voila_adapter.check_versions(versions) == []
    notes = voila_adapter.check_versions({**versions, "voila": "0.5.14"})
    assert len(notes) == 1
    assert "voila 0.5.14 is installed, tested with 0.5.13" in notes[0]
    assert "pip install 'voila==0.5.13'" in notes[0]
    # jupyter_server follows semantic versioning: a newer minor is a warning too
    assert len(voila_adapter.check_versions({**versions, "jupyter_server": "2.22.0"})) == 1


@pytest.mark.parametrize(
    "package, version",
    [
        ("voila", "0.6.0"),
        ("voila", "0.6.0a1"),  # a pre-release of 0.6 is outside <0.6
        ("voila", "0.4.9"),
        ("voila", "0.5.12"),  # older than tested
        ("jupyter_server", "3.0.0"),
        ("jupyter_server", "1.24.0"),
    ],
)
def test_a_version_outside_the_tested_range_is_refused_with_the_fix(package, version):
    versions = {"voila": "0.5.13", "jupyter_server": "2.21.1", package: version}
    pin = next(p for p in voila_adapter.TESTED if p.package == package)
    with pytest.raises(MicrogptError) as error:
        voila_adapter.check_versions(versions)
    message = str(error.value)
    assert f"{package} {version} is installed" in message
    assert f"tested with {package} {pin.tested}" in message
    assert f"pip install '{pin.requirement}'" in message


def test_a_missing_server_package_or_an_unreadable_version_is_refused():
    with pytest.raises(MicrogptError, match=r"needs jupyter_server, not installed: pip install"):
        voila_adapter.check_versions({"voila": "0.5.13", "jupyter_server": None})
    with pytest.raises(MicrogptError, match="cannot read the version 'dev'"):
        voila_adapter.check_versions({"voila": "dev", "jupyter_server": "2.21.1"})


def test_the_installed_versions_are_the_tested_ones_and_pyproject_pins_them():
    # The environment the tests run in is the one tested: it must pass without a note.
    assert voila_adapter.check_versions(voila_adapter.installed_versions()) == []
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    for pin in voila_adapter.TESTED:
        # each in the `voila` and `test` extras, exactly as the check reads it
        assert text.count(f'"{pin.requirement}"') == 2, pin.requirement


def test_serve_checks_the_versions_at_start(monkeypatch, capsys):
    tested = {"voila": "0.5.13", "jupyter_server": "2.21.1"}
    monkeypatch.setattr(voila_adapter, "installed_versions", lambda: {**tested, "voila": "0.6.1"})
    assert main(["serve", "--host", "127.0.0.1", "--port", "18996"]) == 2
    err = capsys.readouterr().err
    assert "voila 0.6.1 is installed" in err and "pip install 'voila>=0.5.13,<0.6'" in err
    assert "Traceback" not in err
    # a newer patch: served, the note printed first
    monkeypatch.setattr(voila_adapter, "installed_versions", lambda: {**tested, "voila": "0.5.14"})
    lines = serve.plan(host="127.0.0.1", port=_free_port()).lines()
    assert lines[0].startswith("note: voila 0.5.14 is installed") and "serving" in lines[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Rules:
    """A record of what the adapter asks (serve.ClassroomKernels answers on a real server)."""

    def __init__(self, spare=False):
        self.asked, self._spare = [], spare

    def handed_out(self, kernel_id, now):
        self.asked.append(("handed_out", kernel_id))

    def spare(self, kernel_id, connections, now):
        self.asked.append(("spare", kernel_id, connections))
        return self._spare

    def refill_delay(self, now):
        self.asked.append(("refill_delay",))
        return 7.0


def _finish(coroutine):
    """The value of a coroutine that awaits nothing that suspends (no event loop needed)."""
    with pytest.raises(StopIteration) as done:
        coroutine.send(None)
    return done.value.value


def test_the_adapter_hooks_into_the_real_voila(tmp_path):
    import signal

    from traitlets.config import Config
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    notebook = REPO / "notebooks" / "classroom_dashboard.ipynb"
    rules = _Rules()
    config = serve.voila_config(notebook, "127.0.0.1", 18997, 0, 120, 60)
    handler = signal.getsignal(signal.SIGTERM)
    app = voila_adapter.app_class(rules)(config=Config(config))
    try:
        app.initialize([])  # sets a SIGTERM handler; binds no port
    finally:
        signal.signal(signal.SIGTERM, handler)
    app.connection_dir = str(tmp_path)
    app.init_settings()
    km = app.kernel_manager
    assert km.cull_kernel_if_idle.__name__ == "cull_started"
    assert km.start_kernel.__name__ == "started_for_a_page"
    assert _finish(km.cull_kernel_if_idle("no-such-kernel")) is None  # unknown: never culled
    assert rules.asked == []
    handlers = app.init_handlers()
    assert handlers[0][0].endswith("/api/kernels")
    assert all(h[1] is not TornadoVoilaHandler for h in handlers)  # the app page replaces it
    # With a pool, Voilà's manager has the two methods the adapter replaces, as it calls them.
    base = app.voila_configuration.multi_kernel_manager_class
    pooled = voila_kernel_manager_factory(base, True, 1)
    assert "delay" in inspect.signature(pooled.fill_if_needed).parameters
    assert inspect.iscoroutinefunction(pooled.get_rendered_notebook)
    assert inspect.iscoroutinefunction(pooled.cull_kernel_if_idle)


class _Kernel:
    last_activity = None


class _Manager:
    """A stand-in kernel manager with the methods the adapter replaces (what they do on the
    real Voilà is tests/browser/test_serve.py's)."""

    fill_delay = 10.0

    def __init__(self):
        self.calls = []

    def get_kernel(self, kernel_id):
        if kernel_id == "starting":
            raise KeyError(kernel_id)
        return _Kernel()

    def kernel_model(self, kernel_id):
        return {"id": kernel_id, "connections": 0}

    async def cull_kernel_if_idle(self, kernel_id):
        self.calls.append(("cull", kernel_id))

    def start_kernel(self, **kwargs):
        return "k-started"

    async def get_rendered_notebook(self, *args, **kwargs):
        return "task", [], "k-pooled"


def test_the_hooks_ask_the_rules():
    from explorer.voila_adapter import _hook_culling, _hook_handouts

    km, spare = _Manager(), _Rules(spare=True)
    _hook_culling(km, spare)
    _hook_handouts(km, spare)
    assert _finish(km.start_kernel()) == "k-started"
    assert _finish(km.get_rendered_notebook("nb")) == ("task", [], "k-pooled")
    assert _finish(km.cull_kernel_if_idle("k-started")) is None
    assert _finish(km.cull_kernel_if_idle("starting")) is None  # not asked: still starting
    assert spare.asked == [
        ("handed_out", "k-started"),
        ("handed_out", "k-pooled"),
        ("spare", "k-started", 0),
    ]
    assert km.calls == []  # spared
    km, cull = _Manager(), _Rules(spare=False)
    _hook_culling(km, cull)
    _finish(km.cull_kernel_if_idle("k1"))
    assert km.calls == [("cull", "k1")]


def test_the_class_rules_spare_loading_pages_and_stagger_refills():
    rules = serve.ClassroomKernels.for_a_class()
    rules.handed_out("k", now=0.0)
    assert rules.spare("k", 0, now=1.0) and not rules.spare("k", 1, now=2.0)
    assert [rules.refill_delay(100.0), rules.refill_delay(100.0)] == [
        serve.FILL_DELAY,
        serve.FILL_DELAY + serve.REFILL_EVERY,
    ]
