"""``czmc issue-batch``: issue the micro-credentials of a course's graduates from a roster export.

The command is registered on the ``czmc`` group by :mod:`czmc.cli`; the work is
:func:`czmc.batch.issue_batch`.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from czmc._cli_common import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_USAGE, warn_if_others_can_read
from czmc._cli_common import fail as _fail
from czmc._cli_common import password as _password
from czmc._cli_options import (
    PASSWORD_OPTION,
    check_registry_options,
    chosen_proof_format,
    registry_options,
    signing_options,
)
from czmc._row_fields import ROW_FIELDS
from czmc._terminal import escape_controls
from czmc.errors import (
    CzmcError,
    InputError,
    InvalidError,
    InvalidKeyError,
    MissingDependencyError,
    RegistryError,
    SigningError,
)

if TYPE_CHECKING:
    from czmc.batch import BatchResult, Progress, RowProblem

__all__ = ["issue_batch"]

_WARNINGS_SHOWN = 20

_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}


class _Reporter:
    """Progress for people: a bar with rate and ETA on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO, *, interactive: bool, interval: float = 2.0) -> None:
        self.stream = stream
        self.interactive = interactive
        self.interval = interval
        self._bar: Any = None
        self._phase = ""
        self._position = 0
        self._last_line = 0.0
        self._pending: Progress | None = None  # the latest counts not printed yet (not on a terminal)

    def progress(self, progress: Progress) -> None:
        if progress.phase != self._phase:
            self._finish_phase()
            self._phase = progress.phase
        if self.interactive:
            self._draw(progress)
        elif time.monotonic() - self._last_line >= self.interval:
            self._line(progress)
        else:
            self._pending = progress

    def problem(self, problem: RowProblem) -> None:
        if self.interactive and self._bar is not None:
            self.stream.write("\r\033[K")
        for issue in problem.issues:
            self.stream.write(f"  {escape_controls(str(issue))}\n")
        self.stream.flush()

    def close(self) -> None:
        self._finish_phase()

    def _draw(self, progress: Progress) -> None:
        if progress.phase == "check":
            length, position, label = progress.bytes_total or 1, progress.bytes_read, "checking rows"
        else:
            length, position, label = progress.to_issue or 0, progress.issued, "issuing      "
        if self._bar is None:
            if length <= 0:
                return
            self._bar = click.progressbar(
                length=length,
                label=label,
                file=self.stream,
                show_eta=True,
                show_percent=True,
                show_pos=progress.phase == "issue",
                item_show_func=_show,
                width=30,
            )
            self._bar.__enter__()
            self._position = 0
        rate = f"{progress.rate:,.0f} {'rows' if progress.phase == 'check' else 'credentials'}/s"
        if progress.invalid:
            rate += f", {progress.invalid} invalid"
        self._bar.update(max(0, position - self._position), rate)
        self._position = position

    def _line(self, progress: Progress) -> None:
        self._last_line = time.monotonic()
        self._pending = None
        if progress.phase == "issue" and not progress.to_issue:
            return
        if progress.phase == "check":
            text = f"checked {progress.rows} rows ({progress.rate:,.0f}/s)"
            if progress.invalid:
                text += f", {progress.invalid} invalid"
        else:
            text = f"issued {progress.issued}/{progress.to_issue} ({progress.rate:,.0f}/s)"
            if progress.already_issued:
                text += f", {progress.already_issued} issued before"
        self.stream.write(text + "\n")
        self.stream.flush()

    def _finish_phase(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        if self._pending is not None:
            self._line(self._pending)


def _warn_rows(result: BatchResult, roster_path: Path) -> None:
    """Say what was issued although it deserves a look: an empty roster, rows with warnings."""
    if result.rows == 0:
        click.echo(f"warning: {roster_path} has no rows, only a header: nothing was issued", err=True)
    shown = 0
    for problem in result.warnings:
        for issue in problem.issues:
            if shown < _WARNINGS_SHOWN:
                click.echo(f"warning: {escape_controls(str(issue))}", err=True)
            shown += 1
    if shown > _WARNINGS_SHOWN:
        click.echo(f"warning: and {shown - _WARNINGS_SHOWN} more rows with warnings", err=True)


def _show(item: str | None) -> str | None:
    return item


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    chosen = _DELIMITER_NAMES.get(value.lower(), value)
    if len(chosen) != 1:
        _fail(f"--delimiter must be one character (or tab), not {value!r}", code=EXIT_USAGE)
    return chosen


@click.command("issue-batch")
@click.argument("course_path", metavar="COURSE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("roster_path", metavar="ROSTER", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Private key file of the course's issuer (from czmc keygen).",
)
@PASSWORD_OPTION
@click.option(
    "--kid",
    help="Key id verifiers resolve; default: the key file's, or derived from a did:key/did:jwk/did:web issuer.",
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory: one <uuid>.jwt per credential and manifest.jsonl [default: issued/<COURSE name>].",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="FIELD=COLUMN",
    help=f"Take a roster field from this column (repeatable). Fields: {', '.join(ROW_FIELDS)}.",
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Column mapping file (YAML/JSON: columns, grades, delimiter, encoding); --map overrides it.",
)
@click.option("--delimiter", help="CSV delimiter (default: sniffed from the header: ; , tab or |).")
@click.option(
    "--encoding",
    help="Roster encoding: utf-8 (default; a byte order mark is skipped) or cp1250 (Czech Excel 'CSV').",
)
@click.option(
    "--force-encoding",
    is_flag=True,
    help="Read the roster in --encoding even though it looks like UTF-8 (refused by default: names would be garbled).",
)
@click.option("--skip-invalid", is_flag=True, help="Issue the valid rows and reject the invalid ones (see --rejects).")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the invalid rows and their problems here (CSV, or JSON Lines for .jsonl) "
    "[default with --skip-invalid: OUT/rejects.csv or .jsonl].",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU).",
)
@signing_options
@registry_options
@click.option(
    "--issued",
    "issued_text",
    metavar="DATETIME",
    help="Date of issuing for rows and a course that give none (ISO 8601 with timezone; default: now).",
)
def issue_batch(  # noqa: PLR0917 - click passes every option by keyword
    course_path: Path,
    roster_path: Path,
    key_path: Path,
    password_env: str | None,
    kid: str | None,
    out_dir: Path | None,
    pairs: tuple[str, ...],
    mapping_path: Path | None,
    delimiter: str | None,
    encoding: str | None,
    force_encoding: bool,
    skip_invalid: bool,
    rejects_path: Path | None,
    jobs: int,
    proof_format: str | None,
    legacy_format: str | None,
    alg: str | None,
    registry_target: str | None,
    status_url: str | None,
    status_purpose: str | None,
    issued_text: str | None,
) -> None:
    """Issue a signed micro-credential to every graduate in ROSTER of the course COURSE.

    COURSE is a course definition (YAML or JSON: achievement, issuer, awarding bodies, validity;
    see examples/courses/). ROSTER is the graduates as the study information system exports
    them: CSV with a header (IS/STAG, IS MU, Excel; UTF-8 with or without BOM, or --encoding
    cp1250) or JSON Lines. Columns are found by their usual Czech names (os_cislo, uco,
    prijmeni, jmeno, titul_pred, titul_za, email, znamka, datum_ukonceni) or mapped with --map
    and --mapping.

    Every row is checked before anything is signed; problems are listed by roster line
    (/row/17/grade is the grade on line 17). Invalid rows stop the batch (exit 1) unless
    --skip-invalid. Running the same command again resumes: learners the manifest lists are
    skipped, so nobody gets two credentials, even after a crash. With --registry every
    credential is recorded there with a status-list entry, for czmc status revoke/publish.

    \b
    Examples:
      czmc issue-batch examples/courses/cybersecurity-public-administration.json \\
          examples/rosters/cybersecurity-public-administration.csv --key muni.jwk --out issued/kb
      czmc issue-batch examples/courses/vet-welding.yaml examples/rosters/vet-welding.jsonl \\
          --mapping examples/rosters/vet-welding.mapping.yaml --key skola.jwk --jobs 0
      czmc issue-batch course.yaml export.csv --key k.pem --password-env KEY_PW \\
          --encoding cp1250 --map student_number=UCO --map grade=Hodnoceni --skip-invalid
      czmc issue-batch course.yaml export.csv --key muni.jwk --registry registry.db
    """
    # the batch machinery (pydantic, crypto, the registry) only when the command runs
    from czmc import batch  # noqa: PLC0415
    from czmc.batch import InvalidRowsError, KeySource, OutputDirectoryError  # noqa: PLC0415
    from czmc.catalogue import load_course_definition  # noqa: PLC0415
    from czmc.roster import ColumnMapping, open_roster  # noqa: PLC0415

    chosen_format = chosen_proof_format("issue-batch", proof_format, legacy_format)
    check_registry_options(registry_target, status_url, status_purpose)
    issued_at = None
    if issued_text is not None:
        try:
            issued_at = datetime.fromisoformat(issued_text)
        except ValueError:
            _fail(f"--issued {issued_text!r} is not an ISO 8601 date-time", code=EXIT_USAGE)
        if issued_at.tzinfo is None or issued_at.microsecond:
            _fail("--issued needs a timezone and whole seconds, e.g. 2026-06-30T12:00:00+02:00", code=EXIT_USAGE)
    try:
        course = load_course_definition(course_path)
    except InvalidError as error:
        _fail(f"{course_path} is not a valid course definition", error.issues)
    try:
        mapping = ColumnMapping.load(mapping_path) if mapping_path is not None else ColumnMapping()
    except InputError as error:  # a file named by an option: a usage error, as for the key and DID documents
        _fail(f"cannot use the column mapping {mapping_path}", error.issues, code=EXIT_USAGE)
    try:
        mapping = mapping.with_columns(pairs)
        roster = open_roster(
            roster_path, mapping, delimiter=_delimiter(delimiter), encoding=encoding, force_encoding=force_encoding
        )
    except InputError as error:
        usage = any(issue.code == "roster.mapping" for issue in error.issues)
        _fail(f"cannot read the roster {roster_path}", error.issues, code=EXIT_USAGE if usage else EXIT_INVALID)
    out = out_dir if out_dir is not None else Path("issued") / course_path.name.split(".")[0]
    if skip_invalid and rejects_path is None:
        rejects_path = out / ("rejects.jsonl" if roster.format == "jsonl" else "rejects.csv")
    reporter = _Reporter(sys.stderr, interactive=sys.stderr.isatty())
    warn_if_others_can_read(key_path)
    key = KeySource(key_path, _password(password_env), kid, alg)
    try:
        result = batch.issue_batch(
            course,
            roster,
            key,
            out,
            format=chosen_format,
            issued_at=issued_at,
            jobs=jobs,
            skip_invalid=skip_invalid,
            rejects=rejects_path,
            on_progress=reporter.progress,
            on_problem=reporter.problem,
            registry=registry_target,
            status_url=status_url,
            status_purpose=status_purpose,
        )
    except InvalidRowsError as error:
        reporter.close()
        where = f"; they are listed in {rejects_path}" if rejects_path is not None else ""
        _fail(
            f"{error.message}{where}",
            hint="fix those rows in the roster, or pass --skip-invalid (and --rejects FILE) to issue the others",
        )
    except (InvalidKeyError, SigningError) as error:
        reporter.close()
        _fail(error.message, code=EXIT_USAGE)
    except InvalidError as error:  # the roster: unreadable, or changed while issuing
        reporter.close()
        _fail(f"cannot read the roster {roster_path}", error.issues)
    except (RegistryError, MissingDependencyError) as error:
        reporter.close()
        from czmc.cli_registry import fail_registry  # noqa: PLC0415 - the registry commands' refusals

        fail_registry(error)
    except OutputDirectoryError as error:
        reporter.close()
        _fail(error.message, hint="--out is a directory of czmc's own files: tokens and a manifest, no links")
    except CzmcError as error:
        reporter.close()
        _fail(error.message)
    except KeyboardInterrupt:
        reporter.close()
        _fail(
            "interrupted",
            code=EXIT_INTERRUPTED,
            hint=f"what was issued is in {out}/manifest.jsonl; run the same command again to resume",
        )
    reporter.close()
    summary = f"issued {result.issued} credential{'s' if result.issued != 1 else ''} into {result.out_dir}"
    details = []
    if result.already_issued:
        details.append(f"{result.already_issued} issued before")
    if result.rejected:
        details.append(f"{result.rejected} rejected, see {result.rejects}")
    if result.not_active:
        click.echo(
            f"warning: {result.not_active} of the credentials written were revoked or suspended in the registry "
            "since they were issued: their tokens do not verify (czmc registry list --state revoked)",
            err=True,
        )
    if details:
        summary += f" ({', '.join(details)})"
    _warn_rows(result, roster_path)
    click.echo(f"{summary}; manifest: {result.manifest}")
    sys.exit(EXIT_OK)
