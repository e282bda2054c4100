"""Views in hidden tabs draw when shown: a Dashboard redraws only what is on screen.

A view that mixes in ``ShownLater`` starts its ``_draw`` with ``if self._later(): return``.
While the view is concealed (its tab not selected) that records that a drawing is due and
skips it; ``reveal()`` (its tab selected) draws it then, once. The view's state (its pass, its
position, its selection) is always kept current: only the drawing waits. A view used on its
own is never concealed.
"""

from __future__ import annotations

__all__ = ["ShownLater"]


class ShownLater:
    """Mixin: ``conceal()`` / ``reveal()``, and ``_later()`` at the top of ``_draw``."""

    _concealed = False
    _due = False

    def _later(self) -> bool:
        """True, noting that a drawing is due, while the view is concealed."""
        if self._concealed:
            self._due = True
            return True
        return False

    def conceal(self) -> None:
        self._concealed = True

    def reveal(self) -> None:
        """Shown: draw now if a drawing came due while concealed."""
        self._concealed = False
        if self._due:
            self._due = False
            self._draw()
