"""Roster reading (czmc.roster): CSV exports as study systems and Excel write them, JSON Lines, column mappings."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from czmc.errors import InputError
from czmc.roster import ColumnMapping, normalise_column, open_roster, write_csv
from tests.conftest import EXAMPLES

ROSTERS = EXAMPLES / "rosters"


def _write(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_example_csv_export_is_read_without_a_mapping() -> None:
    roster = open_roster(ROSTERS / "cybersecurity-public-administration.csv")
    assert (roster.format, roster.delimiter, roster.encoding) == ("csv", ";", "utf-8")
    assert roster.header[0] == "os_cislo"  # the byte order mark is not part of the first column's name
    assert roster.columns == {
        "student_number": "os_cislo",
        "given_name": "jmeno",
        "family_name": "prijmeni",
        "name_prefix": "titul_pred",
        "name_suffix": "titul_za",
        "email": "email",
        "grade": "znamka",
        "completed": "datum_ukonceni",
    }
    rows = list(roster.rows())
    assert [row.line for row in rows] == list(range(2, 10))
    assert rows[0].record == {
        "student_number": "485512",
        "given_name": "Tereza",
        "family_name": "Dvořáková",
        "email": "tereza.dvorakova@example.org",
        "grade": "B",
        "completed": "6.6.2025",
    }
    assert rows[-1].record["given_name"] == 'Petr "Péťa"'
    assert rows[-1].end == (ROSTERS / "cybersecurity-public-administration.csv").stat().st_size
    assert all(not row.issues for row in rows)


def test_example_jsonl_export_with_its_mapping_file() -> None:
    mapping = ColumnMapping.load(ROSTERS / "vet-welding.mapping.yaml")
    assert mapping.grades == {"V": "vyhověl", "N": "nevyhověl"}
    roster = open_roster(ROSTERS / "vet-welding.jsonl", mapping)
    rows = list(roster.rows())
    assert roster.format == "jsonl"
    assert [row.line for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].record["grade"] == "vyhověl"  # translated
    assert rows[0].record["student_number"] == "SVS-2025-001"
    assert "email" not in rows[1].record  # null
    assert rows[1].cells["email"] is None


def test_cp1250_export(tmp_path: Path) -> None:
    path = _write(tmp_path / "export.csv", "UČO;Příjmení;Jméno;Známka\r\n123;Šťastná;Žofie;A\r\n", "cp1250")
    with pytest.raises(InputError) as error:
        list(open_roster(path).rows())
    assert "line 1: not utf-8 text" in error.value.issues[0].message
    assert "--encoding cp1250" in error.value.issues[0].message
    roster = open_roster(path, encoding="cp1250")
    assert roster.columns == {
        "student_number": "UČO",
        "family_name": "Příjmení",
        "given_name": "Jméno",
        "grade": "Známka",
    }
    (row,) = roster.rows()
    assert row.record == {"student_number": "123", "family_name": "Šťastná", "given_name": "Žofie", "grade": "A"}


def test_a_line_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"os_cislo;jmeno\n1;Jan\n2;" + "Šárka\n".encode("cp1250"))
    with pytest.raises(InputError, match="line 3: not utf-8"):
        list(open_roster(path).rows())


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["os_cislo", "jmeno", "prijmeni"]) + "\n1" + delimiter + "Jan" + delimiter + "Novák\n"
    roster = open_roster(_write(tmp_path / "r.txt", text, "utf-8"))
    assert roster.delimiter == delimiter
    assert next(roster.rows()).record == {"student_number": "1", "given_name": "Jan", "family_name": "Novák"}


def test_explicit_delimiter_wins(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", "a,b,jmeno;os_cislo\n1,2,3;Jan\n")
    with pytest.raises(InputError, match="no column identifies the learners"):
        open_roster(path)  # sniffed: ","
    roster = open_roster(path, delimiter=";")
    assert roster.columns == {"student_number": "os_cislo"}
    assert next(roster.rows()).cells == {"a,b,jmeno": "1,2,3", "os_cislo": "Jan"}


def test_line_numbers_blank_lines_quoted_newlines_and_bad_rows(tmp_path: Path) -> None:
    text = (
        "os_cislo;poznamka;znamka\r\n"
        '1;"two\r\nlines";A\r\n'  # lines 2-3
        "\r\n"  # line 4, blank
        ";;\r\n"  # line 5, empty cells (Excel)
        '="00123";x;B\r\n'  # line 6, Excel's text formula
        "7;too;many;cells\r\n"  # line 7
        "8;;  C  \r\n"  # line 8
    )
    rows = list(open_roster(_write(tmp_path / "r.csv", text)).rows())
    assert [row.line for row in rows] == [2, 6, 7, 8]
    assert rows[0].cells == {"os_cislo": "1", "poznamka": "two\r\nlines", "znamka": "A"}
    assert rows[1].record == {"student_number": "00123", "grade": "B"}
    assert [issue.code for issue in rows[2].issues] == ["roster.cells"]
    assert "4 cells, the header 3" in rows[2].issues[0].message
    assert rows[3].record == {"student_number": "8", "grade": "C"}


def test_jsonl_problems_are_row_problems(tmp_path: Path) -> None:
    lines = [
        '{"os_cislo": 1, "jmeno": "Jan", "znamka": "A"}',
        "",
        '{"os_cislo": "2", "jmeno": ',
        "[1, 2]",
        '{"os_cislo": "4", "jmeno": {"first": "Eva"}, "znamka": true}',
        '{"os_cislo": "5", "os_cislo": "6"}',
    ]
    path = _write(tmp_path / "r.jsonl", "\n".join(lines) + "\n", "utf-8")
    rows = list(open_roster(path).rows())
    assert [row.line for row in rows] == [1, 3, 4, 5, 6]
    assert rows[0].record == {"student_number": "1", "given_name": "Jan", "grade": "A"}
    assert [issue.code for issue in rows[1].issues] == ["roster.json"]
    assert "not a JSON object" in rows[2].issues[0].message
    assert {issue.path for issue in rows[3].issues} == {"/given_name", "/grade"}
    assert [issue.code for issue in rows[4].issues] == ["roster.json"]


def test_format_is_detected_from_the_content(tmp_path: Path) -> None:
    path = _write(tmp_path / "export.dat", '{"os_cislo": "1"}\n', "utf-8")
    assert open_roster(path).format == "jsonl"
    path = _write(tmp_path / "export2.dat", "os_cislo\n1\n", "utf-8")
    assert open_roster(path).format == "csv"


def test_mapping_and_overrides(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", "Číslo;Student;Výsledek;e-mail\n1;Jan Novák;výborně;j@x.cz\n")
    with pytest.raises(InputError) as error:
        open_roster(path)
    assert error.value.issues[0].code == "roster.mapping"
    assert "map student_number" in error.value.issues[0].message
    mapping = ColumnMapping(grades={"výborně": "A"}).with_columns(["student_number=Číslo", "name = Student"])
    mapping = mapping.with_columns(["grade=vysledek"])  # names compare without case and diacritics
    roster = open_roster(path, mapping)
    assert next(roster.rows()).record == {
        "student_number": "1",
        "name": "Jan Novák",
        "email": "j@x.cz",
        "grade": "A",
    }


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ColumnMapping(columns={"grades": "x"}), "not a roster field"),
        (lambda: ColumnMapping().with_columns(["grade"]), "not FIELD=COLUMN"),
        (lambda: ColumnMapping(delimiter=";;"), "one character"),
        (lambda: ColumnMapping(encoding="utf-16"), "not an ASCII-compatible"),
        (lambda: ColumnMapping(encoding="klingon"), "unknown encoding"),
        (lambda: ColumnMapping.from_document({"columns": {"grade": ["a"]}}), "maps names to text"),
        (lambda: ColumnMapping.from_document({"colums": {}}), "not a mapping member"),
        (lambda: ColumnMapping.from_document([]), "is an object"),
    ],
)
def test_bad_mappings(build: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        build()  # type: ignore[operator]


def test_mapping_errors_against_the_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.csv", "os_cislo;jmeno;uco\n1;Jan;2\n")
    with pytest.raises(InputError, match="which the roster does not have"):
        open_roster(path, ColumnMapping(columns={"grade": "znamka"}))
    with pytest.raises(InputError, match="mapped to both"):
        open_roster(path, ColumnMapping(columns={"student_number": "jmeno"}))
    with pytest.raises(InputError, match="appears twice"):
        open_roster(_write(tmp_path / "d.csv", "os_cislo;a;a\n"))
    with pytest.raises(InputError, match="first line must be the header"):
        open_roster(_write(tmp_path / "e.csv", ""))


def test_normalise_column() -> None:
    assert normalise_column(" Datum ukončení ") == "datum_ukonceni"
    assert normalise_column("E-mail") == "e_mail"
    assert normalise_column("UČO") == "uco"


# --- the round trip -----------------------------------------------------------------------------

cell_characters = st.characters(blacklist_categories=("Cs", "Co"), blacklist_characters="\x00")
cp1250_characters = st.sampled_from(list("aábcčdďeéěfghiíjklmnňoópqrřsštťuúůvwxyýzž ÁČŠŽŘ;,\t|\"'=\r\n0123456789-."))


@st.composite
def rosters(draw: st.DrawFn) -> tuple[str, str, list[str], list[list[str]]]:
    encoding = draw(st.sampled_from(["utf-8-sig", "utf-8", "cp1250"]))
    alphabet = cp1250_characters if encoding == "cp1250" else cell_characters
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    names = draw(
        st.lists(
            st.text(alphabet, min_size=1, max_size=8).map(str.strip).filter(bool),
            max_size=4,
            unique_by=normalise_column,
        ).filter(lambda names: all(normalise_column(name) != "os_cislo" for name in names))
    )
    header = ["os_cislo", *names]
    rows = draw(
        st.lists(
            st.tuples(
                st.text(alphabet, min_size=1, max_size=10).filter(lambda text: bool(text.strip())),
                st.lists(st.text(alphabet, max_size=12), min_size=len(names), max_size=len(names)),
            ).map(lambda pair: [pair[0], *pair[1]]),
            max_size=8,
        )
    )
    return encoding, delimiter, header, rows


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roster=rosters())
def test_csv_round_trip(tmp_path: Path, roster: tuple[str, str, list[str], list[list[str]]]) -> None:
    encoding, delimiter, header, rows = roster
    buffer = io.StringIO(newline="")
    write_csv(buffer, header, rows, delimiter=delimiter)
    path = tmp_path / "roster.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    read = open_roster(path, delimiter=delimiter, encoding="cp1250" if encoding == "cp1250" else None)
    assert list(read.header) == header
    assert read.columns["student_number"] == "os_cislo"
    got = list(read.rows())
    assert [list(row.cells.values()) for row in got] == rows
    assert all(not row.issues for row in got)
    line = 2 + "".join(header).count("\n")
    for row, cells in zip(got, rows, strict=True):
        assert row.line == line
        line += 1 + "".join(cells).count("\n")
        value = cells[0].strip()
        if value.startswith('="') and value.endswith('"') and len(value) > 2:
            value = value[2:-1].strip()
        assert row.record.get("student_number") == (value or None)
    assert (got[-1].end if got else path.stat().st_size) == path.stat().st_size


def test_jsonl_round_trip(tmp_path: Path) -> None:
    records = [{"os_cislo": f"{n:06d}", "jmeno": f"Jméno {n}", "znamka": "A"} for n in range(50)]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    assert [row.cells for row in open_roster(path).rows()] == records
