"""Text from the data or from files, as the terminal shows it: never read as markup, never sent raw."""

from __future__ import annotations

from rich.text import Text

# Control characters but tab and line feed, by their code (\x1b): an escape sequence from the data starts
# nothing in the terminal; C1 controls too, since 0x9b is a one-byte CSI for some terminals.
TERMINAL_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in "\t\n"}


def shown(value: object, style: str = "") -> Text:
    """A value from the data or from files as terminal text: no markup read in it, no control character sent raw."""
    return Text(str(value).translate(TERMINAL_CONTROLS), style=style)
