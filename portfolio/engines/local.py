"""The ``pandas`` engine (today's path) and the loading of any input for it.

``load_input`` reads a CSV/Excel file, standard input's bytes, or Parquet (read as text cells by
``portfolio.engines.source.parquet_raw``) and validates it with ``portfolio.load.build_portfolio``;
``rollup_table`` is ``portfolio.rollup`` and ``portfolio.alerts`` as they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from portfolio.engines.source import ParquetSource, parquet_source
from portfolio.errors import InputError
from portfolio.input_limits import DEFAULT_MAX_BYTES
from portfolio.mapping import ColumnMapping
from portfolio.rollup_columns import ROLLUP_COLUMNS

if TYPE_CHECKING:  # the loader and the rollup import pandas: the SQL engines never need them
    import pandas as pd

    from portfolio.alert_rule import AlertRule
    from portfolio.load import Portfolio

ALERTS_COLUMNS = (*ROLLUP_COLUMNS, "status")
DEFAULT_MAPPING = ColumnMapping()


@dataclass(frozen=True)
class InputSpec:
    """One input and how to read it.

    Attributes:
        file: A path (CSV, Excel, Parquet file or folder of parts), a glob of Parquet parts, or
            a name for ``data``.
        mapping: Which columns play which role.
        data: The bytes of the input when it is not a file (standard input).
        max_bytes: Refuse a CSV/Excel file (or, on the pandas engine, Parquet data) larger.
        accept_cut: Load a CSV cut mid-line without its last row.
    """

    file: str
    mapping: ColumnMapping = DEFAULT_MAPPING
    data: bytes | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    accept_cut: bool = False

    def parquet(self) -> ParquetSource | None:
        """The Parquet parts of this input, or None for CSV/Excel/bytes."""
        return None if self.data is not None else parquet_source(self.file)


def _parquet_portfolio(spec: InputSpec, source: ParquetSource) -> Portfolio:
    from portfolio.engines.source import parquet_raw
    from portfolio.load import build_portfolio

    size = sum(f.stat().st_size for f in source.files)
    if size > spec.max_bytes:
        raise InputError(
            f"{spec.file}: {size / 2**20:,.0f} MB of Parquet ({source.total_rows:,} rows) is more "
            f"than the pandas engine reads into memory (--max-mb {spec.max_bytes / 2**20:g}). "
            "Use --engine duckdb (out of core), or raise --max-mb."
        )
    p = build_portfolio(parquet_raw(source), spec.mapping, accept_cut=spec.accept_cut)
    parts = f"{len(source.files)} Parquet parts" if len(source.files) > 1 else "the Parquet file"
    notes = tuple(
        f"Read {parts} {spec.file} ({source.total_rows:,} rows)."
        if n.startswith("Read the first sheet of the Excel workbook")
        else n
        for n in p.summary.notes
    )
    return dataclasses.replace(p, summary=dataclasses.replace(p.summary, notes=notes))


def load_input(spec: InputSpec) -> Portfolio:
    """Read and validate one input with the pandas loader.

    Raises:
        InputError: A missing file, or any bad input (the loader's messages).
    """
    from portfolio.load import load_portfolio

    if spec.data is not None:
        return load_portfolio(
            spec.data,
            spec.mapping,
            name=spec.file,
            max_bytes=spec.max_bytes,
            accept_cut=spec.accept_cut,
        )
    source = parquet_source(spec.file)
    if source is not None:
        return _parquet_portfolio(spec, source)
    path = Path(spec.file)
    if not path.exists():
        raise InputError(f"{spec.file}: no such file.")
    if path.is_dir():
        raise InputError(f"{spec.file} is a folder, not a file.")
    return load_portfolio(path, spec.mapping, max_bytes=spec.max_bytes, accept_cut=spec.accept_cut)


def rollup_table(p: Portfolio, rule: AlertRule | None, latest: bool) -> pd.DataFrame:
    """The rollup (with the status under ``rule`` when given; the last period with ``latest``)."""
    from portfolio.alerts import evaluate, latest_status
    from portfolio.rollup import rollup_portfolio

    rolled = rollup_portfolio(p)
    if rule is None:
        frame = rolled
        if latest:
            frame = frame[frame["period"] == p.periods[-1]].reset_index(drop=True)
        return frame.loc[:, list(ROLLUP_COLUMNS)]
    statuses = evaluate(rolled, rule)
    if latest:
        statuses = latest_status(statuses)
    return statuses.loc[:, list(ALERTS_COLUMNS)]
