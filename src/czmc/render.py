"""Validation reports rendered for people, programs and CI systems.

:func:`render` turns the :class:`~czmc.validation.FileReport` of each file into one of
:data:`FORMATS`:

- ``text``: for people; one line per file and per problem, optionally coloured.
- ``json``: for programs; an array with one object per file (``path``, ``kind``, ``valid``,
  ``verdict``, ``issues`` with ``code``, ``path``, ``message``, ``severity``; ``signature``
  for signed credentials; ``profile`` for credentials).
- ``github``: GitHub Actions workflow commands (``::error file=...,line=...,col=...,title=CODE::...``),
  which GitHub shows as annotations on the lines of the files.
- ``junit``: JUnit XML, one ``testsuite`` with one ``testcase`` per file and a ``failure``
  listing the problems of each invalid file, for CI systems that show test reports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import click

from czmc._terminal import escape_controls
from czmc.report import Issue, Severity

if TYPE_CHECKING:  # the reports come from czmc.validation; rendering them needs none of its machinery
    from czmc.validation import FileReport

_PROFILE_NOT_MET = "profile_not_met"
"""The value of :attr:`czmc.verification.Verdict.PROFILE_NOT_MET` (a StrEnum): valid, short of a profile."""

__all__ = [
    "FORMATS",
    "escape_controls",
    "github_escape_data",
    "github_escape_property",
    "render",
    "render_github",
    "render_json",
    "render_junit",
    "render_text",
]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _counts(report: FileReport) -> tuple[int, int]:
    errors = sum(1 for issue in report.issues if issue.severity is Severity.ERROR)
    return errors, len(report.issues) - errors


def _summary(reports: Sequence[FileReport]) -> str:
    invalid = sum(1 for report in reports if not report.valid)
    short = sum(1 for report in reports if report.verdict == _PROFILE_NOT_MET)
    text = f"{_plural(len(reports), 'file')} checked, {invalid} invalid"
    return text + (f", {short} valid but not meeting {'its' if short == 1 else 'their'} profile" if short else "")


_SIGNATURE_NOTES = {  # by the values of czmc.validation.SignatureStatus
    "not_checked": "signature not checked",
    "verified": "signature verified",
    "not_verified": "signature not verified",
}


def render_text(reports: Sequence[FileReport], *, color: bool = False) -> str:
    """One line per file (``PATH: valid (KIND)`` or ``PATH: N problems (KIND)``), one per problem, a summary.

    ``color`` adds ANSI colours (green valid, red problems, yellow warnings). Paths and
    messages have their control characters escaped (:func:`escape_controls`).
    """

    def style(text: str, fg: str | None = None, bold: bool | None = None) -> str:
        return click.style(text, fg=fg, bold=bold) if color else text

    lines = []
    for report in reports:
        errors, warnings = _counts(report)
        if report.verdict == _PROFILE_NOT_MET:
            verdict = style(f"valid, but not meeting its profile: {_plural(errors, 'problem')}", fg="yellow", bold=True)
        elif errors:
            verdict = style(_plural(errors, "problem"), fg="red", bold=True)
        else:
            verdict = style("valid", fg="green")
        if warnings:
            verdict += ", " + style(_plural(warnings, "warning"), fg="yellow")
        about = [report.kind.value] if report.kind else []
        if report.signature is not None:
            about.append(_SIGNATURE_NOTES[report.signature])
        kind = f" ({', '.join(about)})" if about else ""
        lines.append(f"{style(escape_controls(report.path), bold=True)}: {verdict}{kind}")
        lines.extend(
            f"  {style('warning: ', fg='yellow') if issue.severity is Severity.WARNING else ''}"
            f"{escape_controls(str(issue))}"
            for issue in report.issues
        )
    invalid = any(not report.valid for report in reports)
    lines.append(style(_summary(reports), fg="red" if invalid else "green", bold=True))
    return "\n".join(lines)


def render_json(reports: Sequence[FileReport], *, color: bool = False) -> str:
    """A JSON array with :meth:`~czmc.validation.FileReport.to_dict` of each file (``color`` is ignored)."""
    return json.dumps([report.to_dict() for report in reports], ensure_ascii=False, indent=2)


def github_escape_data(text: str) -> str:
    """Escape the message of a GitHub Actions workflow command: ``%``, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(text: str) -> str:
    """Escape a property value of a workflow command: as the message, and ``:`` and ``,`` too."""
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_command(report: FileReport, issue: Issue) -> str:
    command = "warning" if issue.severity is Severity.WARNING else "error"
    properties = [("file", escape_controls(report.path))]
    location = report.location(issue)
    if location is not None:
        properties += [("line", str(location[0])), ("col", str(location[1]))]
    properties.append(("title", issue.code))
    rendered = ",".join(f"{name}={github_escape_property(value)}" for name, value in properties)
    message = escape_controls(f"{issue.path or '/'}: {issue.message}")
    return f"::{command} {rendered}::{github_escape_data(message)}"


def render_github(reports: Sequence[FileReport], *, color: bool = False) -> str:
    """One GitHub Actions ``::error``/``::warning`` command per problem, then the summary line.

    The command names the file, the line and column where the problem's JSON Pointer points
    (when it is known), and the problem's code as its title; the message is
    ``<JSON Pointer>: <message>``. ``color`` is ignored.
    """
    lines = [_github_command(report, issue) for report in reports for issue in report.issues]
    lines.append(_summary(reports))
    return "\n".join(lines)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (each becomes U+FFFD)."""
    return _NOT_XML.sub("\ufffd", text)


def _issue_line(report: FileReport, issue: Issue) -> str:
    location = report.location(issue)
    where = f"{report.path}:{location[0]}:{location[1]}" if location else report.path
    return _xml(f"{where}: {issue.severity.value}: {issue}")


def render_junit(reports: Sequence[FileReport], *, color: bool = False) -> str:
    """JUnit XML: a ``testsuite`` named ``czmc validate``, a ``testcase`` per file.

    An invalid file's test case has a ``failure`` whose ``message`` counts the problems,
    whose ``type`` is the first problem's code, and whose text lists every problem (warnings
    too) as ``FILE:LINE:COLUMN: SEVERITY: <JSON Pointer>: <message> [<code>]``; a valid
    file's warnings go to its ``system-out``. ``color`` is ignored.
    """
    import xml.etree.ElementTree as ET  # noqa: PLC0415 - only JUnit reports need it

    failures = sum(1 for report in reports if _counts(report)[0])  # invalid, or short of its profile
    suite = ET.Element(
        "testsuite",
        {
            "name": "czmc validate",
            "tests": str(len(reports)),
            "failures": str(failures),
            "errors": "0",
            "skipped": "0",
        },
    )
    for report in reports:
        kind = report.kind.value if report.kind else "unknown"
        case = ET.SubElement(
            suite, "testcase", {"classname": f"czmc.{kind}", "name": _xml(report.path), "file": _xml(report.path)}
        )
        listing = "\n".join(_issue_line(report, issue) for issue in report.issues)
        errors, warnings = _counts(report)
        if errors:
            first = next(issue for issue in report.issues if issue.severity is Severity.ERROR)
            message = _plural(errors, "problem") + (f", {_plural(warnings, 'warning')}" if warnings else "")
            failure = ET.SubElement(case, "failure", {"message": message, "type": _xml(first.code)})
            failure.text = listing
        elif warnings:
            ET.SubElement(case, "system-out").text = listing
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode")


Renderer = Callable[..., str]

FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
}
"""The output formats of :func:`render` and their renderers."""


def render(reports: Sequence[FileReport], format: str = "text", *, color: bool = False) -> str:
    """``reports`` in ``format`` (a key of :data:`FORMATS`), without a final newline.

    ``color`` asks for ANSI colours where the format has them (``text`` only).
    """
    try:
        renderer = FORMATS[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r}; one of {', '.join(FORMATS)}") from None
    return renderer(reports, color=color)
