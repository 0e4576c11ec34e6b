"""A pinned document store: extension contexts and JSON Schemas czmc does not bundle.

A credential of another country's micro-credential profile names its own JSON-LD context and
``credentialSchema`` documents. czmc never loads them from the network on its own; a
:class:`DocumentStore` is a directory that holds them, with a lock file
(``czmc-documents.lock.json``) recording, for each URL, the file, its SHA-256, its kind
(``context`` or ``schema``), when and from where it was added. Every read re-checks the
SHA-256: a file changed after it was pinned is refused (``documents.tampered``), like a
changed lockfile entry in a package manager. Commit the directory next to the CI job that
validates such credentials.

Files are named by their SHA-256, never by their URL, and written atomically without
replacing a file the store did not write. Only ``https`` URLs are pinned. Given a
:class:`~czmc.http.Fetcher`, a URL that is missing is fetched (https, size cap, timeout),
checked to be a JSON object within :data:`MAX_DOCUMENT_BYTES` and :data:`MAX_DEPTH`, pinned on
first use and listed in :attr:`DocumentStore.fetched`.

The interface for verification: :meth:`DocumentStore.loader` (a pyld document loader serving
the bundled contexts first, then the store) and :meth:`DocumentStore.schema` (a schema lookup
for :func:`czmc.schema.iter_issues`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from czmc.errors import DocumentStoreError, FetchError

if TYPE_CHECKING:
    from czmc.http import Fetcher

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: one writer at a time is then the caller's duty
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "DEFAULT_STORE",
    "KINDS",
    "LOCK_FILE",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "STORE_ENV",
    "DocumentStore",
    "Kind",
    "Pinned",
    "parse_document",
]

Kind = Literal["context", "schema"]
KINDS: tuple[Kind, ...] = ("context", "schema")
LOCK_FILE = "czmc-documents.lock.json"
DEFAULT_STORE = ".czmc-documents"
"""The store directory the CLI uses when neither ``--store`` nor ``$CZMC_DOCUMENTS`` is given."""
STORE_ENV = "CZMC_DOCUMENTS"
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DEPTH = 64
_LOCK_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ACCEPT: dict[Kind, str] = {
    "context": "application/ld+json, application/json",
    "schema": "application/schema+json, application/json",
}


@dataclass(frozen=True)
class Pinned:
    """One pinned document: its URL, file (``<sha256>.json``), hash, kind, and provenance."""

    url: str
    file: str
    sha256: str
    kind: Kind
    added: str  # ISO 8601 UTC
    source: str  # "file:<name>" or "online"

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def parse_document(url: str, data: bytes) -> dict[str, Any]:
    """``data`` as a JSON object, or :class:`DocumentStoreError` (``documents.invalid_document``).

    At most :data:`MAX_DOCUMENT_BYTES`, nested at most :data:`MAX_DEPTH` deep, UTF-8, no
    NaN/Infinity, and an object at the top (a JSON-LD context or a JSON Schema).
    """

    def refuse(reason: str) -> DocumentStoreError:
        return DocumentStoreError("documents.invalid_document", url, f"document for {url!r} {reason}")

    if len(data) > MAX_DOCUMENT_BYTES:
        raise refuse(f"is {len(data)} bytes; at most {MAX_DOCUMENT_BYTES} are accepted")

    def no_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        document = json.loads(data.decode("utf-8"), parse_constant=no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise refuse(f"is not JSON: {str(error).splitlines()[0][:120]}") from error
    if not isinstance(document, dict):
        raise refuse("is not a JSON object")
    level: list[Any] = [document]
    for _depth in range(MAX_DEPTH):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
        if not level:
            return document
    raise refuse(f"is nested more than {MAX_DEPTH} levels deep")


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        valid = (
            parts.scheme == "https"
            and bool(parts.hostname)
            and not parts.fragment
            and not parts.username
            and not any(char.isspace() or ord(char) < 0x21 for char in url)
        )
    except ValueError:
        valid = False
    if not valid:
        raise DocumentStoreError(
            "documents.invalid_url", url, f"{url!r} is not an https URL without credentials or a fragment"
        )


class DocumentStore:
    """A directory of pinned documents with a lock file (see the module documentation).

    ``fetcher``: fetch and pin URLs that are missing (the online fill); without it a missing
    URL is refused (``documents.not_pinned``). The directory is created on the first
    :meth:`add`; a store that does not exist yet is empty.
    """

    def __init__(self, path: str | os.PathLike[str], *, fetcher: Fetcher | None = None) -> None:
        self.path = Path(path)
        self.fetcher = fetcher
        self.fetched: list[Pinned] = []
        """What the online fill pinned through this object, in order."""

    def __repr__(self) -> str:
        return f"DocumentStore({str(self.path)!r}, fetcher={self.fetcher!r})"

    @property
    def lock_path(self) -> Path:
        return self.path / LOCK_FILE

    # --- reading -------------------------------------------------------------------------

    def list(self) -> list[Pinned]:
        """Every pinned document, by URL."""
        return sorted(self._read_lock().values(), key=lambda pinned: pinned.url)

    def get(self, url: str) -> bytes:
        """The pinned bytes of ``url``, checked against their SHA-256 on this read.

        A URL that is not pinned is fetched and pinned if the store has a fetcher (as a
        ``context``; :meth:`schema` pins schemas), else refused (``documents.not_pinned``).
        """
        return self._get(url, "context")

    def verify(self, pinned: Pinned) -> None:
        """Raise :class:`DocumentStoreError` unless ``pinned``'s file still has its SHA-256."""
        self._read_file(pinned)

    def loader(self, url: str, options: Any = None) -> dict[str, Any]:
        """pyld document loader: the bundled contexts first, then the pinned documents."""
        from czmc import jsonld  # noqa: PLC0415 - pyld only when JSON-LD is processed

        if url in jsonld.CONTEXTS:
            return jsonld.document_loader(url, options)
        document = parse_document(url, self._get(url, "context"))
        return {"contextUrl": None, "documentUrl": url, "document": document}

    def schema(self, url: str) -> dict[str, Any]:
        """The pinned JSON Schema at ``url`` (fetched and pinned if missing and online)."""
        return parse_document(url, self._get(url, "schema"))

    def _get(self, url: str, kind: Kind) -> bytes:
        pinned = self._read_lock().get(url)
        if pinned is not None:
            return self._read_file(pinned)
        if self.fetcher is None:
            raise DocumentStoreError(
                "documents.not_pinned",
                url,
                f"{url!r} is not pinned in the document store {str(self.path)!r}; "
                "add it with 'czmc documents add URL FILE' (or allow fetching it online)",
            )
        _check_url(url)
        from czmc.http import HttpsFetcher  # noqa: PLC0415 - the network stack only for the online fill

        try:
            if isinstance(self.fetcher, HttpsFetcher):
                data = self.fetcher.fetch(url, accept=_ACCEPT[kind])
            else:
                data = self.fetcher.fetch(url)
        except FetchError as error:
            raise DocumentStoreError("documents.fetch", url, f"could not fetch {url!r}: {error.message}") from error
        pinned = self.add(url, data, kind=kind, source="online")
        self.fetched.append(pinned)
        return data

    def _read_file(self, pinned: Pinned) -> bytes:
        path = self.path / pinned.file
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as error:
            message = f"pinned file {pinned.file} for {pinned.url!r} cannot be read: {error}"
            raise DocumentStoreError("documents.tampered", pinned.url, message) from error
        found = hashlib.sha256(data).hexdigest()
        if found != pinned.sha256:
            raise DocumentStoreError(
                "documents.tampered",
                pinned.url,
                f"pinned document {pinned.url!r} changed: {pinned.file} should have sha256 {pinned.sha256}, "
                f"found {found}; restore the file or pin the new one deliberately",
            )
        return data

    def _read_lock(self) -> dict[str, Pinned]:
        try:
            text = self.lock_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as error:
            raise self._bad_lock(f"cannot be read: {error}") from error
        try:
            raw = json.loads(text)
        except ValueError as error:
            raise self._bad_lock("is not JSON") from error
        documents = raw.get("documents") if isinstance(raw, dict) else None
        if not isinstance(documents, dict) or raw.get("version") != _LOCK_VERSION:
            raise self._bad_lock(f'is not a version {_LOCK_VERSION} lock file ({{"version", "documents"}})')
        entries: dict[str, Pinned] = {}
        for url, entry in documents.items():
            try:
                pinned = Pinned(url=url, **entry)
            except TypeError as error:
                raise self._bad_lock(f"entry for {url!r} has unexpected fields") from error
            valid = (
                isinstance(pinned.sha256, str)
                and _SHA256.fullmatch(pinned.sha256) is not None
                and pinned.file == f"{pinned.sha256}.json"
                and pinned.kind in KINDS
                and isinstance(pinned.added, str)
                and isinstance(pinned.source, str)
            )
            if not valid:
                raise self._bad_lock(f"entry for {url!r} is malformed (file must be <sha256>.json)")
            entries[url] = pinned
        return entries

    def _bad_lock(self, reason: str) -> DocumentStoreError:
        return DocumentStoreError("documents.lock", str(self.lock_path), f"lock file {str(self.lock_path)!r} {reason}")

    # --- writing -------------------------------------------------------------------------

    def add(self, url: str, data: bytes, *, kind: Kind = "context", source: str = "api") -> Pinned:
        """Pin ``data`` as the document at ``url``; the pinned entry (the existing one if identical).

        Refuses a URL that is not https or that czmc bundles, a document that is not a JSON
        object within the limits, and a URL already pinned to other bytes (``documents.conflict``:
        remove its lock entry deliberately to re-pin).
        """
        from czmc import jsonld, schema  # noqa: PLC0415 - the bundled tables, only when adding

        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        _check_url(url)
        if url in jsonld.CONTEXTS or url in schema.SCHEMAS:
            raise DocumentStoreError(
                "documents.bundled", url, f"{url!r} is bundled with czmc, which always serves its own copy"
            )
        parse_document(url, data)
        digest = hashlib.sha256(data).hexdigest()
        self.path.mkdir(parents=True, exist_ok=True)
        with self._exclusive():
            entries = self._read_lock()
            existing = entries.get(url)
            if existing is not None:
                if existing.sha256 == digest:
                    self._read_file(existing)
                    return existing
                raise DocumentStoreError(
                    "documents.conflict",
                    url,
                    f"{url!r} is already pinned with sha256 {existing.sha256}, not {digest}; "
                    f"remove its entry from {LOCK_FILE} to pin another document",
                )
            name = f"{digest}.json"
            self._write_new(name, data, url)
            pinned = Pinned(
                url=url,
                file=name,
                sha256=digest,
                kind=kind,
                added=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                source=source,
            )
            entries[url] = pinned
            self._write_lock(entries)
        return pinned

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold an exclusive lock on the store directory: one writer at a time, across processes."""
        if fcntl is None:  # pragma: no cover
            yield
            return
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def _write_new(self, name: str, data: bytes, url: str) -> None:
        """Write ``name`` atomically; an existing file is kept only if it holds exactly ``data``."""
        target = self.path / name
        with self._temporary(data) as temporary:
            try:
                os.link(temporary, target)  # atomic, and never replaces an existing file
            except FileExistsError:
                if not target.is_file() or target.is_symlink() or target.read_bytes() != data:
                    raise DocumentStoreError(
                        "documents.file_exists",
                        url,
                        f"{str(target)!r} exists with other content; the store does not replace files it did not write",
                    ) from None

    def _write_lock(self, entries: dict[str, Pinned]) -> None:
        document = {
            "version": _LOCK_VERSION,
            "documents": {
                url: {key: value for key, value in entries[url].to_json().items() if key != "url"}
                for url in sorted(entries)
            },
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        with self._temporary(text.encode("utf-8")) as temporary:
            os.replace(temporary, self.lock_path)

    @contextlib.contextmanager
    def _temporary(self, data: bytes) -> Iterator[Path]:
        """A fully written, synced 0644 file in the store directory, removed afterwards if still there."""
        handle, name = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.path)
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            path.chmod(0o644)
            yield path
        finally:
            path.unlink(missing_ok=True)
