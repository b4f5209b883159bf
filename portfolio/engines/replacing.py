"""Outputs that appear whole or not at all: written beside the target, renamed on success."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from portfolio.errors import InputError


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out``, renamed to ``out`` only when the block succeeds."""
    out = out.resolve()
    if not out.parent.is_dir():
        raise InputError(f"Could not write {out}: the folder {out.parent} does not exist.")
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp = tmp_dir / out.name
    try:
        yield tmp
        if out.is_dir():
            shutil.rmtree(out)
        elif out.exists() and tmp.is_dir():  # a folder of parts (Spark) replaces a file
            out.unlink()
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
