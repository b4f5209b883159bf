"""A re-forecast export's amounts: a current forecast and its total change since the original.

Capital-project exports often carry no "planned" or "actual" column but the current estimate of a
project's cost at each report (NYC's ``Budget Forecast``) beside how much it has changed since the
original budget (``Total Budget Changes``). The drift an analyst follows there is the estimate
against the original: planned = estimate - total changes, actual = estimate, both levels (the
estimate as it stood at each report, not spend in the period). ``reforecast_pair`` finds such a
pair by the words of the names, for ``guess_mapping`` (which the analyst confirms).
"""

from __future__ import annotations

from collections.abc import Sequence

from portfolio.column_words import NOT_MONEY_WORDS, normalise

# the current estimate of a cost
ESTIMATE_WORDS = {"forecast", "estimate", "estimated", "projected", "eac", "current", "latest"}
# a change since the original (a "total" one, not the latest report's)
CHANGE_WORDS = {"change", "changes", "variance"}
TOTAL_WORDS = {"total", "cumulative", "net"}
# the amount both columns must name, so that they are of the same money
AMOUNT_NOUNS = {"budget", "cost", "costs", "amount", "value", "spend"}


def _words(name: str) -> set[str]:
    return set(normalise(name).split())


def reforecast_pair(columns: Sequence[str]) -> tuple[str, str] | None:
    """``(estimate, total_changes)`` columns naming the same amount, or None.

    The estimate's name has an estimate word (forecast, estimate, projected...) and no change
    word; the change column's has a change word and a total word (``Total Budget Changes``, not
    ``Latest Budget Changes``); neither has a word of a non-money column (schedule, days, id...).
    The first such pair in column order wins.
    """
    usable = [c for c in columns if not _words(c) & NOT_MONEY_WORDS]
    estimates = [c for c in usable if _words(c) & ESTIMATE_WORDS and not _words(c) & CHANGE_WORDS]
    changes = [c for c in usable if _words(c) & CHANGE_WORDS and _words(c) & TOTAL_WORDS]
    for est in estimates:
        nouns = _words(est) & AMOUNT_NOUNS
        for chg in changes:
            if nouns & _words(chg):
                return est, chg
    return None
