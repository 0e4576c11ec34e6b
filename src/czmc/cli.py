"""The ``czmc`` command: a thin shell over the library.

Exit codes: 0 everything valid / done, 1 invalid input, 2 usage error, 3 valid but not
meeting the profile it claims or one that was required (``verify``, ``validate``), 70 an
unexpected internal error (a bug: rerun with ``--debug`` for its traceback), 130 interrupted.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.shell_completion import get_completion_class

from czmc._cli_common import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_PROFILE,
    EXIT_USAGE,
)
from czmc._cli_common import color as _color
from czmc._cli_common import fail as _fail
from czmc._cli_common import load_key as _load_key
from czmc._cli_common import password as _password
from czmc._cli_common import read_stdin_bytes as _read_stdin_bytes
from czmc._cli_files import (
    GLOB_CHARACTERS,
    OutputRefused,
    check_output,
    is_stderr,
    is_stdout,
    search_directory,
    search_pattern,
    write_output,
)
from czmc._cli_options import (
    ALGORITHMS,
    DATA_INTEGRITY,
    PASSWORD_OPTION,
    REQUIREMENTS,
    check_registry_options,
    chosen_proof_format,
    issue_signing_options,
    output_option,
    registry_options,
)
from czmc._terminal import escape_controls
from czmc.checks import CheckStatus
from czmc.errors import CzmcError, InvalidError, SigningError
from czmc.inputs import MAX_FILE_BYTES, TOKEN_SUFFIXES, decode, load_document, parse_document
from czmc.render import FORMATS, render

if TYPE_CHECKING:
    from czmc.did import Resolver
    from czmc.http import HttpsFetcher
    from czmc.keys import Key
    from czmc.model import MicroCredential
    from czmc.status import StatusChecker
    from czmc.validation import FileReport
    from czmc.verification import Verdict

# Commands import the library modules they use when they run: czmc --version or --help loads
# neither pydantic nor the crypto, JSON-LD, JSON Schema or HTTP libraries.

_OUTPUT_HINT = "write to a regular file (for a link: the file it points to), or '-' for standard output"
_SUFFIXES = (".json", ".jsonld", ".yaml", ".yml", *sorted(TOKEN_SUFFIXES))
_SHELLS = ("bash", "zsh", "fish")


def write_atomically(path: Path, text: str, *, private: bool = False) -> None:
    """Write ``text`` to ``path``, complete or untouched (see :func:`czmc._cli_files.write_output`).

    ``private``: personal data, created 0600. What czmc will not write (a link, a directory) is
    a usage error.
    """
    try:
        write_output(path, text, private=private)
    except OutputRefused as error:
        _fail(str(error), code=EXIT_USAGE, hint=_OUTPUT_HINT)


class _Group(click.Group):
    """The czmc group: a CzmcError is one line; any other exception one line too, unless --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError, KeyboardInterrupt):
            raise
        except CzmcError as error:
            if ctx.params.get("debug"):
                traceback.print_exc()
            hint = f"run czmc {ctx.invoked_subcommand or ''} --help".replace("  ", " ")
            if isinstance(error, InvalidError):
                _fail(error.message.splitlines()[0].rstrip(":"), error.issues, hint=hint)
            _fail(f"{error.message} [{error.code}]", hint=hint)
        except OSError as error:  # the file system or the network, not czmc: one line, exit code 1
            if ctx.params.get("debug"):
                traceback.print_exc()
            where = f"{error.filename}: " if error.filename else ""
            _fail(f"{where}{error.strerror or error}", hint="check the path and its permissions")
        except Exception as error:
            if ctx.params.get("debug"):
                traceback.print_exc()
                sys.exit(EXIT_INTERNAL)
            _fail(
                f"unexpected {type(error).__name__}: {error}; rerun with --debug",
                code=EXIT_INTERNAL,
                hint="this is a bug in czmc; please report it with the output of czmc --debug ...",
            )


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="czmc", prog_name="czmc")  # the version is read only when asked for
@click.option(
    "--debug",
    is_flag=True,
    envvar="CZMC_DEBUG",
    help="Print the traceback of an unexpected error (also: CZMC_DEBUG=1).",
)
def main(debug: bool) -> None:
    """Issue and check EU micro-credentials as Open Badges 3.0 credentials.

    \b
    Examples:
      czmc keygen --did did:web:muni.cz -o muni.jwk --did-document did.json
      czmc issue examples/inputs/applied-ai.json --key muni.jwk -o applied-ai.jwt
      czmc verify applied-ai.jwt --did-document did.json
      czmc validate 'credentials/**/*.json' catalogue/ --format github

    \b
    Exit codes:
      0   done; everything valid
      1   invalid input: a document, token, roster or course that is unreadable
          or breaks a rule, a failed check, a registry refusing a change
      2   usage error: an unknown option or bad value, a path that does not
          exist, a file given by an option (key, DID document, status list,
          mapping) that cannot be used, a key of another issuer, an output
          czmc will not write (a link, a directory)
      70  unexpected internal error (a bug); rerun with --debug
      130 interrupted (Ctrl-C)

    \b
    Files: '-' reads standard input or writes standard output for single
    documents (model inputs, tokens, keys to read, DID documents, outputs);
    not for private keys written by keygen, nor issue-batch's course and roster.
    Colours only on a terminal, never with NO_COLOR set.

    \b
    Shell completion: eval "$(czmc completion bash)" (or zsh, fish), or
    eval "$(_CZMC_COMPLETE=bash_source czmc)".
    """


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@output_option("the credential JSON")
@click.option(
    "--id",
    "credential_id",
    help="Credential id for an input without one (default: a new urn:uuid); must match the input's id if it has one.",
)
def build(input_path: str, output: Path, credential_id: str | None) -> None:
    """Turn a micro-credential model input (JSON or YAML) into an OB 3.0 credential (JSON-LD).

    INPUT '-' reads standard input: JSON, or YAML when it does not start with '{' or '['.

    \b
    Example:
      czmc build examples/inputs/applied-ai.json -o applied-ai.credential.json
    """
    _check_output(output)
    mc = _load_model(input_path)
    if credential_id is not None and mc.id is not None and credential_id != mc.id:
        _fail(f"--id {credential_id} conflicts with the input's id {mc.id}", code=EXIT_USAGE)
    from czmc import ob3  # noqa: PLC0415 - see the imports

    credential = ob3.to_credential(mc, credential_id=credential_id)
    _emit(output, json.dumps(credential, ensure_ascii=False, indent=2) + "\n", private=True)


def _load_model(input_path: str) -> MicroCredential:
    from czmc.model import MicroCredential  # noqa: PLC0415 - see the imports

    try:
        data = _read_stdin() if input_path == "-" else load_document(input_path)
        return MicroCredential.model_validate(data)
    except InvalidError as error:
        _fail(
            f"{input_path} is not a valid micro-credential",
            error.issues,
            hint="fix the problems listed; czmc validate checks an input without building it",
        )


def _emit(output: Path, text: str, *, announce: bool = True, private: bool = False) -> None:
    """Write an output: to standard output for '-' (or /dev/stdout), else to the file (see write_atomically)."""
    if is_stdout(output) or is_stderr(output):
        click.echo(text, nl=False, color=_color(), err=is_stderr(output))
    else:
        write_atomically(output, text, private=private)
        if announce:
            click.echo(f"wrote {output}", err=True)


def _read_stdin_text() -> str:
    try:
        return decode(_read_stdin_bytes(), "<stdin>")
    except InvalidError as error:
        _fail("cannot read standard input", error.issues, code=EXIT_USAGE, hint="standard input must be UTF-8 text")


def _read_stdin() -> Any:
    """Standard input as JSON, or as YAML when it does not start with '{' or '['."""
    text = decode(_read_stdin_bytes(), "<stdin>")
    return parse_document(text, yaml_syntax=not text.lstrip().startswith(("{", "[")), source="<stdin>")


def _check_output(path: Path) -> None:
    """Refuse an output czmc will not write (a link, a directory) before doing any work."""
    if is_stdout(path) or is_stderr(path):
        return
    try:
        check_output(path)
    except OutputRefused as error:
        _fail(str(error), code=EXIT_USAGE, hint=_OUTPUT_HINT)


def _note(message: str) -> None:
    click.echo(f"note: {escape_controls(message)}", err=True)


def _walk(directory: Path) -> list[str]:
    """The files under ``directory`` with a known suffix, sorted; hidden files, and links to directories, skipped."""
    return search_directory(directory, _SUFFIXES, _note)


def _expand(patterns: Sequence[str]) -> list[str]:
    """Files, directories (searched) and glob patterns (expanded here, so quoting them is safe), in order, once each.

    Searches do not follow links to directories, nor links to files outside the directory
    searched; a note names each one left out.
    """
    found: dict[str, None] = {}
    for name in patterns:
        if name == "-":
            found["-"] = None
        elif Path(name).is_dir():
            found.update(dict.fromkeys(_walk(Path(name))))
        elif Path(name).exists():
            found[str(Path(name))] = None
        elif GLOB_CHARACTERS.search(name):
            matches = search_pattern(name, _SUFFIXES, _note)
            if matches is None:
                _fail(
                    f"no file matches {name}",
                    code=EXIT_USAGE,
                    hint="check the pattern; quote it so that czmc expands it",
                )
            found.update(dict.fromkeys(matches))
        else:
            _fail(f"{name} does not exist", code=EXIT_USAGE, hint="check the path")
    return list(found)


def _parse_at(at_time: str | None) -> datetime | None:
    if at_time is None:
        return None
    try:
        moment = datetime.fromisoformat(at_time)
    except ValueError:
        _fail(f"--at {at_time!r} is not an ISO 8601 date-time", code=EXIT_USAGE)
    if moment.tzinfo is None:
        _fail("--at needs a timezone, e.g. 2026-01-31T12:00:00Z", code=EXIT_USAGE)
    return moment


_DID_DOCUMENT_OPTION = click.option(
    "--did-document",
    "did_documents",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
    help="A DID document to trust for its DID (e.g. a did:web issuer's did.json), instead of fetching it. Repeatable.",
)
_ONLINE_OPTION = click.option(
    "--online",
    is_flag=True,
    help="Fetch what verifying needs: did:web documents, https key URLs and (verify) status lists; https only, "
    "public addresses only, size-capped, 5 s per fetch.",
)


def _allowed_hosts(_context: click.Context, _parameter: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        try:
            ipaddress.ip_network(value.strip("[]"), strict=False)
        except ValueError:
            from czmc.http import _host_problem  # noqa: PLC0415 - see the imports

            problem = _host_problem(value.lower())
            if problem is not None:
                raise click.BadParameter(f"{problem}; give a host name, an IP address or a network") from None
    return values


_ALLOW_HOST_OPTION = click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="HOST",
    callback=_allowed_hosts,
    help="With --online: also fetch from this internal host name, IP address or network (e.g. 10.20.0.0/16), "
    "which czmc otherwise refuses (only public addresses are fetched from). Repeatable.",
)


def _https_fetcher(allowed: Sequence[str], **options: Any) -> HttpsFetcher:
    """An HttpsFetcher that may also reach the ``--allow-host`` hosts, addresses and networks."""
    hosts: list[str] = []
    networks: list[str] = []
    for value in allowed:
        try:
            networks.append(str(ipaddress.ip_network(value.strip("[]"), strict=False)))
        except ValueError:
            hosts.append(value)
    from czmc.http import HttpsFetcher  # noqa: PLC0415 - see the imports

    return HttpsFetcher(allow_hosts=hosts, allow_networks=networks, **options)


_LEEWAY_OPTION = click.option(
    "--leeway", type=click.IntRange(min=0), default=0, show_default=True, help="Clock skew to allow, in seconds."
)
_AT_OPTION = click.option(
    "--at", "at_time", metavar="DATETIME", help="Check validity as of this ISO 8601 time (with timezone), not now."
)
_REQUIRE_OPTION = click.option(
    "--require-profile",
    "require",
    multiple=True,
    type=click.Choice(REQUIREMENTS),
    help="Require a profile of every valid credential (exit code 3 if one does not meet it): "
    "eu-microcredential (every mandatory Annex I element), czmc (czmc's EU micro-credential profile, "
    "every EU rule met), ob3 (an Open Badges 3.0 achievement credential). Repeatable.",
)
_DOCUMENTS_OPTION = click.option(
    "--documents",
    "documents_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A pinned document store (czmc documents add) with the JSON-LD contexts and JSON Schemas czmc does "
    "not bundle, e.g. another country's profile. Every file is checked against its recorded SHA-256.",
)


def _verdict_exit(verdicts: Sequence[Verdict]) -> int:
    """1 if anything is invalid, else 3 if anything misses its profile, else 0."""
    if "invalid" in verdicts:  # Verdict is a StrEnum: its members equal their values
        return EXIT_INVALID
    return EXIT_PROFILE if "profile_not_met" in verdicts else EXIT_OK


def _document_store(directory: Path | None, online: bool, allowed_hosts: Sequence[str] = ()) -> Any:
    """The document store of ``--documents`` (with ``--online``: missing documents fetched and pinned)."""
    if directory is None:
        return None
    from czmc.documents import DocumentStore  # noqa: PLC0415 - only with --documents

    fetcher = _https_fetcher(allowed_hosts) if online else None
    try:
        return DocumentStore(directory, fetcher=fetcher)
    except CzmcError as error:
        _fail(f"cannot use the document store {directory}: {error.message} [{error.code}]", code=EXIT_USAGE)


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text for people; json (one object per file) for programs; github (workflow commands: "
    "annotations on the lines) for GitHub Actions; junit (JUnit XML) for CI test reports.",
)
@output_option("the report")
@click.option(
    "--verify",
    "verify_signatures",
    is_flag=True,
    help="Also verify the signatures of signed credentials (JWTs): key, key binding, signature, claims, "
    "validity period. did:key and did:jwk resolve offline; did:web needs --did-document or --online.",
)
@_DID_DOCUMENT_OPTION
@_ONLINE_OPTION
@_ALLOW_HOST_OPTION
@_AT_OPTION
@_LEEWAY_OPTION
@_REQUIRE_OPTION
@_DOCUMENTS_OPTION
def validate(
    paths: Sequence[str],
    output_format: str,
    output: Path,
    verify_signatures: bool,
    did_documents: tuple[Path, ...],
    online: bool,
    allowed_hosts: tuple[str, ...],
    at_time: str | None,
    leeway: int,
    require: tuple[str, ...],
    documents_dir: Path | None,
) -> None:
    """Check model inputs, credentials, signed credentials (JWTs) and course definitions.

    PATH is a file, a directory (searched recursively for .json, .jsonld, .yaml, .yml,
    .jwt and .jws files; hidden ones skipped), a glob pattern (expanded by czmc, so
    quote it: 'credentials/**/*.json'), or '-' for standard input. Each document's kind
    is recognised by its content. Credentials are checked against their JSON Schemas, for
    undefined JSON-LD terms and against the EU micro-credential rules; model inputs
    against the rules; a signed credential (a .jwt/.jws file, any file holding a compact
    JWS, or a JSON credential with an embedded Data Integrity proof) is parsed strictly and
    the credential in it checked like any credential, its proof only with --verify. The
    content checks are czmc verify's: the two never disagree about a credential. Every
    problem is printed with its code and JSON Pointer.

    Exit code 0 if every file is valid (warnings allowed), 1 if any is not, 3 if all are
    valid but a credential fails the profile it claims (a czmc credential breaking an EU
    rule) or one required with --require-profile, 2 for a usage error (e.g. a path that
    does not exist or a pattern that matches nothing).

    \b
    Examples:
      czmc validate examples/ credential.json
      czmc validate 'examples/**/*.json' --format github
      czmc validate credentials/ --format junit -o czmc-report.xml
      czmc validate signed/*.jwt --verify --did-document did.json
    """
    from czmc.validation import validate_path, validate_text  # noqa: PLC0415 - see the imports

    if did_documents and not verify_signatures:
        _fail("--did-document only applies with --verify", code=EXIT_USAGE)
    if online and not (verify_signatures or documents_dir):
        _fail("--online only applies with --verify or --documents", code=EXIT_USAGE)
    if allowed_hosts and not online:
        _fail("--allow-host only applies with --online", code=EXIT_USAGE)
    if "-" in paths and any(str(path) == "-" for path in did_documents):
        _fail("a PATH and a --did-document cannot both be standard input", code=EXIT_USAGE)
    files = _expand(paths)
    if not files:
        _fail(
            "no " + ", ".join(_SUFFIXES) + " files found in " + ", ".join(paths),
            code=EXIT_USAGE,
            hint="name the files, or point czmc at the directories that hold them",
        )
    now = _parse_at(at_time)
    resolver = _document_resolver(did_documents, online, allowed_hosts) if verify_signatures else None
    options: dict[str, Any] = {
        "verify": verify_signatures,
        "resolver": resolver,
        "now": now,
        "leeway": timedelta(seconds=leeway),
        "documents": _document_store(documents_dir, online, allowed_hosts),
        "require": require,
    }
    reports: list[FileReport] = []
    for name in files:
        if name == "-":
            text = _read_stdin_text()
            yaml_syntax = not text.lstrip().startswith(("{", "["))
            reports.append(validate_text(text, "<stdin>", yaml_syntax=yaml_syntax, **options))
        else:
            reports.append(validate_path(name, **options))
    to_terminal = str(output) == "-" and sys.stdout.isatty() and _color() is None
    _emit(output, render(reports, output_format, color=to_terminal) + "\n", announce=False)
    _report_pinned(options["documents"])
    sys.exit(_verdict_exit([report.verdict for report in reports]))


# --- keys, signing, verification ----------------------------------------------------------


@main.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Private key file to write (mode 0600; never overwritten without --force).",
)
@click.option(
    "--alg",
    type=click.Choice(ALGORITHMS),
    default=ALGORITHMS[0],
    show_default=True,
    help="EdDSA (Ed25519) and ES256 (P-256) for wallets and did:key; RS256 is what OB 3.0 certification tests.",
)
@click.option(
    "--did",
    "did_method",
    default="key",
    show_default=True,
    metavar="key|jwk|did:web:DOMAIN[:PATH]",
    help="Identifier of the issuer the key belongs to; sets the key id (kid) stored in the key file.",
)
@click.option(
    "--did-document",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --did did:web:...: where to write the DID document to host at /.well-known/did.json.",
)
@click.option(
    "--key-format",
    type=click.Choice(["jwk", "pem"]),
    default=None,
    help="Key file format  [default: jwk]; pem can be encrypted (--password-env).",
)
@click.option("--fmt", "legacy_fmt", type=click.Choice(["jwk", "pem"]), hidden=True, help="Old name of --key-format.")
@PASSWORD_OPTION
@click.option("--force", is_flag=True, help="Replace an existing key file.")
def keygen(
    output: Path,
    alg: str,
    did_method: str,
    did_document: Path | None,
    key_format: str | None,
    legacy_fmt: str | None,
    password_env: str | None,
    force: bool,
) -> None:
    """Generate a signing key and print its public key, key id and DID.

    The private key goes only to OUTPUT, a file (never standard output). Standard output
    gets JSON with the public JWK, the kid, the DID and (for did:web) the DID document to
    publish.

    \b
    Examples:
      czmc keygen -o issuer.jwk                                   # Ed25519, did:key
      czmc keygen --alg RS256 --did did:web:muni.cz -o muni.jwk --did-document did.json
      CZMC_KEY_PASSWORD=... czmc keygen --key-format pem --password-env CZMC_KEY_PASSWORD -o issuer.pem
    """
    if key_format and legacy_fmt and key_format != legacy_fmt:
        _fail("--fmt is the old name of --key-format; give one of them", code=EXIT_USAGE)
    fmt = key_format or legacy_fmt or "jwk"
    if is_stdout(output):
        _fail(
            "the private key is written only to a file (mode 0600), never to standard output",
            code=EXIT_USAGE,
            hint="give -o a file name, e.g. -o issuer.jwk",
        )
    if did_document is not None and str(did_document) == "-":
        _fail(
            "the DID document is already part of the JSON on standard output",
            code=EXIT_USAGE,
            hint="give --did-document a file name, or read did_document from standard output",
        )
    if fmt == "jwk" and password_env:
        _fail("JWK key files are not encrypted; use --key-format pem with --password-env", code=EXIT_USAGE)
    if output.is_symlink() or (output.exists() and not output.is_file()):
        _fail(f"{output} is not a regular file; a private key is written only to one", code=EXIT_USAGE)
    if did_document is not None:
        _check_output(did_document)
    if did_document is not None and not did_method.startswith("did:web:"):
        _fail("--did-document is for --did did:web:...", code=EXIT_USAGE)
    from czmc import did  # noqa: PLC0415 - see the imports
    from czmc.keys import Key  # noqa: PLC0415

    key = Key.generate(alg)
    document: dict[str, Any] | None = None
    try:
        if did_method == "key":
            identifier = did.did_key(key.public)
            key = key.with_kid(f"{identifier}#{identifier.removeprefix('did:key:')}")
        elif did_method == "jwk":
            identifier = did.did_jwk(key.public)
            key = key.with_kid(f"{identifier}#0")
        elif did_method.startswith("did:web:"):
            identifier = did_method
            key = key.with_kid(f"{identifier}#{key.public.thumbprint}")
            document = did.did_web_document(identifier, [(key.kid, key.public)])
        else:
            _fail(
                f"--did must be key, jwk or a did:web DID, not {did_method!r}",
                code=EXIT_USAGE,
                hint="e.g. --did key, --did jwk or --did did:web:example.org",
            )
        key.save(output, fmt="pem" if fmt == "pem" else "jwk", password=_password(password_env), overwrite=force)
    except CzmcError as error:
        hint = "pass --force to replace it, or choose another -o file" if error.code == "key.exists" else None
        _fail(error.message, hint=hint)
    if document is not None and did_document is not None:
        write_atomically(did_document, json.dumps(document, indent=2) + "\n")
    summary = {
        "kid": key.kid,
        "alg": key.alg.value,
        "did": identifier,
        "public_jwk": key.public.jwk(kid=key.kid, alg=key.alg),
        "key_file": str(output),
    }
    if document is not None:
        summary["did_document"] = document
        summary["did_document_url"] = did.did_web_url(identifier)
    click.echo(json.dumps(summary, indent=2))


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="Private key file (from czmc keygen); '-' reads it from standard input.",
)
@PASSWORD_OPTION
@issue_signing_options
@output_option("the signed credential")
@click.option("--id", "credential_id", help="Credential id for an input without one (default: a new urn:uuid).")
@click.option(
    "--kid",
    help="Key id verifiers resolve (DID URL or https URL of the public JWK); default: the key file's, "
    "or derived from a did:key/did:jwk/did:web issuer.",
)
@registry_options
@click.option(
    "--idempotency-key",
    metavar="KEY",
    help="With --registry: if a credential was recorded under KEY before, output it instead of issuing "
    "another (makes a retried command safe).",
)
def issue(
    input_path: str,
    key_path: str,
    password_env: str | None,
    proof_format: str | None,
    legacy_format: str | None,
    output: Path,
    credential_id: str | None,
    kid: str | None,
    alg: str | None,
    registry_target: str | None,
    status_url: str | None,
    status_purpose: str | None,
    idempotency_key: str | None,
) -> None:
    """Issue a signed micro-credential: model input (JSON or YAML) -> OB 3.0 credential -> JWT.

    With --proof-format data-integrity the output is the credential as JSON with an embedded
    DataIntegrityProof instead (eddsa-rdfc-2022 for Ed25519 keys, ecdsa-rdfc-2019 for P-256),
    the form OB 3.0 certification and the wallets of the Digital Bazaar stack expect.

    The key's kid must belong to the input's issuer: the issuer id is the DID of the kid
    (did:key, did:jwk, did:web), or the kid is an https URL on the issuer's host.
    INPUT '-' reads the model input from standard input; --key '-' the key (not both).

    With --registry the credential gets a status-list entry and is recorded (slot, signature
    and record in one transaction), so that it can be revoked: czmc status revoke.

    \b
    Examples:
      czmc issue examples/inputs/applied-ai.json --key cvut.jwk -o applied-ai.jwt
      czmc issue input.yaml --key cvut.jwk --proof-format vc-jose-cose > credential.jwt
      czmc issue input.yaml --key cvut.jwk --registry registry.db -o credential.jwt
      czmc issue input.yaml --key cvut.jwk --proof-format data-integrity -o credential.json
    """
    from czmc import ob3, vcjwt  # noqa: PLC0415 - see the imports

    chosen_format = chosen_proof_format("issue", proof_format, legacy_format)
    check_registry_options(registry_target, status_url, status_purpose)
    if chosen_format == DATA_INTEGRITY and registry_target is not None:
        _fail(
            "--registry records JWTs only; --proof-format data-integrity cannot be used with it",
            code=EXIT_USAGE,
            hint="issue into the registry as a JWT (--proof-format ob3, vc-jose-cose or vc1)",
        )
    if idempotency_key is not None and registry_target is None:
        _fail("--idempotency-key needs --registry (or CZMC_REGISTRY)", code=EXIT_USAGE)
    if input_path == "-" and key_path == "-":
        _fail("INPUT and --key cannot both be standard input", code=EXIT_USAGE)
    _check_output(output)
    mc = _load_model(input_path)
    issuer = mc.issuer.id
    try:
        key = vcjwt.bind_key(_load_key(key_path, password_env, alg), issuer, kid)
    except SigningError as error:
        _fail(
            error.message,
            code=EXIT_USAGE,
            hint="generate a key for the issuer (czmc keygen --did ...), pass --kid, or fix the input's issuer id",
        )
    try:
        credential = ob3.to_credential(mc, credential_id=credential_id)
        if chosen_format == DATA_INTEGRITY:
            token = _data_integrity(credential, key)
        elif registry_target is None:
            token = vcjwt.sign(credential, key, format=chosen_format)
        else:
            token = _issue_into_registry(
                registry_target, credential, key, chosen_format, status_url, status_purpose, idempotency_key
            )
    except CzmcError as error:
        _fail(f"{error.message} [{error.code}]", hint="czmc validate INPUT checks the input; czmc issue --help")
    _emit(output, token + "\n", private=True)


def _data_integrity(credential: dict[str, Any], key: Key) -> str:
    """``credential`` with an embedded Data Integrity proof by ``key``, as JSON text."""
    from czmc import dataintegrity  # noqa: PLC0415 - canonicalisation is loaded only for this form
    from czmc.keys import Algorithm  # noqa: PLC0415 - see the imports

    suites = {Algorithm.EDDSA: dataintegrity.EDDSA_RDFC_2022, Algorithm.ES256: dataintegrity.ECDSA_RDFC_2019}
    suite = suites.get(key.alg)
    if suite is None:
        _fail(
            f"Data Integrity proofs need an Ed25519 or P-256 key, not {key.alg.value}",
            code=EXIT_USAGE,
            hint="make one with czmc keygen --alg EdDSA (or ES256), or issue a JWT",
        )
    signed = dataintegrity.sign(credential, key, verification_method=key.kid, cryptosuite=suite)
    # OB 3.0's schema spells proof as an array: a proof set of one is the same proof.
    signed["proof"] = [signed["proof"]] if isinstance(signed["proof"], dict) else signed["proof"]
    return json.dumps(signed, ensure_ascii=False, indent=2)


def _issue_into_registry(
    target: str,
    credential: dict[str, Any],
    key: Key,
    proof_format: str,
    status_url: str | None,
    status_purpose: str | None,
    idempotency_key: str | None,
) -> str:
    from czmc.cli_registry import opened  # noqa: PLC0415 - the registry commands import this module

    with opened(target, create=True) as registry:
        record, created = registry.issue(
            credential,
            key,
            format=proof_format,
            purpose=status_purpose,
            status_url=status_url,
            idempotency_key=idempotency_key,
        )
    what = "recorded in" if created else f"was recorded before under idempotency key {idempotency_key!r}, in"
    click.echo(
        f"{record.id} {what} {registry.name} ({record.purpose.value} list {record.list_url}, index {record.index})",
        err=True,
    )
    return record.token


_JWS_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):  # e.g. a token longer than a file name may be
        return False


def _document_resolver(paths: Sequence[Path], online: bool, allowed_hosts: Sequence[str] = ()) -> Resolver:
    from czmc import did  # noqa: PLC0415 - see the imports

    documents = []
    for path in paths:
        try:
            if str(path) == "-":
                text = _read_stdin_text()
                documents.append(parse_document(text, yaml_syntax=not text.lstrip().startswith("{"), source="<stdin>"))
            else:
                documents.append(load_document(path))
        except InvalidError as error:
            _fail(f"cannot read DID document {path}", error.issues, code=EXIT_USAGE)
    fetcher = _https_fetcher(allowed_hosts) if online else None
    try:
        return did.DefaultResolver(fetcher=fetcher, documents=documents)
    except CzmcError as error:
        _fail(f"cannot use the DID documents: {error.message}", code=EXIT_USAGE)


_STATUS_LIST_OPTION = click.option(
    "--status-list",
    "status_lists",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A signed status list (JWT file) to use instead of fetching it, or a directory: every *.jwt below it "
    "(as czmc status publish --out DIR writes). Repeatable.",
)
_NO_STATUS_OPTION = click.option(
    "--no-status", is_flag=True, help="Do not check revocation/suspension (the status check is reported as skipped)."
)


def _status_checker(paths: Sequence[Path], online: bool, allowed_hosts: Sequence[str] = ()) -> StatusChecker:
    from czmc import status  # noqa: PLC0415 - see the imports

    """The StatusChecker for ``czmc verify``: pinned lists from ``paths``, https fetching if ``online``."""
    tokens = []
    for path in paths:
        files = sorted(item for item in path.rglob("*.jwt") if item.is_file()) if path.is_dir() else [path]
        for file in files:
            try:
                with file.open("rb") as stream:
                    tokens.append(decode(stream.read(MAX_FILE_BYTES + 1), str(file)))
            except OSError as error:
                _fail(f"cannot read status list {file}: {error.strerror or error}", code=EXIT_USAGE)
            except InvalidError as error:
                _fail(f"cannot read status list {file}", error.issues, code=EXIT_USAGE)
    fetcher = (
        _https_fetcher(allowed_hosts, accept=status.LIST_ACCEPT, max_bytes=status.MAX_LIST_TOKEN_BYTES)
        if online
        else None
    )
    try:
        return status.StatusChecker(fetcher, lists=tokens)
    except CzmcError as error:
        _fail(f"cannot use the status lists: {error.message} [{error.code}]", code=EXIT_USAGE)


@main.command()
@click.argument("token_or_file", metavar="CREDENTIAL")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="text: the verdict and every check, for people; json: the same for programs.  [default: text]",
)
@click.option("--json", "as_json", is_flag=True, help="Short for --format json.")
@output_option("the result")
@_DID_DOCUMENT_OPTION
@_ONLINE_OPTION
@_ALLOW_HOST_OPTION
@_LEEWAY_OPTION
@_AT_OPTION
@_STATUS_LIST_OPTION
@_NO_STATUS_OPTION
@_REQUIRE_OPTION
@_DOCUMENTS_OPTION
def verify(
    token_or_file: str,
    output_format: str | None,
    as_json: bool,
    output: Path,
    did_documents: tuple[Path, ...],
    online: bool,
    allowed_hosts: tuple[str, ...],
    leeway: int,
    at_time: str | None,
    status_lists: tuple[Path, ...],
    no_status: bool,
    require: tuple[str, ...],
    documents_dir: Path | None,
) -> None:
    """Verify a credential: a JWT, or a JSON credential with an embedded Data Integrity proof.

    CREDENTIAL is a file holding either, the JWT itself, or '-' for standard input. Every
    check is listed: the proof (for a JWT: token syntax, header, algorithm, key resolution
    and binding to the issuer, signature, JWT claims; for Data Integrity: the document, the
    proof, its cryptosuite, key and binding, signature, proof times), the validity period,
    revocation/suspension status, JSON-LD terms and JSON Schemas; then the profile: what
    the credential is (a czmc EU micro-credential, an Open Badges 3.0 achievement, ...) and
    which EU micro-credential elements it carries. did:key and did:jwk issuers verify
    offline; did:web issuers need --did-document or --online. A credential with a
    credentialStatus needs its issuer's signed status list: --status-list (offline) or
    --online (fetched over https); a status that cannot be established is not valid.

    Exit code 0 if valid (and meeting the profile it claims and every --require-profile),
    1 if not valid, 3 if valid but failing the profile it claims or a required one, 2 for
    a usage error.

    \b
    Examples:
      czmc verify applied-ai.jwt --did-document did.json
      czmc verify applied-ai.jwt --did-document did.json --status-list public/status
      czmc verify badge.json --did-document issuer-did.json --require-profile eu-microcredential
      czmc verify eyJhbGciOi... --online --format json
      czmc verify old.jwt --no-status
    """
    if output_format == "text" and as_json:
        _fail("--json is short for --format json; give one of them", code=EXIT_USAGE)
    from_stdin = token_or_file == "-"  # noqa: S105 - '-' means standard input, not a password
    if from_stdin and any(str(path) == "-" for path in did_documents):
        _fail("the credential and a --did-document cannot both be standard input", code=EXIT_USAGE)
    data = token_or_file
    if from_stdin:
        data = _read_stdin_text()
    elif _is_file(token_or_file) or not _JWS_SHAPE.fullmatch(token_or_file.strip()):
        try:
            with Path(token_or_file).open("rb") as stream:
                data = decode(stream.read(MAX_FILE_BYTES + 1), token_or_file)
        except OSError as error:
            _fail(
                f"cannot read {token_or_file}: {error.strerror or error}",
                code=EXIT_USAGE if isinstance(error, FileNotFoundError) else EXIT_INVALID,
                hint="give a file holding a JWT or a JSON credential, the JWT itself, or '-' for standard input",
            )
        except InvalidError as error:
            _fail(f"cannot read {token_or_file}", error.issues)
    if no_status and status_lists:
        _fail("--status-list has no use with --no-status; give one of them", code=EXIT_USAGE)
    if allowed_hosts and not online:
        _fail("--allow-host only applies with --online", code=EXIT_USAGE)
    now = _parse_at(at_time)
    from czmc.verification import verify as verify_credential  # noqa: PLC0415 - keeps start-up light

    store = _document_store(documents_dir, online, allowed_hosts)
    result = verify_credential(
        data.strip(),
        resolver=_document_resolver(did_documents, online, allowed_hosts),
        now=now,
        leeway=timedelta(seconds=leeway),
        status=None if no_status else _status_checker(status_lists, online, allowed_hosts),
        check_status=not no_status,
        documents=store,
        require=require,
    )
    if as_json or output_format == "json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    else:
        text = _verification_text(result)
    _emit(output, text + "\n", announce=False)
    _report_pinned(store)
    sys.exit(_verdict_exit([result.verdict]))


_VERDICT_LINES = {  # by the values of czmc.verification.Verdict
    "valid": "VALID",
    "invalid": "INVALID",
    "profile_not_met": "VALID, BUT NOT MEETING ITS PROFILE",
}


def _verification_text(result: Any) -> str:
    """The verdict, every check, and the profile, for people."""
    marks = {CheckStatus.PASSED: "ok  ", CheckStatus.FAILED: "FAIL", CheckStatus.SKIPPED: "skip"}
    lines = [_VERDICT_LINES[result.verdict]]
    if result.unmet and result.valid:
        lines[0] += f" ({', '.join(result.unmet)})"
    for check in result.checks:
        code = "" if check.status is CheckStatus.PASSED else f" [{check.code}]"
        note = "" if check.required or check.status is not CheckStatus.FAILED else " (not required)"
        lines.append(f"  {marks[check.status]} {check.name}: {check.message}{code}{note}")
    lines.extend(f"       {issue}" for issue in result.issues)
    if result.profile is not None:
        eu = result.profile.eu_microcredential
        lines.append(f"  profile: {result.profile.profile.value}")
        lines.append(
            "  EU micro-credential elements: "
            + ("all mandatory present" if eu.complete else "missing " + ", ".join(eu.missing))
        )
    return "\n".join(escape_controls(line) for line in lines)


def _report_pinned(store: Any) -> None:
    """Tell what ``--online`` pinned into the document store in this run (on standard error)."""
    for pinned in getattr(store, "fetched", ()):
        click.echo(f"note: pinned {pinned.url} (sha256 {pinned.sha256}) into {store.path}", err=True)


@main.command()
@click.argument("shell", type=click.Choice(_SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    Completion covers commands, options, choices and file names. The script is click's
    (the same as _CZMC_COMPLETE=SHELL_source czmc prints); load it from your shell's
    start-up file.

    \b
    Examples:
      eval "$(czmc completion bash)"                         # in ~/.bashrc
      eval "$(czmc completion zsh)"                          # in ~/.zshrc
      czmc completion fish > ~/.config/fish/completions/czmc.fish
    """
    completer = get_completion_class(shell)
    if completer is None:  # pragma: no cover - click knows every shell in _SHELLS
        _fail(f"click has no completion for {shell}", code=EXIT_USAGE)
    click.echo(completer(main, {}, "czmc", "_CZMC_COMPLETE").source())


def _show_interrupted() -> None:
    color = _color()
    click.echo(f"{click.style('error:', fg='red', bold=True)} interrupted", err=True, color=color)
    click.echo(
        f"{click.style('hint:', fg='cyan')} nothing half-written was left; run the command again", err=True, color=color
    )


def _show_click_error(error: click.ClickException) -> None:
    color = _color()
    click.echo(f"{click.style('error:', fg='red', bold=True)} {error.format_message()}", err=True, color=color)
    context = error.ctx if isinstance(error, click.UsageError) else None
    command = context.command_path if context is not None else "czmc"
    click.echo(f"{click.style('hint:', fg='cyan')} run {command} --help", err=True, color=color)


from czmc.cli_batch import issue_batch  # noqa: E402 - registered once main exists
from czmc.cli_documents import documents_group  # noqa: E402
from czmc.cli_registry import registry_group, status_group  # noqa: E402

main.add_command(issue_batch)
main.add_command(status_group)
main.add_command(registry_group)
main.add_command(documents_group)


def run(args: Sequence[str] | None = None) -> NoReturn:
    """Entry point: every error is one ``error:`` line and a ``hint:`` line, never a traceback (but with --debug).

    Exit codes: 0 done / valid, 1 invalid input, 2 usage error, 70 unexpected internal error, 130 interrupted.
    """
    try:
        code = main.main(args=args, prog_name="czmc", standalone_mode=False)
    except click.ClickException as error:
        _show_click_error(error)
        sys.exit(error.exit_code)
    except click.Abort:  # click's answer to Ctrl-C (KeyboardInterrupt); czmc asks no questions
        _show_interrupted()
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        _show_interrupted()
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    run()
