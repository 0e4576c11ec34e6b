"""Batch issuance: one signed micro-credential per graduate of a course, from a roster, resumably.

:func:`issue_batch` combines a :class:`~czmc.catalogue.CourseDefinition` with every row of a
:class:`~czmc.roster.Roster` and writes, into an output directory:

- one file per credential, ``<uuid>.jwt``: exactly the compact JWT (no newline), written
  atomically (a temporary file, then a rename), so a file is complete or absent;
- ``manifest.jsonl``: one JSON line per issued credential (``course``, ``learner``,
  ``credential``, ``subject``, ``file``, ``sha256`` of the token, ``issued``, ``format``,
  ``line``), appended and flushed after the credential's file exists;
- with ``rejects``: the invalid rows and their problems (CSV or JSON Lines).

**Two phases.** Phase 1 reads and checks *every* row (streaming) and reports every bad row
(issues with paths ``/row/<line>/<field>``, ``<line>`` being the roster line the row starts
on), including learners listed twice, before anything is signed. Invalid rows stop the batch
(:class:`InvalidRowsError`, nothing issued) unless ``skip_invalid``. Phase 2 reads the roster
again and issues the good rows.

**Ids.** Everything is derived from the idempotency key, course key + learner key (the
course's ``id`` or achievement id, and the student number or else the learner id): the
credential id is ``urn:uuid:`` uuid5(issuer, course, learner), the file is ``<that uuid>.jwt``,
and a learner without a DID gets ``urn:uuid:`` uuid5(issuer, course, student number). So a
rerun cannot issue a second credential id for a learner, and any token of a crashed run that
escaped carries the same id as its replacement. The email salt is random per credential and
is stored only in the credential (never in the manifest). The date of issuing, unless the
row or the course gives one, is the start of the run (``issued_at``), the same in both phases.

**Resume.** A run takes an exclusive lock on the manifest, deletes temporary files a killed
run left, and skips every learner the manifest lists for this course. A crash (even SIGKILL)
leaves no partial token file and no manifest line without its file; a file without a manifest
line (the run died between the two) is issued again under the same name. Manifest lines of
other courses are kept and ignored: one directory can hold several courses.

**Registry.** With ``registry``, every chunk of credentials is issued through
:meth:`czmc.registry.Registry.issue_many` (status slots, signatures and records in one
transaction: the whole chunk or nothing) with each credential id as its idempotency key. A
credential the registry recorded before a crash, but whose file or manifest line was not
written, is taken from the registry on the rerun (same token, same status index), never
signed a second time.

**Parallelism.** With ``jobs`` > 1, worker processes (``spawn``; each loads the key file
itself) check and issue chunks of rows; they write the token files (in any order), and the
parent writes the manifest lines in roster order as chunks complete. At most a few chunks
per worker are in flight, and what a batch remembers per learner (keys seen, for duplicates;
keys issued before, for resuming; invalid lines) is kept in a private temporary SQLite file,
so memory does not grow with the roster. Workers die with the parent (``PR_SET_PDEATHSIG``
on Linux; elsewhere they stop before their next write).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import multiprocessing
import os
import re
import sqlite3
import stat
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal

import orjson

from czmc import keys, ob3, vcjwt
from czmc.catalogue import CourseDefinition, learner_key, microcredential_for
from czmc.errors import CzmcError, InputError, InvalidError, ModelError
from czmc.jws import MAX_TOKEN_BYTES
from czmc.keys import Key
from czmc.model import MicroCredential
from czmc.report import Issue, Severity
from czmc.roster import Roster

if TYPE_CHECKING:
    from czmc.registry import Registry
    from czmc.status import StatusPurpose

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "MANIFEST_NAME",
    "MAX_FIELD_CHARS",
    "BatchResult",
    "InvalidRowsError",
    "KeySource",
    "ManifestEntry",
    "OutputDirectoryError",
    "Progress",
    "RowProblem",
    "check_output",
    "field_issues",
    "issue_batch",
    "looks_like_formula",
    "neutralise_cell",
    "read_manifest",
    "row_digest",
    "signing_key",
]

MANIFEST_NAME = "manifest.jsonl"
MAX_PROBLEMS_KEPT = 1000

MAX_FIELD_CHARS = MAX_TOKEN_BYTES // 256
"""Longest roster value czmc signs (1024 characters): 1/256 of the token size its verifier accepts.

A row has about a dozen fields, some shown twice in a credential, at most 4 UTF-8 bytes per
character, grown by a third by base64url: rows within this limit keep a credential well
inside :data:`czmc.jws.MAX_TOKEN_BYTES` (256 KiB), so czmc's own verifier never refuses what
czmc issued as too large.
"""

_NAME_FIELDS = ("name", "given_name", "family_name", "name_prefix", "name_suffix")
# C0 and C1 control characters (NUL, BEL, ESC, ...), DEL, and the bidirectional embeddings,
# overrides and isolates that make text display other than it reads (U+202A-202E, U+2066-2069).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_CONTROL_NAMES: dict[str, str] = {"\x00": "NULL", "\x07": "BELL", "\x08": "BACKSPACE", "\t": "TAB", "\n": "LINE FEED"}
_CONTROL_NAMES |= {"\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x7f": "DELETE", "\x85": "NEXT LINE"}


def _control_name(char: str) -> str:
    known = _CONTROL_NAMES.get(char)
    return known if known is not None else unicodedata.name(char, "CONTROL CHARACTER")


def field_issues(record: Mapping[str, str]) -> tuple[Issue, ...]:
    """Problems of a roster row's values before anything is built from them.

    Errors: a value longer than :data:`MAX_FIELD_CHARS`; a control or bidirectional-override
    character (they would be signed into the credential, and can make a terminal or a wallet
    show something else than what was signed). A warning: a learner name that starts like a
    spreadsheet formula (``= + - @``).
    """
    issues: list[Issue] = []
    for name, value in record.items():
        if len(value) > MAX_FIELD_CHARS:
            issues.append(
                Issue(
                    "row.too_long",
                    f"/{name}",
                    f"{name} is {len(value):,} characters long; at most {MAX_FIELD_CHARS:,} are accepted (a signed "
                    f"credential must stay within the {MAX_TOKEN_BYTES // 1024} KiB verifiers accept)",
                )
            )
            continue
        control = _CONTROL.search(value)
        if control is not None:
            char = control.group()
            issues.append(
                Issue(
                    "row.control_character",
                    f"/{name}",
                    f"{name} contains U+{ord(char):04X} {_control_name(char)} at position {control.start() + 1}; "
                    "control and bidirectional-override characters are not accepted",
                )
            )
        elif name in _NAME_FIELDS and looks_like_formula(value):
            issues.append(
                Issue(
                    "row.formula_like",
                    f"/{name}",
                    f"{name} {value[:40]!r} starts like a spreadsheet formula; it is signed as written: check the "
                    "export",
                    Severity.WARNING,
                )
            )
    return tuple(issues)


def _errors(issues: Iterable[Issue]) -> bool:
    return any(issue.severity is Severity.ERROR for issue in issues)


"""How many row problems :class:`BatchResult` and :class:`InvalidRowsError` keep (all are reported)."""

_TEMPORARY = re.compile(r"^\..+\.jwt\.tmp-\d+$")
_CHECK_CHUNK = 256
_ISSUE_CHUNK = 64


# --- public records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySource:
    """Where the signing key comes from; every worker process loads it from the file itself.

    ``kid`` overrides the key id (default: the key file's, or derived from a did:key, did:jwk
    or did:web issuer, as ``czmc issue`` does); ``alg`` the algorithm (PEM files store none,
    so an RSA PEM key signs RS256 unless ``alg`` says PS256).
    """

    path: Path
    password: bytes | None = field(default=None, repr=False)
    kid: str | None = None
    alg: str | None = None


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A roster row that cannot be issued: its line, learner key (if any) and every problem."""

    line: int
    learner: str | None
    issues: tuple[Issue, ...]


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts so far, reported after every chunk.

    ``phase`` is ``check`` (reading and checking every row; ``bytes_read`` of
    ``bytes_total`` tells how far) or ``issue`` (``issued`` of ``to_issue``).
    """

    phase: Literal["check", "issue"]
    rows: int
    invalid: int
    issued: int
    already_issued: int
    to_issue: int | None
    bytes_read: int
    bytes_total: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Rows checked (check phase) or credentials issued (issue phase) per second."""
        done = self.rows if self.phase == "check" else self.issued
        return done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class BatchResult:
    """What a batch did."""

    rows: int
    issued: int
    already_issued: int
    rejected: int
    out_dir: Path
    manifest: Path
    rejects: Path | None
    problems: tuple[RowProblem, ...]
    check_seconds: float
    issue_seconds: float
    not_active: int = 0
    """Credentials written from the registry that were revoked or suspended since an earlier run."""
    warnings: tuple[RowProblem, ...] = ()
    """Rows issued despite a warning (a learner name that starts like a spreadsheet formula); the first 1000."""


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One line of ``manifest.jsonl``: one issued credential."""

    course: str
    learner: str
    credential: str
    subject: str | None
    file: str
    sha256: str
    issued: str
    format: str
    line: int
    row: str | None = None
    """SHA-256 of the roster row's values it was issued from (:func:`row_digest`), to notice a changed row."""

    def to_json(self) -> bytes:
        """The manifest line (without its newline)."""
        return orjson.dumps(
            {
                "course": self.course,
                "learner": self.learner,
                "credential": self.credential,
                "subject": self.subject,
                "file": self.file,
                "sha256": self.sha256,
                "issued": self.issued,
                "format": self.format,
                "line": self.line,
                **({"row": self.row} if self.row is not None else {}),
            }
        )


class InvalidRowsError(InvalidError):
    """Rows of the roster that cannot be issued; nothing was signed. ``problems`` lists them by line."""

    code = "batch.invalid_rows"
    what: ClassVar[str] = "roster"

    def __init__(self, problems: Iterable[RowProblem], invalid: int, rows: int, source: str) -> None:
        self.problems = tuple(problems)
        self.invalid = invalid
        self.rows = rows
        issues = [issue for problem in self.problems for issue in problem.issues]
        noun = "row is" if invalid == 1 else "rows are"
        super().__init__(issues, f"{source}: {invalid} of {rows} {noun} invalid; nothing was issued")


class OutputDirectoryError(CzmcError):
    """An output directory czmc cannot continue in (locked by another run, or changed by hand)."""

    code = "batch.output"


# --- keys -------------------------------------------------------------------------------------


def signing_key(source: KeySource, issuer: str) -> Key:
    """The key of ``source`` under the kid verifiers resolve; SigningError if it is not the issuer's."""
    return vcjwt.bind_key(keys.load(source.path, password=source.password, alg=source.alg), issuer, source.kid)


# --- the work of one process ---------------------------------------------------------------------

# A row as sent to a worker: line, record, problems found while reading it.
_Row = tuple[int, dict[str, str], tuple[Issue, ...]]
# A checked row: line, learner key, problems.
_Checked = tuple[int, str | None, tuple[Issue, ...]]
# An issued row: its line and manifest line (JSON, no newline) and, when the registry holds it
# revoked or suspended since an earlier run, that state; or its line, problems and None.
_Issued = tuple[int, bytes | tuple[Issue, ...], str | None]


@dataclass(frozen=True)
class _Job:
    course: CourseDefinition
    key: KeySource
    format: str
    out_dir: str
    issued_at: datetime
    parent: int | None = None
    registry: str | None = None
    status_purpose: str | None = None


def _row_issues(line: int, issues: Iterable[Issue]) -> tuple[Issue, ...]:
    return tuple(Issue(i.code, f"/row/{line}{i.path}", i.message, i.severity) for i in issues)


class _Worker:
    def __init__(self, job: _Job) -> None:
        self.job = job
        self.course = job.course
        self.format = vcjwt.Format(job.format)
        self.key = signing_key(job.key, job.course.issuer.id)
        self.registry: Registry | None = None
        if job.registry is not None:
            # the registry (sqlite3 or psycopg, the status lists) only when issuing into one
            from czmc.registry import open_registry  # noqa: PLC0415

            self.registry = open_registry(job.registry)

    def close(self) -> None:
        if self.registry is not None:
            self.registry.close()

    def check(self, rows: list[_Row]) -> list[_Checked]:
        out: list[_Checked] = []
        for line, record, read_issues in rows:
            issues = read_issues
            if not issues:
                issues = field_issues(record)
                if not _errors(issues):
                    try:
                        microcredential_for(self.course, record, issued_at=self.job.issued_at)
                    except ModelError as error:
                        issues = (*issues, *error.issues)
            out.append((line, learner_key(record), _row_issues(line, issues)))
        return out

    def issue(self, rows: list[_Row]) -> list[_Issued]:
        out: list[_Issued] = []
        valid: list[tuple[int, str, MicroCredential]] = []
        record_of = {line: record for line, record, _issues in rows}
        for line, record, _issues in rows:
            refused = tuple(issue for issue in field_issues(record) if issue.severity is Severity.ERROR)
            try:
                if refused:
                    raise ModelError(refused)
                mc = microcredential_for(self.course, record, issued_at=self.job.issued_at)
            except ModelError as error:
                out.append((line, _row_issues(line, error.issues), None))
                continue
            valid.append((line, learner_key(record) or "", mc))
        # Per valid row: the token, its date of issuing, and its state if no longer active.
        signed: list[tuple[str, str, str | None]]
        if self.registry is None:
            signed = [
                (
                    vcjwt.sign(ob3.render_for_signing(mc), self.key, format=self.format),
                    ob3.format_datetime(mc.issued),
                    None,
                )
                for _, _, mc in valid
            ]
        else:
            from czmc.registry import CredentialState  # noqa: PLC0415 - see __init__

            # One transaction for the chunk (one disk sync), keyed by the credential ids, which are
            # stable across reruns: a rerun after a crash gets what the registry recorded, never a
            # second credential.
            recorded = self.registry.issue_many(
                [(ob3.render_for_signing(mc), mc.id) for _, _, mc in valid],
                self.key,
                format=self.format,
                purpose=self.job.status_purpose,
            )
            signed = [
                (item.token, item.issued, None if item.state is CredentialState.ACTIVE else item.state.value)
                for item, _created in recorded
            ]
        for (line, learner, mc), (text, issued, state) in zip(valid, signed, strict=True):
            token = text.encode("ascii")
            name = f"{(mc.id or '').removeprefix('urn:uuid:')}.jwt"  # the credential_uuid of the learner
            self._write(name, token)
            entry = ManifestEntry(
                course=self.course.key,
                learner=learner,
                credential=mc.id or "",
                subject=mc.learner.id,
                file=name,
                sha256=hashlib.sha256(token).hexdigest(),
                issued=issued,
                format=self.format.value,
                line=line,
                row=row_digest(record_of[line]),
            )
            out.append((line, entry.to_json(), state))
        out.sort(key=lambda item: item[0])
        return out

    def _write(self, name: str, data: bytes) -> None:
        if self.job.parent is not None and os.getppid() != self.job.parent:
            os._exit(1)  # the batch is gone: write nothing more
        directory = self.job.out_dir
        temporary = os.path.join(directory, f".{name}.tmp-{os.getpid()}")
        handle = _create_private(temporary)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        except BaseException:
            os.close(handle)
            os.unlink(temporary)
            raise
        os.close(handle)
        os.replace(temporary, os.path.join(directory, name))


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _create_private(path: str) -> int:
    """A new file readable by its owner only (tokens and rejects hold personal data), never through a link.

    A leftover of the same name (a killed run of the same process id) is removed first.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    try:
        return os.open(path, flags, 0o600)
    except FileExistsError:
        os.unlink(path)
        return os.open(path, flags, 0o600)


_WORKER: _Worker | None = None


def _die_with_parent(parent: int) -> None:
    with contextlib.suppress(Exception):
        import ctypes  # noqa: PLC0415 - Linux only, in worker processes only

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig, sigkill = 1, 9
        libc.prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _init_worker(job: _Job) -> None:
    global _WORKER  # noqa: PLW0603 - one worker object per process, made by the pool initializer
    if job.parent is not None:
        _die_with_parent(job.parent)
    _WORKER = _Worker(job)


def _check_chunk(rows: list[_Row]) -> list[_Checked]:
    assert _WORKER is not None  # noqa: S101 - set by _init_worker
    return _WORKER.check(rows)


def _issue_chunk(rows: list[_Row]) -> list[_Issued]:
    assert _WORKER is not None  # noqa: S101 - set by _init_worker
    return _WORKER.issue(rows)


# --- the manifest and the output directory -----------------------------------------------------


def _entry(document: Any) -> ManifestEntry:
    if not isinstance(document, dict):
        raise TypeError("not an object")
    return ManifestEntry(
        course=str(document["course"]),
        learner=str(document["learner"]),
        credential=str(document["credential"]),
        subject=None if document.get("subject") is None else str(document["subject"]),
        file=str(document["file"]),
        sha256=str(document["sha256"]),
        issued=str(document["issued"]),
        format=str(document.get("format", "ob3")),
        line=int(document.get("line", 0)),
        row=None if document.get("row") is None else str(document["row"]),
    )


def read_manifest(out_dir: str | Path) -> Iterator[ManifestEntry]:
    """The entries of ``out_dir``'s manifest, streamed (none if there is no manifest).

    A last line without its newline (a write cut short) is left out; any other unreadable
    line raises :class:`OutputDirectoryError`.
    """
    path = Path(out_dir) / MANIFEST_NAME
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return
    with stream:
        yield from _entries(stream, path)


def _entries(stream: IO[bytes], path: Path) -> Iterator[ManifestEntry]:
    for number, data in enumerate(stream, 1):
        if not data.endswith(b"\n"):
            return  # cut short: the credential is issued again
        if not data.strip():
            continue
        try:
            yield _entry(orjson.loads(data))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise OutputDirectoryError(f"{path}, line {number}: not a manifest entry; was it edited?") from None


def check_output(out_dir: str | Path) -> list[Issue]:
    """Every inconsistency of a batch output directory (empty if it is consistent).

    Errors: a manifest line whose file is missing or does not have the recorded SHA-256; a
    learner of a course listed twice. Warnings (what an interrupted run leaves, and the next
    run clears): a temporary file; a token file no manifest line lists.
    """
    directory = Path(out_dir)
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    listed: set[str] = set()
    for number, entry in enumerate(read_manifest(directory), 1):
        where = f"/manifest/{number}"
        if (entry.course, entry.learner) in seen:
            issues.append(Issue("batch.duplicate", where, f"learner {entry.learner} is listed twice"))
        seen.add((entry.course, entry.learner))
        listed.add(entry.file)
        try:
            data = (directory / entry.file).read_bytes()
        except OSError:
            issues.append(Issue("batch.missing_file", where, f"{entry.file} does not exist"))
            continue
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            issues.append(Issue("batch.sha256", where, f"{entry.file} does not have the recorded SHA-256"))
    for item in sorted(os.listdir(directory)):
        if _TEMPORARY.match(item):
            issues.append(
                Issue("batch.temporary_file", f"/{item}", "a temporary file of an interrupted run", Severity.WARNING)
            )
        elif item.endswith(".jwt") and item not in listed:
            issues.append(
                Issue(
                    "batch.unlisted_file",
                    f"/{item}",
                    "a token file no manifest line lists (an interrupted run; the next run issues it again)",
                    Severity.WARNING,
                )
            )
    return issues


class _Manifest:
    """The manifest, opened for appending under an exclusive lock."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / MANIFEST_NAME
        # Never through a link: a planted manifest.jsonl -> elsewhere must not receive learner data.
        try:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | _NOFOLLOW | _CLOEXEC, 0o600)
        except OSError as error:
            if os.path.islink(self.path):
                raise OutputDirectoryError(
                    f"{self.path} is a symbolic link; czmc does not write through links"
                ) from None
            raise OutputDirectoryError(f"cannot open {self.path}: {error.strerror or error}") from None
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            os.close(handle)
            raise OutputDirectoryError(f"{self.path} is not a regular file")
        self._stream = open(handle, "a+b")  # noqa: SIM115 - closed by close()
        if fcntl is not None:
            try:
                fcntl.flock(self._stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                self._stream.close()
                raise OutputDirectoryError(
                    f"another czmc issue-batch is writing to {out_dir} (its manifest is locked)"
                ) from None

    def learners(self, course: str) -> Iterator[tuple[str, str | None]]:
        """Learner keys of ``course`` the manifest lists, with their row digests; checks each one's file exists."""
        self._stream.seek(0)
        for entry in _entries(self._stream, self.path):
            if entry.course != course:
                continue
            if not (self.path.parent / entry.file).is_file():
                raise OutputDirectoryError(
                    f"{self.path} lists {entry.file} (learner {entry.learner}), which does not exist; "
                    "was the directory changed by hand?"
                )
            yield entry.learner, entry.row

    def repair(self) -> None:
        """Drop a last line cut short (its credential is issued again) and get ready to append."""
        end = self._stream.seek(0, os.SEEK_END)
        tail_start = max(0, end - 64 * 1024)
        self._stream.seek(tail_start)
        tail = self._stream.read()
        if tail and not tail.endswith(b"\n"):
            self._stream.truncate(tail_start + tail.rfind(b"\n") + 1)
        self._stream.seek(0, os.SEEK_END)

    def append(self, line: bytes) -> None:
        """Append one entry (its JSON, without newline); :meth:`flush` hands it to the operating system."""
        self._stream.write(line + b"\n")

    def flush(self) -> None:
        """Flush the entries appended so far (after each chunk: one write for its lines, not one each)."""
        self._stream.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._stream.flush()
            os.fsync(self._stream.fileno())
        self._stream.close()


def _issued_before(out_dir: Path, course: str) -> Iterator[tuple[str, str | None]]:
    """Learner keys and row digests of ``course`` in ``out_dir``'s manifest, read without a lock (phase 1)."""
    return ((entry.learner, entry.row) for entry in read_manifest(out_dir) if entry.course == course)


def _changed_since_issued(line: int, key: str) -> Issue:
    return Issue(
        "batch.changed_since_issued",
        f"/row/{line}",
        f"learner {key} was issued a credential from a row with other values; it is not issued again: "
        "revoke it and issue anew if the change matters",
        Severity.WARNING,
    )


def row_digest(record: Mapping[str, str]) -> str:
    """SHA-256 of a roster row's values (field names and values, sorted), as the manifest keeps it."""
    return hashlib.sha256(orjson.dumps(dict(sorted(record.items())))).hexdigest()


class _Keys:
    """What a batch remembers per learner and row, in a private temporary SQLite database.

    Learner keys seen (with their first line), learner keys issued before, invalid lines: on
    disk with a small page cache, so that memory does not grow with the roster.
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)  # "": a private temporary file, deleted on close
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -2048;
            CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE done (key TEXT PRIMARY KEY, row TEXT) WITHOUT ROWID;
            CREATE TABLE bad (line INTEGER PRIMARY KEY);
            BEGIN;
            """
        )

    def first_line(self, key: str, line: int) -> int:
        """The line ``key`` was first seen on (``line`` if this is the first time)."""
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (key, line)).rowcount:
            return line
        row = self._db.execute("SELECT line FROM seen WHERE key = ?", (key,)).fetchone()
        return int(row[0])

    def set_done(self, keys: Iterable[tuple[str, str | None]]) -> None:
        """Replace the keys issued before (with the digests of the rows they were issued from)."""
        self._db.execute("DELETE FROM done")
        self._db.executemany("INSERT OR IGNORE INTO done VALUES (?, ?)", keys)

    def is_done(self, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM done WHERE key = ?", (key,)).fetchone() is not None

    def done_row(self, key: str) -> str | None:
        """The digest of the row ``key`` was issued from (None: not issued, or by an older czmc)."""
        found = self._db.execute("SELECT row FROM done WHERE key = ?", (key,)).fetchone()
        return None if found is None else found[0]

    def add_bad(self, line: int) -> None:
        self._db.execute("INSERT OR IGNORE INTO bad VALUES (?)", (line,))

    def is_bad(self, line: int) -> bool:
        return self._db.execute("SELECT 1 FROM bad WHERE line = ?", (line,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()


def _remove_temporary_files(out_dir: Path) -> None:
    for item in os.listdir(out_dir):
        if _TEMPORARY.match(item):
            with contextlib.suppress(FileNotFoundError):
                (out_dir / item).unlink()


# --- rejects ----------------------------------------------------------------------------------


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(text: str) -> str:
    """``text`` safe for a spreadsheet: a cell starting with ``= + - @``, tab or CR gets a leading ``'``.

    Spreadsheets run such cells as formulas (CSV injection, OWASP); the apostrophe makes them
    text. The rejects file is opened by staff in Excel, and its rows come from exports anyone
    may have typed into.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula (see :func:`neutralise_cell`)."""
    return text.startswith(_FORMULA_START)


class _Rejects:
    """The rejects file: written to a temporary file, renamed into place when the check is done.

    A character device or FIFO is written through (``--rejects /dev/stderr``); a link or
    another kind of file is refused.
    """

    def __init__(self, path: Path, roster: Roster) -> None:
        self.path = path
        self.jsonl = roster.format == "jsonl" or path.suffix.lower() in (".jsonl", ".ndjson")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._temporary: Path | None = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        kind = os.stat(path).st_mode if path.exists() else None
        if kind is not None and (stat.S_ISCHR(kind) or stat.S_ISFIFO(kind)):
            self._temporary = None
            handle = os.open(path, os.O_WRONLY | _CLOEXEC)
        elif os.path.islink(path) or (kind is not None and not stat.S_ISREG(kind)):
            raise OutputDirectoryError(f"{path} is not a regular file; czmc writes the rejects only to one")
        else:
            # The rejected rows are the roster's, e-mail addresses included: readable by the owner only.
            handle = _create_private(str(self._temporary))
        self._stream = open(handle, "w", encoding="utf-8-sig" if not self.jsonl else "utf-8", newline="")  # noqa: SIM115
        self._header = roster.header
        if not self.jsonl:
            self._writer = csv.writer(self._stream, delimiter=roster.delimiter, lineterminator="\r\n")
            columns = list(roster.header) if roster.header else ["row"]
            self._writer.writerow([neutralise_cell(cell) for cell in [*columns, "czmc_line", "czmc_problems"]])

    def add(self, line: int, cells: Mapping[str, Any], issues: Iterable[Issue]) -> None:
        if self.jsonl:
            document = {"line": line, "problems": [issue.to_dict() for issue in issues], "row": cells}
            self._stream.write(orjson.dumps(document, default=str).decode() + "\n")
            return
        values = [str(cells.get(name, "")) for name in self._header] if self._header else [orjson.dumps(cells).decode()]
        problems = " | ".join(f"{issue.path}: {issue.message} [{issue.code}]" for issue in issues)
        self._writer.writerow([neutralise_cell(cell) for cell in [*values, str(line), problems]])

    def commit(self) -> None:
        self._stream.close()
        if self._temporary is not None:
            os.replace(self._temporary, self.path)

    def discard(self) -> None:
        self._stream.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)


# --- the engine -------------------------------------------------------------------------------


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pipelined(
    executor: ProcessPoolExecutor | None,
    function: Callable[[list[_Row]], list[Any]],
    chunks: Iterator[tuple[list[_Row], Any]],
    window: int,
) -> Iterator[tuple[Any, list[Any]]]:
    """``function`` of each chunk, in order, with at most ``window`` chunks in flight."""
    if executor is None:
        for rows, meta in chunks:
            yield meta, function(rows)
        return
    pending: deque[tuple[Future[list[Any]], Any]] = deque()
    try:
        for rows, meta in chunks:
            pending.append((executor.submit(function, rows), meta))
            while len(pending) >= window:
                future, earlier = pending.popleft()
                yield earlier, future.result()
        while pending:
            future, earlier = pending.popleft()
            yield earlier, future.result()
    finally:
        for future, _meta in pending:
            future.cancel()


class _Batch:
    def __init__(
        self,
        course: CourseDefinition,
        roster: Roster,
        key: KeySource,
        out_dir: Path,
        *,
        format: str,
        jobs: int,
        skip_invalid: bool,
        rejects: Path | None,
        issued_at: datetime,
        chunk_size: int | None,
        on_progress: Callable[[Progress], None] | None,
        on_problem: Callable[[RowProblem], None] | None,
        registry: str | os.PathLike[str] | None = None,
        status_url: str | None = None,
        status_purpose: str | None = None,
    ) -> None:
        self.course = course
        self.roster = roster
        self.out_dir = out_dir
        self.jobs = jobs
        self.skip_invalid = skip_invalid
        self.rejects_path = rejects
        self.chunk_size = chunk_size
        self.on_progress = on_progress
        self.on_problem = on_problem
        self.job = _Job(
            course,
            key,
            format,
            str(out_dir),
            issued_at,
            os.getpid() if jobs > 1 else None,
            str(registry) if registry is not None else None,
            status_purpose,
        )
        self.local = _Worker(self.job)  # loads the key here first: a bad key fails before anything starts
        if self.local.registry is not None:
            try:  # a missing or conflicting status list URL stops the batch before anything is signed
                self.local.registry.register_issuer(course.issuer.id, status_url)
            except BaseException:
                self.local.close()
                raise
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []
        self.invalid = 0
        self.rows = 0
        self.already = 0
        self.not_active = 0
        self.keys = _Keys()
        self._size = 0

    def _progress(self, phase: Literal["check", "issue"], start: float, **counts: Any) -> None:
        if self.on_progress is not None:
            defaults: dict[str, Any] = {
                "rows": self.rows,
                "invalid": self.invalid,
                "issued": 0,
                "already_issued": 0,
                "to_issue": None,
                "bytes_read": 0,
                "bytes_total": self._size,
            }
            self.on_progress(Progress(phase, elapsed=time.perf_counter() - start, **{**defaults, **counts}))

    def _stat(self) -> tuple[int, int]:
        stat = self.roster.path.stat()
        return stat.st_size, stat.st_mtime_ns

    def run(self) -> BatchResult:
        # Phase 1 writes nothing into the output directory (nor creates it): it reads the
        # manifest, if there is one, only to count who was issued before.
        executor: ProcessPoolExecutor | None = None
        manifest: _Manifest | None = None
        try:
            self.keys.set_done(_issued_before(self.out_dir, self.course.key))
            self._size = self._stat()[0]
            if self.jobs > 1:
                executor = ProcessPoolExecutor(
                    max_workers=self.jobs,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(self.job,),
                )
            stat = self._stat()
            check_start = time.perf_counter()
            self._check(executor, check_start)
            check_seconds = time.perf_counter() - check_start
            if self.invalid and not self.skip_invalid:
                raise InvalidRowsError(self.problems, self.invalid, self.rows, str(self.roster.path))
            self.out_dir.mkdir(parents=True, exist_ok=True)
            manifest = _Manifest(self.out_dir)  # locked from here on: now the manifest is authoritative
            _remove_temporary_files(self.out_dir)
            self.keys.set_done(manifest.learners(self.course.key))
            manifest.repair()
            issue_start = time.perf_counter()
            issued = self._issue(executor, manifest, issue_start)
            if self._stat() != stat:
                raise InputError(
                    [Issue("roster.changed", "", f"{self.roster.path} changed while it was being issued; run again")]
                )
            return BatchResult(
                rows=self.rows,
                issued=issued,
                already_issued=self.rows - self.invalid - issued,
                rejected=self.invalid,
                out_dir=self.out_dir,
                manifest=manifest.path,
                rejects=self.rejects_path,
                problems=tuple(self.problems),
                check_seconds=check_seconds,
                issue_seconds=time.perf_counter() - issue_start,
                not_active=self.not_active,
                warnings=tuple(self.warnings),
            )
        except BrokenProcessPool:
            raise CzmcError("a worker process died; run the same command again to resume") from None
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
            if manifest is not None:
                manifest.close()
            self.keys.close()
            self.local.close()

    # phase 1

    def _check(self, executor: ProcessPoolExecutor | None, start: float) -> None:
        rejects = _Rejects(self.rejects_path, self.roster) if self.rejects_path is not None else None
        size = self.chunk_size or _CHECK_CHUNK

        def chunks() -> Iterator[tuple[list[_Row], tuple[list[_Row], list[Mapping[str, Any]], int]]]:
            for chunk in _chunks(self.roster.rows(), size):
                rows: list[_Row] = [(row.line, row.record, row.issues) for row in chunk]
                yield rows, (rows, [row.cells for row in chunk], chunk[-1].end)

        check = _check_chunk if executor is not None else self.local.check
        try:
            for (sent, cells, end), results in _pipelined(executor, check, chunks(), 2 * self.jobs + 1):
                for (_, record, _), row_cells, (line, key, row_issues) in zip(sent, cells, results, strict=True):
                    self.rows += 1
                    issues = row_issues
                    if key is not None:
                        first = self.keys.first_line(key, line)
                        if first != line:
                            issues = (
                                *issues,
                                Issue(
                                    "batch.duplicate_learner",
                                    f"/row/{line}/student_number",
                                    f"learner {key} is also on line {first}: one credential per learner",
                                ),
                            )
                    if _errors(issues):
                        self._problem(RowProblem(line, key, issues), row_cells, rejects)
                        continue
                    if key is not None and self.keys.is_done(key):
                        self.already += 1
                        issued_from = self.keys.done_row(key)
                        if issued_from is not None and issued_from != row_digest(record):
                            issues = (*issues, _changed_since_issued(line, key))
                    if issues and len(self.warnings) < MAX_PROBLEMS_KEPT:
                        self.warnings.append(RowProblem(line, key, issues))
                self._progress("check", start, bytes_read=end, already_issued=self.already)
        except BaseException:
            if rejects is not None:
                rejects.discard()
            raise
        if rejects is not None:
            rejects.commit()

    def _problem(self, problem: RowProblem, cells: Mapping[str, Any], rejects: _Rejects | None) -> None:
        self.invalid += 1
        self.keys.add_bad(problem.line)
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)
        if rejects is not None:
            rejects.add(problem.line, cells, problem.issues)

    # phase 2

    def _issue(self, executor: ProcessPoolExecutor | None, manifest: _Manifest, start: float) -> int:
        already = self.already
        to_issue = self.rows - self.invalid - already
        size = self.chunk_size or _ISSUE_CHUNK

        def rows() -> Iterator[_Row]:
            # A learner listed twice is a bad line already (phase 1): nothing to remember here.
            for row in self.roster.rows():
                if not self.keys.is_bad(row.line) and not self.keys.is_done(learner_key(row.record) or ""):
                    yield row.line, row.record, ()

        def chunks() -> Iterator[tuple[list[_Row], int]]:
            for chunk in _chunks(rows(), size):
                yield chunk, len(chunk)

        issue = _issue_chunk if executor is not None else self.local.issue
        issued = 0
        self._progress("issue", start, already_issued=already, to_issue=to_issue)
        for _count, results in _pipelined(executor, issue, chunks(), 2 * self.jobs + 1):
            for line, result, state in results:
                if isinstance(result, bytes):
                    manifest.append(result)
                    issued += 1
                    self.not_active += state is not None
                else:
                    raise InputError(
                        [
                            Issue(
                                "roster.changed",
                                "",
                                f"{self.roster.path} changed while it was being issued (line {line} "
                                "was valid and is not any more); run again",
                            ),
                            *result,
                        ]
                    )
            manifest.flush()
            self._progress("issue", start, issued=issued, already_issued=already, to_issue=to_issue)
        return issued


def issue_batch(
    course: CourseDefinition,
    roster: Roster,
    key: KeySource,
    out_dir: str | Path,
    *,
    format: vcjwt.Format | str = vcjwt.Format.OB3,
    jobs: int = 1,
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
    issued_at: datetime | None = None,
    chunk_size: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_problem: Callable[[RowProblem], None] | None = None,
    registry: str | os.PathLike[str] | None = None,
    status_url: str | None = None,
    status_purpose: StatusPurpose | str | None = None,
) -> BatchResult:
    """Issue a micro-credential to every learner of ``roster`` into ``out_dir``; see the module docs.

    ``jobs``: worker processes (1: everything in this process; 0: one per CPU).
    ``issued_at``: the date of issuing for rows and a course that give none (default: now).
    ``rejects``: where to write the invalid rows with their problems (written whenever the
    check is done, also when it stops the batch). ``on_problem`` gets every invalid row, in
    roster order, during the check; ``on_progress`` gets the counts after every chunk.
    ``registry`` (a :func:`czmc.registry.open_registry` target) records every credential with a
    status-list entry (``status_purpose``; the issuer's lists under ``status_url``), keyed by
    the credential id, so a rerun takes what the registry already holds instead of signing again.

    Raises :class:`InvalidRowsError` when rows are invalid and not ``skip_invalid`` (nothing
    is signed then), :class:`OutputDirectoryError` when ``out_dir`` is locked by another run
    or inconsistent, and the key and input errors of :mod:`czmc.keys` and :mod:`czmc.roster`.
    """
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    batch = _Batch(
        course,
        roster,
        key,
        Path(out_dir),
        format=vcjwt.Format(format).value,
        jobs=workers,
        skip_invalid=skip_invalid,
        rejects=Path(rejects) if rejects is not None else None,
        issued_at=issued_at or datetime.now(UTC).replace(microsecond=0),
        chunk_size=chunk_size,
        on_progress=on_progress,
        on_problem=on_problem,
        registry=registry,
        status_url=status_url,
        status_purpose=_purpose(status_purpose),
    )
    return batch.run()


def _purpose(value: StatusPurpose | str | None) -> str | None:
    if value is None:
        return None
    from czmc.status import StatusPurpose  # noqa: PLC0415 - the status machinery only with a registry

    return StatusPurpose(value).value
