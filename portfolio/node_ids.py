"""How node ids are spelled: the root's name, the separator of a path, and what a separator
inside a level value is written as. ``portfolio.tree`` builds the ids; the SQL engines write the
same ids (``portfolio.engines.sqltext``) without importing pandas."""

from __future__ import annotations

ROOT = "All"
SEP = " / "
ESCAPED_SEP = " \u2215 "
