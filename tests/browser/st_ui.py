"""Drive the Cost Drift app in a real browser: small helpers over Streamlit's rendered DOM.

Widgets are found by the ``st-key-<key>`` class Streamlit gives every keyed widget (the keys are the
contract in docs/ARCHITECTURE.md) and by Streamlit's ``data-testid`` attributes. Streamlit reruns
the script asynchronously after each interaction, so every helper that changes something waits
for the visible result it expects instead of sleeping.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from playwright.sync_api import FilePayload, Locator, Page, expect

NAV_ATTEMPTS = 3
APP_TIMEOUT_MS = 30_000  # a normal rerun; the sample portfolio's first rollup included
TRAIN_TIMEOUT_MS = (
    300_000  # TensorFlow import plus a tiny training on 2 cores shared with other work
)
# The Forecast sliders for the smallest network they allow: 1 layer of 4 units, 1 member,
# 2 epochs, short windows (a run of a few seconds once TensorFlow is loaded).
TINY_FORECAST = {
    "fc_layers": 1,
    "fc_units": 4,
    "fc_members": 1,
    "fc_lookback": 3,
    "fc_horizon": 2,
    "fc_epochs": 2,
    "fc_backtest": 1,
}
# A column only the Alerts page's alert table has: its top-contributors table also has "Node".
ALERT_TABLE_COLUMN = "Variance % to date"
PAGES = (
    "Overview",
    "Hierarchy",
    "Alerts",
    "Attribution",
    "Plan versions",
    "Forecast",
    "At completion",
    "Export",
)


def by_key(page: Page, key: str) -> Locator:
    """The element container of the widget with this Streamlit key."""
    return page.locator(f".st-key-{key}")


def wait_idle(page: Page, timeout: float = APP_TIMEOUT_MS) -> None:
    """Wait until the app is connected and no script run is in progress."""
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)


def open_app(page: Page, url: str, path: str = "") -> None:
    """Open the app (optionally at a page path) and wait for the sidebar's first full run."""
    page.goto(f"{url}/{path}".rstrip("/"))
    expect(by_key(page, "source")).to_be_visible(timeout=60_000)
    wait_idle(page, timeout=60_000)
    assert_no_exception(page)


def assert_no_exception(page: Page) -> None:
    """Fail when Streamlit shows an exception box (a traceback) anywhere on the page."""
    boxes = page.get_by_test_id("stException")
    if boxes.count():
        raise AssertionError(f"the app shows an exception: {boxes.first.inner_text()[:800]}")


def go_to(
    page: Page, title: str, timeout: float = APP_TIMEOUT_MS, heading: str | None = None
) -> None:
    """Open a page through the sidebar navigation (keeps the session) and wait for its header
    (``heading``, when it differs from the navigation's ``title``).

    A click that lands while the app is still busy with the run before it (an upload being read)
    can be dropped: when the app has gone idle without showing the page, the link is clicked
    again (a bounded number of times).
    """
    link = page.get_by_test_id("stSidebarNavLink").filter(has_text=re.compile(rf"^{title}$"))
    header = page.get_by_role("heading", name=heading or title, exact=True).first
    for _ in range(NAV_ATTEMPTS):
        link.click()
        try:
            expect(header).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            wait_idle(page, timeout=timeout)
            if header.is_visible():
                break
    expect(header).to_be_visible(timeout=timeout)
    wait_idle(page, timeout=timeout)
    assert_no_exception(page)


def choose_radio(page: Page, key: str, option: str, attempts: int = 3) -> None:
    """Select ``option`` of the radio ``key`` and wait until the app keeps it selected.

    A click that lands while the app is still registering its pages can be dropped (seen with a
    ``pages/`` folder beside ``st.navigation``), so the choice is checked after the rerun and
    made again, a bounded number of times.
    """
    radio = by_key(page, key).get_by_role("radio", name=option, exact=True)
    for _ in range(attempts):
        radio.check(force=True)
        wait_idle(page)
        try:
            expect(radio).to_be_checked(timeout=3_000)
            return
        except AssertionError:
            continue
    expect(radio).to_be_checked(timeout=1_000)


def upload_file(page: Page, name: str, content: bytes, mime: str = "text/csv") -> None:
    """Give the sidebar's file uploader a file, as a drag-and-drop or the file dialog would."""
    choose_radio(page, "source", "Upload a file")
    file_input = by_key(page, "upload").locator("input[type=file]")
    payload: FilePayload = {"name": name, "mimeType": mime, "buffer": content}
    file_input.set_input_files(files=[payload])
    expect(by_key(page, "upload")).to_contain_text(name, timeout=APP_TIMEOUT_MS)


def upload_path(page: Page, path: Path) -> None:
    """Upload a file from disk through the sidebar's file uploader."""
    upload_file(page, path.name, path.read_bytes())


def metric(page: Page, label: str) -> Locator:
    """The value element of the ``st.metric`` with exactly this label (in the main area)."""
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").filter(has_text=label_re)
    )
    return box.get_by_test_id("stMetricValue")


def metric_number(page: Page, label: str) -> float:
    """A metric's value as a number (``1,234``, ``-1.25 M``, ``2.00 bn``, ``+3.4 %``)."""
    return parse_figure(metric(page, label).inner_text())[0]


def assert_metric(page: Page, label: str, want: float) -> None:
    """The metric ``label`` shows ``want``, up to the rounding of how it is written."""
    expect(metric(page, label)).to_be_visible()
    text = metric(page, label).inner_text()
    value, rounding = parse_figure(text)
    assert abs(value - want) <= rounding, f"{label} shows {text!r}, the core says {want:,.2f}"


def parse_figure(text: str) -> tuple[float, float]:
    """Read a figure as the app shows it, and half a unit of its last shown digit.

    Handles thousands separators, the ``M`` and ``bn`` suffixes and ``%``.
    """
    cleaned = text.strip().replace(",", "").replace("\u2212", "-").replace("%", "").strip()
    scale = 1.0
    for suffix, factor in (("bn", 1e9), ("M", 1e6)):
        if cleaned.endswith(suffix):
            cleaned, scale = cleaned[: -len(suffix)].strip(), factor
    decimals = len(cleaned.split(".")[1]) if "." in cleaned else 0
    return float(cleaned) * scale, 0.5 * 10.0**-decimals * scale + 1e-6


def slider_value(page: Page, key: str) -> str:
    """The value the slider ``key`` shows (its thumb's aria-valuetext)."""
    return by_key(page, key).get_by_role("slider").get_attribute("aria-valuetext") or ""


def press_slider(page: Page, key: str, *keys: str) -> None:
    """Focus the slider's thumb and press keys on it (Home, End, ArrowRight, ArrowLeft ...)."""
    thumb = by_key(page, key).get_by_role("slider")
    thumb.focus()
    for name in keys:
        page.keyboard.press(name)


def set_slider(page: Page, key: str, target: float, attempts: int = 5) -> None:
    """Move a slider to ``target`` with the keyboard: Home or End for its ends, else arrows.

    Each key goes to the thumb itself (``Locator.press`` focuses it first), because a rerun can
    redraw the slider and take the focus away; after each key the thumb's value is awaited.
    A rerun started by an earlier key can put an older value back (the Forecast page assigns
    its slider keys in ``st.session_state`` on every run), so the move is checked once the app
    is idle and repeated, a bounded number of times.
    """
    thumb = by_key(page, key).get_by_role("slider")

    def value() -> float:
        return float(thumb.get_attribute("aria-valuetext") or "nan")

    def press(name: str) -> None:
        before = thumb.get_attribute("aria-valuetext") or ""
        thumb.press(name)
        with contextlib.suppress(AssertionError):  # at an end the value does not move
            expect(thumb).not_to_have_attribute("aria-valuetext", before, timeout=3_000)

    low = float(thumb.get_attribute("min") or "nan")
    high = float(thumb.get_attribute("max") or "nan")
    for _ in range(attempts):
        if abs(target - low) < 1e-9:
            press("Home")
        elif abs(target - high) < 1e-9:
            press("End")
        for _ in range(400):
            current = value()
            if abs(current - target) < 1e-9:
                break
            press("ArrowRight" if current < target else "ArrowLeft")
        wait_idle(page)
        if abs(value() - target) < 1e-9:
            return
    raise AssertionError(f"slider {key} shows {value()}, not {target}, after {attempts} tries")


def multiselect_set(page: Page, key: str, values: list[str]) -> None:
    """Replace the choices of the multiselect ``key`` with ``values`` (in that order).

    The chosen values are read from the tags by CSS: while the option list is open the rest of
    the page is hidden from the accessibility tree.
    """
    box = by_key(page, key)
    tags = box.locator("[data-tag]")
    for _ in range(20):
        if not tags.count():
            break
        tags.first.locator("button").click()
        wait_idle(page)
    expect(tags).to_have_count(0)
    for value in values:
        field = box.get_by_role("combobox")
        field.click()
        field.press_sequentially(value)
        page.get_by_role("option", name=value, exact=True).click()
        page.keyboard.press("Escape")
        expect(box.locator(f'[data-tag][aria-label="{value}"]')).to_be_visible()
        wait_idle(page)
    expect(tags).to_have_count(len(values))


def selectbox_set(page: Page, key: str, value: str) -> None:
    """Choose ``value`` in the selectbox ``key`` (typing it to filter, then picking the option)."""
    field = by_key(page, key).get_by_role("combobox")
    field.click()
    field.press_sequentially(value)
    page.get_by_role("option", name=value, exact=True).click()
    expect(field).to_have_value(value)
    wait_idle(page)


def grid(page: Page, header: str) -> Locator:
    """The ``st.dataframe`` that has a column titled ``header``.

    Streamlit 1.67 gives data frames no ``st-key-`` class, so a table is found by a column title;
    choose a title no other table on the page has (``grid_cells`` checks there is one match).
    """
    title = page.locator("th[role=columnheader]").filter(
        has_text=re.compile(rf"^\s*{re.escape(header)}\s*$")
    )
    return page.get_by_test_id("stDataFrame").filter(has=title)


def grid_cells(page: Page, header: str, timeout: float = APP_TIMEOUT_MS) -> list[str]:
    """The texts of the visible cells of the ``st.dataframe`` that has the column ``header``.

    Streamlit draws data frames on a canvas; the grid keeps an accessible copy of the visible
    cells inside it (a moment after drawing), which is what is read here.
    """
    frame = grid(page, header)
    expect(frame).to_have_count(1, timeout=timeout)  # two tables would mix their cells
    cells = frame.locator("td[role=gridcell]")
    expect(cells.first).to_be_attached(timeout=timeout)
    return [c.strip() for c in cells.all_text_contents()]


def sidebar_errors(page: Page) -> list[str]:
    """The texts of the error boxes in the sidebar."""
    alerts = page.get_by_test_id("stSidebar").get_by_test_id("stAlertContentError")
    return [t.strip() for t in alerts.all_inner_texts()]
