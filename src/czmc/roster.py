"""Rosters: the graduates of a course as a study information system exports them, read row by row.

Two formats, streamed (a roster is never held in memory, whatever its size):

- **CSV** with a header line, as IS/STAG, IS MU or Excel export it: the delimiter is sniffed
  from the header (``;``, ``,``, tab or ``|``) unless given; UTF-8 (a byte order mark is
  skipped) or, when asked, another ASCII-compatible encoding such as ``cp1250`` (what Czech
  Excel writes as "CSV (oddělený středníkem)"). Quoted cells may span lines; a cell written
  as ``="00123"`` (Excel's way to keep leading zeros) is read as ``00123``; blank lines and
  lines of empty cells are skipped.
- **JSON Lines** (``.jsonl``/``.ndjson``): one JSON object per line, values strings, integers
  or null.

A :class:`ColumnMapping` says which column holds which roster field
(:data:`czmc.catalogue.ROW_FIELDS`). Fields not mapped explicitly are found by the column
names of :data:`DEFAULT_COLUMNS` (the field name itself and the usual Czech export names,
compared without case and diacritics: ``os_cislo``, ``prijmeni``, ``jmeno``, ``znamka``,
``datum_ukonceni``...). A mapping file (YAML or JSON)::

    columns:            # roster field: column name in the export
      student_number: os_cislo
      grade: znamka
    grades:             # optional: grade in the export -> grade of the course
      "1": A
    delimiter: ";"      # optional
    encoding: cp1250    # optional

Every :class:`RosterRow` carries its line number (where the record starts; the header is
line 1) and the problems found while reading it, so that nothing stops at the first bad row.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from czmc.catalogue import ROW_FIELDS
from czmc.errors import InputError
from czmc.inputs import load_document
from czmc.report import Issue, pointer

__all__ = [
    "DEFAULT_COLUMNS",
    "MAX_LINE_BYTES",
    "ColumnMapping",
    "Roster",
    "RosterFormat",
    "RosterRow",
    "normalise_column",
    "open_roster",
    "write_csv",
]

RosterFormat = Literal["csv", "jsonl"]

MAX_LINE_BYTES = 1024 * 1024
"""Longest roster line czmc reads (1 MiB); a graduate's row is a few hundred bytes."""

DEFAULT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "student_number": ("student_number", "os_cislo", "osobni_cislo", "studentske_cislo", "uco", "login_id"),
    "learner_id": ("learner_id", "did"),
    "name": ("name", "cele_jmeno", "jmeno_a_prijmeni", "full_name"),
    "given_name": ("given_name", "jmeno", "krestni_jmeno", "first_name"),
    "family_name": ("family_name", "prijmeni", "last_name", "surname"),
    "name_prefix": ("name_prefix", "titul_pred", "tituly_pred"),
    "name_suffix": ("name_suffix", "titul_za", "tituly_za"),
    "email": ("email", "e_mail", "mail"),
    "grade": ("grade", "znamka", "hodnoceni", "vysledek"),
    "completed": ("completed", "datum_ukonceni", "ukonceni", "datum_absolvovani", "datum_zkousky"),
    "issued": ("issued", "datum_vydani"),
    "activity_start": ("activity_start", "datum_zahajeni", "zahajeni"),
}
"""Column names each roster field is found under when the mapping does not name one.

Compared after :func:`normalise_column`: case, diacritics, spaces and hyphens do not matter
(``Datum ukončení`` is ``datum_ukonceni``).
"""

_DELIMITERS = (";", ",", "\t", "|")
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
_UTF8_BOM = codecs.BOM_UTF8


def normalise_column(name: str) -> str:
    """A column name compared loosely: no case, no diacritics, ``_`` for spaces and hyphens."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\s\-.]+", "_", plain)


def _mapping_error(message: str, path: str = "") -> InputError:
    return InputError([Issue("roster.mapping", path, message)])


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds which roster field, how grades translate, how the CSV is written."""

    columns: Mapping[str, str] = field(default_factory=dict)
    grades: Mapping[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(ROW_FIELDS))
        if unknown:
            raise _mapping_error(
                f"{unknown[0]!r} is not a roster field (fields: {', '.join(ROW_FIELDS)})",
                pointer("columns", unknown[0]),
            )
        if self.delimiter is not None and (len(self.delimiter) != 1 or self.delimiter in '"\r\n'):
            raise _mapping_error(f"the delimiter must be one character, not {self.delimiter!r}", "/delimiter")
        if self.encoding is not None:
            _check_encoding(self.encoding)

    @classmethod
    def from_document(cls, document: Any, source: str = "mapping") -> ColumnMapping:
        """A mapping from its YAML/JSON document (``columns``, ``grades``, ``delimiter``, ``encoding``)."""
        if not isinstance(document, dict):
            raise _mapping_error(f"{source}: a column mapping is an object with 'columns'")
        unknown = sorted(set(document) - {"columns", "grades", "delimiter", "encoding"})
        if unknown:
            raise _mapping_error(
                f"{source}: {unknown[0]!r} is not a mapping member (columns, grades, delimiter, encoding)",
                pointer(unknown[0]),
            )
        columns, grades = document.get("columns", {}), document.get("grades", {})
        for name, table in (("columns", columns), ("grades", grades)):
            if not isinstance(table, dict) or not all(
                isinstance(k, str | int) and isinstance(v, str | int) and not isinstance(v, bool)
                for k, v in table.items()
            ):
                raise _mapping_error(f"{source}: {name!r} maps names to text", pointer(name))
        for name in ("delimiter", "encoding"):
            if document.get(name) is not None and not isinstance(document[name], str):
                raise _mapping_error(f"{source}: {name!r} is text", pointer(name))
        return cls(
            columns={str(k): str(v) for k, v in columns.items()},
            grades={str(k): str(v) for k, v in grades.items()},
            delimiter=document.get("delimiter"),
            encoding=document.get("encoding"),
        )

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        """Read a mapping file (YAML or JSON)."""
        return cls.from_document(load_document(path), str(path))

    def with_columns(self, pairs: Iterable[str]) -> ColumnMapping:
        """This mapping with ``field=column`` pairs (as ``--map`` gives them) added or replaced."""
        columns = dict(self.columns)
        for pair in pairs:
            name, sep, column = pair.partition("=")
            if not sep or not name.strip() or not column.strip():
                raise _mapping_error(f"{pair!r} is not FIELD=COLUMN (e.g. grade=znamka)")
            columns[name.strip()] = column.strip()
        return ColumnMapping(columns, self.grades, self.delimiter, self.encoding)

    def resolve(self, header: Sequence[str], *, strict: bool = True) -> dict[str, str]:
        """Field -> column of ``header`` for every field found.

        ``strict``: InputError for a column the mapping names that ``header`` lacks (else it is
        left out, as a JSON Lines row may leave out a key).
        """
        exact = {name: name for name in header}
        loose: dict[str, str] = {}
        for name in header:
            loose.setdefault(normalise_column(name), name)
        resolved: dict[str, str] = {}
        for name in ROW_FIELDS:
            wanted = self.columns.get(name)
            if wanted is not None:
                column = exact.get(wanted) or loose.get(normalise_column(wanted))
                if column is None and not strict:
                    continue
                if column is None:
                    raise _mapping_error(
                        f"the mapping puts {name!r} in column {wanted!r}, which the roster does not have "
                        f"(columns: {', '.join(header)})",
                        pointer("columns", name),
                    )
                resolved[name] = column
                continue
            column = next((loose[alias] for alias in DEFAULT_COLUMNS[name] if alias in loose), None)
            if column is not None:
                resolved[name] = column
        taken: dict[str, str] = {}
        for name, column in resolved.items():
            if column in taken:
                raise _mapping_error(
                    f"column {column!r} is mapped to both {taken[column]!r} and {name!r}", pointer("columns", name)
                )
            taken[column] = name
        return resolved


def _check_encoding(name: str) -> str:
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise _mapping_error(f"unknown encoding {name!r} (e.g. utf-8, cp1250)", "/encoding") from None
    probe = '\n\r;,\t|"=abcAZ09 '
    try:
        ascii_compatible = probe.encode(info.name) == probe.encode("ascii") and not info.name.startswith("utf-16")
    except (UnicodeError, LookupError):  # LookupError: not a text encoding (rot13, base64, zlib...)
        ascii_compatible = False
    if not ascii_compatible:
        raise _mapping_error(f"{name!r} is not an ASCII-compatible encoding; use utf-8 or cp1250", "/encoding")
    return info.name


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One record of a roster.

    ``line`` is the line its record starts on (header = line 1 in a CSV); ``record`` maps
    roster fields to their non-empty, trimmed values (grades translated by the mapping);
    ``cells`` are the record as read (column -> text, for a CSV in header order), what a
    rejects file repeats; ``issues`` are problems of the record itself (a wrong number of
    cells, a JSON line that is no object), with paths relative to the row.
    """

    line: int
    record: dict[str, str]
    cells: dict[str, Any]
    issues: tuple[Issue, ...] = ()
    end: int = 0
    """Byte offset after the row: how far through the file reading has come."""


def _cell_value(text: str) -> str | None:
    value = text.strip()
    excel = _EXCEL_TEXT.match(value)
    if excel is not None:
        value = excel.group(1).strip()
    return value or None


class Roster:
    """An opened roster: its format, header and resolved columns; :meth:`rows` streams it (again)."""

    def __init__(
        self,
        path: Path,
        format: RosterFormat,
        *,
        columns: Mapping[str, str],
        grades: Mapping[str, str],
        header: tuple[str, ...] = (),
        delimiter: str = ";",
        encoding: str = "utf-8",
        mapping: ColumnMapping | None = None,
        force_encoding: bool = False,
    ) -> None:
        self.path = path
        self.format: RosterFormat = format
        self.columns = dict(columns)
        """Roster field -> column name (for JSON Lines: what the mapping names; each line resolves the rest)."""
        self.grades = dict(grades)
        self.header = header
        self.delimiter = delimiter
        self.encoding = encoding
        self.force_encoding = force_encoding
        """Read a file that looks like UTF-8 in :attr:`encoding` all the same."""
        self._mapping = mapping or ColumnMapping()
        self._resolved: dict[tuple[str, ...], dict[str, str]] = {}

    @property
    def size(self) -> int:
        """The file's size in bytes (for progress)."""
        return self.path.stat().st_size

    def rows(self) -> Iterator[RosterRow]:
        """Every record of the roster, in file order, streamed. InputError for an unreadable file."""
        try:
            stream = self.path.open("rb")
        except OSError as error:
            raise InputError([Issue("input.unreadable", "", f"{self.path}: {error.strerror or error}")]) from None
        with stream:
            if self.format == "csv":
                yield from self._csv_rows(stream)
            else:
                yield from self._jsonl_rows(stream)

    def _translate(self, record: dict[str, str]) -> dict[str, str]:
        grade = record.get("grade")
        if grade is not None and grade in self.grades:
            record["grade"] = self.grades[grade]
        return record

    def _csv_rows(self, stream: IO[bytes]) -> Iterator[RosterRow]:
        lines = _Lines(stream, self.encoding, str(self.path), force=self.force_encoding)
        reader = csv.reader(lines, delimiter=self.delimiter)
        next(reader)  # the header, read by open_roster
        width = len(self.header)
        wanted = [(name, self.header.index(column)) for name, column in self.columns.items()]
        while True:
            start = lines.number + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:  # the reader starts afresh with the next line
                issue = Issue("roster.csv", "", f"not a readable CSV record ({error})")
                yield RosterRow(start, {}, dict.fromkeys(self.header, ""), (issue,), lines.offset)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            issues: tuple[Issue, ...] = ()
            if len(cells) != width:
                issues = (
                    Issue(
                        "roster.cells",
                        "",
                        f"the row has {len(cells)} cells, the header {width} "
                        f"(is a {self.delimiter!r} inside a value not quoted?)",
                    ),
                )
                cells = (cells + [""] * width)[:width]
            record: dict[str, str] = {}
            for name, index in wanted:
                value = _cell_value(cells[index])
                if value is not None:
                    record[name] = value
            yield RosterRow(
                start, self._translate(record), dict(zip(self.header, cells, strict=True)), issues, lines.offset
            )

    def _columns_of(self, keys: tuple[str, ...]) -> dict[str, str]:
        columns = self._resolved.get(keys)
        if columns is None:
            if len(self._resolved) > 64:
                self._resolved.clear()
            columns = self._resolved[keys] = self._mapping.resolve(keys, strict=False)
        return columns

    def _jsonl_rows(self, stream: IO[bytes]) -> Iterator[RosterRow]:
        lines = _Lines(stream, self.encoding, str(self.path), force=self.force_encoding)
        for text in lines:
            if not text.strip():
                continue
            number = lines.number
            try:
                document = json.loads(text, object_pairs_hook=_no_duplicates)
            except (ValueError, RecursionError) as error:
                message = getattr(error, "msg", None) or str(error)
                yield RosterRow(number, {}, {"line": text.rstrip("\r\n")}, (_json_issue(message),), lines.offset)
                continue
            if not isinstance(document, dict):
                issue = _json_issue("the line is not a JSON object")
                yield RosterRow(number, {}, {"line": text.rstrip("\r\n")}, (issue,), lines.offset)
                continue
            record: dict[str, str] = {}
            issues: list[Issue] = []
            for name, column in self._columns_of(tuple(document)).items():
                value = document.get(column)
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, str | int):
                    issues.append(
                        Issue("roster.value", f"/{name}", f"{column!r} must be text or a whole number, not {value!r}")
                    )
                    continue
                cell = _cell_value(str(value))
                if cell is not None:
                    record[name] = cell
            yield RosterRow(number, self._translate(record), document, tuple(issues), lines.offset)


def _json_issue(message: str) -> Issue:
    return Issue("roster.json", "", f"not a JSON object: {message}")


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError("duplicate key")
    return result


class _Lines:
    """The decoded lines of a binary stream, with the number of the last one and the byte offset.

    Lines are split on ``\\n`` before decoding (safe in every ASCII-compatible encoding), so a
    line that does not decode is named by its number. A line read in another encoding than
    UTF-8 that is valid UTF-8 with multi-byte sequences is refused (``roster.encoding_mismatch``)
    unless ``force``: a UTF-8 export read as cp1250 decodes without error into garbled names
    ("DvoĹ™ĂˇkovĂˇ"), which would be signed; text really written in cp1250 is almost never
    valid UTF-8.
    """

    def __init__(self, stream: IO[bytes], encoding: str, source: str, *, force: bool = False) -> None:
        self._stream = stream
        self._encoding = encoding
        self._source = source
        self._force = force
        self.number = 0
        self.offset = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        data = self._stream.readline(MAX_LINE_BYTES + 1)
        if not data:
            raise StopIteration
        self.number += 1
        if self.number == 1 and data.startswith(_UTF8_BOM):
            data = data[len(_UTF8_BOM) :]
            self.offset += len(_UTF8_BOM)
            self._encoding = "utf-8"  # a byte order mark says UTF-8, whatever was asked
        encoding = self._encoding
        self.offset += len(data)
        if len(data) > MAX_LINE_BYTES:
            raise InputError(
                [Issue("roster.line_too_long", "", f"{self._source}, line {self.number}: longer than 1 MiB")]
            )
        if not self._force and encoding not in _UTF8_NAMES and not data.isascii() and _is_utf8(data):
            sample = next((word for word in re.findall(r"\w+", data.decode("utf-8")) if not word.isascii()), "")[:40]
            garbled = sample.encode("utf-8").decode(encoding, "replace")
            raise InputError(
                [
                    Issue(
                        "roster.encoding_mismatch",
                        "",
                        f"{self._source}, line {self.number} is UTF-8 text ({sample!r}), not {encoding}: read as "
                        f"{encoding} its names would be garbled ({garbled!r}); read it as UTF-8 (leave out "
                        f"--encoding), or pass --force-encoding if the file really is {encoding}",
                    )
                ]
            )
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            hint = " (exported from Excel on Windows? try --encoding cp1250)" if encoding == "utf-8" else ""
            raise InputError(
                [
                    Issue(
                        "roster.encoding",
                        "",
                        f"{self._source}, line {self.number}: not {encoding} text ({error.reason}){hint}",
                    )
                ]
            ) from None


_UTF8_NAMES = frozenset({"utf-8", "utf-8-sig"})


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sniff(header_line: str) -> str:
    """The delimiter that splits the header line into the most columns (``;`` on a tie)."""
    best, width = ";", 1
    for candidate in _DELIMITERS:
        count = len(next(csv.reader([header_line], delimiter=candidate), []))
        if count > width:
            best, width = candidate, count
    return best


def _detect_format(path: Path) -> RosterFormat:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    with path.open("rb") as stream:
        start = stream.read(64).removeprefix(_UTF8_BOM).lstrip()
    return "jsonl" if start.startswith(b"{") else "csv"


def open_roster(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    format: RosterFormat | None = None,
    force_encoding: bool = False,
) -> Roster:
    """Open a roster: detect its format (suffix, else content), read a CSV header, resolve the columns.

    ``delimiter`` and ``encoding`` override the mapping's; a file in another encoding than
    UTF-8 that reads as UTF-8 is refused (``roster.encoding_mismatch``) unless
    ``force_encoding``. Raises
    :class:`~czmc.errors.InputError` for an unreadable file, a missing header or a mapping that
    does not fit the header; row problems come later, with each :class:`RosterRow`.
    """
    file = Path(path)
    mapping = mapping or ColumnMapping()
    chosen_encoding = _check_encoding(encoding or mapping.encoding or "utf-8")
    chosen_delimiter = delimiter or mapping.delimiter
    if chosen_delimiter is not None:
        ColumnMapping(delimiter=chosen_delimiter)  # checks it
    try:
        roster_format = format or _detect_format(file)
        if roster_format == "jsonl":
            return Roster(
                file,
                "jsonl",
                columns=mapping.columns,
                grades=mapping.grades,
                encoding=chosen_encoding,
                mapping=mapping,
                force_encoding=force_encoding,
            )
        with file.open("rb") as stream:
            lines = _Lines(stream, chosen_encoding, str(file), force=force_encoding)
            first = next(lines, None)
            if first is None or not first.strip():
                raise InputError([Issue("roster.header", "", f"{file}: the first line must be the header")])
            chosen_delimiter = chosen_delimiter or _sniff(first)
            try:
                header_cells = next(csv.reader(_chain(first, lines), delimiter=chosen_delimiter, strict=True))
            except (csv.Error, StopIteration) as error:
                raise InputError([Issue("roster.header", "", f"{file}: unreadable header ({error})")]) from None
    except OSError as error:
        raise InputError([Issue("input.unreadable", "", f"{file}: {error.strerror or error}")]) from None
    header = tuple(cell.strip() for cell in header_cells)
    if any(not name for name in header):
        raise InputError([Issue("roster.header", "", f"{file}: the header has an empty column name")])
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise InputError([Issue("roster.header", "", f"{file}: column {duplicates[0]!r} appears twice in the header")])
    columns = mapping.resolve(header)
    if "student_number" not in columns and "learner_id" not in columns:
        raise InputError(
            [
                Issue(
                    "roster.mapping",
                    "/columns/student_number",
                    f"{file}: no column identifies the learners: map student_number (e.g. --map "
                    f"student_number=os_cislo) or learner_id (columns: {', '.join(header)})",
                )
            ]
        )
    return Roster(
        file,
        "csv",
        columns=columns,
        grades=mapping.grades,
        header=header,
        delimiter=chosen_delimiter,
        encoding=chosen_encoding,
        mapping=mapping,
        force_encoding=force_encoding,
    )


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]], *, delimiter: str = ";") -> None:
    """Write a CSV the way :func:`open_roster` reads it back (rows of cells, header first)."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
