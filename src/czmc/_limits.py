"""Limits every reader of untrusted documents shares (a leaf module: the YAML loader and the JSON readers use it)."""

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects czmc reads; deeper documents are refused before they are built."""
