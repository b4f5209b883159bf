"""The pandas loader's message for repeated (item, period) rows, worked out on an SQL engine from
the view ``kept_r`` (``portfolio.engines.sqlperiods``): only a bad file pays for it."""

from __future__ import annotations

import pyarrow as pa

from portfolio import messages
from portfolio.engines.sqlbase import Ctx, rows_text
from portfolio.errors import InputError
from portfolio.rownums import plural


def raise_duplicates(c: Ctx, levels: tuple[str, ...], period_col: str | None, total: int) -> None:
    """The pandas loader's message for repeated (item, period) rows, from the view ``kept_r``."""
    keys = ", ".join(c.ls)
    c.s.view(
        "dup",
        f"SELECT {keys}, stamp, COUNT(*) AS n FROM kept_r GROUP BY {keys}, stamp "
        "HAVING COUNT(*) > 1",
    )
    c.s.view("leaf_first", f"SELECT {keys}, MIN(__row) AS lr FROM kept_r GROUP BY {keys}")
    pick = c.s.rows(
        f"SELECT {keys}, dup.stamp, dup.n FROM dup JOIN leaf_first USING ({keys}) "
        f"JOIN (SELECT DISTINCT stamp, ord FROM pmap) o ON dup.stamp = o.stamp "
        f"ORDER BY leaf_first.lr, o.ord, dup.stamp LIMIT 1"
    )[0]
    values = [str(v) for v in pick[: c.k]]
    stamp, n_group = int(pick[c.k]), int(pick[c.k + 1])
    c.s.register(
        "pick", pa.table({**{x: [v] for x, v in zip(c.ls, values, strict=True)}, "stamp": [stamp]})
    )
    c.s.view("dup_rows", f"SELECT kept_r.* FROM kept_r JOIN dup USING ({keys}, stamp)")
    c.s.view("pick_rows", f"SELECT kept_r.* FROM kept_r JOIN pick USING ({keys}, stamp)")
    bad_first = c.first("TRUE", "dup_rows")
    group_first = c.first("TRUE", "pick_rows")
    path = " / ".join(v for v in values if v != "")
    when = ""
    if period_col is not None:
        cell = c.s.rows(f"SELECT per FROM pick_rows WHERE __row = {group_first[0]}")[0][0]
        when = f" in {str(cell).strip()!r}"
    extra = total - int(c.s.rows("SELECT COUNT(*) FROM dup")[0][0])  # beyond each group's first
    raise InputError(
        messages.REPEATED_ITEM_PERIOD.format(
            file=c.file,
            count=plural(extra, "row"),
            verb="repeats" if extra == 1 else "repeat",
            rows=rows_text(bad_first, total),
            path=path,
            when=when,
            group_rows=rows_text(group_first, n_group),
            what="an item and period" if period_col is not None else "an item",
            leaf=levels[-1],
        ),
        column=levels[-1] if period_col is None else period_col,
        rows=bad_first,
    )
