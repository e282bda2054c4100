"""The search's wording and its list of matches (``explorer.widgets.search``), apart from the
explorer: what the note says for none, a tensor, one, several and too many matches; the list
shows at most ``MAX_LISTED`` and a pick calls back, setting the list does not."""

from __future__ import annotations

from explorer.widgets.search import MAX_LISTED, MatchList, search_note


def test_the_note_says_what_the_search_found():
    assert search_note("x*", [], [], False, False).startswith("no node matches 'x*'")
    assert search_note("q", [], ["pos1.q", "pos2.q"], True, False) == (
        "the tensors pos1.q, pos2.q match 'q'"
    )
    assert search_note("a", ["a"], [], False, True) == "1 node matches 'a'"
    assert (
        search_note("a", ["a"], ["t"], True, False) == "1 node matches 'a': in the tensor drawn (t)"
    )
    many = [f"n{k}" for k in range(MAX_LISTED + 5)]
    note = search_note("n*", many, ["n1"], False, False)
    assert note.startswith(f"{len(many):,} nodes match 'n*'; 1 of them is drawn (marked)")
    assert "narrow the search" in note
    assert "none is drawn here" in search_note("n*", many[:3], [], False, False)


def test_the_list_shows_the_first_matches_and_a_pick_calls_back():
    picked = []
    matches = MatchList(picked.append)
    names = [f"pos{k}.loss" for k in range(MAX_LISTED + 3)]
    matches.show(names)
    assert len(matches.dropdown.options) == MAX_LISTED + 1 and picked == []
    assert matches.dropdown.layout.display == ""
    matches.dropdown.value = "pos7.loss"
    assert picked == ["pos7.loss"]
    matches.show(names[5:9])  # the pick stays shown while it is listed
    assert matches.dropdown.value == "pos7.loss" and picked == ["pos7.loss"]
    matches.show([])
    assert matches.dropdown.layout.display == "none" and picked == ["pos7.loss"]
