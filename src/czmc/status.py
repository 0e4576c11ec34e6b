"""Revocation and suspension with W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025).

The pure core builds and reads status lists: a bitstring of at least :data:`MIN_ENTRIES`
(16 KB, §2.2), index ``i`` at bit ``0x80 >> (i % 8)`` of byte ``i // 8`` (the left-most bit
is index 0), published as ``encodedList = "u" + base64url(gzip(bits))`` (a multibase
base64url string without padding) inside a ``BitstringStatusListCredential``. The verifier
side, :class:`StatusChecker`, implements the validate algorithm of §3.2 for the
``credentialStatus`` of a verified credential.

Design choices:

- **One** ``credentialStatus`` object per credential (:func:`status_entry`): VCDM 2.0 allows
  a list, but the Open Badges 3.0 JSON Schema allows only a single object, and requires its
  ``id``. Verifiers here still read a list of entries, since other issuers emit them.
- ``revocation`` is the default purpose: a micro-credential is normally withdrawn for good
  (an error, fraud). ``suspension`` is reversible and is the issuer's per-credential choice
  (e.g. pending an appeal); a credential carries the one entry its issuer chose.
- Indexes should be allocated randomly (§6.1 herd privacy); that is the issuing registry's
  job (:mod:`czmc.registry`), not this module's: here an index is only a position.
- The checker is **offline by default**: nothing is fetched unless the caller passes a
  fetcher (:class:`~czmc.http.HttpsFetcher`, :class:`~czmc.http.DirectoryFetcher`) or pins
  signed lists. A list that cannot be had is :attr:`StatusState.UNKNOWN`, never "valid" and
  never "revoked".
- A status list is trusted only as a credential of the same issuer: it is verified with
  :func:`czmc.vcjwt.verify_proof` (key bound to the list's issuer), its validity window and JSON-LD terms
  and its issuer must be the credential's. Lists are secured as VC-JWTs, as the credentials
  are (§3.6: same securing mechanism for both).
"""

from __future__ import annotations

import re
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from czmc import _b64, did, http, jsonld, jws, vcdm, vcjwt
from czmc.errors import CzmcError, StatusError
from czmc.http import _host_problem
from czmc.inputs import MAX_DEPTH, nesting_depth
from czmc.keys import Algorithm, PublicKey

__all__ = [
    "CACHE_BYTES",
    "LIST_ACCEPT",
    "MAX_LIST_BYTES",
    "MAX_LIST_TOKEN_BYTES",
    "MIN_ENTRIES",
    "StatusChecker",
    "StatusPurpose",
    "StatusResult",
    "StatusState",
    "decode_list",
    "encode_list",
    "get_bit",
    "list_credential",
    "new_bitstring",
    "set_bit",
    "status_entry",
]

MIN_ENTRIES = 131_072
"""The smallest status list, in entries of one bit: 16 KB (§2.2, §6.1 herd privacy)."""

MAX_LIST_BYTES = 16 * 1024 * 1024
"""Largest decompressed bitstring a verifier accepts by default (134,217,728 entries)."""

MAX_LIST_TOKEN_BYTES = 1024 * 1024
"""Largest signed status-list JWT a verifier parses by default; a sparse 1M-entry list is ~10 KB."""

CACHE_BYTES = 64 * 1024 * 1024
"""Default bound of a :class:`StatusChecker`'s list cache: decoded bitstrings plus list tokens, in bytes.

64 MiB hold 4,000 lists of the 16 KB minimum, or 4 of the largest lists accepted by default.
"""

LIST_ACCEPT = "application/vc+jwt, application/jwt, application/vc, */*;q=0.1"
"""The ``Accept`` header for fetching a status list (``HttpsFetcher(accept=LIST_ACCEPT)``)."""

_VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
_LIST_TYPE = "BitstringStatusListCredential"
_SUBJECT_TYPE = "BitstringStatusList"
_ENTRY_TYPE = "BitstringStatusListEntry"
# gzip member header (RFC 1952 §2.3): magic, CM=8 (deflate), FLG=0, MTIME=0, XFL=0, OS=3
# (what zlib writes on Unix, and the spec's example uses): fixed, so output is deterministic.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_GZIP_LEVEL = 4  # measured: ~1 ms for 1M entries; 6 is 2-4x slower for ~10% smaller output
_INDEX = re.compile(r"0|[1-9][0-9]{0,99}")
_MISSING: Any = object()
_JWT_CLAIMS = frozenset({"iss", "jti", "nbf", "exp", "sub"})


class StatusPurpose(StrEnum):
    """The status purposes czmc issues and checks (§2.1); ``refresh`` and ``message`` are not supported."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"


# --- the bitstring ---------------------------------------------------------------------------


def new_bitstring(entries: int = MIN_ENTRIES) -> bytearray:
    """A cleared bitstring of ``entries`` bits: at least :data:`MIN_ENTRIES`, a multiple of 8 (§2.2)."""
    if type(entries) is not int or entries < MIN_ENTRIES or entries % 8:
        raise StatusError(
            "status.size", f"a status list has at least {MIN_ENTRIES} entries and a multiple of 8; got {entries!r}"
        )
    return bytearray(entries // 8)


def _position(bits: bytes | bytearray, index: int) -> tuple[int, int]:
    if type(index) is not int or not 0 <= index < len(bits) * 8:
        raise StatusError("status.range", f"index {index!r} is outside the list's {len(bits) * 8} entries")
    return index >> 3, 0x80 >> (index & 7)


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    """Set (or with ``value=False`` clear) entry ``index``: bit ``0x80 >> (index % 8)`` of byte ``index // 8``."""
    byte, mask = _position(bits, index)
    if value:
        bits[byte] |= mask
    else:
        bits[byte] &= ~mask & 0xFF


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    """Whether entry ``index`` is set (the left-most bit of byte 0 is index 0, §2.2)."""
    byte, mask = _position(bits, index)
    return bool(bits[byte] & mask)


def encode_list(bits: bytes | bytearray) -> str:
    """``encodedList`` (§2.2): ``"u"`` + base64url without padding of the gzip-compressed ``bits``.

    Deterministic (no timestamp, fixed header), so republishing an unchanged list yields
    the same text; a cleared 16 KB list encodes exactly as the specification's example.
    """
    if len(bits) < MIN_ENTRIES // 8:
        raise StatusError("status.size", f"a status list has at least {MIN_ENTRIES // 8} bytes; got {len(bits)}")
    compressor = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(bits) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(bits), len(bits) & 0xFFFFFFFF)
    return "u" + _b64.encode(_GZIP_HEADER + body + trailer)


def decode_list(encoded: str, *, max_bytes: int = MAX_LIST_BYTES) -> bytes:
    """The bitstring of an ``encodedList``, read strictly (§2.2).

    Refused with :class:`~czmc.errors.StatusError`: ``status.list_invalid`` for anything but
    ``"u"`` + canonical unpadded base64url of exactly one gzip member (not zlib, not raw
    deflate; no truncation, no trailing bytes, CRC and length checked);
    ``status.list_too_large`` if it inflates beyond ``max_bytes`` (inflation stops there,
    so a gzip bomb costs nothing); ``status.list_too_short`` below :data:`MIN_ENTRIES`
    entries (the spec's STATUS_LIST_LENGTH_ERROR).
    """
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        shown = encoded[:20] if isinstance(encoded, str) else type(encoded).__name__
        raise StatusError(
            "status.list_invalid", f"encodedList must start with 'u' (multibase base64url), got {shown!r}"
        )
    try:
        data = _b64.decode(encoded[1:])
    except ValueError as error:
        raise StatusError(
            "status.list_invalid", f"encodedList must be 'u' + base64url without padding: {error}"
        ) from None
    if not data.startswith(b"\x1f\x8b"):
        raise StatusError(
            "status.list_invalid", "encodedList must hold GZIP data (RFC 1952, starting 1f 8b), not zlib or raw deflate"
        )
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip wrapper only
    try:
        bits = inflater.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise StatusError("status.list_invalid", f"encodedList is not valid GZIP data ({error})") from None
    if len(bits) > max_bytes:
        raise StatusError("status.list_too_large", f"encodedList inflates to more than {max_bytes} bytes; refused")
    if not inflater.eof:
        raise StatusError("status.list_invalid", "encodedList's GZIP data is truncated")
    if inflater.unused_data:
        raise StatusError(
            "status.list_invalid",
            f"encodedList has {len(inflater.unused_data)} bytes after its GZIP member; expected exactly one member",
        )
    if len(bits) < MIN_ENTRIES // 8:
        raise StatusError(
            "status.list_too_short",
            f"the status list has {len(bits) * 8} entries; the minimum is {MIN_ENTRIES} "
            "(16 KB; STATUS_LIST_LENGTH_ERROR)",
        )
    return bits


# --- issuing --------------------------------------------------------------------------------


def _check_list_url(list_url: str) -> None:
    try:
        parts = urlsplit(list_url) if isinstance(list_url, str) else None
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.fragment
        or "#" in list_url
        or not list_url.isprintable()
        or any(char.isspace() for char in list_url)
    ):
        raise StatusError(
            "status.url",
            f"a status list URL must be an absolute https (or http) URL without a fragment; got {list_url!r}",
        )


def _purpose(purpose: StatusPurpose | str) -> StatusPurpose:
    try:
        return StatusPurpose(purpose)
    except ValueError:
        raise StatusError(
            "status.purpose", f"status purpose {purpose!r} is not supported (revocation, suspension)"
        ) from None


def status_entry(list_url: str, index: int, purpose: StatusPurpose | str = StatusPurpose.REVOCATION) -> dict[str, Any]:
    """The ``credentialStatus`` object (a BitstringStatusListEntry, §2.1) for entry ``index`` of a list.

    Its ``id`` is ``list_url#index``: the OB 3.0 schema requires an id, and §2.1 forbids it to
    be the list's URL. ``statusListIndex`` is a base-10 string, as §2.1 requires.
    """
    _check_list_url(list_url)
    if type(index) is not int or index < 0:
        raise StatusError("status.range", f"a status list index is an integer >= 0; got {index!r}")
    return {
        "id": f"{list_url}#{index}",
        "type": _ENTRY_TYPE,
        "statusPurpose": _purpose(purpose).value,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def _utc(moment: datetime, name: str) -> str:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise StatusError("status.time", f"{name} must be a timezone-aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_credential(
    list_url: str,
    issuer: str | Mapping[str, Any],
    purpose: StatusPurpose | str,
    bits: bytes | bytearray,
    *,
    valid_from: datetime,
    valid_until: datetime | None = None,
    ttl: timedelta | None = None,
) -> dict[str, Any]:
    """A ``BitstringStatusListCredential`` (§2.2) publishing ``bits`` at ``list_url``, unsigned.

    Sign it like any credential (:func:`czmc.vcjwt.sign`); its terms are all in the VC 2.0
    context. Dates are written in UTC whole seconds; ``ttl`` (how long verifiers may cache
    the list) becomes ``credentialSubject.ttl`` in milliseconds.
    """
    _check_list_url(list_url)
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise StatusError("status.issuer", "the status list needs an issuer id")
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": _SUBJECT_TYPE,
        "statusPurpose": _purpose(purpose).value,
        "encodedList": encode_list(bits),
    }
    if ttl is not None:
        if ttl < timedelta(0):
            raise StatusError("status.ttl", "ttl must not be negative")
        subject["ttl"] = int(ttl / timedelta(milliseconds=1))
    credential: dict[str, Any] = {
        "@context": [_VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", _LIST_TYPE],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": _utc(valid_from, "valid_from"),
    }
    if valid_until is not None:
        credential["validUntil"] = _utc(valid_until, "valid_until")
        if credential["validUntil"] <= credential["validFrom"]:
            raise StatusError("status.time", "valid_until must be after valid_from")
    credential["credentialSubject"] = subject
    return credential


# --- verifying ------------------------------------------------------------------------------


class StatusState(StrEnum):
    """What a status check found. Only :attr:`VALID` lets a credential pass."""

    VALID = "valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"
    """The status could not be established (list unavailable, untrusted or malformed)."""


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The outcome of :meth:`StatusChecker.check`: a state, a stable ``code`` and a reason.

    ``purpose``, ``index`` and ``list_url`` name the entry checked (None when there is none,
    or several).
    """

    state: StatusState
    code: str
    message: str
    purpose: str | None = None
    index: int | None = None
    list_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "state": self.state.value,
            "code": self.code,
            "message": self.message,
            "purpose": self.purpose,
            "index": self.index,
            "list_url": self.list_url,
        }


_NO_STATUS = StatusResult(
    StatusState.VALID, "status.none", "no credentialStatus: the issuer publishes no revocation status for it"
)
_SEVERITY = {StatusState.REVOKED: 0, StatusState.SUSPENDED: 1, StatusState.UNKNOWN: 2, StatusState.VALID: 3}


@dataclass(frozen=True, slots=True)
class _Entry:
    purpose: str
    index: int
    url: str


@dataclass(frozen=True, slots=True)
class _List:
    """A verified, decoded status list and until when it may be used."""

    bits: bytes
    purposes: frozenset[str]
    stored: datetime
    expires: datetime
    cost: int = 0
    """Bytes it holds in the cache: the bitstring and the token it was read from."""


def _unknown(code: str, message: str, entry: _Entry | None = None) -> StatusResult:
    if entry is None:
        return StatusResult(StatusState.UNKNOWN, code, message)
    return StatusResult(StatusState.UNKNOWN, code, message, entry.purpose, entry.index, entry.url)


def _has_type(value: Any, wanted: str) -> bool:
    return value == wanted or (isinstance(value, list) and wanted in value)


def _parse_entry(entry: Any, where: str) -> _Entry | StatusResult:
    """A BitstringStatusListEntry read strictly (§2.1), or the UNKNOWN result saying what is wrong."""
    if not isinstance(entry, Mapping):
        return _unknown("status.entry_invalid", f"{where} must be an object, not {type(entry).__name__}")
    kind = entry.get("type")
    if not _has_type(kind, _ENTRY_TYPE):
        return _unknown(
            "status.unsupported_type",
            f"{where} has type {kind!r}; czmc checks only BitstringStatusListEntry (Bitstring Status List v1.0)",
        )
    purpose = entry.get("statusPurpose")
    if purpose not in ("revocation", "suspension"):
        return _unknown(
            "status.entry_invalid",
            f"{where}.statusPurpose is {purpose!r}; czmc checks 'revocation' and 'suspension'",
        )
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not _INDEX.fullmatch(index_text):
        return _unknown(
            "status.entry_invalid",
            f"{where}.statusListIndex must be a base-10 integer in a string without sign or leading zeros "
            f'(e.g. "94567"); got {str(index_text)[:40]!r}',
        )
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url:
        return _unknown(
            "status.entry_invalid", f"{where}.statusListCredential must be the URL of the status list credential"
        )
    host_problem = _url_host_problem(url)
    if host_problem is not None:
        return _unknown("status.entry_invalid", f"{where}.statusListCredential {url[:200]!r}: {host_problem}")
    size = entry.get("statusSize", 1)
    if size != 1 or type(size) is not int:
        return _unknown(
            "status.entry_invalid",
            f"{where}.statusSize is {size!r}; czmc supports only 1-bit statuses (statusSize 1 or absent)",
        )
    if entry.get("id") == url:
        return _unknown(
            "status.entry_invalid", f"{where}.id must not be the status list's URL (Bitstring Status List §2.1)"
        )
    return _Entry(purpose, int(index_text), url)


def _url_host_problem(url: str) -> str | None:
    """Why the host of an http(s) list URL is not looked up (an internationalised name), or None.

    Other URL problems are the fetcher's to report; a pinned list is found by its URL alone.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.hostname.isascii():
        return None
    return _host_problem(parts.hostname.lower())


def _state(entry: _Entry, loaded: _List) -> StatusResult:
    """What ``loaded`` (a verified list) says about ``entry``: purpose and range checked, then its bit."""
    if entry.purpose not in loaded.purposes:
        return _unknown(
            "status.purpose_mismatch",
            f"the entry's statusPurpose is {entry.purpose!r} but the list {entry.url} is for "
            f"{', '.join(sorted(loaded.purposes))}",
            entry,
        )
    if entry.index >= len(loaded.bits) * 8:
        return _unknown(
            "status.range",
            f"statusListIndex {entry.index} is beyond the {len(loaded.bits) * 8} entries of {entry.url} (RANGE_ERROR)",
            entry,
        )
    if loaded.bits[entry.index >> 3] & (0x80 >> (entry.index & 7)):
        state = StatusState.REVOKED if entry.purpose == "revocation" else StatusState.SUSPENDED
        return StatusResult(
            state,
            f"status.{state.value}",
            f"{state.value}: entry {entry.index} of the {entry.purpose} list {entry.url} is set",
            entry.purpose,
            entry.index,
            entry.url,
        )
    return StatusResult(
        StatusState.VALID,
        "status.ok",
        f"not {'revoked' if entry.purpose == 'revocation' else 'suspended'}: "
        f"entry {entry.index} of {entry.url} is clear",
        entry.purpose,
        entry.index,
        entry.url,
    )


def _issuer_of(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _token_id(token: str, max_bytes: int) -> str:
    """The unverified ``id`` of a status-list JWT: only a key to find it by."""
    try:
        payload = jws.parse(token, max_bytes=max_bytes).payload
    except jws.JwsError as error:
        raise StatusError(
            "status.list_invalid", f"a pinned status list is not a compact JWS: {error.message}"
        ) from None
    inner = payload.get("vc")
    credential: Mapping[str, Any] = inner if isinstance(inner, Mapping) else payload
    identifier = credential.get("id", payload.get("jti"))
    if not isinstance(identifier, str):
        raise StatusError("status.list_invalid", "a pinned status list has no 'id' (its URL)")
    return identifier


def _term_problem(proof: vcjwt.JwtProof) -> str | None:
    """The first undefined JSON-LD term of a verified list credential, or None.

    An OB 3.0-format JWT carries its registered claims (``iss``, ``jti``, ...) beside the
    credential's members, and the VC 2.0 context alone does not define them: a list signed
    in that format is checked without them.
    """
    credential = proof.credential or {}
    if proof.format is vcjwt.Format.OB3:
        credential = {name: value for name, value in credential.items() if name not in _JWT_CLAIMS}
    if nesting_depth(credential) > MAX_DEPTH:
        return f"the credential nests deeper than {MAX_DEPTH} levels"
    try:
        errors = [issue for issue in jsonld.undefined_terms(credential) if issue.severity.value == "error"]
    except CzmcError as error:
        return f"{error.message} [{error.code}]"
    except Exception as error:  # pyld on hostile JSON-LD: a failed check, not a crash
        return f"the JSON-LD could not be processed ({type(error).__name__})"
    return f"{len(errors)} problem{'s' if len(errors) != 1 else ''}: {errors[0]}" if errors else None


def _end(credential: Mapping[str, Any]) -> datetime | None:
    value = credential.get("validUntil", credential.get("expirationDate"))
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


_OFFLINE_RESOLVER: did.Resolver | None = None


def _default_resolver() -> did.Resolver:
    global _OFFLINE_RESOLVER  # noqa: PLW0603 - one offline resolver per process
    if _OFFLINE_RESOLVER is None:
        _OFFLINE_RESOLVER = did.DefaultResolver()
    return _OFFLINE_RESOLVER


class StatusChecker:
    """Checks ``credentialStatus`` entries against their signed status lists (§3.2).

    ``fetcher`` gets a list by its URL; the default, :class:`~czmc.http.OfflineFetcher`,
    gets nothing, so status lists must then be pinned with ``lists``: signed list JWTs (e.g.
    the files of ``czmc status publish``), found by their ``id`` and verified like fetched
    ones. Only the entry's ``statusListCredential`` URL is ever fetched.

    Verified lists are cached per URL and issuer for ``cache_ttl``, or the list's own
    ``ttl`` if shorter, and never past its ``validUntil``; at most ``cache_size`` lists and
    ``cache_bytes`` bytes (:data:`CACHE_BYTES`, 64 MiB: each list counts its decoded bitstring
    and its token; the least recently used lists go first, and a list larger than the whole
    bound is used but not kept). ``max_list_bytes`` caps the inflated bitstring,
    ``max_token_bytes`` the list JWT; ``algorithms`` and ``leeway`` govern the list's own
    verification. Thread-safe.

    A list credential that carries a ``credentialStatus`` of its own is trusted only while that
    status is valid: a revoked or suspended list, or one whose own status cannot be
    established, makes every status read from it unknown (``status.list_revoked``,
    ``status.list_status``). This is checked one level deep, so chains and cycles of lists
    cost at most one more list each: the lists a list's own status names may in turn only
    point to lists already in hand (themselves, or the list that named them).

    The cache is keyed by list URL and issuer id, not by resolver: use one checker per set of
    trusted DID documents, so that a list verified under one is not reused under another.
    """

    def __init__(
        self,
        fetcher: http.Fetcher | None = None,
        *,
        lists: Iterable[str | bytes] = (),
        cache_ttl: timedelta = timedelta(minutes=5),
        cache_size: int = 64,
        cache_bytes: int = CACHE_BYTES,
        max_list_bytes: int = MAX_LIST_BYTES,
        max_token_bytes: int = MAX_LIST_TOKEN_BYTES,
        algorithms: Collection[Algorithm | str] = vcjwt.DEFAULT_ALGORITHMS,
        leeway: timedelta = timedelta(0),
    ) -> None:
        if (
            cache_ttl < timedelta(0)
            or leeway < timedelta(0)
            or cache_size < 0
            or cache_bytes < 0
            or max_list_bytes <= 0
        ):
            raise ValueError(
                "cache_ttl, leeway, cache_size and cache_bytes must not be negative, max_list_bytes must be positive"
            )
        self.fetcher: http.Fetcher = fetcher if fetcher is not None else http.OfflineFetcher()
        self.cache_ttl = cache_ttl
        self.cache_size = cache_size
        self.cache_bytes = cache_bytes
        self.max_list_bytes = max_list_bytes
        self.max_token_bytes = max_token_bytes
        self.algorithms = algorithms
        self.leeway = leeway
        self._pinned: dict[str, str] = {}
        for item in lists:
            token = (item.decode("ascii", "replace") if isinstance(item, bytes) else item).strip()
            identifier = _token_id(token, max_token_bytes)
            if self._pinned.setdefault(identifier, token) != token:
                raise StatusError("status.list_invalid", f"two different status lists were given for {identifier}")
        self._cache: OrderedDict[tuple[str, str], _List] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"StatusChecker(fetcher={self.fetcher!r}, lists={sorted(self._pinned)}, cache_ttl={self.cache_ttl})"

    def clear(self) -> None:
        """Forget every cached list."""
        with self._lock:
            self._cache.clear()
            self._cached_bytes = 0

    @property
    def cached_bytes(self) -> int:
        """Bytes the cached lists hold now (bitstrings and tokens), at most ``cache_bytes``."""
        with self._lock:
            return self._cached_bytes

    def _remember(self, key: tuple[str, str], found: _List, token: str) -> None:
        """Cache ``found`` under ``key``, dropping the least recently used lists beyond the bounds."""
        cost = len(found.bits) + len(token)
        if not self.cache_size or cost > self.cache_bytes:
            return
        with self._lock:
            self._forget(key)
            self._cache[key] = replace(found, cost=cost)
            self._cached_bytes += cost
            while len(self._cache) > self.cache_size or self._cached_bytes > self.cache_bytes:
                self._forget(next(iter(self._cache)))

    def _forget(self, key: tuple[str, str]) -> None:
        """Drop ``key`` from the cache (the lock is held)."""
        dropped = self._cache.pop(key, None)
        if dropped is not None:
            self._cached_bytes -= dropped.cost

    def check(
        self,
        credential: Mapping[str, Any],
        *,
        now: datetime,
        resolver: did.Resolver | None = None,
        trusted_keys: Mapping[str, Collection[PublicKey]] | None = None,
    ) -> StatusResult:
        """The status of ``credential`` (already verified) at ``now``; never raises for bad data.

        Without ``credentialStatus``: VALID ``status.none``. With several entries, the worst
        state wins (revoked, suspended, unknown, valid). ``resolver`` resolves the list
        issuer's key (default: an offline :class:`~czmc.did.DefaultResolver`);
        ``trusted_keys`` are the keys the caller trusts in a JWT header (``jwk``), as for
        the credential itself (:func:`czmc.verification.verify` passes its own).
        """
        status = credential.get("credentialStatus", _MISSING)
        if status is _MISSING:
            return _NO_STATUS
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        issuer = _issuer_of(credential)
        if not isinstance(issuer, str):
            return _unknown("status.entry_invalid", "the credential has no issuer id to match its status list against")
        if isinstance(status, list) and status:
            results = [
                self._check_one(item, f"credentialStatus[{n}]", issuer, now, resolver, trusted_keys)
                for n, item in enumerate(status)
            ]
            worst = min(results, key=lambda result: _SEVERITY[result.state])
            if worst.state is StatusState.VALID and len(results) > 1:
                return StatusResult(StatusState.VALID, "status.ok", "; ".join(result.message for result in results))
            return worst
        if isinstance(status, list):
            return _unknown("status.entry_invalid", "credentialStatus is an empty list")
        return self._check_one(status, "credentialStatus", issuer, now, resolver, trusted_keys)

    def _check_one(  # noqa: PLR0917 - private, called from check() only
        self,
        item: Any,
        where: str,
        issuer: str,
        now: datetime,
        resolver: did.Resolver | None,
        trusted_keys: Mapping[str, Collection[PublicKey]] | None,
    ) -> StatusResult:
        entry = _parse_entry(item, where)
        if isinstance(entry, StatusResult):
            return entry
        loaded = self._list(entry, issuer, now, resolver, trusted_keys)
        if isinstance(loaded, StatusResult):
            return loaded
        return _state(entry, loaded)

    def _unavailable(self, entry: _Entry, detail: str) -> StatusResult:
        if isinstance(self.fetcher, http.OfflineFetcher):
            hint = (
                "pass a fetcher (HttpsFetcher, czmc verify --online) or the signed list (lists=[...], "
                "czmc verify --status-list FILE)"
            )
        else:
            hint = "the status is unknown until the list can be fetched, or is given (lists=[...], --status-list)"
        return _unknown("status.unavailable", f"cannot get the status list {entry.url}: {detail}; {hint}", entry)

    def _list(  # noqa: PLR0917 - private, called from _check_one() and _own_status() only
        self,
        entry: _Entry,
        issuer: str,
        now: datetime,
        resolver: did.Resolver | None,
        trusted_keys: Mapping[str, Collection[PublicKey]] | None,
        trail: Mapping[str, _List] | None = None,
    ) -> _List | StatusResult:
        """The verified list for ``entry``: cached, pinned or fetched; or why it cannot be had.

        ``trail``: the lists whose own status is being checked with this one (see :meth:`_own_status`).
        """
        key = (entry.url, issuer)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                if cached.stored <= now < cached.expires:
                    self._cache.move_to_end(key)
                    return cached
                self._forget(key)
        token = self._pinned.get(entry.url)
        if token is None:
            try:
                body = self.fetcher.fetch(entry.url)
            except CzmcError as error:
                return self._unavailable(entry, f"{error.message} [{error.code}]")
            except Exception as error:  # a caller's fetcher may raise anything: still only "unavailable"
                return self._unavailable(entry, f"{type(error).__name__}: {error}")
            try:
                token = body.decode("utf-8").strip()
            except UnicodeDecodeError:
                return _unknown("status.list_invalid", f"the status list {entry.url} is not UTF-8 text (a JWT)", entry)
        proof = vcjwt.verify_proof(
            token,
            resolver=resolver or _default_resolver(),
            algorithms=self.algorithms,
            trusted_keys=trusted_keys,
            max_token_bytes=self.max_token_bytes,
        )
        if not proof.verified or proof.credential is None:
            failure = next((check for check in proof.checks if check.status == "failed"), proof.checks[0])
            return _unknown(
                "status.list_unverified",
                f"the status list {entry.url} did not verify: {failure.name} check failed: "
                f"{failure.message} [{failure.code}]",
                entry,
            )
        late = vcdm.time_problem(proof.credential, proof.bounds, now, self.leeway)
        if late is not None:
            return _unknown(
                "status.list_unverified",
                f"the status list {entry.url} did not verify: time check failed: {late[1]} [{late[0]}]",
                entry,
            )
        problem = _term_problem(proof)
        if problem is not None:
            return _unknown(
                "status.list_unverified",
                f"the status list {entry.url} did not verify: jsonld check failed: {problem}",
                entry,
            )
        found = self._read(proof.credential, entry, issuer, now)
        if isinstance(found, _List):
            found = self._own_status(
                proof.credential,
                found,
                entry,
                issuer=issuer,
                now=now,
                resolver=resolver,
                trusted_keys=trusted_keys,
                trail=trail or {},
            )
        if isinstance(found, _List) and found.expires > now:
            self._remember(key, found, token)
        return found

    def _own_status(
        self,
        credential: Mapping[str, Any],
        loaded: _List,
        entry: _Entry,
        *,
        issuer: str,
        now: datetime,
        resolver: did.Resolver | None,
        trusted_keys: Mapping[str, Collection[PublicKey]] | None,
        trail: Mapping[str, _List],
    ) -> _List | StatusResult:
        """``loaded`` if the list credential's own ``credentialStatus`` (if any) is valid; else why not.

        A status list is a credential, and its issuer may revoke or suspend it (say, one
        signed by mistake); a verifier that read statuses from a withdrawn list would trust
        what its issuer disowned. So its own entries are checked like a credential's, against
        lists of the same issuer, verified the same way. To stay bounded and cycle-safe this
        goes one level deep: the lists named by a list's own status may in turn only point to
        lists already in hand (themselves, or the list that named them); anything further is
        ``status.list_status`` (unknown). The result is cached no longer than those lists.
        """
        status = credential.get("credentialStatus", _MISSING)
        if status is _MISSING:
            return loaded
        items = status if isinstance(status, list) else [status]
        where = f"the credentialStatus of the status list {entry.url}"
        if not items:
            return _unknown("status.list_status", f"{where} is an empty list", entry)
        in_hand = {**trail, entry.url: loaded}
        expires = loaded.expires
        for item in items:
            own = _parse_entry(item, where)
            if isinstance(own, StatusResult):
                return _unknown("status.list_status", own.message, entry)
            target = in_hand.get(own.url)
            if target is None and trail:
                return _unknown(
                    "status.list_status",
                    f"{where} points to {own.url}, a third list: czmc follows a list's own status one level deep",
                    entry,
                )
            if target is None:
                found = self._list(own, issuer, now, resolver, trusted_keys, in_hand)
                if isinstance(found, StatusResult):
                    return _unknown(
                        "status.list_status",
                        f"the status of the status list {entry.url} cannot be established: "
                        f"{found.message} [{found.code}]",
                        entry,
                    )
                target = found
            state = _state(own, target)
            if state.state in (StatusState.REVOKED, StatusState.SUSPENDED):
                return _unknown(
                    "status.list_revoked",
                    f"the status list {entry.url} is itself {state.state.value} (entry {own.index} of "
                    f"{own.url}); its issuer withdrew it, so it says nothing about this credential",
                    entry,
                )
            if state.state is not StatusState.VALID:
                return _unknown(
                    "status.list_status",
                    f"the status of the status list {entry.url} cannot be established: {state.message} [{state.code}]",
                    entry,
                )
            expires = min(expires, target.expires)
        return replace(loaded, expires=expires)

    def _read(self, credential: Mapping[str, Any], entry: _Entry, issuer: str, now: datetime) -> _List | StatusResult:
        """The checks of a verified list credential (§2.2, §3.2) and its decoded bitstring."""
        list_issuer = _issuer_of(credential)
        if list_issuer != issuer:
            return _unknown(
                "status.list_issuer",
                f"the status list {entry.url} is signed by {list_issuer}, the credential issued by {issuer}",
                entry,
            )
        if credential.get("id") != entry.url:
            return _unknown(
                "status.list_id",
                f"the status list fetched from {entry.url} has id {str(credential.get('id'))[:200]!r}",
                entry,
            )
        subject = credential.get("credentialSubject")
        if not _has_type(credential.get("type"), _LIST_TYPE):
            return _unknown(
                "status.list_invalid", f"{entry.url} is not a BitstringStatusListCredential (its type)", entry
            )
        if not isinstance(subject, Mapping) or not _has_type(subject.get("type"), _SUBJECT_TYPE):
            return _unknown(
                "status.list_invalid",
                f"the credentialSubject of {entry.url} must be a BitstringStatusList",
                entry,
            )
        declared = subject.get("statusPurpose")
        purposes = [declared] if isinstance(declared, str) else declared
        if not isinstance(purposes, list) or not purposes or not all(isinstance(item, str) for item in purposes):
            return _unknown(
                "status.list_invalid", f"the statusPurpose of {entry.url} must be a string or a list of strings", entry
            )
        ttl = subject.get("ttl")
        if ttl is not None and (type(ttl) is not int or ttl < 0):
            return _unknown(
                "status.list_invalid", f"the ttl of {entry.url} must be a whole number of milliseconds", entry
            )
        encoded = subject.get("encodedList")
        if not isinstance(encoded, str):
            return _unknown("status.list_invalid", f"the status list {entry.url} has no encodedList string", entry)
        try:
            bits = decode_list(encoded, max_bytes=self.max_list_bytes)
        except StatusError as error:
            return _unknown(error.code, f"the status list {entry.url}: {error.message}", entry)
        lifetime = self.cache_ttl
        if ttl is not None and ttl < lifetime / timedelta(milliseconds=1):  # compared as numbers: no overflow
            lifetime = timedelta(milliseconds=ttl)
        expires = now + lifetime
        end = _end(credential)
        if end is not None and end < expires:
            expires = end
        return _List(bits, frozenset(purposes), now, expires)
