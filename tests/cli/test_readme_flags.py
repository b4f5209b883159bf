"""The README's "Command line" section names every flag each command offers, and no other.

The flags are read from the parser ``cost-drift`` itself builds (``cli.main.build_parser``), so a
flag added, renamed or dropped without the README following fails here.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cli import eac
from cli.main import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"
FLAG = re.compile(r"--(?:\[no-\])?[a-z][a-z-]*")


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Command line")
    return text[start : text.index("\n## ", start + 1)]


def _commands() -> dict[str, set[str]]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: {
            flag
            for action in command._actions
            for flag in action.option_strings
            if flag.startswith("--") and flag != "--help"
        }
        for name, command in sub.choices.items()
    }


def _readme_flags() -> set[str]:
    found = set()
    for flag in FLAG.findall(_section()):
        found.add(flag.replace("[no-]", ""))
        if "[no-]" in flag:
            found.add(flag.replace("[no-]", "no-"))
    return found


@pytest.mark.parametrize("command", sorted(_commands()))
def test_the_readme_names_every_flag_of(command: str) -> None:
    assert command in _section()
    missing = sorted(_commands()[command] - _readme_flags())
    assert not missing, f"README's Command line section lacks {missing} of `{command}`"


def test_the_readme_names_no_flag_that_no_command_offers() -> None:
    offered = set().union(*_commands().values())
    assert not sorted(_readme_flags() - offered)


def test_the_readme_lists_exactly_the_model_flags_of_eac() -> None:
    section = _section()
    sentence = section[section.index("of the model flags `eac`") :]
    listed = re.search(r"`(--[a-z -]+)`", sentence)
    assert listed is not None
    assert listed.group(1).split() == [f"--{name}" for name in eac._MODEL_FLAGS]
    eac_model = {f"--{name}" for name in eac._MODEL_FLAGS}
    assert eac_model <= _commands()["eac"]
