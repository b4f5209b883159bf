"""A one-file HTML report: summary, charts and tables, readable offline.

plotly.js is embedded once in the page head and every chart is a ``div`` that uses it, so the
file opens without a network. Table cells are HTML-escaped and formula-neutralised (a reader may
paste them into a spreadsheet); long tables show their first ``max_rows`` rows and say so.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from portfolio.export import neutralise

_STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 2rem auto;
       max-width: 1180px; padding: 0 1rem; color: #212121; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
.meta { color: #666; font-size: .9rem; }
ul.summary li { margin: .15rem 0; }
table.data { border-collapse: collapse; font-size: .85rem; width: 100%; }
table.data th, table.data td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data th { background: #f5f5f5; }
.note { color: #666; font-size: .85rem; }
""".strip()


def _display(df: pd.DataFrame) -> pd.DataFrame:
    """Text neutralised, numbers formatted: ``*_pct`` fractions as percent, amounts with commas."""
    out = neutralise(df)
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series.dtype):
            continue
        if pd.api.types.is_float_dtype(series.dtype):
            values = series.to_numpy(dtype=float)
            if str(column).endswith("pct"):
                text = [("" if np.isnan(v) else f"{v * 100:+.1f} %") for v in values]
            else:
                text = [("" if np.isnan(v) else f"{v:,.2f}") for v in values]
            out[column] = pd.Series(text, index=out.index, dtype=object)
        elif pd.api.types.is_integer_dtype(series.dtype):
            out[column] = series.map(lambda v: f"{v:,}")
    return out


def _table_html(df: pd.DataFrame, max_rows: int) -> str:
    shown = df.head(max_rows)
    numeric = [
        pd.api.types.is_numeric_dtype(shown[c].dtype)
        and not pd.api.types.is_bool_dtype(shown[c].dtype)
        for c in shown.columns
    ]
    text = _display(shown)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in text.columns)
    body_rows = []
    for row in text.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="num">{html.escape(str(v))}</td>'
            if is_num
            else f"<td>{html.escape('' if v is None or v is pd.NA else str(v))}</td>"
            for v, is_num in zip(row, numeric, strict=True)
        )
        body_rows.append(f"<tr>{cells}</tr>")
    note = ""
    if len(df) > max_rows:
        note = f'<p class="note">First {max_rows:,} of {len(df):,} rows.</p>'
    if df.empty:
        return '<p class="note">No rows.</p>'
    return (
        f'<table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body_rows)}</tbody></table>{note}"
    )


def build_report(
    title: str,
    summary_lines: Sequence[str],
    figures: Sequence[tuple[str, go.Figure]],
    tables: Sequence[tuple[str, pd.DataFrame]],
    *,
    max_rows: int = 500,
) -> str:
    """Assemble the report as one self-contained HTML page.

    Args:
        title: Page title and heading.
        summary_lines: Short sentences listed under the heading.
        figures: (heading, chart) pairs, in order.
        tables: (heading, table) pairs, in order.
        max_rows: Most rows shown per table.

    Returns:
        The HTML text (UTF-8 safe), with plotly.js inline exactly once.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by Cost Drift.</p>',
    ]
    if summary_lines:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in summary_lines)
        parts.append(f'<ul class="summary">{items}</ul>')
    for i, (heading, fig) in enumerate(figures):
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(
            fig.to_html(
                full_html=False,
                include_plotlyjs=False,
                div_id=f"chart-{i}",
                config={"displaylogo": False, "responsive": True},
            )
        )
    for heading, table in tables:
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(_table_html(table, max_rows))
    parts.append("</body></html>")
    return "\n".join(parts)
