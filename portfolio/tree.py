"""The tree of a hierarchy, modelled once: node ids, names, parents and depths by integer index.

A `Tree` is built once per call path and passed on: by `build_tree` from the rows of a portfolio
(the rollup sums into it) or by `tree_of` from a rollup (the bridge to forecasting cuts it). Nodes
are grouped by depth, the root (``ROOT``, depth 0) first, so every level is a contiguous slice.

Node ids are the non-blank level values joined by ``SEP``; a ``" / "`` inside a level value is
written ``" ∕ "`` (U+2215) in ids so that different paths never share an id (`path_id`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portfolio.errors import InputError
from portfolio.node_ids import ESCAPED_SEP, ROOT, SEP


def path_id(values: Sequence[str]) -> str:
    """The node id of a path of level values (a blank ends the path), as the rollup makes it."""
    parts = []
    for value in values:
        if value == "":
            break
        parts.append(str(value).replace(SEP, ESCAPED_SEP))
    return SEP.join(parts) if parts else ROOT


@dataclass(frozen=True, eq=False)
class Tree:
    """Every node of a hierarchy, grouped by depth.

    Attributes:
        ids: Node id per node index (object array of str).
        names: Last path element per node index (``ROOT`` for the root).
        parent: Index of the parent (-1 for the root).
        offsets: ``offsets[d]`` is the first index of depth ``d``; ``offsets[-1]`` the node count.
        depth: Depth per node index (derived).
        is_leaf: True where a node has no children (derived).
    """

    ids: np.ndarray
    names: np.ndarray
    parent: np.ndarray
    offsets: tuple[int, ...]
    depth: np.ndarray = field(init=False, repr=False)
    is_leaf: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = self.offsets[-1]
        depth = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))
        children = np.bincount(self.parent[self.parent >= 0], minlength=n)
        object.__setattr__(self, "depth", depth)
        object.__setattr__(self, "is_leaf", children == 0)

    @property
    def size(self) -> int:
        """The number of nodes, the root included."""
        return int(self.offsets[-1])

    @property
    def max_depth(self) -> int:
        """The deepest level that has nodes (0 for a tree of the root only)."""
        return int(self.depth.max()) if self.size else 0

    def parent_ids(self) -> np.ndarray:
        """The parent's id per node (``""`` for the root)."""
        return np.where(self.parent >= 0, self.ids[np.maximum(self.parent, 0)], "")

    def check_level(self, level: int) -> None:
        """Refuse a level the tree does not have, listing those it has.

        Raises:
            InputError: No node sits at `level`.
        """
        levels = np.unique(self.depth).tolist()
        if level not in levels:
            raise InputError(
                f"There is no level {level} in this portfolio; the levels are "
                f"{', '.join(str(v) for v in levels)} (0 is the whole portfolio)."
            )

    def cut(self, level: int) -> np.ndarray:
        """Node indices of the complete cut at `level`: the nodes at that depth plus the leaves
        that end above it (a ragged branch), in node-index order.

        Raises:
            InputError: No node sits at `level`.
        """
        self.check_level(level)
        return np.flatnonzero((self.depth == level) | ((self.depth < level) & self.is_leaf))

    def index_of(self, node: str) -> int | None:
        """The index of a node id, or None when the tree has no such node."""
        hits = np.flatnonzero(self.ids == node)
        return int(hits[0]) if hits.size else None

    def children(self, index: int) -> np.ndarray:
        """The indices of a node's children, in node-index order."""
        return np.flatnonzero(self.parent == index)

    def leaves_under(self, index: int) -> np.ndarray:
        """The indices of the leaves below a node (the node itself when it is a leaf)."""
        under = np.zeros(self.size, dtype=bool)
        under[index] = True
        for depth in range(int(self.depth[index]) + 1, len(self.offsets) - 1):
            lo, hi = self.offsets[depth], self.offsets[depth + 1]
            under[lo:hi] = under[self.parent[lo:hi]]  # parents sit at the depth above
        return np.flatnonzero(under & self.is_leaf)

    def edges(self) -> pd.DataFrame:
        """``DataFrame[node, parent]`` of every node in index order (the root's parent is "")."""
        return pd.DataFrame(
            {
                "node": pd.array(self.ids, dtype="str"),
                "parent": pd.array(self.parent_ids().astype(object), dtype="str"),
            }
        )


@dataclass(frozen=True, eq=False)
class RowTree:
    """A tree built from rows, with each row's deepest node (its leaf)."""

    tree: Tree
    row_node: np.ndarray


def _check_unique(ids: np.ndarray) -> None:
    index = pd.Index(ids)
    if len(ids) and index.has_duplicates:
        dup = index[index.duplicated()].unique()[:3]
        raise InputError(
            "Two different hierarchy paths give the same node id: "
            + ", ".join(repr(str(d)) for d in dup)
            + ". Rename one of the level values."
        )


def build_tree(data: pd.DataFrame, levels: Sequence[str]) -> RowTree:
    """The tree of the level columns of `data` ("" below a ragged leaf), nodes numbered in order
    of first appearance per depth, and each row's deepest node.

    Raises:
        InputError: Two different paths give the same node id.
    """
    n_rows = len(data)
    ids: list[np.ndarray] = [np.array([ROOT], dtype=object)]
    names: list[np.ndarray] = [np.array([ROOT], dtype=object)]
    parents: list[np.ndarray] = [np.array([-1], dtype=np.int64)]
    offsets = [0, 1]
    row_node = np.zeros(n_rows, dtype=np.int64)
    prev_code = np.zeros(n_rows, dtype=np.int64)
    for depth, column in enumerate(levels, start=1):
        val_code, uniques = pd.factorize(data[column], sort=False)
        val_code = np.asarray(val_code, dtype=np.int64)
        uniques = np.asarray(uniques, dtype=object)
        blank = np.flatnonzero(uniques == "")
        present = (val_code >= 0) & (prev_code >= 0)
        if blank.size:
            present &= val_code != blank[0]
        width = max(len(uniques), 1)
        code = np.full(n_rows, -1, dtype=np.int64)
        sub_code, key_uniques = pd.factorize(prev_code[present] * width + val_code[present])
        code[present] = sub_code
        key_uniques = np.asarray(key_uniques, dtype=np.int64)
        parent_local = key_uniques // width
        node_names = uniques[key_uniques % width]
        id_parts = pd.Series(node_names, dtype=object).str.replace(SEP, ESCAPED_SEP)
        id_parts = id_parts.to_numpy(dtype=object)
        node_ids = id_parts if depth == 1 else ids[-1][parent_local] + SEP + id_parts
        ids.append(np.asarray(node_ids, dtype=object))
        names.append(np.asarray(node_names, dtype=object))
        parents.append(parent_local + offsets[-2])
        row_node = np.where(code >= 0, code + offsets[-1], row_node)
        offsets.append(offsets[-1] + len(key_uniques))
        prev_code = code
    all_ids = np.concatenate(ids)
    _check_unique(all_ids)
    tree = Tree(all_ids, np.concatenate(names), np.concatenate(parents), tuple(offsets))
    return RowTree(tree, row_node)


def tree_of(rolled: pd.DataFrame) -> Tree:
    """The tree of a rollup (columns ``node``, ``level``, ``parent``, ``name``), in rollup order.

    Raises:
        InputError: A parent that is not a node of the rollup.
    """
    first = ~rolled["node"].duplicated().to_numpy()
    nodes = rolled.loc[first, ["node", "level", "parent", "name"]]
    nodes = nodes.sort_values("level", kind="stable")
    ids = nodes["node"].to_numpy(dtype=object)
    parent = pd.Index(ids).get_indexer(nodes["parent"].to_numpy(dtype=object))
    root = nodes["parent"].to_numpy(dtype=object) == ""
    if ((parent < 0) & ~root).any():
        raise InputError("The rollup names a parent that is not one of its nodes.", column="parent")
    depth = nodes["level"].to_numpy(dtype=np.int64)
    counts = np.bincount(depth) if len(depth) else np.zeros(0, dtype=np.int64)
    offsets = (0, *np.cumsum(counts).tolist())
    return Tree(ids, nodes["name"].to_numpy(dtype=object), parent.astype(np.int64), offsets)
