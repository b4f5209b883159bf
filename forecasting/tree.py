"""The tree of a hierarchy, built once from its edge list and handed to every step that needs it.

The hierarchy arrives as an edge list ``DataFrame[node, parent]`` (the root's parent is ``""``,
missing or absent). It may be ragged: leaves can sit at different depths. :class:`Hierarchy`
checks it (no blank node, no node with two parents, no cycle) and holds the parent, ancestor and
children maps; the functions of ``forecasting.bottom_up`` and ``forecasting.reconciliation``
accept either the edge frame or a prebuilt ``Hierarchy``, so a caller running several steps
(``forecasting.pipeline.run_forecast``) builds it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from forecasting.errors import ForecastError
from forecasting.tables import require_columns


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _parent_map(edges: pd.DataFrame) -> dict[str, str | None]:
    """Node -> parent (None for a root), with duplicates and cycles rejected."""
    require_columns(edges, ["node", "parent"], "hierarchy")
    parents: dict[str, str | None] = {}
    for pos, (node, parent) in enumerate(zip(edges["node"], edges["parent"], strict=True)):
        if _is_blank(node):
            raise ForecastError(f"The hierarchy table has a blank node at row {pos + 1}.")
        key = str(node)
        value = None if _is_blank(parent) else str(parent)
        if value == key:
            raise ForecastError(f"Node '{key}' is listed as its own parent.")
        if key in parents and parents[key] != value:
            raise ForecastError(
                f"Node '{key}' has two parents in the hierarchy: '{parents[key]}' and '{value}'."
            )
        parents[key] = value
    for parent in list(parents.values()):
        if parent is not None and parent not in parents:
            parents[parent] = None
    return parents


def _ancestor_chains(parents: Mapping[str, str | None]) -> dict[str, tuple[str, ...]]:
    """Every node's ancestors, nearest first; a cycle is refused."""
    out: dict[str, tuple[str, ...]] = {}
    for start in parents:
        seen = {start}
        chain: list[str] = []
        current = parents[start]
        while current is not None:
            if current in seen:
                raise ForecastError(f"The hierarchy has a cycle through node '{current}'.")
            seen.add(current)
            chain.append(current)
            current = parents.get(current)
        out[start] = tuple(chain)
    return out


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """A checked tree: parent, ancestors (nearest first) and children (in edge order) per node.

    Build it with :meth:`from_edges`; the maps are read-only.
    """

    parents: Mapping[str, str | None]
    ancestors: Mapping[str, tuple[str, ...]]
    children: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_edges(cls, edges: pd.DataFrame) -> Hierarchy:
        """The tree of ``DataFrame[node, parent]`` (an empty frame gives an empty tree).

        Raises:
            ForecastError: missing columns, a blank node, a node with two parents, or a cycle.
        """
        if not len(edges):
            return cls(MappingProxyType({}), MappingProxyType({}), MappingProxyType({}))
        parents = _parent_map(edges)
        kids: dict[str, list[str]] = {}
        for node, parent in parents.items():
            if parent is not None:
                kids.setdefault(parent, []).append(node)
        return cls(
            parents=MappingProxyType(parents),
            ancestors=MappingProxyType(_ancestor_chains(parents)),
            children=MappingProxyType({k: tuple(v) for k, v in kids.items()}),
        )

    def ancestors_of(self, node: str) -> tuple[str, ...]:
        """The ancestors of ``node``, nearest first (none for a node outside the tree)."""
        return self.ancestors.get(node, ())

    def children_of(self, node: str) -> tuple[str, ...]:
        """The children of ``node`` (none for a leaf or a node outside the tree)."""
        return self.children.get(node, ())


def as_hierarchy(edges: pd.DataFrame | Hierarchy) -> Hierarchy:
    """``edges`` itself when it is already a :class:`Hierarchy`, else the tree built from it."""
    return edges if isinstance(edges, Hierarchy) else Hierarchy.from_edges(edges)


def ancestors_map(edges: pd.DataFrame | Hierarchy) -> dict[str, list[str]]:
    """Every node's ancestors, nearest first.

    Args:
        edges: ``DataFrame[node, parent]`` (the root's parent is blank) or a built tree.

    Returns:
        ``{node: [parent, grandparent, ..., root]}`` for every node named in ``edges`` (a root maps
        to ``[]``).

    Raises:
        ForecastError: missing columns, a node with two parents, or a cycle.
    """
    if not isinstance(edges, Hierarchy):
        require_columns(edges, ["node", "parent"], "hierarchy")  # even when empty
    tree = as_hierarchy(edges)
    return {node: list(chain) for node, chain in tree.ancestors.items()}


def cut_nodes(edges: pd.DataFrame | Hierarchy, depth: int) -> list[str]:
    """The nodes that partition the tree at a depth: nodes at ``depth`` plus shallower leaves.

    In a ragged hierarchy some branches end above ``depth``; their leaves must be modelled too for
    the bottom-up totals to cover the whole portfolio.

    Args:
        edges: ``DataFrame[node, parent]`` or a built tree.
        depth: 0 for the root, 1 for its children, and so on.

    Returns:
        Node ids sorted by name.
    """
    tree = as_hierarchy(edges)
    return sorted(
        n
        for n, a in tree.ancestors.items()
        if len(a) == depth or (len(a) < depth and n not in tree.children)
    )


def summing_matrix(
    edges: pd.DataFrame | Hierarchy, bottom_nodes: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """The summing matrix ``S`` that maps bottom series to themselves and all their ancestors.

    Args:
        edges: ``DataFrame[node, parent]`` or a built tree.
        bottom_nodes: the series that are summed (no one of them may be an ancestor of another).
            A node absent from ``edges`` is treated as a top-level series with no ancestors.

    Returns:
        ``(S, all_nodes)``: ``S`` is ``[len(all_nodes), len(bottom_nodes)]`` of 0/1 and
        ``all_nodes`` lists the ancestors (by depth, then name) followed by ``bottom_nodes`` in the
        given order.

    Raises:
        ForecastError: empty or repeated bottom nodes, or one bottom node above another.
    """
    bottom = [str(b) for b in bottom_nodes]
    if not bottom:
        raise ForecastError("There are no forecast series to add up.")
    dupes = sorted({b for b in bottom if bottom.count(b) > 1})
    if dupes:
        raise ForecastError(f"These series are listed more than once: {', '.join(dupes[:5])}.")
    tree = as_hierarchy(edges)
    bottom_set = set(bottom)
    clash = [b for b in bottom for a in tree.ancestors_of(b) if a in bottom_set]
    if clash:
        raise ForecastError(
            f"Series '{clash[0]}' lies under another forecast series; the series to add up must "
            "not contain one another (model one level, or a cut of the tree)."
        )
    aggregates = sorted(
        {a for b in bottom for a in tree.ancestors_of(b)},
        key=lambda n: (len(tree.ancestors_of(n)), n),
    )
    all_nodes = aggregates + bottom
    row = {n: i for i, n in enumerate(all_nodes)}
    s = np.zeros((len(all_nodes), len(bottom)), dtype=np.float64)
    for j, b in enumerate(bottom):
        s[row[b], j] = 1.0
        for a in tree.ancestors_of(b):
            s[row[a], j] = 1.0
    return s, all_nodes
