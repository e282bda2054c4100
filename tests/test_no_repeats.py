"""No rule written twice: the library's source (microgpt/ and explorer/, Python and the viewer's
JavaScript) holds no run of six or more significant lines that stands again elsewhere in it.

A small scanner of our own, in the spirit of a duplicate-code tool: blank lines, comments, import
lines and lone punctuation do not count, white space is folded, and a run must be the same text to
the letter (a copy renamed is not caught here; a review is for that). Tests and benches may repeat
themselves on purpose and are not scanned.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("microgpt", "explorer")
RUN = 6  # significant lines that make a repeat
_THIN = re.compile(r"[()\[\]{},:;.\s]*")  # a line of punctuation only
_SPACE = re.compile(r"\s+")


def significant_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, folded text)`` of the lines that count."""
    kept = []
    for number, line in enumerate(text.splitlines(), 1):
        folded = _SPACE.sub(" ", line.strip())
        if not folded or folded.startswith(("#", "//", "*", "/*")):
            continue
        if folded.startswith(("import ", "from ")) and " import " in f" {folded} ":
            continue
        if _THIN.fullmatch(folded):
            continue
        kept.append((number, folded))
    return kept


def repeats(files: dict[str, str], run: int = RUN) -> list[tuple[str, int, str, int]]:
    """Every pair of places ``(file a, line a, file b, line b)`` that start the same ``run``
    significant lines, without overlapping; one pair per run (its first window)."""
    seen: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
    for name, text in sorted(files.items()):
        lines = significant_lines(text)
        for i in range(len(lines) - run + 1):
            window = tuple(t for _, t in lines[i : i + run])
            seen.setdefault(window, []).append((name, i, lines[i][0]))
    pairs = set()
    for places in seen.values():
        for a, (fa, ia, la) in enumerate(places):
            for fb, ib, lb in places[a + 1 :]:
                if fa != fb or abs(ia - ib) >= run:  # not a line repeated in place
                    pairs.add((fa, ia, la, fb, ib, lb))
    # a repeat longer than ``run`` is one pair per window: keep its first
    starts = {(fa, ia, fb, ib) for fa, ia, _, fb, ib, _ in pairs}
    return [
        (fa, la, fb, lb)
        for fa, ia, la, fb, ib, lb in sorted(pairs)
        if (fa, ia - 1, fb, ib - 1) not in starts
    ]


def _library_sources() -> dict[str, str]:
    files = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in (".py", ".js") and "__pycache__" not in path.parts:
                files[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return files


def test_the_library_writes_no_run_of_six_lines_twice():
    found = repeats(_library_sources())
    assert not found, "the same lines stand in two places (make one serve both):\n" + "\n".join(
        f"  {fa}:{la} ~ {fb}:{lb}" for fa, la, fb, lb in found
    )


def test_the_scanner_finds_a_repeat_and_passes_over_what_does_not_count():
    body = "\n".join(f"total_{k} = weight[{k}] * grad[{k}] + bias" for k in range(6))
    one = f"import os\n\ndef f():\n{body}\n    return 1\n"
    other = f"# a comment\nx = 2\n\n\n{body}\n"
    found = repeats({"a.py": one, "b.py": other})
    assert found == [("a.py", 4, "b.py", 5)]
    # five shared lines, or six spread over comments and blank lines in one and not the other
    five = "\n".join(body.splitlines()[:5])
    assert repeats({"a.py": five, "b.py": five + "\nother = 1"}) == []
    spread = "\n# why\n\n".join(body.splitlines())
    assert repeats({"a.py": body, "b.py": spread}) == [("a.py", 1, "b.py", 1)]
    # imports, lone brackets and a line repeated in place are not repeats
    dull = "\n".join(["import os", "from x import y", ")", "]", "},"] * 3)
    assert repeats({"a.py": dull, "b.py": dull}) == []
    same = "\n".join(["x += 1"] * 8)
    assert repeats({"a.py": same}) == []
