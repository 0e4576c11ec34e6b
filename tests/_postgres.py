"""A real PostgreSQL server for the registry tests, started from the machine's PostgreSQL binaries.

The server runs from a fresh data directory on 127.0.0.1 and a free port, with trust
authentication, and is stopped when the test session ends. PostgreSQL refuses to run as root,
so under root it runs as the ``postgres`` system user (which Debian's package creates).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REQUIRE_VARIABLE = "CZMC_REQUIRE_POSTGRES"


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, or None if PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One running server; :meth:`new_database` gives each test its own empty database."""

    def __init__(self, bin_dir: Path, root: Path, port: int, run_as: str | None) -> None:
        self.bin_dir, self.root, self.port, self.run_as = bin_dir, root, port, run_as
        self.url = f"postgresql://czmc@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            user=self.run_as,
            cwd=self.root,
            timeout=120,
        )

    def new_database(self) -> str:
        """A fresh database's connection URL."""
        import psycopg

        name = f"czmc_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://czmc@127.0.0.1:{self.port}/{name}"


@contextmanager
def running_server(*, fsync: bool = False) -> Iterator[PostgresServer]:
    """Start a server for the duration of the block; RuntimeError if it cannot start.

    ``fsync`` off (the default) is for tests only: a crash of the machine could lose commits.
    """
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    run_as = None
    root = Path(tempfile.mkdtemp(prefix="czmc-postgres-"))
    if os.geteuid() == 0:
        run_as = "postgres"
        try:
            account = pwd.getpwnam(run_as)
        except KeyError:
            raise RuntimeError("PostgreSQL refuses to run as root, and there is no postgres user") from None
        os.chown(root, account.pw_uid, account.pw_gid)
    port = _free_port()
    server = PostgresServer(bin_dir, root, port, run_as)
    data = root / "data"
    try:
        server._run("initdb", "-D", str(data), "-U", "czmc", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync={'on' if fsync else 'off'} -c max_connections=60"
        server._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w", "start")
    except subprocess.CalledProcessError as error:
        log = root / "server.log"
        detail = (error.stderr or b"").decode(errors="replace") + (log.read_text() if log.exists() else "")
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {detail[-2000:]}") from None
    try:
        yield server
    finally:
        try:
            server._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)
