"""Streamlit-side glue of the Cost Drift app: sidebar, cached loaders, training worker, store.

Only ``app.py`` and ``pages/`` import this package; the cores (``portfolio``, ``forecasting``)
never do.
"""
