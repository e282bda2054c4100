"""The parameter layout: how ``GPT.params`` (one flat list) maps onto the model's matrices.

``GPT.params`` holds every parameter matrix by matrix (in ``GPTConfig.matrix_shapes()`` order),
row by row, entry by entry: Adam's order. Training keeps its moments flat, checkpoints keep
them as matrices by key, the float kernels want the matrices as lists of rows, and snapshots
keep one gradient norm per matrix. Every one of those walks is written here, once.

Sits just above ``model``'s ``GPTConfig`` (it reads only ``matrix_shapes()``); imported by
``model``, ``floats``, ``train``, ``checkpoint`` and the explorer. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .errors import ArgumentTypeError, ConfigError
from .validate import check_int

__all__ = ["ParamLayout"]


class ParamLayout:
    """The matrices of a config, in ``params`` order: ``shapes`` maps each key to
    ``(rows, cols)``; ``size`` is the number of parameters."""

    __slots__ = ("shapes", "size")

    def __init__(self, config) -> None:
        if not callable(getattr(config, "matrix_shapes", None)):
            raise ArgumentTypeError(
                f"ParamLayout(config) takes a GPTConfig, got {type(config).__name__}: e.g. "
                "ParamLayout(run.config)"
            )
        self.shapes: dict[str, tuple[int, int]] = config.matrix_shapes()
        self.size = sum(rows * cols for rows, cols in self.shapes.values())

    def _spans(self):
        """``(key, rows, cols, start)`` of each matrix: where its entries start in ``params``."""
        start = 0
        for key, (rows, cols) in self.shapes.items():
            yield key, rows, cols, start
            start += rows * cols

    def matrices(self, flat: Sequence[float]) -> list[list[list[float]]]:
        """``flat`` (``params`` order) as matrices (rows are slices of ``flat``: lists of a
        list), in ``matrix_shapes`` order."""
        if not isinstance(flat, Sequence) or len(flat) != self.size:
            got = len(flat) if isinstance(flat, Sequence) else type(flat).__name__
            raise ConfigError(f"the layout holds {self.size} parameters, got {got}")
        return [
            [flat[i + r * cols : i + (r + 1) * cols] for r in range(rows)]
            for _, rows, cols, i in self._spans()
        ]

    def split(self, flat: Sequence[float]) -> dict[str, list[list[float]]]:
        """``flat`` (``params`` order) as matrices by key: ``{"wte": [[...], ...], ...}``."""
        return dict(zip(self.shapes, self.matrices(flat)))

    def flatten(self, by_key: dict[str, Sequence[Sequence]]) -> list:
        """Matrices by key (a checkpoint's weights or moments, a ``state_dict``) as one flat
        list in ``params`` order; keys not in the layout are ignored."""
        return [x for key in self.shapes for row in by_key[key] for x in row]

    def norms(self, grads: Sequence[float]) -> dict[str, float]:
        """Each matrix's Euclidean norm of ``grads`` (``params`` order). Training, the replay
        and the explorer's live view all call this, so their snapshots hold the same floats."""
        return {
            key: math.sqrt(sum([g * g for g in grads[i : i + rows * cols]]))  # a list: faster
            for key, rows, cols, i in self._spans()
        }

    def locate(self, index: int) -> tuple[str, int, int]:
        """``(key, row, column)`` of the parameter at ``index`` in ``params``."""
        index = check_int(index, "parameter index", 0, self.size - 1)
        for key, rows, cols, start in self._spans():
            if index < start + rows * cols:
                return key, (index - start) // cols, (index - start) % cols
        raise AssertionError("unreachable: the index was checked")  # pragma: no cover
