"""What a finished forecast run was trained with, in words, for both shells.

The app's verdict area and ``cost-drift forecast`` (standard error, and the JSON key ``tuning``)
say the same thing: the settings the networks were trained with, and how the automatic ones
(lookback, units, learning rate) were chosen (``forecasting.tuning``: one row per candidate of
the search, the chosen one marked).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from forecasting.settings import ModelSettings
from forecasting.tuning import TUNING_COLUMNS

# A sentence ends at a full stop (after a word or a closing bracket) followed by a capital letter;
# decimals ("1.06") and model names never are.
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)]\.)\s+(?=[A-Z])")


def verdict_lines(text: str) -> list[str]:
    """The verdict's sentences, one per line, for a reader who scans (the app lists them)."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def shown_verdict(text: str) -> list[str]:
    """The verdict's sentences as the shells show them: without its "Automatic settings" one,
    since both shells print :func:`settings_text` and :func:`tuning_text` right below it."""
    return [s for s in verdict_lines(text) if not s.startswith("Automatic settings")]


def settings_text(settings: ModelSettings, lookbacks: Sequence[int] = ()) -> str:
    """Every setting the networks trained with, as one line (a batch size of 0 reads
    "automatic"; the search itself is ``tuning_text``). ``lookbacks``: each member's lookback
    (``Ensemble.member_lookbacks``), said as the networks' shares when they differ."""
    batch = str(settings.batch_size) if settings.batch_size else "automatic"
    layers = f"{settings.layers} layer{'s' if settings.layers > 1 else ''}"
    lo, hi = settings.quantiles
    counts = Counter(lookbacks)
    lookback = f"lookback {settings.lookback}"
    if len(counts) > 1:
        shares = ", ".join(f"{n} at {lb}" for lb, n in counts.items())
        lookback = f"lookbacks {' and '.join(str(lb) for lb in counts)} ({shares} networks)"
    return (
        f"{lookback}, horizon {settings.horizon}, {layers} of "
        f"{settings.units} units, learning rate {settings.learning_rate:g}, batch size {batch}, "
        f"scaler {settings.scaler}, loss {settings.loss}, "
        f"calendar inputs {'on' if settings.calendar else 'off'}, "
        f"differencing {'on' if settings.difference else 'off'}, "
        f"logs of all-positive nodes {'on' if settings.log_positive else 'off'}, "
        f"{settings.members} network(s), seed {settings.seed}, dropout {settings.dropout:g}, "
        f"up to {settings.epochs} epochs with patience {settings.patience}"
        f"{', then trained again on every window' if settings.refit else ''}, "
        f"{settings.val_fraction:g} of the windows kept for early stopping, "
        f"search budget {settings.tune_seconds:g} s, "
        f"run-to-run spread quantiles {lo:g}-{hi:g}"
    )


def tuning_table(run: Any) -> pd.DataFrame:
    """The run's search for the automatic settings (``TUNING_COLUMNS``; empty when none)."""
    table = getattr(run, "tuning", None)
    if not isinstance(table, pd.DataFrame):
        return pd.DataFrame(columns=TUNING_COLUMNS)
    return table.reset_index(drop=True)


def tuning_text(run: Any) -> str:
    """How the automatic settings were chosen, in plain words (from the run's tuning table)."""
    table = tuning_table(run)
    if table.empty:
        if getattr(run, "train_seconds", 0.0) == 0.0:
            return "A saved model was used: its settings were chosen when it was trained."
        return "No automatic settings: every searched setting (lookback, units, rate) was given."
    status = table["status"].astype(str)
    chosen = table[status.str.startswith("chosen")]
    row = chosen.iloc[0] if not chosen.empty else table.iloc[0]
    pick = f"lookback {int(row['lookback'])}, {int(row['units'])} units, learning rate "
    pick += f"{float(row['learning_rate']):g}"
    scored = int(table["score"].notna().sum())
    if scored == 0:
        why = str(row["status"]).removeprefix("chosen").strip(" ()")
        return f"Automatic settings: {pick} ({why or 'no search'})."
    skipped = int(status.str.startswith("skipped").sum())
    tail = f"; {skipped} skipped by the budget" if skipped else ""
    return (
        f"Automatic settings: {pick}, the lowest validation error (MASE-like, "
        f"{float(row['score']):.3f}) of {scored} candidate(s) trained on an inner split{tail}."
    )


def plan_ahead_text(forecast: pd.DataFrame, *, carried: bool = False) -> str:
    """Where the plan of the forecast periods came from, in words, counted over the modelled
    nodes' cells (``planned_source``; ``carried``: a file of levels, whose missing plan is held
    where it stands rather than its last season repeated)."""
    rows = (
        forecast[forecast["model"].astype(str) != "bottom-up"] if "model" in forecast else forecast
    )
    if rows.empty or "planned_source" not in rows:
        return ""
    rule = (
        "each node's plan stays where it stands"
        if carried
        else "each node's plan repeats its last season (a cut taken as 0)"
    )
    periods = sorted(rows["period"].astype(str).unique())
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    assumed = int((rows["planned_source"] != "plan").sum())
    if assumed == 0:
        return f"Plan ahead: from your file for every forecast period ({span})."
    if assumed == len(rows):
        return f"Plan ahead: your file has no plan for {span}, so the forecast assumes {rule}."
    return (
        f"Plan ahead: your file gives {len(rows) - assumed} of the {len(rows)} node-periods "
        f"of {span}; for the other {assumed} the forecast assumes {rule}."
    )
