"""Problems found in a document, as data: a stable code, where, and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad an :class:`Issue` is: errors make a document invalid, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a document.

    ``path`` is a JSON Pointer (RFC 6901) into the document the check ran on (the model
    input, or the credential), ``""`` for the whole document. ``code`` is stable and
    machine-readable (``model.ects_range``, ``schema.required``, ``jsonld.undefined_term``).
    """

    code: str
    path: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.path or "/"
        return f"{where}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready mapping of the issue."""
        return {
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "severity": self.severity.value,
        }


def pointer(*parts: str | int) -> str:
    """A JSON Pointer from path parts, escaping ``~`` and ``/`` as RFC 6901 says."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
