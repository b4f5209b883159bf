"""The one exception type the forecasting core raises for bad settings, data or model bundles."""

from __future__ import annotations


class ForecastError(Exception):
    """A forecasting problem explained in the analyst's words (never a traceback in the UI)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
