"""The outcome of one verification check, shared by every proof mechanism and policy step.

A proof step (:mod:`czmc.vcjwt` for compact JWS, :mod:`czmc.dataintegrity` for embedded
Data Integrity proofs) and the checks after it (time, status, JSON-LD terms, schemas,
profile) all report :class:`Check` records, so that one :class:`czmc.verification.VerificationResult`
lists everything that was checked, whatever secured the credential.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Check", "CheckList", "CheckStatus"]


class CheckStatus(StrEnum):
    """The outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Check:
    """One verification check: its stable ``name``, outcome, machine code and human reason.

    ``required`` is False for checks that do not decide validity: switched off by the
    caller, or informational (the profile check unless a profile is required).
    """

    name: str
    status: CheckStatus
    code: str
    message: str
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "name": self.name,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
            "required": self.required,
        }


# Checks are immutable: a verifier running many credentials reuses the same passed and skipped
# records (most messages repeat: the key id, the issuer) instead of building them anew.
_PASSED: dict[tuple[str, str], Check] = {}
_SKIPPED: dict[tuple[str, str, str, bool], Check] = {}
_PASSED_MAX = 4096


class CheckList:
    """Collects the checks of one verification in order; mutable only while it runs."""

    def __init__(self) -> None:
        self.done: list[Check] = []
        self.failed = False

    def passed(self, name: str, message: str) -> None:
        """Record a passed check."""
        check = _PASSED.get((name, message))
        if check is None:
            check = Check(name, CheckStatus.PASSED, "ok", message)
            if len(_PASSED) >= _PASSED_MAX:
                _PASSED.clear()
            _PASSED[name, message] = check
        self.done.append(check)

    def fail(self, name: str, code: str, message: str) -> None:
        """Record a failed check."""
        self.done.append(Check(name, CheckStatus.FAILED, code, message))
        self.failed = True

    def skip(self, name: str, reason: str, *, code: str = "skipped", required: bool = True) -> None:
        """Record a check that did not run, and why."""
        key = (name, reason, code, required)
        check = _SKIPPED.get(key)
        if check is None:
            check = Check(name, CheckStatus.SKIPPED, code, reason, required)
            if len(_SKIPPED) >= _PASSED_MAX:
                _SKIPPED.clear()
            _SKIPPED[key] = check
        self.done.append(check)

    def skip_rest(self, names: Iterable[str], reason: str) -> None:
        """Record every check of ``names`` not yet recorded as skipped for ``reason``."""
        seen = {check.name for check in self.done}
        for name in names:
            if name not in seen:
                self.skip(name, reason)

    def extend(self, checks: Iterable[Check]) -> None:
        """Take over checks another step made."""
        for check in checks:
            self.done.append(check)
            if check.status is CheckStatus.FAILED and check.required:
                self.failed = True
