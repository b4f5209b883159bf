"""Work that joins the two cores, shared by both shells (the app and the ``cost-drift`` CLI).

Shells (``app.py``, ``app_pages/``, ``ui/``, ``cli/``) import from here; the cores
(``portfolio``, ``forecasting``) never do, and never import each other.
"""
