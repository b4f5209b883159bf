"""The words `guess_mapping` recognises in column names, after lower-casing and reducing
punctuation to spaces: exact names per role, money and non-money words, hierarchy words by rank."""

from __future__ import annotations

import re


def normalise(name: str) -> str:
    """A column name as the words are matched: lower case, every run of punctuation a space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", name.lower()).split())


# exact names of the amount and period roles
PLANNED = (
    "planned",
    "plan",
    "budget",
    "baseline",
    "planned cost",
    "planned cost m",
    "planned amount",
    "budgeted",
    "budget amount",
    "original budget",
    "plan amount",
)
ACTUAL = (
    "actual",
    "actuals",
    "spend",
    "spent",
    "actual cost",
    "actual amount",
    "projected actual cost m",
    "actual spend",
    "cost",
    "expenditure",
    "expenditures",
)
PERIOD = (
    "period",
    "date",
    "month",
    "quarter",
    "year",
    "date reported as of",
    "report date",
    "reporting period",
    "fiscal period",
    "fiscal year",
    "as of",
    "as of date",
)
MONEY_WORDS = {
    "cost",
    "costs",
    "amount",
    "value",
    "total",
    "forecast",
    "spend",
    "budget",
    "changes",
    "eac",
    "outturn",
    "price",
    "usd",
    "eur",
    "gbp",
    "m",
    "k",
}
NOT_MONEY_WORDS = {
    "id",
    "code",
    "identifier",
    "date",
    "start",
    "completion",
    "schedule",
    "phase",
    "description",
    "name",
    "title",
    "days",
    "pid",
    "number",
    "no",
}
NOT_PERIOD = {
    "start",
    "end",
    "completion",
    "due",
    "updated",
    "created",
    "modified",
    "birth",
    "finish",
    "closed",
    "opened",
}
# hierarchy words with their usual rank (top = 0)
LEVEL_WORDS: tuple[tuple[str, int], ...] = (
    ("portfolio", 0),
    ("agency", 0),
    ("department", 0),
    ("division", 1),
    ("program", 2),
    ("programme", 2),
    ("investment", 2),
    ("category", 3),
    ("project", 4),
    ("work package", 5),
    ("contract", 5),
    ("task", 5),
    ("item", 6),
    ("line item", 6),
    ("po", 6),
    ("purchase order", 6),
)
# words that mark an id or a code (names and titles are preferred at the same rank)
ID_WORDS = {"id", "code", "identifier", "number", "no"}
