"""What every ``czmc`` command module shares: exit codes, the one-line error, passwords, keys.

The command modules (:mod:`czmc.cli`, :mod:`czmc.cli_batch`, :mod:`czmc.cli_registry`) take
these from here rather than from each other, so that they import in one direction only. Cheap
to import: the key machinery is imported when a key is loaded.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from czmc._terminal import escape_controls
from czmc.errors import CzmcError

if TYPE_CHECKING:
    from czmc.keys import Key

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_PROFILE",
    "EXIT_USAGE",
    "color",
    "fail",
    "load_key",
    "password",
    "read_stdin_bytes",
    "warn_if_others_can_read",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_PROFILE = 3
"""Valid (authentic, current, well formed) but not meeting a claimed or required profile."""
EXIT_INTERNAL = 70
"""An unexpected error: a bug in czmc (EX_SOFTWARE of sysexits.h)."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C): 128 + SIGINT, as shells report it."""


def color() -> bool | None:
    """False when NO_COLOR is set (https://no-color.org); None lets click colour terminals only."""
    return False if os.environ.get("NO_COLOR") else None


def _hint_for_help() -> str:
    context = click.get_current_context(silent=True)
    return f"run {context.command_path if context else 'czmc'} --help"


def fail(message: str, issues: Sequence[Any] = (), code: int = EXIT_INVALID, hint: str | None = None) -> NoReturn:
    """Print ``error: MESSAGE`` (and the issues, one a line) and a ``hint:`` line to standard error; exit."""
    colored = color()
    click.echo(f"{click.style('error:', fg='red', bold=True)} {escape_controls(message)}", err=True, color=colored)
    for issue in issues:
        click.echo(f"  {escape_controls(str(issue))}", err=True)
    advice = escape_controls(hint or _hint_for_help())
    click.echo(f"{click.style('hint:', fg='cyan')} {advice}", err=True, color=colored)
    sys.exit(code)


def password(variable: str | None) -> bytes | None:
    """The password in the environment variable named by ``--password-env``, if one is named."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        fail(f"environment variable {variable} (named by --password-env) is not set", code=EXIT_USAGE)
    return value.encode()


def read_stdin_bytes() -> bytes:
    """Standard input, at most one byte more than a file may hold (so that too much is detected)."""
    from czmc.inputs import MAX_FILE_BYTES  # noqa: PLC0415 - only commands reading standard input need it

    return sys.stdin.buffer.read(MAX_FILE_BYTES + 1)


def warn_if_others_can_read(path: str | os.PathLike[str]) -> None:
    """Warn, as ssh does, when a private key file is readable or writable by others than its owner."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # reading it reports the problem
    if stat.S_ISREG(mode) and mode & 0o077:
        click.echo(
            f"warning: the private key {escape_controls(str(path))} is accessible by others (mode "
            f"{stat.S_IMODE(mode):04o}); keep it private: chmod 600 {escape_controls(str(path))}",
            err=True,
        )


def load_key(path: str, password_env: str | None, alg: str | None = None) -> Key:
    """The private key in ``path`` ('-': standard input, JWK or PEM); a usage error if it cannot be read."""
    from czmc import keys  # noqa: PLC0415 - the key machinery (cryptography) only for commands that sign

    hint = "the key file comes from czmc keygen; a PEM key's password from --password-env"
    try:
        if path != "-":
            warn_if_others_can_read(path)
            return keys.load(path, password=password(password_env), alg=alg)
        data = read_stdin_bytes()
        if data.lstrip().startswith(b"{"):
            try:
                jwk = json.loads(data)
            except ValueError:
                fail("the key on standard input is not valid JSON", code=EXIT_USAGE, hint=hint)
            return keys.Key.from_jwk(jwk, alg=alg)
        return keys.Key.from_pem(data, password=password(password_env), alg=alg)
    except CzmcError as error:
        fail(error.message, code=EXIT_USAGE, hint=hint)
