"""The formats the period column may hold: one regex per family, in the order they are tried,
with the example the analyst is shown, the month names, and which families are labels (months,
quarters, years) rather than dates. ``portfolio.period_parse`` applies them."""

from __future__ import annotations

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}

# (family name, example shown to the analyst, regex); checked in order
FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("month", "2024-01", r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})$"),
    ("month name", "Jan 2024", r"^(?P<mn>[A-Za-z]{3,9})\.?[ -](?P<y>\d{4})$"),
    ("quarter", "2024-Q1", r"^(?P<y>\d{4})\s*-?\s*[Qq](?P<q>[1-4])$"),
    ("quarter first", "Q1 2024", r"^[Qq](?P<q>[1-4])\s*-?\s*(?P<y>\d{4})$"),
    ("year", "2024", r"^(?P<y>\d{4})$"),
    ("fiscal year", "FY2024", r"^[Ff][Yy]\s*-?\s*(?P<y>\d{4})$"),
    (
        "fiscal quarter",
        "FY2024 Q1",
        r"^[Ff][Yy]\s*-?\s*(?P<y>\d{4})\s*[- ]?\s*[Qq](?P<q>[1-4])$",
    ),
    (
        "ISO date",
        "2024-01-31",
        r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
        r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
        r"\s*(?:Z|[+-]\d{2}:?\d{2})?$",
    ),
    (
        "slashed ISO date",
        "2024/01/31",
        r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"
        r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?$",
    ),
    (
        "dotted date",
        "31.01.2024",
        r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
        r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$",
    ),
    (
        "US date",
        "01/31/2024",
        r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})"
        r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<p>[AaPp][Mm])?)?$",
    ),
)
LABEL_FREQ = {
    "month": "M",
    "month name": "M",
    "quarter": "Q",
    "quarter first": "Q",
    "year": "Y",
    "fiscal year": "Y",
    "fiscal quarter": "Q",
}
ADVICE = (
    "Use one format for the whole column: dates (2024-01-31 or 01/31/2024), "
    "months (2024-01), quarters (2024-Q1), years (2024) or fiscal years (FY2024)."
)
