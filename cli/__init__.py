"""The ``cost-drift`` command line: a shell over the ``portfolio`` and ``forecasting`` cores."""
