"""Files for the command line: searching directories and patterns safely, writing outputs safely.

Searching (``czmc validate DIR 'd/**/*.json'``) never follows a link to a directory (two
``d/x -> .`` links would otherwise make a search endless) nor a link to a file outside the
directory searched; each link left out is reported by a note. Writing (``-o``) never replaces
something that is not a regular file: a character device or a FIFO is written through,
``/dev/stdout`` means standard output, a symbolic link is refused.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

__all__ = [
    "GLOB_CHARACTERS",
    "PRIVATE_MODE",
    "OutputRefused",
    "check_output",
    "is_stderr",
    "is_stdout",
    "open_output",
    "search_directory",
    "search_pattern",
    "write_output",
]

GLOB_CHARACTERS = re.compile(r"[*?[]")

PRIVATE_MODE = 0o600
"""Mode of files that carry personal data (tokens, credentials, manifests): owner only."""

Note = Callable[[str], None]

_STDOUT_NAMES = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
_STDERR_NAMES = frozenset({"/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"})


class OutputRefused(Exception):  # noqa: N818 - a refusal, reported as a usage error by the CLI
    """An output path czmc will not write: a link, a directory, a block device."""


def is_stdout(path: str | Path) -> bool:
    """Whether ``path`` names standard output (``-``, ``/dev/stdout``, ``/dev/fd/1``)."""
    return str(path) in _STDOUT_NAMES


def is_stderr(path: str | Path) -> bool:
    """Whether ``path`` names standard error (``/dev/stderr``, ``/dev/fd/2``), whatever it is redirected to."""
    return str(path) in _STDERR_NAMES


def _refusal(path: Path) -> str | None:
    """Why ``path`` cannot be written, or None; OutputRefused's message."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"{path}: {error.strerror or error}"
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.stat(path)
        except OSError:
            target = None
        if target is not None and (stat.S_ISCHR(target.st_mode) or stat.S_ISFIFO(target.st_mode)):
            return None  # e.g. /dev/stderr: written through like the device itself
        return f"{path} is a symbolic link; czmc neither writes through links nor replaces them"
    if stat.S_ISDIR(info.st_mode):
        return f"{path} is a directory"
    if stat.S_ISBLK(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        return f"{path} is not a regular file, a character device or a FIFO"
    return None


def _written_through(path: Path) -> bool:
    """Whether ``path`` is a character device or a FIFO (following a link), written in place."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def check_output(path: Path) -> None:
    """Raise :class:`OutputRefused` if czmc must not write ``path`` (a link, a directory, a block device)."""
    refused = _refusal(path)
    if refused is not None:
        raise OutputRefused(refused)


@contextlib.contextmanager
def open_output(path: Path, *, private: bool = False) -> Iterator[IO[bytes]]:
    """A binary stream whose content becomes ``path``: complete or untouched; only regular files are replaced.

    A regular file (or a new one) is written to a temporary file beside it, synced, and renamed
    into place when the block ends without an exception, so a crash leaves the old file or the
    new one. ``private`` creates it with mode 0600 (personal data); otherwise with the mode the
    umask allows, as other programs do. A character device or FIFO (``/dev/null``,
    ``/dev/stderr``, a pipe) is written through, never replaced. A symbolic link, a directory
    or a block device raises :class:`OutputRefused`: a planted link must not redirect personal
    data, and replacing ``/dev/null`` with a file (as root) breaks the system. Standard output
    is the caller's business (:func:`is_stdout`).
    """
    check_output(path)
    if _written_through(path):
        with open(os.open(path, os.O_WRONLY | os.O_CLOEXEC), "wb") as device:
            yield device
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if private:
            os.fchmod(handle, PRIVATE_MODE)
        else:
            umask = os.umask(0o022)
            os.umask(umask)
            os.fchmod(handle, 0o666 & ~umask)
        with open(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_output(path: Path, data: str | bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` as :func:`open_output` does."""
    with open_output(path, private=private) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


# --- searching --------------------------------------------------------------------------------


def _part_matches(pattern: str, name: str) -> bool:
    if name.startswith(".") and not pattern.startswith("."):
        return False  # as in the shell and glob: '*' does not match hidden names
    return fnmatch.fnmatchcase(name, pattern)


def _matches(pattern: Sequence[str], parts: Sequence[str]) -> bool:
    """Whether the path ``parts`` match the pattern's parts (``**``: any number of visible directories)."""
    if not pattern:
        return not parts
    head = pattern[0]
    if head == "**":
        if _matches(pattern[1:], parts):
            return True
        return bool(parts) and not parts[0].startswith(".") and _matches(pattern, parts[1:])
    return bool(parts) and _part_matches(head, parts[0]) and _matches(pattern[1:], parts[1:])


def _may_contain(pattern: Sequence[str], parts: Sequence[str]) -> bool:
    """Whether a path below the directory ``parts`` could match the pattern's parts."""
    if not parts:
        return bool(pattern)
    if not pattern:
        return False
    head = pattern[0]
    if head == "**":
        return _may_contain(pattern[1:], parts) or (not parts[0].startswith(".") and _may_contain(pattern, parts[1:]))
    return _part_matches(head, parts[0]) and _may_contain(pattern[1:], parts[1:])


def _inside(path: str, root: str) -> bool:
    target = os.path.realpath(path)
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _walk(
    root: str, keep_dir: Callable[[list[str]], bool], keep_file: Callable[[list[str]], bool], note: Note, shown: str
) -> Iterator[tuple[str, bool]]:
    """(path, is a directory) of everything below ``root`` that the filters keep, without following links.

    A link to a directory is reported and left out; a link to a file is kept only if the file
    is inside ``root``.
    """
    real_root = os.path.realpath(root)
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        relative = os.path.relpath(directory, root)
        parts = [] if relative == os.curdir else relative.split(os.sep)
        kept: list[str] = []
        for name in sorted(dirnames):
            path = os.path.join(directory, name)
            if not keep_dir([*parts, name]):
                continue
            if os.path.islink(path):
                note(f"skipped {_display(path, shown)}: a link to a directory (searches do not follow them)")
                continue
            kept.append(name)
            yield path, True
        dirnames[:] = kept
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            if not keep_file([*parts, name]):
                continue
            if os.path.islink(path) and not _inside(path, real_root):
                note(f"skipped {_display(path, shown)}: a link to a file outside {shown}")
                continue
            yield path, False


def _display(path: str, shown: str) -> str:
    return path[2:] if shown == os.curdir and path.startswith(f".{os.sep}") else path


def search_directory(directory: str | Path, suffixes: Sequence[str], note: Note) -> list[str]:
    """The files below ``directory`` with one of ``suffixes``, sorted; hidden files and directories skipped."""
    root = str(directory)

    def visible(parts: list[str]) -> bool:
        return not parts[-1].startswith(".")

    def wanted(parts: list[str]) -> bool:
        return visible(parts) and Path(parts[-1]).suffix.lower() in suffixes

    found = [path for path, is_dir in _walk(root, visible, wanted, note, root) if not is_dir and os.path.isfile(path)]
    return sorted(found)


def search_pattern(pattern: str, suffixes: Sequence[str], note: Note) -> list[str] | None:
    """The files a glob ``pattern`` names (``**`` for any depth), sorted; None if nothing matches.

    Directories it matches are searched as by :func:`search_directory`. The search starts at
    the pattern's longest directory without glob characters and stays below it.
    """
    parts = pattern.split(os.sep)
    first = next(index for index, part in enumerate(parts) if GLOB_CHARACTERS.search(part))
    root = os.sep.join(parts[:first]) or (os.sep if pattern.startswith(os.sep) else os.curdir)
    rest = [part for part in parts[first:] if part]
    if not os.path.isdir(root):
        return None
    matched: list[str] = []
    for path, is_dir in _walk(
        root,
        lambda dir_parts: _may_contain(rest, dir_parts) or _matches(rest, dir_parts),
        lambda file_parts: _matches(rest, file_parts),
        note,
        root,
    ):
        relative = os.path.relpath(path, root).split(os.sep)
        if is_dir and not _matches(rest, relative):
            continue
        shown = _display(path, root) if root == os.curdir else path
        matched.append(shown)
    if not matched:
        return None
    found: list[str] = []
    searched: list[str] = []
    for path in sorted(matched):
        if not os.path.isdir(path):
            found.append(path)
        elif not any(path.startswith(parent + os.sep) for parent in searched):  # 'd/**' matches every level
            searched.append(path)
            found += search_directory(path, suffixes, note)
    return found
