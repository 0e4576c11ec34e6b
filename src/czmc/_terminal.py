"""Text for terminals: content czmc did not write, made safe to print."""

from __future__ import annotations

import re

__all__ = ["escape_controls"]

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` safe to print on a terminal: control characters written as ``\\xNN``/``\\uNNNN``.

    Credentials, file names and registry records are not trusted: an ESC or OSC sequence in
    them could recolour, retitle or rewrite a terminal (or hide a line), a newline could forge
    a line of output ("VALID"), a bidirectional override could make text read backwards.
    Escaped are the C0 and C1 controls (newline and tab included), DEL, the left-to-right and
    right-to-left marks, the line and paragraph separators and the bidirectional embeddings,
    overrides and isolates. Every text renderer of czmc passes content through this; JSON
    output is escaped by JSON itself.
    """
    return _CONTROLS.sub(_escaped, text)
