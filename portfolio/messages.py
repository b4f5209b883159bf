"""The words of the input checks, kept once for every engine.

The pandas loader (``portfolio.load`` and its steps) and the SQL checks of Parquet input
(``portfolio.engines.sqlcheck``, ``sqlperiods``) both format these templates, so a bad row is named
the same way whichever engine found it, and a change of wording reaches both. Each template is a
``str.format`` pattern; the fields are:

- ``file``: the input as the analyst named it;
- ``column``: a column's name as written in the file; ``named``: ``portfolio.columns.named``
  (the name, with its role when the name does not say it);
- ``rows``, ``leaf_rows``, ``parent_rows``, ``group_rows``: row wording of
  ``portfolio.rownums.describe_rows`` (or ``describe_count`` where only the first rows and the
  count are at hand); ``count``: ``plural(n, 'row')``;
- ``planned``, ``actual``: the planned and actual columns as mapped (``A - B`` for a difference);
- the rest as each template says.

``SQL_*`` are said only by the SQL engines: what they leave to the pandas engine.
"""

from __future__ import annotations

NO_DATA_ROWS = "{file} has a header but no data rows."

NOT_FINITE = (
    "{file}: column '{column}' has values that are not finite amounts on {rows} (e.g. "
    "{example!r}): NaN, infinity, numbers too large, or spreadsheet errors such as #N/A cannot be "
    "added up. Fix them in the source, or leave the cell blank if there is no figure."
)

NO_COST = "{file}: no row has a cost figure: '{planned}' and '{actual}' are blank on every row."

LEVEL_GAP = (
    "{file}: column '{column}' is blank on {rows} while a lower level ({below}) is filled. Only "
    "the lowest levels may be blank (the row is then an item directly under the level above)."
)

TOP_LEVEL_BLANK = (
    "{file}: column '{column}' is blank on {rows}: every row needs at least its top hierarchy "
    "level."
)

ITEM_AND_PARENT = (
    "{file}: '{path}' is an item on {leaf_rows} (column '{column}' blank) but has items below it "
    "on {parent_rows}. A parent's figures must be the sum of its children: put those amounts on "
    "a child row (fill in '{column}'), or move them."
)

PERIOD_BLANK = "{file}: column '{column}' is blank on {rows}. Every row needs its period."

PLANNED_BLANK = (
    "{file}: {named} is blank on {rows} although '{actual}' has a figure. Enter 0 where nothing "
    "was planned."
)

ACTUAL_BLANK = (
    "{file}: {named} is blank on {rows} although '{planned}' has a figure. Enter 0 where nothing "
    "was spent."
)

ACTUAL_BLANK_BEFORE_LAST = (
    "{file}: {named} is blank on {rows}, in periods up to the item's last actual figure. Enter 0 "
    "where nothing was spent (a blank actual is only read as plan ahead after an item's last "
    "actual)."
)

REPEATED_ITEM_PERIOD = (
    "{file}: {count} {verb} {what} already in the file (among {rows}); for example "
    "'{path}'{when} is on {group_rows}. If these are different items, choose a finest level "
    "column ('{leaf}' now) that names each item once, such as an ID column; if they are parts "
    "of one item, remove the repeats or tick 'Sum duplicate rows' (command line: "
    "--sum-duplicates) to add them up."
)

NO_ACTUAL_YET = (
    "{file}: no row has an actual figure ('{actual}' is blank everywhere), so there is nothing "
    "to compare the plan with yet."
)

SQL_TEXT_AMOUNTS = (
    "{file}: column '{column}' holds its amounts as text with more than {limit:,} different "
    "values; the {engine} engine reads text amounts through a table of at most that many. Use "
    "--engine pandas, or write the column as numbers."
)

SQL_BASELINE = (
    "{file}: the {engine} engine does not roll up a baseline plan (--baseline '{column}'). Use "
    "--engine pandas for the baseline columns, or leave --baseline out."
)

# Every template both sides say (tests/portfolio/test_messages.py checks that both use them).
SHARED = (
    "NO_DATA_ROWS",
    "NOT_FINITE",
    "NO_COST",
    "LEVEL_GAP",
    "TOP_LEVEL_BLANK",
    "ITEM_AND_PARENT",
    "PERIOD_BLANK",
    "PLANNED_BLANK",
    "ACTUAL_BLANK",
    "ACTUAL_BLANK_BEFORE_LAST",
    "REPEATED_ITEM_PERIOD",
    "NO_ACTUAL_YET",
)
