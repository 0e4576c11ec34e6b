"""DID syntax (DID Core 3.1): pure patterns that the model and the resolver both use.

Kept apart from :mod:`czmc.did`, which resolves DIDs (keys, HTTP), so that the model checks
an identifier's shape without importing the network edge.
"""

from __future__ import annotations

import re

__all__ = ["DID_PATTERN"]

# DID Core 3.1: did = "did:" method-name ":" method-specific-id; idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
_IDCHARS = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
DID_PATTERN = re.compile(rf"did:[a-z0-9]+:(?:{_IDCHARS}*:)*{_IDCHARS}+")
"""DID syntax (DID Core 3.1), to be used with ``fullmatch``."""
