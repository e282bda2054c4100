"""A search's answer in the ``GraphExplorer``: the drawn nodes a name pattern marks, the note
under the search box, and the list of the pass's matches to pick one from (``MatchList``).

Controls and wording only: the explorer finds the matches in its pass (``pattern_regex`` over
the names) and opens the one picked (``GraphExplorer.find``).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from microgpt.trace import pattern_regex

__all__ = ["MAX_LISTED", "MatchList", "drawn_matches", "search_note"]

#: A search's list of matches to pick from holds at most this many (the note says how many
#: more there are: narrow the search).
MAX_LISTED = 100


def drawn_matches(view, search: str) -> list[str]:
    """The ids of the nodes of ``view`` the pattern ``search`` matches: a node by its name (or
    id), a tensor of the model view by any of its entries."""
    regex = pattern_regex(search)
    return [
        n.id
        for n in view.nodes
        if regex.fullmatch(n.name or n.id)
        or any(map(regex.fullmatch, getattr(n, "scalars", ())))  # a tensor's entries
    ]


def search_note(search: str, matches: list[str], drawn: list[str], tensors: bool,
                shows_first: bool) -> str:  # fmt: skip
    """What the note says of a search: how many nodes of the pass match (``matches``), how many
    of the view drawn (``drawn``; ``tensors``: the model view, whose tensors hold them), and
    for one match whether it is drawn itself (``shows_first``)."""
    total, what = len(matches), repr(search)
    if not total and not drawn:
        return f"no node matches {what} (* stands for any characters, ? for one)"
    if not total:  # a tensor's name: the model view's box
        return f"the tensor{'s' if len(drawn) > 1 else ''} {', '.join(drawn)} match {what}"
    if total == 1:
        inside = f": in the tensor drawn ({drawn[0]})" if tensors and drawn else ""
        return f"1 node matches {what}" + ("" if shows_first else inside)
    one = len(drawn) == 1
    if tensors:
        held = f"of the tensors drawn {'holds' if one else 'hold'} them"
    else:
        held = f"of them {'is' if one else 'are'} drawn"
    shown = f"{len(drawn):,} {held} (marked)" if drawn else "none is drawn here"
    more = f" (the first {MAX_LISTED} listed: narrow the search)" if total > MAX_LISTED else ""
    return f"{total:,} nodes match {what}; {shown}; pick one under the search box to open it{more}"


class MatchList:
    """The matches to pick from (``dropdown``, hidden while there are none); a pick calls
    ``pick(name)``, setting the list does not."""

    def __init__(self, pick: Callable[[str], None]) -> None:
        self._pick = pick
        self._listing = False
        self.dropdown = W.Dropdown(description="matches", options=[("", "")],
                                   layout=W.Layout(width="auto", display="none"))  # fmt: skip
        self.dropdown.style.description_width = "initial"
        self.dropdown.add_class("microgpt-search-matches")
        self.dropdown.observe(self._on_pick, "value")

    def show(self, names: list[str]) -> None:
        """List ``names`` (the first ``MAX_LISTED``); the one picked stays shown if listed."""
        box = self.dropdown
        listed = names[:MAX_LISTED]
        picked = box.value if box.value in listed else ""
        self._listing = True  # setting the options is not a pick
        try:
            head = f"{len(names):,} matches: pick one" if names else ""
            box.options = [(head, ""), *((n, n) for n in listed)]
            box.value = picked
        finally:
            self._listing = False
        box.layout.display = "" if names else "none"

    def _on_pick(self, change) -> None:
        if change["new"] and not self._listing:
            self._pick(change["new"])
