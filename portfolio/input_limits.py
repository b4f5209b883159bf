"""The default size limit of an input the pandas loader reads into memory (``--max-mb``), apart
from ``portfolio.reading`` so that a shell reads it without importing pandas."""

from __future__ import annotations

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
