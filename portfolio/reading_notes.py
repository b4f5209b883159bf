"""What the loader tells the analyst about how the file was read (delimiter and encoding or the
Excel sheet, a header below the first line, line breaks inside values) and its refusal of a file
cut off mid-row unless the analyst agreed to load it without the incomplete rows."""

from __future__ import annotations

from portfolio.errors import InputError
from portfolio.reading import RawTable
from portfolio.rownums import describe_rows, plural


def reading_notes(raw: RawTable, n_rows: int, accept_cut: bool) -> list[str]:
    """How the file was read, as notes; refuses a file cut mid-row unless accepted."""
    file = raw.name
    notes: list[str] = []
    if raw.delimiter:
        notes.append(
            f"Read {file} as {raw.delimiter_name}-separated text in {raw.encoding.upper()}."
        )
    else:
        notes.append(f"Read the first sheet of the Excel workbook {file}.")
    if raw.header_row > 1:
        notes.append(
            f"The header is on row {raw.header_row}; the "
            f"{plural(raw.header_row - 1, 'line')} above it (blank, a title or a 'sep=' hint) "
            f"{'was' if raw.header_row == 2 else 'were'} skipped."
        )
    if raw.line_breaks:
        n = len(raw.line_breaks)
        notes.append(
            f"{describe_rows(raw.line_breaks).capitalize()} {'holds' if n == 1 else 'hold'} a "
            "line break inside a quoted value: each row is counted once, as a spreadsheet shows "
            "it, so from there on a row number is below the line number a text editor shows."
        )
    if raw.cut_rows:
        one = raw.cut_rows == 1
        if not accept_cut:
            raise InputError(
                f"{file} looks cut off: {plural(raw.cut_rows, 'row')} at the end "
                f"{'is' if one else 'are'} incomplete (the file ends in the middle "
                f"of a row). The {plural(n_rows, 'complete row')} can be loaded without "
                f"{'it' if one else 'them'} if you agree (tick 'Load without the "
                "incomplete rows', or --accept-cut on the command line); otherwise export the "
                "file again."
            )
        notes.append(
            f"The file was cut off mid-row: {plural(raw.cut_rows, 'incomplete row')} at the end "
            "left out, as agreed."
        )
    return notes
