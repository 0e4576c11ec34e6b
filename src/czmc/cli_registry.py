"""``czmc status`` (revoke, suspend, reinstate, publish) and ``czmc registry`` (list, show, export, lists).

Thin commands over :mod:`czmc.registry`: every rule lives in the library, so that a future
verification service applies the same ones.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

import click

from czmc._cli_common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, fail, load_key
from czmc._cli_files import OutputRefused, is_stdout, open_output
from czmc._cli_options import CREDENTIAL_STATES, PASSWORD_OPTION, output_option, registry_option
from czmc._terminal import escape_controls
from czmc.errors import CzmcError, MissingDependencyError, RegistryError, SigningError

if TYPE_CHECKING:
    from czmc.registry import Record, Registry

__all__ = ["registry_group", "status_group"]

# Refusals caused by how the command was called, not by the registry's content.
_USAGE_CODES = frozenset(
    {
        "registry.target",
        "registry.not_found",
        "registry.reason",
        "registry.status_url",
        "registry.status_url_conflict",
        "registry.issuer",
        "registry.list_size",
        "registry.too_new",
    }
)

_HINTS = {
    "registry.unknown_credential": "czmc registry list shows the recorded credential ids",
    "registry.not_found": "check --registry (or CZMC_REGISTRY); a registry is created by issuing into it",
    "registry.already_revoked": "a revocation is final; czmc registry show ID shows its history",
    "registry.cannot_suspend": "only credentials issued with --status-purpose suspension can be suspended",
    "registry.not_suspended": "czmc registry show ID shows the credential's state and history",
    "registry.issuer": "pass --issuer with one of the issuers the registry knows (czmc registry lists)",
    "registry.would_unrevoke": "publish from the registry that made those revocations (or restore it); "
    "revocations are final",
    "registry.duplicate_id": "that id was issued before (czmc registry show ID); --idempotency-key makes retries safe",
    "registry.idempotency_conflict": "an idempotency key names one learner's credential of one achievement",
    "registry.not_a_list": "move that file away (or publish into another --out directory) and publish again",
}

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _fail(message: str, code: int = EXIT_INVALID, hint: str | None = None) -> NoReturn:
    fail(message, code=code, hint=hint)


def fail_registry(error: CzmcError) -> NoReturn:
    """Report a refused registry operation: exit 2 for a usage problem, 1 otherwise."""
    usage = isinstance(error, MissingDependencyError) or error.code in _USAGE_CODES
    _fail(f"{error.message} [{error.code}]", code=EXIT_USAGE if usage else EXIT_INVALID, hint=_HINTS.get(error.code))


@contextlib.contextmanager
def opened(target: str, *, create: bool = False) -> Iterator[Registry]:
    """The registry at ``target``, closed afterwards; a refusal is one error line.

    Only issuing creates a registry: the other commands refuse a path that holds none.
    """
    from czmc.registry import open_registry  # noqa: PLC0415 - sqlite3 (or psycopg) only when a command runs

    try:
        registry = open_registry(target, create=create)
    except (RegistryError, MissingDependencyError) as error:
        fail_registry(error)
    try:
        yield registry
    except RegistryError as error:
        fail_registry(error)
    finally:
        registry.close()


def _duration(value: str | None, option: str) -> timedelta | None:
    if value is None:
        return None
    match = _DURATION.fullmatch(value.strip())
    if match is None or int(match[1]) == 0:
        _fail(f"{option} {value!r} is not a duration like 90m, 12h or 7d", code=EXIT_USAGE)
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


_REQUIRED_REGISTRY = registry_option("The registry: a SQLite file or a postgresql:// URL.", required=True)


# --- czmc status ------------------------------------------------------------------------------


@click.group("status")
def status_group() -> None:
    """Revoke, suspend or reinstate recorded credentials, and publish the status lists.

    A change is recorded at once (with who, when and why), but verifiers see it only when the
    signed status lists are published again: run czmc status publish and upload its output.
    """


def _change_command(action: str, summary: str, example_reason: str) -> click.Command:
    text = (
        f"{summary}\n\n\b\nExample:\n  czmc status {action} urn:uuid:... --reason {example_reason!r} "
        "--registry registry.db"
    )

    @click.command(action, help=text)
    @click.argument("credential_id", metavar="CREDENTIAL_ID")
    @click.option("--reason", required=True, help="Why (kept in the credential's history).")
    @click.option("--actor", help="Who asks for it [default: user@host of this session].")
    @_REQUIRED_REGISTRY
    def command(credential_id: str, reason: str, actor: str | None, registry_target: str) -> None:
        with opened(registry_target) as registry:
            record: Record = getattr(registry, action)(credential_id, reason=reason, actor=actor)
        click.echo(
            f"{record.id} is now {record.state.value} ({record.purpose.value} list {record.list_url}, "
            f"index {record.index}); run czmc status publish so that verifiers see it"
        )
        sys.exit(EXIT_OK)

    return command


status_group.add_command(
    _change_command(
        "revoke",
        "Revoke a credential for good (a suspended one too).",
        "assessment annulled by the dean's decision 2026/114",
    )
)
status_group.add_command(
    _change_command(
        "suspend",
        "Suspend a credential issued with a suspension status entry; czmc status reinstate lifts it.",
        "appeal pending",
    )
)
status_group.add_command(
    _change_command("reinstate", "Lift a suspension: the credential is valid again.", "appeal upheld")
)


@status_group.command("publish")
@_REQUIRED_REGISTRY
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The issuer's private key (the one its credentials are signed with).",
)
@PASSWORD_OPTION
@click.option("--kid", help="Key id verifiers resolve [default: the key file's, or derived from the issuer].")
@click.option("--issuer", help="Whose lists to publish [default: the registry's only issuer].")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the lists into, laid out as under the status URL, ready for static hosting.",
)
@click.option(
    "--valid-for",
    metavar="DURATION",
    help="Lists expire after this long (e.g. 7d): verifiers then refuse a stale copy. [default: no expiry]",
)
@click.option("--ttl", metavar="DURATION", help="How long verifiers may cache a list (e.g. 1h), stated in the list.")
def publish(  # noqa: PLR0917 - click passes every option by keyword
    registry_target: str,
    key_path: str,
    password_env: str | None,
    kid: str | None,
    issuer: str | None,
    out_dir: Path,
    valid_for: str | None,
    ttl: str | None,
) -> None:
    """Sign the issuer's status lists and write them to --out for static hosting.

    Every list is a VC-JOSE-COSE JWT (a BitstringStatusListCredential) at
    <status URL>/<purpose>/<n>.jwt; the file is OUT/<purpose>/<n>.jwt. Upload OUT to the status
    URL (serve *.jwt as application/vc+jwt, cacheable, without access logs). Verifiers offline
    can use the files directly: czmc verify TOKEN --status-list OUT.

    \b
    Examples:
      czmc status publish --registry registry.db --key muni.jwk --out site/status
      czmc status publish --registry postgresql://czmc@db/registry --key muni.jwk --out site/status --valid-for 7d
    """
    from czmc import vcjwt  # noqa: PLC0415 - the signing machinery only when publishing

    expiry, caching = _duration(valid_for, "--valid-for"), _duration(ttl, "--ttl")
    key = load_key(key_path, password_env)
    with opened(registry_target) as registry:
        chosen = issuer
        if chosen is None:
            known = registry.issuers()
            chosen = known[0].issuer if len(known) == 1 else None
        try:
            bound = vcjwt.bind_key(key, chosen, kid) if chosen is not None else key
            lists = registry.publish(out_dir, bound, issuer=chosen, valid_for=expiry, ttl=caching)
        except SigningError as error:
            _fail(error.message, code=EXIT_USAGE, hint="publish with the key the issuer's credentials are signed with")
    if not lists:
        click.echo(f"{chosen} has no status lists yet: nothing was written")
    for item in lists:
        click.echo(f"{item.url} -> {item.path} ({item.set_bits} of {item.size} set)")
    sys.exit(EXIT_OK)


# --- czmc registry ----------------------------------------------------------------------------


@click.group("registry")
def registry_group() -> None:
    """Read the issuance registry: what was issued, its status and history."""


_STATE_OPTION = click.option("--state", type=click.Choice(CREDENTIAL_STATES), help="Only credentials in this state.")
_ISSUER_OPTION = click.option("--issuer", help="Only this issuer's credentials.")


@registry_group.command("list")
@_REQUIRED_REGISTRY
@_ISSUER_OPTION
@_STATE_OPTION
@click.option("--json", "as_json", is_flag=True, help="JSON lines (without tokens) instead of a table.")
def list_command(registry_target: str, issuer: str | None, state: str | None, as_json: bool) -> None:
    """List the recorded credentials, in issuing order.

    \b
    Examples:
      czmc registry list --registry registry.db
      czmc registry list --registry registry.db --state revoked --json
    """
    with opened(registry_target) as registry:
        for record in registry.records(issuer=issuer, state=state):
            if as_json:
                click.echo(json.dumps(record.to_dict(token=False), ensure_ascii=False))
            else:
                line = (
                    f"{record.id}  {record.state.value:<9}  {record.issued}  {record.achievement_name}  "
                    f"{record.purpose.value}#{record.index}"
                )
                click.echo(escape_controls(line))
    sys.exit(EXIT_OK)


@registry_group.command("show")
@click.argument("credential_id", metavar="CREDENTIAL_ID")
@_REQUIRED_REGISTRY
@click.option("--token", "with_token", is_flag=True, help="Include the signed token.")
def show(credential_id: str, registry_target: str, with_token: bool) -> None:
    """Show one credential's record and history as JSON.

    \b
    Example:
      czmc registry show urn:uuid:... --registry registry.db
    """
    with opened(registry_target) as registry:
        record = registry.get(credential_id)
    click.echo(json.dumps(record.to_dict(token=with_token), ensure_ascii=False, indent=2))
    sys.exit(EXIT_OK)


@registry_group.command("lists")
@_REQUIRED_REGISTRY
@_ISSUER_OPTION
def lists_command(registry_target: str, issuer: str | None) -> None:
    """Show the status lists: URL, size and how many slots are taken."""
    with opened(registry_target) as registry:
        for info in registry.status_lists(issuer):
            click.echo(escape_controls(f"{info.url}  {info.allocated} of {info.size} allocated  ({info.issuer})"))
    sys.exit(EXIT_OK)


@registry_group.command("export")
@_REQUIRED_REGISTRY
@_ISSUER_OPTION
@_STATE_OPTION
@click.option("--no-tokens", is_flag=True, help="Leave the signed tokens out.")
@output_option("the JSON lines")
def export(registry_target: str, issuer: str | None, state: str | None, no_tokens: bool, output: Path) -> None:
    """Export every record with its history as JSON lines (one credential a line).

    A file is written whole or not at all. It holds learner identifiers and tokens: it is
    created readable by its owner only.

    \b
    Examples:
      czmc registry export --registry registry.db -o registry.jsonl
      czmc registry export --registry postgresql://czmc@db/registry --state revoked --no-tokens
    """
    with opened(registry_target) as registry:
        records = registry.records(issuer=issuer, state=state)
        if is_stdout(output):
            count = _write_lines(sys.stdout, records, not no_tokens)
        else:
            count = _export_file(output, lambda stream: _write_lines(stream, records, not no_tokens))
            click.echo(f"wrote {count} record{'s' if count != 1 else ''} to {output}", err=True)
    sys.exit(EXIT_OK)


def _write_lines(stream: IO[str], records: Iterator[Record], token: bool) -> int:
    count = 0
    for record in records:
        stream.write(json.dumps(record.to_dict(token=token), ensure_ascii=False) + "\n")
        count += 1
    return count


def _export_file(path: Path, write: Callable[[IO[str]], int]) -> int:
    """Write to a private temporary file beside ``path``, then rename: complete or untouched.

    A device or FIFO is written through; a link or directory is refused (see czmc._cli_files).
    """
    try:
        with open_output(path, private=True) as binary:
            stream = io.TextIOWrapper(binary, encoding="utf-8")
            count = write(stream)
            stream.flush()
            stream.detach()  # open_output syncs and closes the file
    except OutputRefused as error:
        _fail(str(error), code=EXIT_USAGE, hint="write to a regular file (for a link: the file it points to), or '-'")
    return count
