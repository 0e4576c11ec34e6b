"""The issuance registry: what was issued, its status-list slot, its status and who changed it.

A :class:`Registry` records every credential it issues (id, learner identifier as issued,
achievement, date of issuing, status purpose, status list and index, the signed token) and
every status change (who, when, why). It allocates the Bitstring Status List slots and
publishes the signed status lists (:mod:`czmc.status`) that verifiers fetch.

Two backends behind one interface, chosen by :func:`open_registry`:

- a SQLite file (the embedded default: created and migrated on first use, WAL journal,
  ``synchronous=FULL`` so that a committed record survives a power cut, readable by its
  owner only, since it holds learner identifiers);
- PostgreSQL (``postgresql://...``, needs ``czmc[postgres]``), for a consortium or a
  university that issues from several machines into one database.

Issuing is one transaction: allocate the next slot of the issuer's status list, put the
``credentialStatus`` entry into the credential, sign, record. A failure anywhere (a signing
error, a crash, SIGKILL) rolls the whole transaction back, so there is never a half record
nor a consumed but unrecorded index. Slots are numbered by a per-list counter and mapped to
list indexes by a keyed pseudo-random permutation (a Feistel network keyed by a secret seed
kept in the registry): indexes look random, as Bitstring Status List section 6 asks, and are
never reused, without retrying collisions as a list fills up. A unique constraint on
(issuer, purpose, list, index) backs this up.

Every credential carries one ``credentialStatus`` object (the OB 3.0 schema allows only
one): a ``revocation`` entry by default, or a ``suspension`` entry when the issuer (or the
call) chooses suspension. A revoked credential with a suspension entry stays suspended for
ever in the published list: the registry refuses to reinstate it.

Error codes (:class:`~czmc.errors.RegistryError`): ``registry.unknown_credential``,
``registry.already_revoked``, ``registry.already_suspended``, ``registry.not_suspended``,
``registry.cannot_suspend``, ``registry.reason``, ``registry.duplicate_id``,
``registry.idempotency_conflict``, ``registry.status_url``, ``registry.status_url_conflict``,
``registry.has_status``, ``registry.credential``, ``registry.issuer``, ``registry.list_size``,
``registry.target``, ``registry.not_found``, ``registry.too_new``, ``registry.database``, ``registry.write``,
``registry.would_unrevoke``.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import hashlib
import os
import secrets
import socket
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from czmc import jws, ob3, status, vcjwt
from czmc.errors import CzmcError, MissingDependencyError, RegistryError
from czmc.keys import Key
from czmc.model import MicroCredential
from czmc.status import MIN_ENTRIES, StatusPurpose

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "SCHEMA_VERSION",
    "CredentialState",
    "IssuerSettings",
    "PublishedList",
    "Record",
    "Registry",
    "StatusEvent",
    "StatusListInfo",
    "default_status_url",
    "display_target",
    "open_registry",
]

SCHEMA_VERSION = 1
"""The registry schema this czmc writes; older files are migrated when opened."""


class CredentialState(StrEnum):
    """The status of an issued credential, as the registry knows it."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One entry of a credential's history: ``action`` (issued, revoked, suspended, reinstated)."""

    action: str
    state: CredentialState
    at: str
    actor: str
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "action": self.action,
            "state": self.state.value,
            "at": self.at,
            "actor": self.actor,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Record:
    """An issued credential as the registry holds it.

    ``learner`` is the learner identifier as the credential carries it: the subject id, else
    the (salted, hashed) e-mail identifier, else the name. ``index`` is the credential's slot in
    the status list ``list_url`` of its ``purpose``.
    """

    id: str
    issuer: str
    learner: str
    achievement: str
    achievement_name: str
    issued: str
    purpose: StatusPurpose
    list_url: str
    index: int
    state: CredentialState
    format: str
    token: str
    idempotency_key: str | None
    recorded: str
    history: tuple[StatusEvent, ...] = ()

    def __repr__(self) -> str:
        return f"Record(id={self.id!r}, issuer={self.issuer!r}, state={self.state.value!r}, index={self.index})"

    def to_dict(self, *, token: bool = True) -> dict[str, Any]:
        """A JSON-ready mapping (one line of ``czmc registry export``)."""
        document: dict[str, Any] = {
            "id": self.id,
            "issuer": self.issuer,
            "learner": self.learner,
            "achievement": self.achievement,
            "achievementName": self.achievement_name,
            "issued": self.issued,
            "statusPurpose": self.purpose.value,
            "statusListCredential": self.list_url,
            "statusListIndex": self.index,
            "state": self.state.value,
            "format": self.format,
            "idempotencyKey": self.idempotency_key,
            "recorded": self.recorded,
            "history": [event.to_dict() for event in self.history],
        }
        if token:
            document["token"] = self.token
        return document


@dataclass(frozen=True, slots=True)
class IssuerSettings:
    """Where an issuer's status lists are published, their size and the default purpose."""

    issuer: str
    status_url: str
    list_size: int
    purpose: StatusPurpose


@dataclass(frozen=True, slots=True)
class StatusListInfo:
    """One status list of an issuer: its URL, size and how many slots are taken."""

    issuer: str
    purpose: StatusPurpose
    number: int
    url: str
    size: int
    allocated: int


@dataclass(frozen=True, slots=True)
class PublishedList:
    """A status list written by :meth:`Registry.publish`: where it goes and how many bits are set."""

    url: str
    path: Path
    purpose: StatusPurpose
    size: int
    set_bits: int


# --- index allocation --------------------------------------------------------------------------


def _permute(position: int, size: int, seed: bytes, list_label: bytes) -> int:
    """Slot ``position`` of a list of ``size`` (a power of two) -> its pseudo-random index.

    A four-round Feistel network over 2^(2h) >= size values, keyed by ``seed`` and the list
    (``b"revocation:1"``), with cycle walking back into [0, size): a bijection, so no two slots
    of a list share an index, and lists of different purposes are shuffled differently.
    """
    half = ((size - 1).bit_length() + 1) // 2
    mask = (1 << half) - 1
    value = position
    while True:
        left, right = value >> half, value & mask
        for round_number in range(4):
            digest = hashlib.blake2b(b"%s:%d:%d" % (list_label, round_number, right), key=seed, digest_size=8).digest()
            left, right = right, left ^ (int.from_bytes(digest, "big") & mask)
        value = (left << half) | right
        if value < size:
            return value


@functools.cache
def _default_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = f"uid{os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def _now_text(now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def default_status_url(issuer: str) -> str | None:
    """Where a did:web or https issuer's status lists go by default, else None.

    ``did:web:example.cz:unit`` -> ``https://example.cz/unit/status`` (the DID document's
    directory); ``https://example.cz/profile`` -> ``https://example.cz/status``.
    """
    if issuer.startswith("did:web:"):
        parts = [part.replace("%3A", ":").replace("%3a", ":") for part in issuer.removeprefix("did:web:").split(":")]
        return "https://" + "/".join(parts) + "/status"
    if issuer.startswith("https://"):
        split = urlsplit(issuer)
        return f"https://{split.netloc}/status"
    return None


def _check_status_url(url: str) -> str:
    split = urlsplit(url)
    if split.scheme != "https" or not split.netloc or split.query or split.fragment:
        raise RegistryError(
            "registry.status_url",
            f"the status list base URL must be an https URL without query or fragment, got {url!r}",
        )
    return url.rstrip("/")


def _list_url(base: str, purpose: str, number: int) -> str:
    return f"{base}/{purpose}/{number}.jwt"


# --- what the registry reads out of a credential ----------------------------------------------


def _learner(subject: Mapping[str, Any]) -> str:
    if isinstance(subject.get("id"), str):
        return str(subject["id"])
    identifiers = [item for item in subject.get("identifier") or () if isinstance(item, Mapping)]
    for item in sorted(identifiers, key=lambda item: not item.get("hashed")):
        if isinstance(item.get("identityHash"), str):
            return f"{item.get('identityType', 'identifier')}:{item['identityHash']}"
    return ""


def _facts(credential: Mapping[str, Any]) -> dict[str, str]:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        subject = {}
    achievement = subject.get("achievement")
    if not isinstance(achievement, Mapping):
        achievement = {}
    credential_id = credential.get("id")
    if not isinstance(issuer_id, str) or not isinstance(credential_id, str):
        raise RegistryError("registry.credential", "the credential needs an id and an issuer id to be recorded")
    issued = subject.get("awardedDate") or credential.get("awardedDate") or credential.get("validFrom") or ""
    return {
        "id": credential_id,
        "issuer": issuer_id,
        "learner": _learner(subject),
        "achievement": str(achievement.get("id", "")),
        "achievement_name": str(achievement.get("name", "")),
        "issued": str(issued),
    }


# --- the database ------------------------------------------------------------------------------

_COLUMNS = (
    "id, issuer, learner, achievement, achievement_name, issued, purpose, list_url, list_number, "
    "status_index, state, format, token, idempotency_key, recorded"
)


class _Database(ABC):
    """One connection and the SQL dialect around it. SQL is written with ``?`` placeholders."""

    placeholder = "?"

    def __init__(self) -> None:
        self.lock = threading.RLock()

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    @abstractmethod
    def begin(self, *, write: bool) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def schema(self) -> list[str]: ...

    @abstractmethod
    def lock_issuer(self, issuer: str) -> None: ...

    @abstractmethod
    def has_schema(self) -> bool: ...

    @abstractmethod
    def is_database_error(self, error: BaseException) -> bool: ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.execute(sql, params).fetchall())


_TABLES = [
    "CREATE TABLE IF NOT EXISTS czmc_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS czmc_issuers ("
    " id TEXT PRIMARY KEY, status_url TEXT NOT NULL, list_size INTEGER NOT NULL, purpose TEXT NOT NULL,"
    " seed TEXT NOT NULL, created TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS czmc_status_lists ("
    " issuer TEXT NOT NULL REFERENCES czmc_issuers(id), purpose TEXT NOT NULL, number INTEGER NOT NULL,"
    " size INTEGER NOT NULL, allocated INTEGER NOT NULL, created TEXT NOT NULL,"
    " PRIMARY KEY (issuer, purpose, number))",
    "CREATE TABLE IF NOT EXISTS czmc_credentials ("
    " id TEXT PRIMARY KEY, issuer TEXT NOT NULL REFERENCES czmc_issuers(id), learner TEXT NOT NULL,"
    " achievement TEXT NOT NULL, achievement_name TEXT NOT NULL, issued TEXT NOT NULL, purpose TEXT NOT NULL,"
    " list_url TEXT NOT NULL, list_number INTEGER NOT NULL, status_index INTEGER NOT NULL, state TEXT NOT NULL,"
    " format TEXT NOT NULL, token TEXT NOT NULL, idempotency_key TEXT UNIQUE, recorded TEXT NOT NULL,"
    " UNIQUE (issuer, purpose, list_number, status_index))",
    "CREATE INDEX IF NOT EXISTS czmc_credentials_state ON czmc_credentials (issuer, state)",
    "CREATE INDEX IF NOT EXISTS czmc_credentials_recorded ON czmc_credentials (recorded, id)",
]


class _Sqlite(_Database):
    def __init__(self, path: Path, *, create: bool = True) -> None:
        super().__init__()
        self.path = path
        if not path.exists() and not create:
            raise RegistryError("registry.not_found", f"there is no registry at {path}")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            self.connection = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=FULL")
            self.connection.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as error:
            raise RegistryError("registry.database", f"cannot open the registry {path}: {error}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(sql, params)

    def begin(self, *, write: bool) -> None:
        self.connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def rollback(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    def close(self) -> None:
        self.connection.close()

    def schema(self) -> list[str]:
        return [
            *_TABLES,
            "CREATE TABLE IF NOT EXISTS czmc_events ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT, credential TEXT NOT NULL REFERENCES czmc_credentials(id),"
            " action TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT)",
            "CREATE INDEX IF NOT EXISTS czmc_events_credential ON czmc_events (credential, seq)",
        ]

    def lock_issuer(self, issuer: str) -> None:
        """BEGIN IMMEDIATE already holds the database's write lock."""

    def has_schema(self) -> bool:
        return self.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'czmc_settings'") is not None

    def is_database_error(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.Error)


class _Postgres(_Database):
    placeholder = "%s"

    def __init__(self, dsn: str) -> None:
        super().__init__()
        try:
            import psycopg  # noqa: PLC0415 - an optional extra, imported only for a PostgreSQL registry
        except ImportError:
            raise MissingDependencyError("a PostgreSQL registry", "postgres") from None
        self.psycopg = psycopg
        try:
            self.connection = psycopg.connect(dsn, autocommit=True, connect_timeout=30)
        except psycopg.Error as error:
            raise RegistryError("registry.database", f"cannot connect to the registry database: {error}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(sql.replace("?", "%s"), tuple(params))

    def begin(self, *, write: bool) -> None:
        self.connection.execute("BEGIN ISOLATION LEVEL " + ("READ COMMITTED" if write else "REPEATABLE READ"))

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def rollback(self) -> None:
        if self.connection.info.transaction_status != self.psycopg.pq.TransactionStatus.IDLE:
            self.connection.execute("ROLLBACK")

    def close(self) -> None:
        self.connection.close()

    def schema(self) -> list[str]:
        return [
            # Concurrent first users serialise here instead of racing on CREATE TABLE.
            "SELECT pg_advisory_xact_lock(7236354658)",
            *_TABLES,
            "CREATE TABLE IF NOT EXISTS czmc_events ("
            " seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " credential TEXT NOT NULL REFERENCES czmc_credentials(id), action TEXT NOT NULL, state TEXT NOT NULL,"
            " at TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT)",
            "CREATE INDEX IF NOT EXISTS czmc_events_credential ON czmc_events (credential, seq)",
        ]

    def lock_issuer(self, issuer: str) -> None:
        self.execute("SELECT id FROM czmc_issuers WHERE id = ? FOR UPDATE", (issuer,))

    def has_schema(self) -> bool:
        return bool(self.one("SELECT to_regclass('czmc_settings') IS NOT NULL")[0])

    def is_database_error(self, error: BaseException) -> bool:
        return isinstance(error, self.psycopg.Error)


def display_target(target: str) -> str:
    """A registry URL as czmc shows it (messages, ``repr``, ``Registry.name``): without user, password,
    query or fragment, whatever the scheme; a path as it is.
    """
    if "://" not in target:
        return target
    parts = urlsplit(target)
    host = parts.netloc.rpartition("@")[2]  # the port as written: urlsplit refuses to parse a bad one
    return f"{parts.scheme}://{host}{parts.path}"


def open_registry(target: str | os.PathLike[str], *, create: bool = True) -> Registry:
    """The registry at ``target``: a SQLite file path (or ``sqlite:///relative/path``,
    ``sqlite:////absolute/path``), created if missing,
    or a ``postgresql://`` / ``postgres://`` connection URL (needs ``czmc[postgres]``).

    The schema is created or migrated on opening. With ``create=False`` a registry that does not
    exist yet is ``registry.not_found`` (for commands that only read or change one: a mistyped
    path must not become a new, empty registry). Raises RegistryError ``registry.database``
    when the database cannot be opened, ``registry.too_new`` when a newer czmc wrote it.
    """
    text = os.fspath(target)
    if text.startswith(("postgresql://", "postgres://")):
        return Registry(_Postgres(text), display_target(text), create=create)
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///")  # as SQLAlchemy: sqlite:///relative, sqlite:////absolute
    elif "://" in text:
        raise RegistryError(
            "registry.target",
            f"{display_target(text)!r} is neither a file path, sqlite:///PATH nor a postgresql:// URL",
        )
    return Registry(_Sqlite(Path(text), create=create), text, create=create)


class Registry:
    """The issuance registry on one database connection; see the module docs.

    Use one per thread or process (calls are serialised by a lock); close it, or use it as a
    context manager. Every method is one transaction: it changes everything or nothing.
    """

    def __init__(self, database: _Database, name: str, *, create: bool = True) -> None:
        self._db = database
        self.name = name
        self._issuers: dict[str, tuple[IssuerSettings, bytes]] = {}
        try:
            self._migrate(create=create)
        except BaseException:
            database.close()
            raise

    def __repr__(self) -> str:
        return f"Registry({self.name!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    @contextlib.contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_Database]:
        db = self._db
        with db.lock:
            try:
                db.begin(write=write)
                yield db
                db.commit()
            except BaseException as error:
                with contextlib.suppress(Exception):
                    db.rollback()
                if db.is_database_error(error):
                    raise RegistryError("registry.database", f"the registry database failed: {error}") from error
                raise

    def _migrate(self, *, create: bool) -> None:
        with self._transaction(write=True) as db:
            if not create and not db.has_schema():
                raise RegistryError("registry.not_found", f"{self.name} holds no czmc registry")
            for statement in db.schema():
                db.execute(statement)
            row = db.one("SELECT value FROM czmc_settings WHERE name = 'schema_version'")
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise RegistryError(
                    "registry.too_new",
                    f"the registry {self.name} has schema version {version}; this czmc knows up to {SCHEMA_VERSION}: "
                    "upgrade czmc",
                )
            if version < SCHEMA_VERSION:
                # Version 1 is the first schema: there is nothing older to convert yet.
                db.execute("DELETE FROM czmc_settings WHERE name = 'schema_version'")
                db.execute(
                    "INSERT INTO czmc_settings (name, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )

    # --- issuers -----------------------------------------------------------------------------

    def register_issuer(
        self,
        issuer: str,
        status_url: str | None = None,
        *,
        purpose: StatusPurpose | str | None = None,
        list_size: int | None = None,
    ) -> IssuerSettings:
        """Set where ``issuer``'s status lists will be published (once; it cannot change later).

        ``status_url`` defaults to ``https://<host>/status`` for did:web and https issuers. Lists
        are published at ``<status_url>/<purpose>/<n>.jwt``. ``purpose`` is the default status
        purpose of its credentials (revocation). ``list_size`` is the number of entries per list:
        a power of two, at least 131,072 (the default; the spec's minimum for herd privacy).
        Registering again with the same settings is a no-op; different ones are refused.
        """
        with self._transaction(write=True) as db:
            chosen = StatusPurpose(purpose) if purpose is not None else None
            return self._issuer(db, issuer, status_url, chosen, list_size, explicit=True)[0]

    def issuers(self) -> list[IssuerSettings]:
        """Every issuer known to the registry."""
        with self._transaction(write=False) as db:
            rows = db.all("SELECT id, status_url, list_size, purpose FROM czmc_issuers ORDER BY id")
        return [IssuerSettings(row[0], row[1], int(row[2]), StatusPurpose(row[3])) for row in rows]

    def _issuer(
        self,
        db: _Database,
        issuer: str,
        status_url: str | None,
        purpose: StatusPurpose | None,
        list_size: int | None,
        *,
        explicit: bool = False,
    ) -> tuple[IssuerSettings, bytes]:
        cached = self._issuers.get(issuer)
        if cached is not None and status_url is None and not explicit:
            return cached  # an issuer's settings never change once committed (see issue_many)
        row = db.one("SELECT status_url, list_size, purpose, seed FROM czmc_issuers WHERE id = ?", (issuer,))
        if row is None:
            base = status_url or default_status_url(issuer)
            if base is None:
                raise RegistryError(
                    "registry.status_url",
                    f"issuer {issuer} has no status list URL yet and none can be derived from a "
                    f"{':'.join(issuer.split(':')[:2])} "
                    "id: give status_url (czmc issue --status-url), the https URL under which the lists will be served",
                )
            size = list_size or MIN_ENTRIES
            if size < MIN_ENTRIES or size & (size - 1):
                raise RegistryError(
                    "registry.list_size", f"list_size must be a power of two of at least {MIN_ENTRIES}, got {size}"
                )
            settings = IssuerSettings(issuer, _check_status_url(base), size, purpose or StatusPurpose.REVOCATION)
            # Another process may register the same issuer at the same moment: the first one wins.
            db.execute(
                "INSERT INTO czmc_issuers (id, status_url, list_size, purpose, seed, created) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (issuer, settings.status_url, size, settings.purpose.value, secrets.token_hex(32), _now_text()),
            )
            row = db.one("SELECT status_url, list_size, purpose, seed FROM czmc_issuers WHERE id = ?", (issuer,))
        settings = IssuerSettings(issuer, row[0], int(row[1]), StatusPurpose(row[2]))
        if status_url is not None and _check_status_url(status_url) != settings.status_url:
            raise RegistryError(
                "registry.status_url_conflict",
                f"issuer {issuer} publishes its status lists under {settings.status_url}; issued credentials point "
                f"there, so it cannot become {status_url}",
            )
        if explicit and (list_size not in (None, settings.list_size) or purpose not in (None, settings.purpose)):
            raise RegistryError(
                "registry.issuer",
                f"issuer {issuer} is registered with {settings.purpose.value} lists of {settings.list_size} entries",
            )
        return settings, bytes.fromhex(row[3])

    # --- issuing -----------------------------------------------------------------------------

    def issue(
        self,
        credential: Mapping[str, Any],
        key: Key,
        *,
        format: vcjwt.Format | str = vcjwt.Format.OB3,
        purpose: StatusPurpose | str | None = None,
        status_url: str | None = None,
        idempotency_key: str | None = None,
        actor: str | None = None,
    ) -> tuple[Record, bool]:
        """Allocate a status slot, sign ``credential`` with it and record it, in one transaction.

        Returns the record and True, or, when ``idempotency_key`` was recorded before (a rerun
        after a crash), the earlier record and False: nothing is signed twice. The key must be
        bound to the issuer (:func:`czmc.vcjwt.bind_key`). ``purpose`` overrides the issuer's
        default status purpose; ``status_url`` registers a new issuer (see :meth:`register_issuer`).
        Raises RegistryError, or the SigningError of signing; either way nothing is recorded.
        """
        (issued,) = self.issue_many(
            [(credential, idempotency_key)],
            key,
            format=format,
            purpose=purpose,
            status_url=status_url,
            actor=actor,
        )
        return issued

    def issue_many(
        self,
        credentials: Sequence[tuple[Mapping[str, Any], str | None]],
        key: Key,
        *,
        format: vcjwt.Format | str = vcjwt.Format.OB3,
        purpose: StatusPurpose | str | None = None,
        status_url: str | None = None,
        actor: str | None = None,
    ) -> list[tuple[Record, bool]]:
        """:meth:`issue` each (credential, idempotency key) pair, all in one transaction.

        All are recorded or none is: a failure on any one rolls the others back. One commit
        (one disk sync) for many credentials is what makes batch issuance fast; the batch
        command issues its chunks this way.
        """
        for credential, _ in credentials:
            if "credentialStatus" in credential:
                raise RegistryError(
                    "registry.has_status", "the credential already has a credentialStatus; the registry assigns it"
                )
        facts = [_facts(credential) for credential, _ in credentials]
        fmt = vcjwt.Format(format)
        chosen = StatusPurpose(purpose) if purpose is not None else None
        who = actor or _default_actor()
        signers = {item["issuer"]: self._signer(key, item["issuer"]) for item in facts}
        out: list[tuple[Record, bool]] = []
        settings: dict[str, tuple[IssuerSettings, bytes]] = {}
        with self._transaction(write=True) as db:
            for issuer in sorted(signers):  # a fixed order: two batches never wait for each other in a cycle
                settings[issuer] = self._issuer(db, issuer, status_url, None, None)
                db.lock_issuer(issuer)
            for (credential, idempotency_key), item in zip(credentials, facts, strict=True):
                signer, found = signers[item["issuer"]], settings[item["issuer"]]
                out.append(self._issue_one(db, credential, item, signer, found, fmt, chosen, idempotency_key, who))
        # Remembered only now: an issuer row inserted by a transaction that rolled back does not exist.
        self._issuers.update(settings)
        return out

    def _issue_one(  # noqa: PLR0917 - the parts of one issuing, inside the caller's transaction
        self,
        db: _Database,
        credential: Mapping[str, Any],
        facts: Mapping[str, str],
        signer: Key,
        issuer_settings: tuple[IssuerSettings, bytes],
        fmt: vcjwt.Format,
        chosen: StatusPurpose | None,
        idempotency_key: str | None,
        who: str,
    ) -> tuple[Record, bool]:
        settings, seed = issuer_settings
        if idempotency_key is not None:
            existing = self._find(db, "idempotency_key", idempotency_key)
            if existing is not None:
                if _conflicts(existing, facts):
                    raise RegistryError(
                        "registry.idempotency_conflict",
                        f"idempotency key {idempotency_key!r} was used for {existing.id}, a credential of another "
                        "learner or achievement",
                    )
                return existing, False
        if db.one("SELECT 1 FROM czmc_credentials WHERE id = ?", (facts["id"],)) is not None:
            raise RegistryError("registry.duplicate_id", f"credential {facts['id']} is already recorded")
        use = chosen or settings.purpose
        number, slot, size = self._allocate(db, settings, use)
        index = _permute(slot, size, seed, f"{use.value}:{number}".encode("ascii"))
        list_url = _list_url(settings.status_url, use.value, number)
        signed = {**credential, "credentialStatus": status.status_entry(list_url, index, use)}
        token = vcjwt.sign(signed, signer, format=fmt)
        recorded = _now_text()
        record = Record(
            facts["id"],
            facts["issuer"],
            facts["learner"],
            facts["achievement"],
            facts["achievement_name"],
            facts["issued"],
            use,
            list_url,
            index,
            CredentialState.ACTIVE,
            fmt.value,
            token,
            idempotency_key,
            recorded,
            (StatusEvent("issued", CredentialState.ACTIVE, recorded, who, None),),
        )
        db.execute(
            f"INSERT INTO czmc_credentials ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant column list
            (
                *(record.id, record.issuer, record.learner, record.achievement, record.achievement_name),
                *(record.issued, use.value, list_url, number, index, record.state.value, record.format),
                *(token, idempotency_key, recorded),
            ),
        )
        db.execute(
            "INSERT INTO czmc_events (credential, action, state, at, actor, reason) VALUES (?, ?, ?, ?, ?, ?)",
            (record.id, "issued", record.state.value, recorded, who, None),
        )
        db.execute(
            "UPDATE czmc_status_lists SET allocated = ? WHERE issuer = ? AND purpose = ? AND number = ?",
            (slot + 1, record.issuer, use.value, number),
        )
        return record, True

    @staticmethod
    def _signer(key: Key, issuer: str) -> Key:
        """``key`` bound to ``issuer``: SigningError if verifiers would reject it."""
        return vcjwt.bind_key(key, issuer, key.kid if key.kid.startswith(("did:", "https://")) else None)

    def issue_microcredential(
        self, mc: MicroCredential, key: Key, *, credential_id: str | None = None, **options: Any
    ) -> tuple[Record, bool]:
        """Render ``mc`` as an OB 3.0 credential and :meth:`issue` it (same options)."""
        return self.issue(ob3.render_for_signing(mc, credential_id), key, **options)

    def _allocate(self, db: _Database, settings: IssuerSettings, purpose: StatusPurpose) -> tuple[int, int, int]:
        """The list number, slot and list size for the next credential (the caller holds the lock)."""
        row = db.one(
            "SELECT number, allocated, size FROM czmc_status_lists WHERE issuer = ? AND purpose = ? "
            "ORDER BY number DESC LIMIT 1",
            (settings.issuer, purpose.value),
        )
        if row is not None and int(row[1]) < int(row[2]):
            return int(row[0]), int(row[1]), int(row[2])
        number = int(row[0]) + 1 if row is not None else 1
        db.execute(
            "INSERT INTO czmc_status_lists (issuer, purpose, number, size, allocated, created) "
            "VALUES (?, ?, ?, ?, 0, ?)",
            (settings.issuer, purpose.value, number, settings.list_size, _now_text()),
        )
        return number, 0, settings.list_size

    # --- status changes ----------------------------------------------------------------------

    def revoke(self, credential_id: str, *, reason: str, actor: str | None = None) -> Record:
        """Revoke for good (also a suspended credential). ``registry.already_revoked`` if it is."""
        return self._change(credential_id, "revoked", reason, actor)

    def suspend(self, credential_id: str, *, reason: str, actor: str | None = None) -> Record:
        """Suspend a credential whose status entry is a suspension entry; undo with :meth:`reinstate`."""
        return self._change(credential_id, "suspended", reason, actor)

    def reinstate(self, credential_id: str, *, reason: str, actor: str | None = None) -> Record:
        """Lift a suspension. ``registry.not_suspended`` for an active or revoked credential."""
        return self._change(credential_id, "reinstated", reason, actor)

    def _change(self, credential_id: str, action: str, reason: str, actor: str | None) -> Record:
        if not reason or not reason.strip():
            raise RegistryError("registry.reason", f"say why the credential is {action} (reason must not be empty)")
        who = actor or _default_actor()
        with self._transaction(write=True) as db:
            row = db.one("SELECT state, purpose, issuer FROM czmc_credentials WHERE id = ?", (credential_id,))
            if row is None:
                raise RegistryError("registry.unknown_credential", f"no credential {credential_id!r} in {self.name}")
            db.lock_issuer(row[2])
            row = db.one("SELECT state, purpose FROM czmc_credentials WHERE id = ?", (credential_id,))
            state, purpose = CredentialState(row[0]), StatusPurpose(row[1])
            new_state = _transition(credential_id, state, purpose, action)
            db.execute("UPDATE czmc_credentials SET state = ? WHERE id = ?", (new_state.value, credential_id))
            db.execute(
                "INSERT INTO czmc_events (credential, action, state, at, actor, reason) VALUES (?, ?, ?, ?, ?, ?)",
                (credential_id, action, new_state.value, _now_text(), who, reason.strip()),
            )
            record = self._find(db, "id", credential_id)
        assert record is not None  # noqa: S101 - read back in the same transaction
        return record

    # --- reading -----------------------------------------------------------------------------

    def get(self, credential_id: str) -> Record:
        """The record of ``credential_id`` with its history; ``registry.unknown_credential`` if none."""
        with self._transaction(write=False) as db:
            record = self._find(db, "id", credential_id)
        if record is None:
            raise RegistryError("registry.unknown_credential", f"no credential {credential_id!r} in {self.name}")
        return record

    def find(self, idempotency_key: str) -> Record | None:
        """The record issued under ``idempotency_key``, or None."""
        with self._transaction(write=False) as db:
            return self._find(db, "idempotency_key", idempotency_key)

    def _find(self, db: _Database, column: str, value: str) -> Record | None:
        row = db.one(f"SELECT {_COLUMNS} FROM czmc_credentials WHERE {column} = ?", (value,))  # noqa: S608 - constant names
        if row is None:
            return None
        return _record(row, self._history(db, [row[0]]).get(row[0], ()))

    def _history(self, db: _Database, ids: Sequence[str]) -> dict[str, tuple[StatusEvent, ...]]:
        marks = ", ".join("?" for _ in ids)
        rows = db.all(
            f"SELECT credential, action, state, at, actor, reason FROM czmc_events WHERE credential IN ({marks}) "  # noqa: S608
            "ORDER BY seq",
            ids,
        )
        history: dict[str, list[StatusEvent]] = {}
        for row in rows:
            history.setdefault(row[0], []).append(StatusEvent(row[1], CredentialState(row[2]), row[3], row[4], row[5]))
        return {key: tuple(events) for key, events in history.items()}

    def records(
        self, *, issuer: str | None = None, state: CredentialState | str | None = None, chunk: int = 500
    ) -> Iterator[Record]:
        """Every record (optionally of one issuer or in one state) with its history, in issuing order.

        Read in chunks of ``chunk`` records, so memory stays flat; records issued while the
        iteration runs may or may not appear.
        """
        conditions, params = [], []
        if issuer is not None:
            conditions.append("issuer = ?")
            params.append(issuer)
        if state is not None:
            conditions.append("state = ?")
            params.append(CredentialState(state).value)
        where = "".join(f" AND {condition}" for condition in conditions)
        after: tuple[str, str] = ("", "")
        while True:
            with self._transaction(write=False) as db:
                rows = db.all(
                    f"SELECT {_COLUMNS} FROM czmc_credentials WHERE (recorded, id) > (?, ?){where} "  # noqa: S608 - constant names
                    f"ORDER BY recorded, id LIMIT {int(chunk)}",
                    [*after, *params],
                )
                history = self._history(db, [row[0] for row in rows]) if rows else {}
            for row in rows:
                yield _record(row, history.get(row[0], ()))
            if len(rows) < chunk:
                return
            after = (rows[-1][14], rows[-1][0])

    def count(self, *, issuer: str | None = None) -> dict[CredentialState, int]:
        """How many credentials are in each state."""
        with self._transaction(write=False) as db:
            if issuer is None:
                rows = db.all("SELECT state, COUNT(*) FROM czmc_credentials GROUP BY state")
            else:
                rows = db.all("SELECT state, COUNT(*) FROM czmc_credentials WHERE issuer = ? GROUP BY state", (issuer,))
        counts = dict.fromkeys(CredentialState, 0)
        counts.update({CredentialState(row[0]): int(row[1]) for row in rows})
        return counts

    def status_lists(self, issuer: str | None = None) -> list[StatusListInfo]:
        """The status lists (of ``issuer``, or all), with their URL and fill."""
        with self._transaction(write=False) as db:
            return self._lists(db, issuer)

    def _lists(self, db: _Database, issuer: str | None) -> list[StatusListInfo]:
        sql = (
            "SELECT l.issuer, l.purpose, l.number, l.size, l.allocated, i.status_url FROM czmc_status_lists l "
            "JOIN czmc_issuers i ON i.id = l.issuer"
        )
        rows = (
            db.all(sql + " WHERE l.issuer = ? ORDER BY l.purpose, l.number", (issuer,))
            if issuer
            else db.all(sql + " ORDER BY l.issuer, l.purpose, l.number")
        )
        return [
            StatusListInfo(
                row[0],
                StatusPurpose(row[1]),
                int(row[2]),
                _list_url(row[5], row[1], int(row[2])),
                int(row[3]),
                int(row[4]),
            )
            for row in rows
        ]

    # --- publishing --------------------------------------------------------------------------

    def publish(
        self,
        out_dir: str | os.PathLike[str],
        key: Key,
        *,
        issuer: str | None = None,
        valid_for: timedelta | None = None,
        ttl: timedelta | None = None,
        now: datetime | None = None,
    ) -> list[PublishedList]:
        """Sign every status list of ``issuer`` and write them under ``out_dir`` for static hosting.

        A list at ``<status_url>/revocation/1.jwt`` goes to ``out_dir/revocation/1.jwt``. Revoked
        credentials set their bit in revocation lists; suspended and revoked ones in suspension
        lists. ``valid_for`` sets the lists' ``validUntil`` (verifiers then refuse stale lists),
        ``ttl`` their caching hint. ``issuer`` may be left out when the registry has one issuer.
        Lists are VC-JOSE-COSE JWTs (``typ: vc+jwt``): a plain VC, secured as a JWT like the
        credentials (Bitstring Status List 3.6), with no Open Badges claims.
        All lists are signed from one consistent snapshot before any file is replaced; each file is
        replaced atomically. A revocation list already in ``out_dir`` that revokes a credential
        this registry does not is never replaced (``registry.would_unrevoke``): revocation is final.
        """
        moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        with self._transaction(write=False) as db:
            chosen = issuer or self._only_issuer(db)
            row = db.one("SELECT status_url FROM czmc_issuers WHERE id = ?", (chosen,))
            if row is None:
                raise RegistryError("registry.issuer", f"issuer {chosen} has issued nothing into {self.name}")
            base = row[0]
            lists = self._lists(db, chosen)
            rows = db.all(
                "SELECT purpose, list_number, status_index, state FROM czmc_credentials "
                "WHERE issuer = ? AND state <> ?",
                (chosen, CredentialState.ACTIVE.value),
            )
        bound = vcjwt.bind_key(key, chosen)
        bits = {(info.purpose.value, info.number): status.new_bitstring(info.size) for info in lists}
        counts = dict.fromkeys(bits, 0)
        for purpose, number, index, state in rows:
            if purpose == StatusPurpose.REVOCATION and state != CredentialState.REVOKED:
                continue
            status.set_bit(bits[(purpose, int(number))], int(index))
            counts[(purpose, int(number))] += 1
        out = Path(out_dir)
        documents: list[tuple[PublishedList, bytes]] = []
        for info in lists:
            credential = status.list_credential(
                info.url,
                chosen,
                info.purpose,
                bytes(bits[(info.purpose.value, info.number)]),
                valid_from=moment,
                valid_until=moment + valid_for if valid_for else None,
                ttl=ttl,
            )
            token = vcjwt.sign(credential, bound, format=vcjwt.Format.VC_JOSE_COSE)
            relative = info.url.removeprefix(base + "/")
            published = PublishedList(
                info.url,
                out.joinpath(*relative.split("/")),
                info.purpose,
                info.size,
                counts[(info.purpose.value, info.number)],
            )
            if info.purpose is StatusPurpose.REVOCATION:
                _refuse_unrevoking(published, bits[(info.purpose.value, info.number)])
            documents.append((published, (token + "\n").encode("ascii")))
        _write_all(documents)
        return [published for published, _ in documents]

    def _only_issuer(self, db: _Database) -> str:
        rows = db.all("SELECT id FROM czmc_issuers ORDER BY id")
        if len(rows) != 1:
            names = ", ".join(row[0] for row in rows) or "none"
            raise RegistryError("registry.issuer", f"say which issuer's lists to publish (issuers: {names})")
        return str(rows[0][0])


def _conflicts(existing: Record, facts: Mapping[str, str]) -> bool:
    """Whether an idempotency key is being reused for another credential than it was first used for.

    Hashed learner identifiers are salted per credential, so they differ between two issuings
    of the same credential and are not compared.
    """
    if (existing.issuer, existing.achievement) != (facts["issuer"], facts["achievement"]):
        return True
    hashed = "sha256$" in existing.learner or "sha256$" in facts["learner"]
    return not hashed and existing.learner != facts["learner"]


def _transition(credential_id: str, state: CredentialState, purpose: StatusPurpose, action: str) -> CredentialState:
    if state is CredentialState.REVOKED:
        raise RegistryError("registry.already_revoked", f"credential {credential_id} is revoked; nothing can change it")
    if action == "revoked":
        return CredentialState.REVOKED
    if action == "suspended":
        if purpose is not StatusPurpose.SUSPENSION:
            raise RegistryError(
                "registry.cannot_suspend",
                f"credential {credential_id} carries a revocation status entry, which cannot be undone; only "
                "credentials issued with a suspension entry can be suspended (revoke it instead)",
            )
        if state is CredentialState.SUSPENDED:
            raise RegistryError("registry.already_suspended", f"credential {credential_id} is already suspended")
        return CredentialState.SUSPENDED
    if state is not CredentialState.SUSPENDED:
        raise RegistryError("registry.not_suspended", f"credential {credential_id} is {state.value}, not suspended")
    return CredentialState.ACTIVE


def _record(row: Sequence[Any], history: tuple[StatusEvent, ...]) -> Record:
    return Record(
        id=row[0],
        issuer=row[1],
        learner=row[2],
        achievement=row[3],
        achievement_name=row[4],
        issued=row[5],
        purpose=StatusPurpose(row[6]),
        list_url=row[7],
        index=int(row[9]),
        state=CredentialState(row[10]),
        format=row[11],
        token=row[12],
        idempotency_key=row[13],
        recorded=row[14],
        history=history,
    )


def _refuse_unrevoking(published: PublishedList, bits: bytes | bytearray) -> None:
    """Refuse to replace a revocation list that revokes a credential this registry does not.

    Revocation is final (Bitstring Status List 2.1). A registry that lost revocations (restored
    from an old backup, or a new registry for an issuer whose credentials are out) would
    otherwise silently make revoked credentials valid again.
    """
    try:
        data = published.path.read_bytes()
    except FileNotFoundError:
        return  # no earlier list: nothing to compare
    except OSError as error:
        raise RegistryError("registry.not_a_list", f"cannot read {published.path}: {error.strerror or error}") from None
    try:
        payload = jws.parse(data.strip()).payload
        subject = payload.get("credentialSubject")
        encoded = subject.get("encodedList") if isinstance(subject, dict) else None
        if payload.get("id") != published.url and isinstance(encoded, str):
            return  # a list for another URL (the layout changed): not this one's predecessor
        if not isinstance(encoded, str):
            raise ValueError("no encodedList")
        previous = status.decode_list(encoded)
    except (jws.JwsError, CzmcError, ValueError, TypeError):
        # Replacing it could hide revocations it records (it may be a damaged list): the operator decides.
        raise RegistryError(
            "registry.not_a_list",
            f"{published.path} exists and is not a readable status list; nothing was written",
        ) from None
    if len(previous) != len(bits):
        return
    lost = (int.from_bytes(previous, "big") & ~int.from_bytes(bits, "big")).bit_count()
    if lost:
        raise RegistryError(
            "registry.would_unrevoke",
            f"{published.path} revokes {lost} credential{'s' if lost != 1 else ''} that this registry does not: "
            "publishing would make them valid again. Is the registry an old backup, or a new one for an issuer "
            "whose credentials are out? Nothing was written",
        )


def _write_all(documents: Iterable[tuple[PublishedList, bytes]]) -> None:
    """Write every file to a temporary name first, then rename them all: no half-written list."""
    staged: list[tuple[str, Path]] = []
    try:
        for published, data in documents:
            published.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = f"{published.path}.tmp-{os.getpid()}"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)  # a leftover; never written through (it could be a planted link)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with open(os.open(temporary, flags, 0o666), "wb") as stream:
                staged.append((temporary, published.path))
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        for temporary, path in staged:
            os.replace(temporary, path)
    except OSError as error:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise CzmcError(f"cannot write the status lists: {error}", code="registry.write") from error
