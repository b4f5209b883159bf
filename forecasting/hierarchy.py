"""Coherent forecasts across the hierarchy: the public names of the three parts, in one place.

- ``forecasting.tree``: :class:`Hierarchy`, the checked tree built once from the edge list
  ``DataFrame[node, parent]``, and ``ancestors_map``, ``cut_nodes``, ``summing_matrix``;
- ``forecasting.bottom_up``: member paths summed up the tree (``bottom_up_members``), the median
  and band per node (``summarise``) and the coherent forecast frame (``bottom_up``);
- ``forecasting.reconciliation``: OLS / WLS / MinT ``reconcile`` and ``reconcilable``.

Every function that needs the tree takes either the edge frame or a prebuilt ``Hierarchy``; build
it once (``Hierarchy.from_edges``) when a call path runs several of them.
"""

from __future__ import annotations

from forecasting.bottom_up import bottom_up, bottom_up_members, summarise
from forecasting.reconciliation import reconcilable, reconcile
from forecasting.tree import Hierarchy, ancestors_map, as_hierarchy, cut_nodes, summing_matrix

__all__ = [
    "Hierarchy",
    "ancestors_map",
    "as_hierarchy",
    "bottom_up",
    "bottom_up_members",
    "cut_nodes",
    "reconcilable",
    "reconcile",
    "summarise",
    "summing_matrix",
]
