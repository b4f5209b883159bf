"""Where the rows come from: a CSV/Excel file as today, or Parquet (a file, a folder, a glob).

A lake keeps a table as a folder of Parquet parts (``part-0000.parquet`` ...), so ``FILE`` may be
one ``.parquet`` file, a folder holding ``*.parquet`` files (searched recursively, hidden and
``_``-prefixed files skipped, as Spark and DuckDB do), or a glob pattern. The parts are read in
sorted path order and their rows numbered as one CSV with a header would number them: the first
data row of the first part is row 2, and every later part carries on from the one before. Every
engine names a bad row by that number.

Only the footers are read to count the rows (``pyarrow.parquet``), so the count is free.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from portfolio.errors import InputError

if TYPE_CHECKING:
    from portfolio.reading import RawTable

PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")


@dataclass(frozen=True)
class ParquetSource:
    """The Parquet parts of one input, in reading order.

    Attributes:
        name: The input as the analyst gave it (shown in messages).
        files: The parts, sorted by path.
        rows: Data rows per part (from the footers).
    """

    name: str
    files: tuple[Path, ...]
    rows: tuple[int, ...]

    @property
    def total_rows(self) -> int:
        """Data rows over every part."""
        return int(sum(self.rows))

    @property
    def offsets(self) -> tuple[int, ...]:
        """Rows before each part (the first part's first row is file row ``offset + 2``)."""
        out, seen = [], 0
        for n in self.rows:
            out.append(seen)
            seen += n
        return tuple(out)

    def schema(self) -> pa.Schema:
        """The schema of the first part (every part must have the same columns)."""
        return pq.read_schema(self.files[0])


def _is_parquet_file(path: Path) -> bool:
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == PARQUET_MAGIC
    except OSError:
        return False


def _visible(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return not any(p.startswith((".", "_")) for p in parts)


def parquet_source(spec: str) -> ParquetSource | None:
    """The Parquet parts named by ``spec``, or None when ``spec`` is not Parquet (a CSV, Excel).

    Raises:
        InputError: A folder or glob with no Parquet part, or parts with different columns.
    """
    path = Path(spec)
    if any(ch in spec for ch in "*?[") and not path.exists():
        files = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
        files = [f for f in files if _is_parquet_file(f)]
        if not files:
            raise InputError(f"{spec}: no Parquet file matches this pattern.")
    elif path.is_dir():
        files = sorted(
            f
            for f in path.rglob("*")
            if f.is_file() and _visible(f, path) and f.suffix.lower() in PARQUET_SUFFIXES
        )
        if not files:
            raise InputError(
                f"{spec} is a folder without Parquet files (*.parquet); give a CSV or Excel "
                "file, a Parquet file, or a folder of Parquet parts."
            )
    elif path.is_file() and _is_parquet_file(path):
        files = [path]
    else:
        return None
    rows, names = [], None
    for f in files:
        try:
            meta = pq.read_metadata(f)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"{spec}: {f.name} is not a readable Parquet file ({exc}).") from exc
        cols = tuple(meta.schema.to_arrow_schema().names)
        if names is None:
            names = cols
        elif set(cols) != set(names):
            raise InputError(
                f"{spec}: the Parquet parts do not have the same columns ({files[0].name} has "
                f"{', '.join(names)}; {f.name} has {', '.join(cols)})."
            )
        rows.append(int(meta.num_rows))
    return ParquetSource(name=spec, files=tuple(files), rows=tuple(rows))


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return column.cast(pa.large_string())


def parquet_raw(source: ParquetSource, columns: Sequence[str] | None = None) -> RawTable:
    """Read Parquet parts as a ``RawTable`` (every cell as text, "" for null; rows numbered from 2).

    The pandas engine validates this table with the same loader as a CSV, so every message is
    the CSV's. Numbers become their shortest text (``1234.5``), dates ``2024-01-31``.
    """
    import pandas as pd  # the pandas engine's path only

    from portfolio.reading import RawTable

    tables = [pq.read_table(f, columns=list(columns) if columns else None) for f in source.files]
    table = pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    cols = {}
    for name in table.column_names:
        text = _as_text(table[name]).fill_null("")
        cols[str(name)] = pd.Series(pd.arrays.ArrowStringArray(text.combine_chunks()), copy=False)
    frame = pd.DataFrame(cols, copy=False)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return RawTable(frame=frame, name=source.name, encoding="parquet", delimiter="")
