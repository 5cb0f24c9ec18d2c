"""Files of one layout are read together (grouped.py); what comes out is what reading them one by one gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ingest import grouped
from pipeline.ingest.files import HEADER_ONLY
from tests.census_files import write_delimited
from tests.ingest.conftest import load_row, rejected

HEADER = ["school_id", "class_id", "stage", "grade", "students"]
TITLE = ["2024 class census", "", "", "", ""]


def _year_of_mixed_files(raw_dir: Path) -> None:
    """County files of classes: most share one layout (a title row, English headers), some do not."""
    folder = raw_dir / "2024"
    # a: title row, header on line 2, data from line 3; a blank line 4; a bad count on line 6
    write_delimited(
        folder / "classes_a.csv",
        [
            TITLE,
            HEADER,
            ["0001", "1", "primary", "1", "40"],
            [],
            ["0001", "2", "primary", "2", "41"],
            ["0001", "3", "primary", "3", "x"],
        ],
    )
    # b: same layout; line 3 repeats a's line 3 exactly
    write_delimited(
        folder / "classes_b.csv",
        [TITLE, HEADER, ["0001", "1", "primary", "1", "40"], ["0002", "1", "junior", "7", "50"]],
    )
    # c: Chinese headers, no title: a layout of its own, between files of the other
    write_delimited(
        folder / "classes_c.csv",
        [["学校代码", "班级编号", "学段", "年级", "班级人数"], ["0003", "1", "小学", "1", "30"]],
    )
    # d: the layout, but no data rows
    write_delimited(folder / "classes_d.csv", [TITLE, HEADER])
    # e: the layout, then GB18030 text past the bytes looked at for the header
    rows = (
        [TITLE, HEADER]
        + [["0003", f"e{i}", "primary", "2", "35"] for i in range(12_000)]
        + [["0003", "e-last", "初中", "8", "36"]]
    )
    assert len("\n".join(",".join(r) for r in rows)) > grouped.HEAD_BYTES
    write_delimited(folder / "classes_e.csv", rows, encoding="gb18030")
    # f, g: the layout; g has a line with more fields than the header
    write_delimited(folder / "classes_f.csv", [TITLE, HEADER, ["0002", "2", "junior", "8", "52"]])
    write_delimited(
        folder / "classes_g.csv",
        [TITLE, HEADER, ["0002", "3", "junior", "9", "53", "extra"], ["0002", "4", "junior", "9", "54"]],
    )
    # h, i: the layout, nothing special
    write_delimited(
        folder / "classes_h.csv",
        [TITLE, HEADER, ["0003", "h1", "junior", "7", "45"], ["0003", "h2", "junior", "8", "46"]],
    )
    write_delimited(folder / "classes_i.csv", [TITLE, HEADER, ["0003", "i1", "junior", "9", "47"]])


def _everything(con) -> dict[str, list[tuple]]:
    """The year as stored: raw rows, rejected rows and the per-file record, without run ids and times."""
    return {
        "classes": con.execute("SELECT * FROM raw.classes ORDER BY source_file, source_row").fetchall(),
        "rejected": con.execute("SELECT * EXCLUDE (run_id) FROM audit.rejected_rows ORDER BY ALL").fetchall(),
        "loads": con.execute("SELECT * EXCLUDE (run_id, loaded_at) FROM audit.loads ORDER BY source_file").fetchall(),
    }


@pytest.fixture
def calls_together(monkeypatch) -> list[list[str]]:
    """The files of every successful read together, in order."""
    calls: list[list[str]] = []
    real = grouped._read_together

    def spy(files, *args):
        read = real(files, *args)
        if read is not None:
            calls.append([f.path.name for f in files])
        return read

    monkeypatch.setattr(grouped, "_read_together", spy)
    return calls


def test_files_of_one_layout_are_read_together_with_their_own_row_numbers(raw_dir, ingest, calls_together):
    _year_of_mixed_files(raw_dir)
    _, con = ingest(raw_dir)
    # a+b together; c (another layout); d to i fail together (e is not UTF-8, g is ragged), then in
    # halves: d, e, f fail (e); d alone; e, f fail (e); e alone fails and is read by itself; f;
    # g, h, i fail (g); g alone fails and is read by itself; h+i.
    classes = [names for names in calls_together if names[0].startswith("classes")]
    assert classes == [
        ["classes_a.csv", "classes_b.csv"],
        ["classes_c.csv"],
        ["classes_d.csv"],
        ["classes_f.csv"],
        ["classes_h.csv", "classes_i.csv"],
    ]
    rows = con.execute(
        "SELECT source_file, source_row, class_id FROM raw.classes WHERE source_file NOT LIKE '%classes_e.csv' ORDER BY source_file, source_row"
    ).fetchall()
    assert rows == [
        ("2024/classes_a.csv", 3, "1"),
        ("2024/classes_a.csv", 5, "2"),  # line 4 is blank, line 6 rejected
        ("2024/classes_b.csv", 4, "1"),  # line 3 is a copy of a's line 3
        ("2024/classes_c.csv", 2, "1"),
        ("2024/classes_f.csv", 3, "2"),
        ("2024/classes_g.csv", 4, "4"),
        ("2024/classes_h.csv", 3, "h1"),
        ("2024/classes_h.csv", 4, "h2"),
        ("2024/classes_i.csv", 3, "i1"),
    ]
    assert [(f, row, reason) for f, row, _, _, reason in rejected(con, "classes")] == [
        ("2024/classes_a.csv", 6, "not a number"),
        ("2024/classes_b.csv", 3, "exact duplicate of 2024/classes_a.csv row 3"),
        ("2024/classes_g.csv", 3, "malformed line: 6 fields, the header has 5"),
    ]
    d = load_row(con, "2024/classes_d.csv")
    assert (d["status"], d["rows_read"], d["notes"]) == ("loaded", 0, HEADER_ONLY)
    e = load_row(con, "2024/classes_e.csv")
    assert (e["encoding"], e["rows_read"], e["rows_loaded"]) == ("gb18030", 12_001, 12_001)
    assert con.execute("SELECT stage, source_row FROM raw.classes WHERE class_id = 'e-last'").fetchone() == (
        "junior",
        12_003,
    )
    a = load_row(con, "2024/classes_a.csv")
    assert (a["format"], a["encoding"], a["rows_read"], a["rows_loaded"], a["rows_rejected"]) == (
        "csv",
        "utf-8",
        3,
        2,
        1,
    )


def test_reading_together_changes_nothing(raw_dir, ingest, tmp_path, monkeypatch):
    """The same year read together (in chunks of any size) and file by file is stored identically."""
    _year_of_mixed_files(raw_dir)
    together = _everything(ingest(raw_dir, warehouse=tmp_path / "together.duckdb")[1])
    monkeypatch.setattr(grouped, "CHUNK_BYTES", 1)  # every file a chunk of its own
    one_per_chunk = _everything(ingest(raw_dir, warehouse=tmp_path / "one_per_chunk.duckdb")[1])
    monkeypatch.setattr(grouped, "_read_together", lambda *args: None)
    alone = _everything(ingest(raw_dir, warehouse=tmp_path / "alone.duckdb")[1])
    assert together["classes"] and together["rejected"]
    assert together == alone
    assert one_per_chunk == alone
