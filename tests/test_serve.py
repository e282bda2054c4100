"""``microgpt serve``: what it checks before serving, and the Voilà settings it serves with.
(tests/browser/test_serve.py serves the dashboard to three browser tabs.)"""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest

from explorer import serve
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
