"""Text from a dispatcher made safe for a terminal: what tenants wrote is shown, never obeyed.

A tenant's log lines, exception messages and outputs reach the operator's terminal (``dwctl
logs``, ``make dev``). Printed as they are, an escape sequence in them would act on that
terminal (clear it, retitle it, write the clipboard with OSC 52, hide what follows), a
carriage return or newline would forge a line that looks like the dispatcher's, and a
bidirectional override would show text in another order than it is. ``printable`` shows
each such character as an escape (``\\x1b``, ``\\n``, ``\\u202e``) instead.
"""

from __future__ import annotations

import re

#: Characters a terminal acts on rather than shows: C0 controls (tab aside), DEL, C1 controls
#: (0x9b is a one-character CSI), and Unicode's bidirectional embeddings, overrides, isolates.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: A colour sequence (SGR) as wrangler writes them, kept where colours are allowed.
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: str, *, newlines: bool = False, colours: bool = False) -> str:
    """``text`` with every character a terminal would act on shown as an escape.

    ``newlines``: keep line feeds (text whose lines the caller made); ``colours``: keep
    colour sequences (``ESC [ ... m``, a dev server's own log).
    """
    if colours:
        parts = _COLOUR.split(text)
        kept = _COLOUR.findall(text)
        escaped = [printable(part, newlines=newlines) for part in parts]
        return "".join(p + k for p, k in zip(escaped, [*kept, ""], strict=True))
    if newlines:
        return "\n".join(printable(line) for line in text.split("\n"))
    return _UNSAFE.sub(_shown, text)
