"""czmc's exceptions: one root, stable machine-readable codes, every problem listed.

::

    CzmcError                      code "czmc"
    ├── InvalidError               code "invalid"; .issues lists every problem found
    │   ├── ModelError             "model.invalid": EU micro-credential rules (czmc.model)
    │   ├── MappingError           "ob3.mapping": a credential that does not map to the model
    │   ├── SchemaError            "schema.invalid": JSON Schema violations
    │   ├── JsonLdError            "jsonld.invalid": undefined terms, bad JSON-LD
    │   └── InputError             "input.invalid": an unreadable or unrecognised input file
    ├── DocumentLoaderError        "jsonld.document_not_available": a URL the offline loader refuses
    │   └── DocumentStoreError     "documents.*": a pinned document store refused a document
    ├── InvalidKeyError            "key.*": a key that cannot be read, used or trusted
    ├── SigningError               "proof.*": a credential that cannot be signed as asked
    ├── ResolutionError            "resolution.*": a DID or key URL that does not resolve
    │   └── FetchError             "http.*": the network refused, failed or was not allowed
    ├── StatusError                "status.*": a status list that cannot be built, read or trusted
    ├── RegistryError              "registry.*": an issuance-registry operation that was refused
    └── MissingDependencyError     "dependency.missing": an optional extra is not installed

Errors never wrap a third-party exception type in their public surface: pydantic, jsonschema
and pyld errors are translated into :class:`~czmc.report.Issue` records and chained with
``raise ... from``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from czmc.report import Issue


class CzmcError(Exception):
    """Root of every error czmc raises; ``code`` is stable and machine-readable."""

    code: str = "czmc"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidError(CzmcError):
    """Input that breaks one or more rules; :attr:`issues` lists all of them."""

    code = "invalid"
    what: ClassVar[str] = "input"

    def __init__(self, issues: Iterable[Issue], message: str | None = None, *, subject: str | None = None) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        if message is None:
            count = len(self.issues)
            lines = "\n".join(f"  {issue}" for issue in self.issues)
            message = f"{subject or self.what} has {count} problem{'s' if count != 1 else ''}:\n{lines}"
        super().__init__(message)


class ModelError(InvalidError):
    """A micro-credential that breaks an EU element rule (raised by :mod:`czmc.model`)."""

    code = "model.invalid"
    what: ClassVar[str] = "micro-credential"


class MappingError(InvalidError):
    """A credential that cannot be read back into the czmc model (:func:`czmc.ob3.from_credential`)."""

    code = "ob3.mapping"
    what: ClassVar[str] = "credential"


class SchemaError(InvalidError):
    """A document that violates a JSON Schema (:mod:`czmc.schema`)."""

    code = "schema.invalid"
    what: ClassVar[str] = "credential"


class JsonLdError(InvalidError):
    """A JSON-LD document with undefined terms or invalid JSON-LD (:mod:`czmc.jsonld`)."""

    code = "jsonld.invalid"
    what: ClassVar[str] = "JSON-LD document"


class InputError(InvalidError):
    """A file that cannot be read, parsed or recognised (:mod:`czmc.inputs`)."""

    code = "input.invalid"
    what: ClassVar[str] = "input file"


class DocumentLoaderError(CzmcError):
    """The offline document loader was asked for a URL it does not bundle.

    czmc never fetches JSON-LD contexts from the network on its own; pass an explicit
    ``loader`` to allow other documents.
    """

    code = "jsonld.document_not_available"

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"JSON-LD document {url!r} is not bundled with czmc and network loading is off; pass loader=... to load it"
        )


class DocumentStoreError(DocumentLoaderError):
    """A pinned document store (:mod:`czmc.documents`) refused to add or serve a document.

    Codes: ``documents.tampered`` (a file no longer has its pinned SHA-256),
    ``documents.not_pinned``, ``documents.invalid_url``, ``documents.invalid_document``,
    ``documents.conflict``, ``documents.bundled``, ``documents.lock``, ``documents.file_exists``,
    ``documents.fetch``. A subclass of :class:`DocumentLoaderError`, so JSON-LD processing
    reports it as the reason a context could not be loaded.
    """

    code = "documents.failed"

    def __init__(self, code: str, url: str, message: str) -> None:
        self.url = url
        CzmcError.__init__(self, message, code=code)


class InvalidKeyError(CzmcError):
    """A key that cannot be read, is of an unsupported type, is weak, or does not fit its algorithm.

    The message never contains key material.
    """

    code = "key.invalid"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class SigningError(CzmcError):
    """A credential that cannot be signed in the requested format (e.g. no subject id for OB 3.0)."""

    code = "proof.cannot_sign"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class ResolutionError(CzmcError):
    """A DID, DID URL or key URL that cannot be resolved to a usable public key."""

    code = "resolution.failed"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class FetchError(ResolutionError):
    """An HTTP(S) fetch that was refused (scheme, host, size) or failed (network, status)."""

    code = "http.failed"


class StatusError(CzmcError):
    """A Bitstring Status List that cannot be built, decoded or trusted (:mod:`czmc.status`)."""

    code = "status.invalid"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class RegistryError(CzmcError):
    """An issuance-registry operation that was refused; nothing was changed (:mod:`czmc.registry`).

    Codes: ``registry.unknown_credential``, ``registry.already_revoked``, ``registry.not_suspended``,
    ``registry.status_url`` and others listed in :mod:`czmc.registry`.
    """

    code = "registry.failed"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


class MissingDependencyError(CzmcError):
    """A feature needs an optional extra that is not installed (e.g. ``czmc[postgres]``)."""

    code = "dependency.missing"

    def __init__(self, feature: str, extra: str) -> None:
        self.extra = extra
        super().__init__(f"{feature} needs the optional dependencies of czmc[{extra}]: pip install 'czmc[{extra}]'")
