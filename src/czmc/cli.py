"""The ``czmc`` command: a thin shell over the library.

Exit codes: 0 everything valid / done, 1 invalid input, 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click

from czmc import ob3
from czmc.errors import CzmcError, InvalidError
from czmc.inputs import MAX_FILE_BYTES, decode, load_document, parse_document
from czmc.model import MicroCredential
from czmc.report import Severity
from czmc.validation import FileReport, validate_path

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

_SUFFIXES = (".json", ".jsonld", ".yaml", ".yml")


def _fail(message: str, issues: Sequence[Any] = (), code: int = EXIT_INVALID) -> None:
    click.echo(f"error: {message}", err=True)
    for issue in issues:
        click.echo(f"  {issue}", err=True)
    sys.exit(code)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it is either complete or untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
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
    try:
        data = _read_stdin() if input_path == "-" else load_document(input_path)
        mc = MicroCredential.model_validate(data)
    except InvalidError as error:
        _fail(f"{input_path} is not a valid micro-credential", error.issues)
        return
    if credential_id is not None and mc.id is not None and credential_id != mc.id:
        _fail(f"--id {credential_id} conflicts with the input's id {mc.id}", code=EXIT_USAGE)
    text = json.dumps(ob3.to_credential(mc, credential_id=credential_id), ensure_ascii=False, indent=2) + "\n"
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


def run() -> None:
    """Entry point: ``czmc`` errors are one clear line, never a traceback."""
    try:
        main()
    except CzmcError as error:
        _fail(error.message)


if __name__ == "__main__":
    run()
