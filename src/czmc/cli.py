"""The ``czmc`` command: a thin shell over the library.

Exit codes: 0 everything valid / done, 1 invalid input, 2 usage error.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any, NoReturn

import click

from czmc import did, ob3, vcjwt
from czmc import keys as keys_module
from czmc.errors import CzmcError, InvalidError
from czmc.http import HttpsFetcher
from czmc.inputs import MAX_FILE_BYTES, decode, load_document, parse_document
from czmc.keys import Algorithm, Key
from czmc.model import MicroCredential
from czmc.report import Severity
from czmc.validation import FileReport, validate_path
from czmc.vcjwt import CheckStatus, Format

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

_SUFFIXES = (".json", ".jsonld", ".yaml", ".yml")


def _fail(message: str, issues: Sequence[Any] = (), code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    for issue in issues:
        click.echo(f"  {issue}", err=True)
    sys.exit(code)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it is either complete or untouched (mode as umask allows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("czmc"), prog_name="czmc")
def main() -> None:
    """Issue and check EU micro-credentials as Open Badges 3.0 credentials."""


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    show_default=True,
    help="Where to write the credential JSON ('-' for standard output).",
)
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
    mc = _load_model(input_path)
    if credential_id is not None and mc.id is not None and credential_id != mc.id:
        _fail(f"--id {credential_id} conflicts with the input's id {mc.id}", code=EXIT_USAGE)
    _emit(output, json.dumps(ob3.to_credential(mc, credential_id=credential_id), ensure_ascii=False, indent=2) + "\n")


def _load_model(input_path: str) -> MicroCredential:
    try:
        data = _read_stdin() if input_path == "-" else load_document(input_path)
        return MicroCredential.model_validate(data)
    except InvalidError as error:
        _fail(f"{input_path} is not a valid micro-credential", error.issues)


def _emit(output: Path, text: str) -> None:
    if str(output) == "-":
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)
        click.echo(f"wrote {output}", err=True)


def _read_stdin() -> Any:
    """Standard input as JSON, or as YAML when it does not start with '{' or '['."""
    text = decode(sys.stdin.buffer.read(MAX_FILE_BYTES + 1), "<stdin>")
    return parse_document(text, yaml_syntax=not text.lstrip().startswith(("{", "[")), source="<stdin>")


def _expand(paths: Sequence[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES)
        else:
            yield path


def _render_text(reports: Sequence[FileReport]) -> str:
    lines = []
    for report in reports:
        kind = f" ({report.kind.value})" if report.kind else ""
        errors = sum(1 for issue in report.issues if issue.severity is Severity.ERROR)
        warnings = len(report.issues) - errors
        verdict = f"{errors} problem{'s' if errors != 1 else ''}" if errors else "valid"
        if warnings:
            verdict += f", {warnings} warning{'s' if warnings != 1 else ''}"
        lines.append(f"{report.path}: {verdict}{kind}")
        lines.extend(f"  {'warning: ' if issue.severity is Severity.WARNING else ''}{issue}" for issue in report.issues)
    invalid = sum(1 for report in reports if not report.valid)
    lines.append(f"{len(reports)} file{'s' if len(reports) != 1 else ''} checked, {invalid} invalid")
    return "\n".join(lines)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json (one object per file) for machines.",
)
def validate(paths: Sequence[str], output_format: str) -> None:
    """Check model inputs and credential JSON files; print every problem with its path.

    Directories are searched for .json, .jsonld, .yaml and .yml files. Credentials are
    checked against their JSON Schemas, for undefined JSON-LD terms and against the EU
    micro-credential rules; model inputs against the rules. Exit code 1 if anything is
    invalid.

    \b
    Example:
      czmc validate examples/ credential.json
    """
    files = list(_expand(paths))
    if not files:
        _fail("no .json, .jsonld, .yaml or .yml files found in " + ", ".join(paths), code=EXIT_USAGE)
    reports = [validate_path(path) for path in files]
    if output_format == "json":
        click.echo(json.dumps([report.to_dict() for report in reports], ensure_ascii=False, indent=2))
    else:
        click.echo(_render_text(reports))
    sys.exit(EXIT_OK if all(report.valid for report in reports) else EXIT_INVALID)


# --- keys, signing, verification ----------------------------------------------------------


def _password(variable: str | None) -> bytes | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        _fail(f"environment variable {variable} (named by --password-env) is not set", code=EXIT_USAGE)
    return value.encode()


_PASSWORD_OPTION = click.option(
    "--password-env",
    metavar="VAR",
    help="Name of an environment variable holding the PEM key's password (never pass it as an argument).",
)


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
    type=click.Choice([alg.value for alg in Algorithm]),
    default=Algorithm.EDDSA.value,
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
@click.option("--fmt", type=click.Choice(["jwk", "pem"]), default="jwk", show_default=True, help="Key file format.")
@_PASSWORD_OPTION
@click.option("--force", is_flag=True, help="Replace an existing key file.")
def keygen(
    output: Path,
    alg: str,
    did_method: str,
    did_document: Path | None,
    fmt: str,
    password_env: str | None,
    force: bool,
) -> None:
    """Generate a signing key and print its public key, key id and DID.

    The private key goes only to OUTPUT. Standard output gets JSON with the public JWK, the
    kid, the DID and (for did:web) the DID document to publish.

    \b
    Examples:
      czmc keygen -o issuer.jwk                                   # Ed25519, did:key
      czmc keygen --alg RS256 --did did:web:muni.cz -o muni.jwk --did-document did.json
    """
    if fmt == "jwk" and password_env:
        _fail("JWK key files are not encrypted; use --fmt pem with --password-env", code=EXIT_USAGE)
    if did_document is not None and not did_method.startswith("did:web:"):
        _fail("--did-document is for --did did:web:...", code=EXIT_USAGE)
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
            _fail(f"--did must be key, jwk or a did:web DID, not {did_method!r}", code=EXIT_USAGE)
        key.save(output, fmt="pem" if fmt == "pem" else "jwk", password=_password(password_env), overwrite=force)
    except CzmcError as error:
        _fail(error.message)
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


def _load_key(path: str, password_env: str | None) -> Key:
    try:
        return keys_module.load(path, password=_password(password_env))
    except CzmcError as error:
        _fail(error.message, code=EXIT_USAGE)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Private key file (from czmc keygen).",
)
@_PASSWORD_OPTION
@click.option(
    "--format",
    "proof_format",
    type=click.Choice([fmt.value for fmt in Format]),
    default=Format.OB3.value,
    show_default=True,
    help="ob3: OB 3.0 JWT proof (default); vc-jose-cose: typ vc+jwt; vc1: legacy vc-claim JWT.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    show_default=True,
    help="Where to write the signed JWT ('-' for standard output).",
)
@click.option("--id", "credential_id", help="Credential id for an input without one (default: a new urn:uuid).")
@click.option(
    "--kid",
    help="Key id verifiers resolve (DID URL or https URL of the public JWK); default: the key file's, "
    "or derived from a did:key/did:jwk/did:web issuer.",
)
def issue(
    input_path: str,
    key_path: str,
    password_env: str | None,
    proof_format: str,
    output: Path,
    credential_id: str | None,
    kid: str | None,
) -> None:
    """Issue a signed micro-credential: model input (JSON or YAML) -> OB 3.0 credential -> JWT.

    The key's kid must belong to the input's issuer: the issuer id is the DID of the kid
    (did:key, did:jwk, did:web), or the kid is an https URL on the issuer's host.

    \b
    Example:
      czmc issue examples/inputs/applied-ai.json --key cvut.jwk -o applied-ai.jwt
    """
    mc = _load_model(input_path)
    issuer = mc.issuer.id
    key = _load_key(key_path, password_env)
    key = key.with_kid(_kid_for(issuer, key, kid))
    if key.kid.startswith("did:") and key.kid.split("#", 1)[0] != issuer:
        _fail(
            f"the key's kid {key.kid} belongs to {key.kid.split('#', 1)[0]}, not to the issuer {issuer}; "
            "generate a key for the issuer (czmc keygen --did ...) or fix the input's issuer id",
            code=EXIT_USAGE,
        )
    try:
        credential = ob3.to_credential(mc, credential_id=credential_id)
        token = vcjwt.sign(credential, key, format=proof_format)
    except CzmcError as error:
        _fail(error.message)
    _emit(output, token + "\n")


_JWS_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):  # e.g. a token longer than a file name may be
        return False


def _kid_for(issuer: str, key: Key, explicit: str | None) -> str:
    """The kid to sign with: explicit, the key file's own DID URL/URL, or derived from the issuer."""
    if explicit:
        return explicit
    if key.kid.startswith(("did:", "https://")):
        return key.kid
    if key.public.kind != "RSA" and issuer == did.did_key(key.public):
        return f"{issuer}#{issuer.removeprefix('did:key:')}"
    if issuer == did.did_jwk(key.public):
        return f"{issuer}#0"
    if issuer.startswith("did:web:"):
        return f"{issuer}#{key.public.thumbprint}"
    _fail(
        f"cannot tell which key id (kid) verifiers should resolve for issuer {issuer}; pass --kid "
        "(a DID URL of the issuer, or the https URL where the public JWK is published)",
        code=EXIT_USAGE,
    )


def _document_resolver(paths: Sequence[Path], online: bool) -> did.Resolver:
    documents = []
    for path in paths:
        try:
            documents.append(load_document(path))
        except InvalidError as error:
            _fail(f"cannot read DID document {path}", error.issues, code=EXIT_USAGE)
    fetcher = HttpsFetcher() if online else None
    try:
        return did.DefaultResolver(fetcher=fetcher, documents=documents)
    except CzmcError as error:
        _fail(f"cannot use the DID documents: {error.message}", code=EXIT_USAGE)


@main.command()
@click.argument("token_or_file", metavar="TOKEN_OR_FILE")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (every check) for machines.")
@click.option(
    "--did-document",
    "did_documents",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A DID document to trust for its DID (e.g. a did:web issuer's did.json), instead of fetching it. Repeatable.",
)
@click.option("--online", is_flag=True, help="Fetch did:web documents and https key URLs (https only, size-capped).")
@click.option(
    "--leeway", type=click.IntRange(min=0), default=0, show_default=True, help="Clock skew to allow, in seconds."
)
@click.option(
    "--at", "at_time", metavar="DATETIME", help="Verify as of this ISO 8601 time (with timezone) instead of now."
)
def verify(
    token_or_file: str,
    as_json: bool,
    did_documents: tuple[Path, ...],
    online: bool,
    leeway: int,
    at_time: str | None,
) -> None:
    """Verify a signed micro-credential (a JWT, or a file holding one); exit 0 only if valid.

    Every check is listed: token syntax, header, algorithm, key resolution and binding to the
    issuer, signature, JWT claims, validity period, JSON-LD terms, JSON Schemas, EU rules.
    did:key and did:jwk issuers verify offline; did:web issuers need --did-document or --online.

    \b
    Examples:
      czmc verify applied-ai.jwt --did-document did.json
      czmc verify eyJhbGciOi... --online --json
    """
    token = token_or_file
    if token_or_file == "-":  # noqa: S105 - '-' means standard input, not a password
        token = sys.stdin.read()
    elif _is_file(token_or_file) or not _JWS_SHAPE.fullmatch(token_or_file.strip()):
        try:
            with Path(token_or_file).open("rb") as stream:
                token = decode(stream.read(MAX_FILE_BYTES + 1), token_or_file)
        except OSError as error:
            _fail(f"cannot read {token_or_file}: {error.strerror or error}", code=EXIT_USAGE)
        except InvalidError as error:
            _fail(f"cannot read {token_or_file}", error.issues, code=EXIT_USAGE)
    now = None
    if at_time is not None:
        try:
            now = datetime.fromisoformat(at_time)
        except ValueError:
            _fail(f"--at {at_time!r} is not an ISO 8601 date-time", code=EXIT_USAGE)
        if now.tzinfo is None:
            _fail("--at needs a timezone, e.g. 2026-01-31T12:00:00Z", code=EXIT_USAGE)
    result = vcjwt.verify(
        token.strip(),
        resolver=_document_resolver(did_documents, online),
        now=now,
        leeway=timedelta(seconds=leeway),
    )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        marks = {CheckStatus.PASSED: "ok  ", CheckStatus.FAILED: "FAIL", CheckStatus.SKIPPED: "skip"}
        click.echo("VALID" if result.valid else "INVALID")
        for check in result.checks:
            code = "" if check.status is CheckStatus.PASSED else f" [{check.code}]"
            click.echo(f"  {marks[check.status]} {check.name}: {check.message}{code}")
        for issue in result.issues:
            click.echo(f"       {issue}")
    sys.exit(EXIT_OK if result.valid else EXIT_INVALID)


def run() -> None:
    """Entry point: ``czmc`` errors are one clear line, never a traceback."""
    try:
        main()
    except CzmcError as error:
        _fail(error.message)


if __name__ == "__main__":
    run()
