"""base64url without padding, decoded strictly as RFC 7515 section 2 requires."""

from __future__ import annotations

import base64
import binascii

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


def encode(data: bytes) -> str:
    """base64url of ``data`` without ``=`` padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str | bytes) -> bytes:
    """Decode unpadded base64url, refusing anything RFC 7515 does not produce.

    Refused: padding, whitespace, characters outside the URL-safe alphabet (including the
    standard alphabet's ``+`` and ``/``), a length of 1 mod 4, and non-canonical encodings
    (unused trailing bits set), so that every decoded value has exactly one encoding.
    Raises ValueError.
    """
    try:
        raw = text.encode("ascii") if isinstance(text, str) else bytes(text)
    except UnicodeEncodeError:
        raise ValueError("not base64url: non-ASCII characters") from None
    remainder = len(raw) % 4
    if remainder == 1 or b"+" in raw or b"/" in raw or b"=" in raw:
        raise ValueError("not base64url: characters outside the URL-safe alphabet, padding, or an impossible length")
    try:
        # strict_mode refuses whitespace, padding inside the data and any other character.
        data = binascii.a2b_base64(raw.translate(_TO_STANDARD) + b"=" * (-len(raw) % 4), strict_mode=True)
    except binascii.Error:
        raise ValueError("not base64url: characters outside the URL-safe alphabet (or padding/whitespace)") from None
    if remainder and _ALPHABET.index(raw[-1]) & (0x0F if remainder == 2 else 0x03):
        raise ValueError("not base64url: non-canonical encoding (unused bits set)")
    return data
