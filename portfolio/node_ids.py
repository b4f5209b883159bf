"""How node ids are spelled: the root's name, the separator of a path, and what a separator
inside a level value is written as. ``portfolio.tree`` builds the ids; the SQL engines write the
same ids (``portfolio.engines.sqltext``) without importing pandas."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

ROOT = "All"
SEP = " / "
ESCAPED_SEP = " \u2215 "


def _loose(node_id: str) -> str:
    """An id as a person may type it: any case, the written separator as a plain slash, any
    spacing around a slash."""
    text = node_id.replace(ESCAPED_SEP, SEP).casefold()
    return "/".join(part.strip() for part in text.split("/"))


def closest_ids(node: str, ids: Sequence[str], most: int = 3) -> list[str]:
    """The ids ``node`` most likely meant: those equal to it but for case, spacing around a slash
    or a slash inside a name (written ``" ∕ "``), else up to ``most`` similar ones."""
    wanted = _loose(node)
    loose: dict[str, str] = {}
    for i in ids:
        loose.setdefault(_loose(i), i)
    if wanted in loose:
        return [loose[wanted]]
    return [loose[m] for m in difflib.get_close_matches(wanted, list(loose), n=most, cutoff=0.75)]


def did_you_mean(node: str, ids: Sequence[str]) -> str:
    """`` Did you mean 'X'?`` (with a leading space) for the closest ids, or an empty string."""
    near = closest_ids(node, ids)
    if not near:
        return ""
    return " Did you mean " + " or ".join(repr(n) for n in near) + "?"
