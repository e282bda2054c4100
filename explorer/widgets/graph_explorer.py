"""``GraphExplorer``: a forward pass's graph in JupyterLab — pick a document, a position, a
root and a view; click a node to select it, click a group to zoom in, search names.

The ``model`` view (``explorer.model_view``) draws one position's ``gpt()`` as tensors; a
click on a tensor selects it (the inspector shows it as a table) and opens its scalar nodes in
the same viewer (``scalar_view_of``: a vector's scalars as a ``full`` view of a ``pattern``, a
parameter's gradient path from a ``source``, the loss's node view); the breadcrumb's "model"
leads back, at the same position.

Controls and layout only: the pass comes from the ``Session`` (recomputed only when the
document, root or step changes), views from ``explorer.views``, pictures laid out by
``explorer.layout`` and drawn by ``explorer.svg`` into the viewer (``SvgGraph``).
"""

from __future__ import annotations

import html
from inspect import signature

import ipywidgets as W
import traitlets

from microgpt.errors import ConfigError, MicrogptError, UnknownNameError
from microgpt.model import loss_position, parse_name
from microgpt.trace import pattern_regex
from microgpt.validate import check_output_path

from .. import layout
from ..checks import MAX_BUDGET
from ..graph import NodeKey
from ..model_view import scalar_view_of
from ..node import resolve_node
from ..playback import backward_json
from ..view_files import is_view_file
from ..views import build_view
from .args import Checked, choice, flag, integer, need, text
from .front import SvgGraph
from .inspector import TensorLookup, names_a_node
from .search import MatchList, drawn_matches, search_note
from .session import Latest, Session
from .state import PassState
from .toolbar import PresenterToolbar

__all__ = ["GraphExplorer"]

#: The views a learner picks from. "model" is one position's pass as the article's tensors;
#: "position" the overview of one position, one level deeper (its embed, attention heads, MLP,
#: lm_head and softmax).
VIEW_CHOICES = ("overview", "model", "position", "scope", "path", "node", "full")

#: Traits the constructor takes, in the order they are applied: these before the pass is
#: recorded (``_load`` checks them against it), then the document, then ``view`` (checked).
_BEFORE_LOAD = ("root", "depth", "budget", "scope", "pattern", "source", "selected", "search",
                "compact", "pos")  # fmt: skip

#: The traits that are views of the shared selection (``PassState``).
_SHARED = ("doc", "pos", "root", "view", "scope", "selected")


def _at_pos(label: str, pos: int) -> str:
    """``label`` moved to position ``pos`` when it names one (``pos2.…`` -> ``pos3.…``)."""
    at = parse_name(label)
    return at.at(pos) if at.pos is not None and at.local else label


def _row(*controls) -> W.HBox:
    """Controls side by side, wrapping when narrow; labels never truncated."""
    for control in controls:
        style = getattr(control, "style", None)
        if hasattr(style, "description_width"):
            style.description_width = "initial"
    return W.HBox(list(controls), layout=W.Layout(flex_flow="row wrap"))


class GraphExplorer(Checked, W.VBox):
    """The graph of one recorded forward pass, with controls. Traits a learner changes (a
    wrong type or value given to the constructor raises a ``MicrogptError``; set later, it is
    refused with a message and the explorer keeps what it shows): ``doc``, ``pos``, ``root``,
    ``view``, ``scope`` and ``selected`` (views of the shared ``PassState``, which the explorer
    leads), ``depth``, ``budget``, ``pattern``, ``source``, ``search`` and ``compact``; it says
    ``message``, ``note`` and ``pass_version``."""

    doc = traitlets.Unicode("emma")
    pos = traitlets.Int(1)
    root = traitlets.Unicode("loss")
    #: One of ``VIEW_CHOICES`` (another name is refused with a message; the view stays).
    view = traitlets.Unicode("overview")
    depth = traitlets.Int(2)
    budget = traitlets.Int(1000)
    scope = traitlets.Unicode("")
    #: The full view's name pattern ("": the whole position), e.g. ``pos2.layer0.mlp.relu[*]``
    #: (a click on that tensor sets it); a pattern at a position follows ``pos``.
    pattern = traitlets.Unicode("")
    #: The path view's source ("": the selected parameter, else the input's embedding row),
    #: e.g. ``layer0.attn_wq[*]`` (a click on that matrix sets it).
    source = traitlets.Unicode("")
    #: A node's name or ``#id``, or a tensor of the model view (``pos2.layer0.mlp.relu``).
    selected = traitlets.Unicode("")
    #: A name pattern (``*`` any run of characters, ``?`` one): the drawn nodes it matches are
    #: marked; one node of the pass not drawn opens the view that shows it, selected
    #: (``find``); several are listed to pick from.
    search = traitlets.Unicode("")
    message = traitlets.Unicode("")
    note = traitlets.Unicode("")
    #: Bumped every time a new pass is in place (other widgets observe it).
    pass_version = traitlets.Int(0)
    #: Presenter mode, a slide: the controls in one toolbar row (those that do not fit in the
    #: "⋯" menu under it; root, depth and budget left out), the canvas filling the rest of the
    #: visible height, a clicker's keys stepping the backward player or the position.
    compact = traitlets.Bool(False)

    _checks = {
        **{
            k: text()
            for k in ("doc", "scope", "pattern", "source", "selected", "search", "message", "note")
        },  # fmt: skip
        "root": lambda w, value, what: w._check_root(value, what),
        "pos": integer(0),  # past the document's end: clamped, with a message (_clamp_pos)
        "view": choice(VIEW_CHOICES),
        "depth": integer(1, 6),
        "budget": integer(1, MAX_BUDGET),
        "pass_version": integer(0),
        "compact": flag(),
    }

    def __init__(self, session: Session | None = None, state: PassState | None = None,
                 **kwargs) -> None:  # fmt: skip
        """``session``: the checkpoint and its passes (shared with other widgets); ``state``:
        the selection shared with other widgets (a Dashboard's; None: the explorer's own, which
        it leads either way: the traits asked for here go into it); keyword arguments: the
        traits above (``doc="christopher", view="model", pos=3``) and the ``VBox``'s own."""
        what = "GraphExplorer(session=...)"
        need(Session, what, "a Session (or None: the shipped model)", session, none_ok=True)
        self.state = PassState.given(state, "GraphExplorer(state=...)")
        asked = self.take_traits(kwargs, (*_BEFORE_LOAD, "doc", "view"))
        for name in ("message", "note", "pass_version"):  # what the explorer says, not asks
            if name in kwargs:
                raise ConfigError(f"GraphExplorer({name}=...) is set by the explorer, not given")
        self.session = session or Session()
        self._loading = False
        self._held = True  # nothing loaded or drawn until every trait asked for is in place
        self._render_soon = Latest(self._render)
        self.fp = None
        self.current_view = None
        #: The model view's tensors by id (the inspector can share it: ``NodeInspector``).
        self.tensors = TensorLookup()
        self._tensor: str | None = None  # the tensor selected by a click (it follows pos)
        self._opened: str | None = None  # the tensor whose scalar view is shown
        self._opening = False
        self._make_controls()
        #: Presenter mode's toolbar (one row, a menu for what does not fit, a clicker's keys).
        self.toolbar = PresenterToolbar(self.tools, self.state.move)
        super().__init__(**kwargs)
        self._on_compact({"new": self.compact})  # lay the controls out (no change event yet)
        self.add_class("microgpt-graph")
        self._wire_controls()
        try:
            self._apply(asked)
        finally:
            self._held = False
        self.state.join(self, *_SHARED, lead=True)  # what was asked for is the selection
        self.state.lead(self)
        self._live = True  # from now on a bad value is refused with a message
        self._render()

    def _make_controls(self) -> None:
        """The controls of the notebook layout (three rows), the message and note areas and
        the viewer."""
        self._doc_box = W.Text(description="document", continuous_update=False)
        self._doc_box.add_class("microgpt-doc")
        self._pos_slider = W.IntSlider(
            description="position", min=0, max=1, continuous_update=False
        )
        self._pos_slider.add_class("microgpt-pos-slider")
        self._root_pick = W.Dropdown(description="root", options=["loss"])
        self._view_pick = W.Dropdown(description="view", options=VIEW_CHOICES)
        self._view_pick.add_class("microgpt-view-pick")
        self._depth_slider = W.IntSlider(description="depth", min=1, max=6, continuous_update=False)
        self._budget_box = W.BoundedIntText(description="budget", min=1, max=MAX_BUDGET,
                                            step=100)  # fmt: skip
        self._search_box = W.Text(description="search", placeholder="pos2.*.attn_weights[*]",
                                  continuous_update=False)  # fmt: skip
        self._search_box.add_class("microgpt-search")
        # a search's matches, to pick one from (shown while there are several)
        self._match_list = MatchList(self.find)
        self._matches = self._match_list.dropdown
        self._crumbs = W.HBox()
        self._crumbs.add_class("microgpt-breadcrumb")
        self._message = W.HTML(layout=W.Layout(display="none"))
        self._message.add_class("microgpt-message")
        self._note = W.HTML(layout=W.Layout(display="none"))
        self._note.add_class("microgpt-note")
        self.graph = SvgGraph()
        self._rows = [
            _row(self._doc_box, self._root_pick, self._view_pick),
            _row(self._pos_slider, self._depth_slider, self._budget_box),
            _row(self._search_box, self._matches, self._crumbs),
        ]

    def _wire_controls(self) -> None:
        """Controls -> traits (the document is validated before it becomes the trait); a click
        in the viewer."""
        self._doc_box.observe(lambda c: self._try_doc(c["new"]), "value")
        for control, trait in (
            (self._pos_slider, "pos"),
            (self._root_pick, "root"),
            (self._view_pick, "view"),
            (self._depth_slider, "depth"),
            (self._budget_box, "budget"),
            (self._search_box, "search"),
        ):
            traitlets.link((self, trait), (control, "value"))  # the control starts at the trait
        self.graph.observe(self._on_click, "clicks")

    def scope_of(self, name: str) -> str | None:
        """The scope the node or tensor ``name`` was computed in (``PassState`` follows it on
        a selection); None for a parameter matrix or anything the pass does not hold."""
        fp = self.fp
        if fp is None:
            return None
        if names_a_node(fp, name):
            return fp.index.scope[resolve_node(fp, name)]
        tensor = self.tensor(name)  # a tensor of the model view
        return tensor.scope if tensor is not None and tensor.scope else None

    def _apply(self, asked: dict) -> None:
        """The constructor's traits, in an order where each is checked once the pass is in
        place (a position out of range or an unknown view: a message, as from the controls)."""
        for name in _BEFORE_LOAD:
            if name in asked:
                self._set(name, asked[name])
        if "doc" in asked:
            self._set("doc", asked["doc"])
        self._load(self.doc)
        if "view" in asked:
            self._set("view", asked["view"])

    def _set(self, name: str, value) -> None:
        """One trait of the constructor's (checked: a wrong one raises)."""
        if name == "root" and isinstance(value, str):  # the control offers it until loaded
            self._root_pick.options = list(dict.fromkeys(["loss", value]))
        setattr(self, name, value)

    def _check_root(self, value, what: str) -> str:
        """A root the pass shown has: ``loss``, ``loss@T`` or a node's name (offered by the
        root control from then on). Before a pass is loaded, any string (``_load`` checks it)."""
        root = text()(self, value, what)
        fp = self.fp
        if fp is None or root in self._root_pick.options:
            return root
        takes = (
            f"{what} must be 'loss', 'loss@T' (T from 0 to {fp.positions - 1}) or the name "
            f"of a node of this pass, got {root!r}"
        )
        if not names_a_node(fp, root):
            raise UnknownNameError(takes)
        try:  # recorded now (and cached): the root is refused before the trait changes
            self.session.forward_pass(self.doc, root)
        except MicrogptError as e:
            raise UnknownNameError(f"{takes}: {e}") from None
        self._root_pick.options = [*self._root_pick.options, root]
        return root

    # -- the pass ----------------------------------------------------------------------------
    def _try_doc(self, doc: str) -> None:
        self.doc = doc.strip()

    @traitlets.observe("doc")
    def _on_doc(self, change) -> None:
        if self._held:  # the constructor loads it
            return
        if self.fp is not None and change["new"] == self.fp.doc:
            return
        if not self._load(change["new"]) and self.fp is not None:
            self.doc = self.fp.doc  # a bad document leaves the previous pass in place

    @traitlets.observe("root")
    def _on_root(self, change) -> None:
        if self._loading:
            return
        changed = self.fp is not None and change["new"] != self.fp.root_name
        if changed and not self._load(self.doc):
            self.root = self.fp.root_name

    @traitlets.observe("compact")
    def _on_compact(self, change) -> None:
        on = change["new"]
        self.toolbar.activate(on)
        bar = self.toolbar
        rows = [bar.row, bar.menu, bar.front, _row(self._matches)] if on else self._rows
        self._doc_box.layout.width = "15em" if on else "22em"  # label and box: one row
        self._search_box.layout.width = "18em" if on else "22em"
        (self.add_class if on else self.remove_class)("microgpt-viewer-fill")
        self.children = [*rows, self._message, self._note, self.graph]

    def tools(self) -> list:
        """The explorer's own tools in presenter mode's toolbar, in the order they keep a place
        in its row: the position, the document, the view, the search, the breadcrumb (then
        those of the widget around this one: ``toolbar.add``)."""
        return [self._pos_slider, self._doc_box, self._view_pick, self._search_box,
                self._crumbs]  # fmt: skip

    @traitlets.observe("message")
    def _on_message(self, change) -> None:
        """Errors in red; ``note`` (a search's count) in the text colour: red only for errors.
        Each takes no room while empty."""
        self._message.value = html.escape(change["new"])
        self._message.layout.display = "" if change["new"] else "none"
        if change["new"]:
            self.note = ""

    @traitlets.observe("note")
    def _on_note(self, change) -> None:
        self._note.value = html.escape(change["new"])
        self._note.layout.display = "" if change["new"] else "none"

    def _load(self, doc: str) -> bool:
        """Record (or fetch) the pass for ``doc``; on bad input show why and return False."""
        root, note = self.root, ""
        at = loss_position(root)
        positions = min(self.session.source.config.block_size, len(doc) + 1)
        if at is not None and at >= positions:  # a per-position root the new document lacks
            root, note = "loss", f"{doc!r} has no position {at}: the root is the mean loss"
        try:
            fp = self.session.forward_pass(doc, root)
        except MicrogptError as e:
            self.message = str(e)
            if self.fp is None:  # nothing shown yet: keep what was asked for in the box
                self._doc_box.value = doc
            return False
        self.fp = fp
        self.state.positions = fp.positions
        self.tensors.clear(fp)
        notes = [note] if note else []
        last = fp.positions - 1
        if not 0 <= self.pos <= last:
            notes.append(f"position {self.pos} is outside {doc!r}: its positions run from 0 to "
                         f"{last}; showing position {max(0, min(self.pos, last))}")  # fmt: skip
        self._loading = True  # one render at the end, not one per control updated here
        try:
            self._doc_box.value = doc
            self._pos_slider.max = last
            self.pos = max(0, min(self.pos, last))
            self._pos_slider.value = self.pos  # the slider clamps silently under a lower max
            self._follow_pos()
            self._root_pick.options = ["loss"] + [f"loss@{p}" for p in range(fp.positions)]
            if root not in self._root_pick.options:  # a node name
                self._root_pick.options = [*self._root_pick.options, root]
            self.root = root
            self._root_pick.value = root
            if self.selected and not self._known(self.selected) and not self.tensor(self.selected):
                self.selected = ""
            inside = self.scope + "."
            if self.scope and not any(s == self.scope or s.startswith(inside)
                                      for s in fp.index.scope):  # fmt: skip
                self.scope = ""
        finally:
            self._loading = False
        self.message = "; ".join(notes)
        self.pass_version += 1
        self._render()
        return True

    def reload(self) -> bool:
        """Record the pass again on the session's current weights (after ``set_weights``)."""
        return self._load(self.doc)

    def _known(self, label: str) -> bool:
        return names_a_node(self.fp, label)

    def node_id(self, label: str) -> int:
        """The trace id of a node given by name or ``#id``."""
        return resolve_node(self.fp, label)

    def tensor(self, label: str):
        """The model view's tensor node (``TensorNode``) ``label`` names, or ``None``."""
        return self.tensors.find(self.fp, label, self.pos)

    # -- re-rendering (never recomputes the pass) ---------------------------------------------
    @traitlets.validate("pos")
    def _clamp_pos(self, proposal) -> int:
        pos = proposal["value"]
        if self.fp is None:  # no pass yet: nothing to clamp against
            return pos
        last = self.fp.positions - 1
        if not 0 <= pos <= last:
            self.message = (
                f"position {pos} is outside {self.doc!r}: its positions run from 0 to {last}"
            )
            return max(0, min(pos, last))
        return pos

    @traitlets.observe("pos", "view", "depth", "budget", "scope", "pattern", "source")
    def _on_view_change(self, change) -> None:
        if self._loading:
            return
        name = change["name"]
        if name == "view" and self._opened and not self._opening:
            self._close_tensor()  # left the tensor's scalars by other means than the crumb
        if name == "pos":
            self._follow_pos()
            if not self.uses_pos():
                return  # e.g. the overview does not depend on the position
        if (name == "pattern" and self.view != "full") or (
            name == "source" and self.view != "path"
        ):
            return  # an option of a view not drawn
        self._render_soon()

    def uses_pos(self) -> bool:
        """Whether the view drawn depends on ``pos`` (a change of position redraws it)."""
        if self.view == "full" and self.pattern:
            at = parse_name(self.pattern)
            return at.pos is not None and bool(at.local)  # a pattern at a position follows it
        return self.view in ("model", "position", "path", "full") or (
            self.view == "scope" and not self.scope
        )

    def _follow_pos(self) -> None:
        """A new position moves what names the old one: the full view's pattern, the tensor
        clicked (and selected) and the tensor whose scalars are shown."""
        moved = self._loading
        self._loading = True  # the caller draws
        try:
            self.pattern = _at_pos(self.pattern, self.pos)
            if self._opened:
                self._opened = _at_pos(self._opened, self.pos)
            if self._tensor and self.selected == self._tensor:
                self._tensor = _at_pos(self._tensor, self.pos)
                self.selected = self._tensor
        finally:
            self._loading = moved

    @traitlets.observe("selected")
    def _on_selected(self, change) -> None:
        if change["new"] != self._tensor:  # a tensor of the model view drawn, or none
            shown = self.current_view
            drawn = shown is not None and shown.kind == "model"
            self._tensor = change["new"] if drawn and self._drawn(change["new"]) else None
        self.graph.selected = change["new"]
        if self.view == "node":
            self._render_soon()

    @traitlets.observe("search")
    def _on_search(self, change) -> None:
        """One node found: selected, in the view drawn if it shows it, else in the view that
        does (``find``). Several: the drawn ones marked, all listed to pick from (one drawn
        match is selected too)."""
        drawn = self._mark_search()
        matches = self._search_matches()
        if len(matches) == 1 and matches[0] not in drawn and self.fp is not None:
            self.find(matches[0])
        elif len(drawn) == 1:  # one drawn: select it, which brings it into view
            self.selected = drawn[0]

    def _search_matches(self) -> list[str]:
        """The names in the pass the search matches (all of them: the list shows the first)."""
        if self.fp is None or not self.search:
            return []
        regex = pattern_regex(self.search)
        return [n for n in self.fp.index.name if n is not None and regex.fullmatch(n)]

    def find(self, name: str) -> bool:
        """Show the node ``name`` (a name, or ``#id``) and select it: in the view drawn if it
        is there, else its tensor's scalars (an entry of a model view's tensor: ``full`` view of
        the tensor; a parameter's entry: its gradient path), else its scope, else its node
        view; at its position. False, with a message, when the pass has no such node."""
        if self.fp is None:
            self.message = "nothing is drawn yet: give the explorer a document first"
            return False
        if not isinstance(name, str) or not self._known(name):
            self.message = (
                f"no node named {name!r} in this pass: search for a pattern, e.g. "
                "pos2.*.attn_weights[*]"
            )
            return False
        if self._shows(name):
            self.selected = name
            return True
        node = self.node_id(name)
        scope = self.fp.index.scope[node]
        at = parse_name(scope).pos
        if at is not None and at != self.pos:  # its position, everywhere (drawn below, once)
            self._held = True
            try:
                self.pos = at
            finally:
                self._held = False
        base = name.split("[", 1)[0]
        if "[" in name and node < self.fp.num_params:  # a parameter's entry: its path
            opened = self.open_tensor(name)
        elif "[" in name and self.tensors.find(self.fp, base, self.pos) is not None:
            opened = self.open_tensor(base)  # the tensor's scalars ("model" leads back)
        else:
            opened = False
        self.selected = name
        if opened and self._shows(name):
            return True
        for want in ({"view": "scope", "scope": scope} if scope else None, {"view": "node"}):
            if want and self._draw_now(want) and self._shows(name):
                self.message = ""
                return True
        return True  # the node view shows it (or its message says why it cannot)

    def _shows(self, name: str) -> bool:
        """Whether the view drawn shows the node ``name`` itself (not folded into a group)."""
        nodes = self.current_view.nodes if self.current_view is not None else ()
        return any(n.id == name and n.kind == "value" for n in nodes)

    def _draw_now(self, want: dict) -> bool:
        """Set the traits ``want`` (a view and its options) and draw that view now; on bad input
        the traits go back, the message says why, and False."""
        try:
            view, lay = self._build_with(want)
        except MicrogptError as e:
            self.message = str(e)
            return False
        self._draw(view, lay)
        return True

    def _build_with(self, want: dict, opening: bool = False):
        """Set the traits ``want`` (held: no redraw per trait) and build and lay out that view;
        on bad input the traits go back and the ``MicrogptError`` propagates. ``opening``: a
        tensor's scalars are being opened (the view change keeps the tensor open)."""
        before = {k: getattr(self, k) for k in want}
        self._held, self._opening = True, opening
        try:
            for k, v in want.items():
                setattr(self, k, v)
            view = self._build()
            return view, layout.layout(view)
        except MicrogptError:
            for k, v in before.items():
                setattr(self, k, v)
            raise
        finally:
            self._held = self._opening = False

    def _build(self):
        fp = self.fp
        opts = {"budget": self.budget}
        view = self.view
        if view == "overview":
            return build_view(fp, "overview", depth=self.depth, **opts)
        if view == "model":
            return build_view(fp, "model", pos=self.pos, **opts)
        if view == "position":
            return build_view(fp, "overview", depth=self.depth + 2, pos=self.pos, **opts)
        if view == "scope":
            return build_view(fp, "scope", scope=self.scope or f"pos{self.pos}", **opts)
        if view == "path":
            source = self.selected if self.selected and self._is_param(self.selected) else None
            return build_view(fp, "path", source=source or self.source or None, pos=self.pos,
                              **opts)  # fmt: skip
        if view == "node":
            node = self.node_id(self.selected) if self.selected else fp.index.root
            return build_view(fp, "node", node=node, **opts)
        if self.pattern:
            return build_view(fp, "full", pattern=self.pattern, **opts)
        return build_view(fp, "full", pos=self.pos, **opts)

    def _is_param(self, label: str) -> bool:
        return self._known(label) and self.node_id(label) < self.fp.num_params

    def _view_key(self) -> tuple:
        """What the view drawn depends on (a render asking for the same one draws nothing)."""
        keys = ("view", "depth", "budget", "scope", "pattern", "source")
        key = (id(self.fp), self.root, *(getattr(self, k) for k in keys))
        uses = self.uses_pos() or self.view == "path"
        return (*key, self.pos if uses else None, self.selected if self.view in ("node", "path")
                else None)  # fmt: skip

    def _render(self) -> None:
        if self.fp is None or self._held:
            return
        if self.current_view is not None and self._drawn_key == self._view_key():
            return  # e.g. a deferred render after the same view was drawn at once
        try:
            view = self._build()
            lay = layout.layout(view)
        except MicrogptError as e:
            self.message = str(e)
            return
        self._draw(view, lay)

    def _draw(self, view, lay) -> None:
        self.current_view = view
        self._drawn_key = self._view_key()
        if view.kind == "model":
            self.tensors.keep(self.fp, view)  # the inspector reads the same tensors
        self.graph.selected = self.selected
        self.graph.show_view(view, lay)  # title, notes and legend stay outside the canvas
        # backward's steps, for the player in the page: sent once the picture is on its way
        self.graph.backward = backward_json(self.fp, view) or ""
        self._update_crumbs()
        self._mark_search()

    def _drawn(self, node_id: str) -> bool:
        """Whether ``node_id`` is a tensor of the view drawn."""
        nodes = self.current_view.nodes if self.current_view is not None else ()
        return any(n.id == node_id and n.kind == "tensor" for n in nodes)

    def _mark_search(self) -> list[str]:
        """Highlight the drawn nodes the search matches, list the pass's matches when there are
        several, and say so in ``note``; returns the ids of the drawn ones."""
        if self.current_view is None:
            return []
        if not self.search:
            self.graph.highlight = []
            self.note = ""
            self._match_list.show([])
            return []
        drawn = drawn_matches(self.current_view, self.search)
        matches = self._search_matches()
        self.graph.highlight = drawn
        self._match_list.show(matches if len(matches) > 1 else [])
        shows_first = len(matches) == 1 and self._shows(matches[0])
        tensors = self.current_view.kind == "model"
        self.note = search_note(self.search, matches, drawn, tensors, shows_first)
        return drawn

    # -- clicks and the breadcrumb ------------------------------------------------------------
    def _on_click(self, change) -> None:
        title = self.graph.clicked
        shown = self.current_view
        if shown is not None and shown.kind == "model" and self._drawn(title):
            self.open_tensor(title)
            return
        key = NodeKey.parse(title)
        kind, rest = key.kind, key.ref
        if kind in ("group", "input", "folded") and not rest:  # the top-level group: the root
            self.selected = self.fp.index.label(self.fp.index.root)
            return
        if kind in ("group", "input", "folded"):
            if any(s == rest or s.startswith(rest + ".") for s in self.fp.index.scope):
                self.scope = rest
                self.view = "scope"
            else:  # a parameter matrix: nothing to zoom into
                self.message = f"{rest} is a parameter matrix: click one of its entries in a path"
            return
        if kind == "op" and rest:
            title = rest
        self.selected = title

    def open_tensor(self, name: str) -> bool:
        """What a click on a tensor of the model view does: select it (the inspector shows it
        as a table) and open its scalar nodes in this viewer (``scalar_view_of``): a vector's
        scalars, a parameter's gradient path, the loss's node view. When they cannot be drawn
        (e.g. a path over the budget) the message says why and the model view stays."""
        text()(self, name, "GraphExplorer.open_tensor(name)")
        if self.fp is None:
            self.message = "nothing is drawn yet: give the explorer a document first"
            return False
        shown = self.current_view
        model = shown if shown is not None and shown.kind == "model" else None
        try:
            spec = scalar_view_of(name, self.pos, model)  # a matrix: its busiest row drawn
        except MicrogptError as e:
            self.message = str(e)
            return False
        self._tensor = name
        self.selected = name
        if spec["view"] == "node":
            self.selected = self._tensor = spec["node"]
        want = {"view": spec["view"], "pattern": spec.get("pattern", ""),
                "source": spec.get("source", "")}  # fmt: skip
        try:
            view, lay = self._build_with(want, opening=True)
        except MicrogptError as e:
            self.message = f"{name}: its scalar nodes cannot be drawn here: {e}"
            return False
        self._opened = name
        self.message = ""
        self._draw(view, lay)
        return True

    def _close_tensor(self) -> None:
        """Forget the tensor opened, and the pattern or source its click set."""
        self._opened = None
        loading, self._loading = self._loading, True  # the view change draws
        try:
            self.pattern = self.source = ""
        finally:
            self._loading = loading

    def show_model(self) -> None:
        """Back to the model view, at the same position (the breadcrumb's "model")."""
        self.view = "model"

    def _update_crumbs(self) -> None:
        parts = self.scope.split(".") if self.view == "scope" and self.scope else []
        buttons = [self._crumb("whole graph", lambda: self.zoom(""))]
        for k in range(len(parts)):
            scope = ".".join(parts[: k + 1])
            buttons.append(self._crumb(parts[k], lambda scope=scope: self.zoom(scope)))
        if self.view == "model" or self._opened:
            buttons.append(self._crumb("model", self.show_model))
        if self._opened and self.view != "model":
            opened = self._opened
            buttons.append(self._crumb(opened, lambda: self.open_tensor(opened)))
        self._crumbs.children = buttons

    def _crumb(self, text: str, go) -> W.Button:
        button = W.Button(description=text, layout=W.Layout(width="auto"))
        button.on_click(lambda _: go())
        return button

    def zoom(self, scope: str) -> None:
        """Zoom into ``scope`` (``""``: back to the overview)."""
        text()(self, scope, "GraphExplorer.zoom(scope)")
        if scope:
            self.scope = scope
            self.view = "scope"
        else:
            self.scope = ""
            self.view = "overview"

    # -- export -------------------------------------------------------------------------------
    def export(self, path, force: bool = False) -> str:
        """Write the current view to ``path`` (.svg, .png, .html, .dot, .json, .txt). An existing
        file is replaced only if it is a view this package wrote (``force=True`` replaces any
        file, as the CLI's ``--force``)."""
        from .. import export as exporter

        force = flag()(self, force, "GraphExplorer.export(force=...)")
        path = check_output_path(
            path, "GraphExplorer.export(path)", force=force, replaceable=is_view_file, kind="view"
        )
        if self.current_view is None:
            raise MicrogptError("nothing is drawn yet: give the explorer a document first")
        extra = {"force": force} if "force" in signature(exporter.write_view).parameters else {}
        return str(exporter.write_view(self.current_view, path, fp=self.fp, **extra))
