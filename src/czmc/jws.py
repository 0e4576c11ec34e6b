"""Compact JWS (RFC 7515), parsed strictly before anything in it is trusted, and signed.

Parsing refuses: tokens over the size limit, anything but exactly three base64url segments
(no padding, no whitespace, no other alphabet, canonical encodings only), a header or
payload that is not a UTF-8 JSON object, duplicate member names, ``NaN``/``Infinity``,
nesting too deep to parse safely, and ``crit`` (czmc understands no critical extension).

Signing computes the signature directly (the JOSE libraries spend 3-4x the signature on
copying and re-serialising); the header is serialised once per key and format.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from czmc import _b64
from czmc.inputs import MAX_DEPTH, nesting_depth
from czmc.keys import Key

__all__ = ["MAX_TOKEN_BYTES", "JwsError", "ParsedJws", "encode_header", "parse", "sign", "strict_json"]

MAX_TOKEN_BYTES = 256 * 1024
"""Largest token czmc parses by default; a micro-credential JWT is 5-30 KiB."""

_MAX_HEADER_BYTES = 8 * 1024


class JwsError(ValueError):
    """A token that is not a well-formed compact JWS; ``code`` says which rule it broke."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A syntactically valid compact JWS. Nothing in it is verified yet."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _reject_constant(name: str) -> Any:
    raise JwsError("jws.json", f"{name} is not JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise JwsError("jws.duplicate_member", f"duplicate member name {duplicate!r}")
    return result


def strict_json(data: bytes, what: str) -> dict[str, Any]:
    """Parse ``data`` as a UTF-8 JSON object, refusing duplicates, non-JSON constants and deep nesting."""
    # Fast path: orjson parses RFC 8259 JSON only; if re-serialising gives the same bytes the
    # text had no duplicate member (a duplicate would make the output shorter).
    try:
        fast = orjson.loads(data)
        if isinstance(fast, dict) and orjson.dumps(fast) == data:
            return fast
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, TypeError, RecursionError):
        pass  # the strict parser below says exactly what is wrong
    try:
        text = data.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise JwsError("jws.encoding", f"{what} is not UTF-8") from None
    except RecursionError:
        raise JwsError("jws.too_deep", f"{what} is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise JwsError("jws.json", f"{what} is not JSON: {error.msg} at position {error.pos}") from None
    except JwsError:
        raise  # a duplicate member or a constant, said by the hooks (JwsError is a ValueError)
    except ValueError:  # an integer beyond Python's int-str conversion limit
        raise JwsError("jws.json", f"{what} has an integer longer than {sys.get_int_max_str_digits()} digits") from None
    if not isinstance(value, dict):
        raise JwsError("jws.json", f"{what} must be a JSON object")
    if nesting_depth(value) > MAX_DEPTH:
        raise JwsError("jws.too_deep", f"{what} nests deeper than {MAX_DEPTH} levels")
    return value


def parse(token: str | bytes, *, max_bytes: int = MAX_TOKEN_BYTES) -> ParsedJws:
    """Split and decode a compact JWS; raises :class:`JwsError` on any deviation.

    Nesting: a payload that orjson round-trips byte-exactly (at most 255 levels) is accepted
    here without counting levels, to keep verification fast; anything else must stay within
    :data:`czmc.inputs.MAX_DEPTH`. Callers that walk the payload recursively (the content
    checks of :func:`czmc.verification.verify`) check :func:`czmc.inputs.nesting_depth` first.
    """
    if len(token) > max_bytes:
        raise JwsError("jws.too_large", f"token of {len(token)} bytes exceeds the limit of {max_bytes}")
    try:
        raw = token.encode("ascii") if isinstance(token, str) else bytes(token)
    except UnicodeError:
        raise JwsError("jws.syntax", "a compact JWS is ASCII only") from None
    if not raw.isascii():
        raise JwsError("jws.syntax", "a compact JWS is ASCII only")
    parts = raw.split(b".")
    if len(parts) != 3:
        raise JwsError("jws.syntax", f"a compact JWS has exactly three segments, got {len(parts)}")
    header_b64, payload_b64, signature_b64 = parts
    if not header_b64 or not payload_b64 or not signature_b64:
        raise JwsError("jws.syntax", "empty JWS segment (detached or unsigned tokens are not accepted)")
    if len(header_b64) > _MAX_HEADER_BYTES:
        raise JwsError("jws.too_large", "JWS header is too large")
    try:
        header_bytes = _b64.decode(header_b64)
        payload_bytes = _b64.decode(payload_b64)
        signature = _b64.decode(signature_b64)
    except ValueError as error:
        raise JwsError("jws.base64url", str(error)) from None
    header = strict_json(header_bytes, "JWS header")
    if "crit" in header:
        raise JwsError("jws.crit", "critical header extensions ('crit') are not supported")
    payload = strict_json(payload_bytes, "JWS payload")
    return ParsedJws(header, payload, header_b64 + b"." + payload_b64, signature)


def encode_header(header: Mapping[str, Any]) -> bytes:
    """base64url of the compact JSON of a protected header."""
    return _b64.encode(orjson.dumps(dict(header))).encode("ascii")


def sign(header_b64: bytes, payload: Mapping[str, Any] | bytes, key: Key) -> str:
    """A compact JWS of ``payload`` (a JSON object, or its bytes) under an encoded header."""
    payload_bytes = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    signing_input = header_b64 + b"." + _b64.encode(payload_bytes).encode("ascii")
    return (signing_input + b"." + _b64.encode(key.sign(signing_input)).encode("ascii")).decode("ascii")
