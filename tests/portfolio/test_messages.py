"""The words of the input checks live once (``portfolio.messages``): the pandas loader and the
SQL checks both format the shared templates, and no other module carries a copy of their text."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from portfolio import messages

PORTFOLIO = Path(messages.__file__).parent
ENGINES = PORTFOLIO / "engines"


def _sources(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}


def _longest_words(template: str) -> str:
    """The longest stretch of a template's text between its fields."""
    parts = [lit for lit, _f, _s, _c in string.Formatter().parse(template)]
    return max(parts, key=len).strip()


@pytest.mark.parametrize("name", messages.SHARED)
def test_both_sides_format_the_shared_template(name: str) -> None:
    used = re.compile(rf"\bmessages\.{name}\b")
    loader = [f for f, text in _sources(PORTFOLIO).items() if used.search(text)]
    sql = [f for f, text in _sources(ENGINES).items() if used.search(text)]
    assert loader and sql, (name, loader, sql)


@pytest.mark.parametrize(
    "name", [n for n in dir(messages) if n.isupper() and isinstance(getattr(messages, n), str)]
)
def test_no_module_copies_the_words(name: str) -> None:
    words = _longest_words(getattr(messages, name))
    assert len(words) >= 12, name  # long enough to be the template's own words
    for folder in (PORTFOLIO, ENGINES, PORTFOLIO.parent / "cli", PORTFOLIO.parent / "app_pages"):
        for file, text in _sources(folder).items():
            if file != "messages.py":
                flat = " ".join(re.sub(r'"\s*\n\s*[rfbu]*"', "", text).split())
                assert words not in flat, (name, file)


def test_every_template_formats_with_its_fields() -> None:
    names = [n for n in dir(messages) if n.isupper() and isinstance(getattr(messages, n), str)]
    assert set(messages.SHARED) <= set(names)
    for name in names:
        template = getattr(messages, name)
        fields = {f: spec for _l, f, spec, _c in string.Formatter().parse(template) if f}
        text = template.format(**{f: 12345 if spec else f"<{f}>" for f, spec in fields.items()})
        assert "{" not in text and "<file>" in text and text.endswith("."), name
        if name.startswith("SQL_"):
            assert "--engine pandas" in text, name  # a refusal says what to do instead
