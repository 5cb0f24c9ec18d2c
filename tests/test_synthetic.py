"""Tests of the synthetic census generator and the committed demo writer.

What: the generator's frames obey the census contract (keys, references,
stage/grade, codes) and carry the planted violations; `write_year` round-trips;
the demo writer is deterministic, uses the contract's formats and only headers
and labels that pipeline/column_aliases.csv and code_aliases.csv know, and the
defects it documents are where its README says.
When it matters: whenever synthetic/ or the pipeline's alias lists change.
How to fix: the assertion message names the table, file, row or column.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from synthetic import demo
from synthetic.generator import (
    SCHEMAS,
    TABLES,
    generate_year,
    iter_year,
    make_counties,
    make_skeleton,
    make_year,
    write_year,
)

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
COMPULSORY_TYPES = {"211", "218", "311", "312", "341", "345"}
SPECIAL_TYPES = {"511", "512", "513", "514"}


# --------------------------------------------------------------------------- #
# fixtures
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def small() -> dict[str, pl.DataFrame]:
    return generate_year(2024, n_counties=3, schools_per_county=100, seed=11)


@pytest.fixture(scope="module")
def contract():
    cols = pl.read_csv(PIPELINE / "contract_columns.csv", infer_schema=False)
    aliases = pl.read_csv(PIPELINE / "column_aliases.csv", infer_schema=False)
    codes = pl.read_csv(PIPELINE / "code_aliases.csv", infer_schema=False)
    return cols, aliases, codes


@pytest.fixture(scope="module")
def demo_dirs(tmp_path_factory):
    a = tmp_path_factory.mktemp("demo_a")
    b = tmp_path_factory.mktemp("demo_b")
    written = demo.write_demo(a)
    demo.write_demo(b)
    return a, b, written


# --------------------------------------------------------------------------- #
# generator
# --------------------------------------------------------------------------- #


def test_columns_and_types_follow_the_contract(small, contract):
    cols, _, _ = contract
    for table in TABLES:
        df = small[table]
        assert df.height > 0, table
        assert dict(df.schema) == SCHEMAS[table], table
        listed = set(cols.filter(pl.col("table") == table)["column"])
        assert set(df.columns) <= listed, (table, set(df.columns) - listed)
        required = set(cols.filter((pl.col("table") == table) & (pl.col("required") == "yes"))["column"])
        assert required <= set(df.columns), (table, required - set(df.columns))


def test_keys_are_unique_and_references_exist(small):
    s, c, t, f = small["schools"], small["classes"], small["teachers"], small["facilities"]
    assert s.height == 300
    assert s["school_id"].is_unique().all()
    assert s["school_id"].str.contains(r"^\d{10}$").all()
    assert s["school_id"].str.starts_with("0").any(), "some ids should keep a leading zero"
    assert s["county_code"].str.contains(r"^53\d{4}$").all()
    assert s["county_code"].n_unique() == 3
    assert c.select("school_id", "class_id").is_unique().all()
    assert t["teacher_id"].is_unique().all()
    assert f.select("school_id", "stage").is_unique().all()
    ids = set(s["school_id"])
    for table in ("classes", "teachers", "facilities", "rooms", "finance"):
        orphans = set(small[table]["school_id"]) - ids
        assert not orphans, (table, sorted(orphans)[:5])
    assert set(f["school_id"]) == ids, "every school has facilities"
    assert small["finance"]["school_id"].is_unique().all() and small["finance"].height == s.height
    assert small["county"]["county_code"].sort().to_list() == sorted(set(s["county_code"]))


def test_stage_and_grade_agree_with_each_other_and_the_school_type(small):
    c = small["classes"].join(small["schools"].select("school_id", "school_type"), on="school_id")
    ok = (
        ((pl.col("stage") == "primary") & pl.col("grade").is_between(1, 6))
        | ((pl.col("stage") == "junior") & pl.col("grade").is_between(7, 9))
        # five-four system: grade 6 in junior, only in schools that have both stages
        | ((pl.col("stage") == "junior") & (pl.col("grade") == 6) & pl.col("school_type").is_in(["312", "345"]))
        | ((pl.col("stage") == "senior") & pl.col("grade").is_between(10, 12))
    )
    bad = c.filter(~ok)
    assert bad.height == 0, bad.head()
    stages = c.group_by("school_type").agg(pl.col("stage").unique().sort())
    by_type = dict(zip(stages["school_type"], stages["stage"].to_list(), strict=True))
    assert by_type["211"] == ["primary"] and by_type["218"] == ["primary"]
    assert by_type["311"] == ["junior"]
    assert by_type["312"] == ["junior", "primary"]
    assert by_type["341"] == ["junior", "senior"]
    assert (c["students"] >= 0).all()
    # teachers teach the stages their school has classes in
    have = set(c.select("school_id", "stage").unique().iter_rows())
    teach = set(small["teachers"].select("school_id", "stage").unique().iter_rows())
    assert teach == have


def test_codes_are_listed_in_code_aliases(small, contract):
    _, _, codes = contract
    allowed = {d: set(g["alias"]) for (d,), g in codes.group_by("domain")}
    s, t = small["schools"], small["teachers"]
    assert set(s["school_type"]) <= allowed["school_type"]
    assert set(s["urban_rural"]) == {"111", "112", "121", "122", "123", "210", "220"}
    assert set(s["ownership"]) == {"public", "private"}
    assert set(small["classes"]["stage"]) == {"primary", "junior", "senior"}
    assert set(t["education"]) <= allowed["education"]
    assert set(t["backbone_level"]) <= allowed["backbone_level"]
    assert set(small["facilities"]["stage"]) <= allowed["facility_stage"]
    assert set(small["rooms"]["room_type"]) == {"music", "art"}
    assert {"pe", "music", "art"} <= set(t["subject"])


def test_school_size_and_area_are_consistent(small):
    st = (
        small["classes"]
        .group_by("school_id")
        .agg(pl.col("students").sum(), pl.col("students").max().alias("largest"))
        .join(small["schools"], on="school_id")
    )
    tp = st.filter(pl.col("school_type") == "218")
    assert tp.height > 0 and (tp["students"] < 50).any() and (tp["urban_rural"].str.starts_with("2")).mean() > 0.8
    urban = st.filter(pl.col("urban_rural").str.starts_with("11") & pl.col("school_type").is_in(["211", "311"]))
    rural = st.filter(pl.col("urban_rural").str.starts_with("2") & pl.col("school_type").is_in(["211", "311"]))
    assert urban["students"].median() > 3 * rural["students"].median()
    assert st.filter(pl.col("school_type").is_in(["211", "311"]) & (pl.col("students") > 2000)).height > 0
    assert set(st["school_type"]) & SPECIAL_TYPES


def test_planned_violations_exist(small):
    c = small["classes"].filter(pl.col("stage").is_in(["primary", "junior"]))
    assert c.filter(pl.col("students") >= 66).height > 0, "no super-large class"
    assert c.filter(pl.col("students").is_between(56, 65)).height > 0, "no large class"
    t = small["teachers"]
    assert (t["training_hours_5y"] < 360).any() and (t["training_hours_5y"] >= 360).mean() > 0.7
    assert (~t["has_certificate"]).any() and t["has_certificate"].mean() > 0.9
    assert t["rotated"].any() and not (t["rotated"] & ~t["rotation_eligible"]).any()
    fin = small["finance"]
    low = fin.filter(pl.col("teacher_training_yuan") < 0.05 * pl.col("public_funds_budget_yuan"))
    assert 0 < low.height < fin.height / 2
    units = demo.unit_indicators(small)
    ev = units.filter(pl.col("evaluated"))
    for k in demo.STANDARDS:
        below = (ev[f"{k}_ratio"] < 1).mean()
        assert 0 < below < 0.6, (k, below)
    assert 0.2 < ev["passes"].mean() < 0.9
    excluded = set(units["excluded_reason"].drop_nulls())
    assert {"special_education", "teaching_point_under_50"} <= excluded
    # some nine-year schools report facilities per stage
    fac = small["facilities"].join(small["schools"], on="school_id")
    assert set(fac.filter(pl.col("stage") != "all")["school_type"]) == {"312"}


def test_county_table(small):
    county = small["county"]
    assert county.height == 3 and county["county_code"].is_unique().all()
    for col in ("nearby_enrollment_primary_pct", "nearby_enrollment_junior_pct"):
        assert county[col].is_between(0, 100).all() and county[col].max() > 1, col
    assert (county["quota_allocated"] <= county["quota_total"]).all()
    assert (county["junior_graduates"] > 0).all()
    assert county["veto_flags"].null_count() == 3  # fewer than 10 counties: no veto item
    big = make_counties(12, "53", seed=1)
    assert big["_veto"].drop_nulls().len() == 1


def test_generation_is_deterministic_and_seeded(small):
    again = generate_year(2024, n_counties=3, schools_per_county=100, seed=11)
    for table in TABLES:
        assert_frame_equal(small[table], again[table])
    other = generate_year(2024, n_counties=3, schools_per_county=100, seed=12)
    assert not other["classes"].equals(small["classes"])


def test_consecutive_years_share_schools():
    counties = make_counties(2, "53", seed=5)
    skel = make_skeleton(counties, 100, seed=5)
    new = skel.filter(pl.col("built_year") == 2024)
    y23 = make_year(skel, counties, 2023, seed=5)
    y24 = make_year(skel, counties, 2024, seed=5)
    ids23, ids24 = set(y23["schools"]["school_id"]), set(y24["schools"]["school_id"])
    assert ids23 <= ids24
    assert ids24 - ids23 == set(new["school_id"])
    assert not y23["classes"].equals(y24["classes"])  # same schools, new numbers
    # a teacher_id keeps its traits (education depends on the stage taught too)
    both = y23["teachers"].join(y24["teachers"], on="teacher_id", suffix="_24")
    assert both.height > 0.8 * y23["teachers"].height
    same = both.filter(pl.col("stage") == pl.col("stage_24"))
    assert same.height > 0.8 * both.height
    assert (same["education"] == same["education_24"]).all()
    assert (same["subject"] == same["subject_24"]).all()
    assert (same["training_hours_5y"] != same["training_hours_5y_24"]).any()


def test_chunks_add_up_to_the_whole():
    parts = list(iter_year(2024, 5, 20, seed=3, chunk_counties=2))
    assert len(parts) == 3
    whole = generate_year(2024, 5, 20, seed=3, chunk_counties=2)
    for table in TABLES:
        assert_frame_equal(pl.concat([p[table] for p in parts]), whole[table])
    assert whole["schools"]["school_id"].is_unique().all()
    assert whole["teachers"]["teacher_id"].is_unique().all()


def test_nation_spreads_over_provinces():
    counties = make_counties(100, ("11", "53", "65"), seed=0)
    assert counties["county_code"].str.slice(0, 2).value_counts().sort("county_code")["count"].to_list() == [34, 33, 33]
    assert counties["county_code"].is_unique().all()
    assert counties["county_code"].str.contains(r"^\d{6}$").all()


# --------------------------------------------------------------------------- #
# write_year
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_year_round_trips(small, tmp_path, fmt):
    paths = write_year(small, tmp_path, fmt=fmt)
    assert sorted(p.name for p in paths) == sorted(f"{t}.{fmt}" for t in TABLES)
    for table in TABLES:
        path = tmp_path / f"{table}.{fmt}"
        if fmt == "csv":
            back = pl.read_csv(path, schema=SCHEMAS[table])
        else:
            back = pl.read_parquet(path)
        assert_frame_equal(back, small[table], check_dtypes=True)
    if fmt == "csv":
        first = (tmp_path / "schools.csv").read_text(encoding="utf-8").splitlines()[0]
        assert first == ",".join(SCHEMAS["schools"])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_year_appends_chunks_and_splits_by_county(tmp_path, fmt):
    whole = generate_year(2024, 3, 15, seed=4, chunk_counties=1)
    write_year(iter_year(2024, 3, 15, seed=4, chunk_counties=1), tmp_path / "one", fmt=fmt)
    paths = write_year(whole, tmp_path / "split", fmt=fmt, split_by_county=True)
    codes = sorted(whole["county"]["county_code"])
    assert len(paths) == len(TABLES) * 3
    assert (tmp_path / "split" / f"schools_{codes[0]}.{fmt}").exists()
    for table in TABLES:
        if fmt == "csv":
            one = pl.read_csv(tmp_path / "one" / f"{table}.csv", schema=SCHEMAS[table])
            parts = [pl.read_csv(tmp_path / "split" / f"{table}_{c}.csv", schema=SCHEMAS[table]) for c in codes]
        else:
            one = pl.read_parquet(tmp_path / "one" / f"{table}.parquet")
            parts = [pl.read_parquet(tmp_path / "split" / f"{table}_{c}.parquet") for c in codes]
        assert_frame_equal(one, whole[table])
        key = list(SCHEMAS[table])[:2]
        assert_frame_equal(pl.concat(parts).sort(key), whole[table].sort(key))


def test_cli_writes_a_year(tmp_path, capsys):
    from synthetic.generator import main

    assert main(["--size", "county", "--year", "2024", "--format", "csv", "--out", str(tmp_path)]) == 0
    schools = pl.read_csv(tmp_path / "2024" / "schools.csv", schema=SCHEMAS["schools"])
    assert schools.height == 100
    assert "schools 100" in capsys.readouterr().out


# --------------------------------------------------------------------------- #
# demo
# --------------------------------------------------------------------------- #


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_demo_is_byte_identical_on_a_second_run(demo_dirs):
    a, b, _ = demo_dirs
    fa, fb = _files(a), _files(b)
    assert [p.relative_to(a) for p in fa] == [p.relative_to(b) for p in fb]
    exts = {p.suffix for p in fa}
    assert {".csv", ".tsv", ".xlsx", ".parquet", ".md"} <= exts
    for pa, pb in zip(fa, fb, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.relative_to(a)


def test_demo_layout_and_size(demo_dirs):
    a, _, written = demo_dirs
    assert sorted(p.name for p in a.iterdir()) == ["2023", "2024", "README.md"]
    total = sum(p.stat().st_size for p in _files(a))
    assert total < 3_000_000, total
    for year in (2023, 2024):
        names = {p.name for p in (a / str(year)).iterdir()}
        assert names == {f.name for f in written[year]}
        for stem in ("schools", "classes", "teachers", "facilities"):
            assert sum(n.startswith(stem + "_") for n in names) == 3, (year, stem)
        assert {"rooms.csv", "finance.csv", "county.csv"} <= names
    readme = (a / "README.md").read_text(encoding="utf-8")
    for year in (2023, 2024):
        for f in written[year]:
            assert f"`{year}/{f.name}`" in readme


def test_demo_gb18030_file(demo_dirs):
    a, _, _ = demo_dirs
    for name in ("teachers_539901.csv", "schools_539901.csv"):
        raw = (a / "2024" / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gb18030")
        assert text.startswith("教职工号" if name.startswith("teachers") else "学校标识码")
        assert "\r\n" in text
    text = (a / "2024" / "teachers_539901.csv").read_bytes().decode("gb18030")
    assert "𠮷" in text and "本科" in text and "县级" in text and "体育" in text and ",是," in text
    with pytest.raises(UnicodeDecodeError):  # the 4-byte character needs gb18030, not gbk
        (a / "2024" / "teachers_539901.csv").read_bytes().decode("gbk")
    schools = (a / "2024" / "schools_539901.csv").read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(schools)))
    assert rows[0][2] == "所在地区划代码"
    assert all(len(r[2]) == 12 and r[2].startswith("539901") for r in rows[1:])
    assert any(r[4] == "小学" for r in rows[1:]) and any(r[5] == "村庄" for r in rows[1:])


def test_demo_other_formats(demo_dirs):
    import openpyxl

    a, _, _ = demo_dirs
    bom = (a / "2024" / "classes_539901.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and bom[3:].decode("utf-8").startswith("学校标识码,")
    tsv = (a / "2024" / "schools_539902.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0].split("\t")[0] == "school_id" and all(len(line.split("\t")) == 8 for line in tsv)
    wb = openpyxl.load_workbook(a / "2024" / "classes_539902.xlsx")
    assert wb.sheetnames == ["小学", "初中", "高中"]
    ws = wb["小学"]
    assert "班级情况统计表" in ws.cell(1, 1).value and ws.cell(1, 2).value is None
    assert [c.value for c in ws[2]] == ["学校代码", "班号", "学段", "年级", "学生数"]
    assert isinstance(ws.cell(3, 1).value, str) and isinstance(ws.cell(3, 5).value, int)
    sheets = pl.read_excel(a / "2024" / "classes_539902.xlsx", sheet_id=0, read_options={"header_row": 1})
    assert sum(df.height for df in sheets.values()) > 500
    pq = pl.read_parquet(a / "2024" / "teachers_539903.parquet")
    assert pq.schema["has_certificate"] == pl.Boolean and pq.height > 500
    fac = (a / "2024" / "facilities_539901.csv").read_bytes()[3:].decode("utf-8")
    assert "教学仪器设备资产值（万元）" in fac.splitlines()[0]
    county23 = pl.read_csv(a / "2023" / "county.csv", infer_schema=False)
    county24 = pl.read_csv(a / "2024" / "county.csv", infer_schema=False)
    assert county23["county_code"].to_list() == ["539901", "539902"]
    assert county24["county_code"].to_list() == ["539901", "539902", "539903"]
    assert county23["veto_flags"].drop_nulls().len() == 1 and county24["veto_flags"].drop_nulls().len() == 0
    assert "姓名" in (a / "2024" / "teachers_539901.csv").read_bytes().decode("gb18030").splitlines()[0]


# ---- reading the demo files like an ingestion would (for the checks below) ---


def _read_any(path: Path) -> list[tuple[str | None, int, list[str], list[list[str]]]]:
    """(sheet, first data row number, header, rows as text) per sheet of a demo file."""
    if path.suffix in (".csv", ".tsv"):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix == ".tsv" else ","))
        return [(None, 2, rows[0], rows[1:])]
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        out = []
        for ws in wb.worksheets:
            rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
            out.append((ws.title, 3, rows[1], rows[2:]))
        return out
    df = pl.read_parquet(path)
    return [(None, 2, df.columns, [["" if v is None else str(v) for v in r] for r in df.iter_rows()])]


def _norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower()


def test_demo_uses_only_known_headers_and_labels(demo_dirs, contract):
    cols, aliases, codes = contract
    a, _, written = demo_dirs
    code_sets = {d: {_norm(x) for x in g["alias"]} for (d,), g in codes.group_by("domain")}
    numeric = {"count", "amount", "percent", "year", "grade", "positive_amount"}
    checked_labels = 0
    for year in (2023, 2024):
        rejected = {(n.file, n.row) for f in written[year] for n in f.notes if n.expect == "reject"}
        for path in sorted((a / str(year)).iterdir()):
            table = path.stem.split("_")[0]
            spec = cols.filter(pl.col("table") == table)
            names = {_norm(c): c for c in spec["column"]}
            names.update(
                {_norm(r["alias"]): r["column"] for r in aliases.filter(pl.col("table") == table).iter_rows(named=True)}
            )
            for _sheet, first, header, rows in _read_any(path):
                canon = []
                for h in header:
                    assert _norm(h) in names, f"{path.name}: unknown header {h!r}"
                    canon.append(names[_norm(h)])
                required = set(spec.filter(pl.col("required") == "yes")["column"])
                assert required <= set(canon), (path.name, required - set(canon))
                infos = {r["column"]: r for r in spec.iter_rows(named=True)}
                for i, row in enumerate(rows):
                    if (path.name, first + i) in rejected:
                        continue
                    for col, value in zip(canon, row, strict=True):
                        if value == "":
                            continue
                        info = infos[col]
                        domain = info["domain"] or (info["type"] if info["type"] in ("bool", "room_type") else None)
                        if domain:
                            assert _norm(value) in code_sets[domain], f"{path.name} row {first + i}: {col}={value!r}"
                            checked_labels += 1
                        elif info["type"] in numeric:
                            float(_norm(value))  # full-width digits are fine after NFKC
    assert checked_labels > 20_000


def test_demo_defects_are_where_the_readme_says(demo_dirs):
    a, _, written = demo_dirs
    readme = (a / "README.md").read_text(encoding="utf-8")
    kinds = set()
    for year in (2023, 2024):
        for f in written[year]:
            for note in f.notes:
                assert f"| `{note.file}` | {note.row} |" in readme
                ((_, first, header, rows),) = _read_any(a / str(year) / note.file)
                row = rows[note.row - first]
                if note.column == "(whole row)":
                    assert row == rows[note.row - first - 1], "duplicate must follow its original"
                    assert ",".join(row) == note.value
                else:
                    assert row[header.index(note.column)] == note.value, (note.file, note.row)
                kinds.add((year, note.expect, note.what))
    rejects = {(y, w) for y, e, w in kinds if e == "reject"}
    assert any(w.startswith("students written in Chinese numerals") for y, w in rejects if y == 2023)
    assert any("orphan" in w for _, w in rejects)
    assert any(w.startswith("exact duplicate") for _, w in rejects)
    assert any("kindergarten" in w for y, w in rejects if y == 2024)
    assert any(w.startswith("same teacher_id") for y, w in rejects if y == 2024)
    assert {w for _, e, w in kinds if e == "accept"} >= {
        "full-width digits", "trailing space after the code", "4-byte GB18030 character",
    }  # fmt: skip


def test_demo_orphan_and_duplicates_really_are_defects(demo_dirs):
    a, _, _ = demo_dirs
    school_ids = set()
    for path in sorted((a / "2024").glob("schools_*")):
        ((_, _, header, rows),) = _read_any(path)
        k = next(i for i, h in enumerate(header) if h in ("school_id", "学校标识码"))
        school_ids |= {r[k].strip() for r in rows}
    ((_, _, header, rows),) = _read_any(a / "2024" / "teachers_539902.csv")
    tid = [r[header.index("teacher_id")] for r in rows]
    sid = [r[header.index("school_id")].strip() for r in rows]
    assert sum(s not in school_ids for s in sid) == 1
    dup = {t for t in tid if tid.count(t) > 1}
    assert len(dup) == 1
    ((_, _, header, rows),) = _read_any(a / "2024" / "classes_539901.csv")
    keys = [tuple(r[:2]) for r in rows]
    assert len(keys) - len(set(keys)) == 1


def test_demo_facts(demo_dirs):
    f23, f24 = demo.demo_frames(2023), demo.demo_frames(2024)
    new = set(f24["schools"]["school_id"]) - set(f23["schools"]["school_id"])
    names = set(f24["schools"].filter(pl.col("school_id").is_in(list(new)))["school_name"])
    assert names == {"明湖区滨湖新城小学", "滨江区江北中学"}
    assert set(f23["schools"]["school_id"]) <= set(f24["schools"]["school_id"])
    for frames in (f23, f24):
        fx = demo.demo_facts(frames)
        assert fx["classes_super_large"] > 0 and fx["classes_large"] > 0
        over = {(t, nm) for _, nm, t, _, _ in fx["schools_over_size"]}
        assert ("211", "明湖区实验小学") in over and ("312", "明湖区星光九年一贯制学校") in over
        tps = {nm: (n, e) for _, nm, n, e in fx["teaching_points"]}
        assert tps["云岭县大坪村教学点"][0] < 50 and not tps["云岭县大坪村教学点"][1]
        assert tps["云岭县石门村教学点"][0] >= 50 and tps["云岭县石门村教学点"][1]
        assert ("539903", "primary", "R5") in {(c, s, i) for c, s, i, _ in fx["cv_over_limit"]}
        assert not {c for c, s, _, _ in fx["cv_over_limit"] if s == "primary"} - {"539903"}
        assert all(v > 0 for v in fx["failing_by_indicator"].values())
        assert 0 < fx["passing_units"] < fx["evaluated_units"]
        assert fx["training_share_below_5pct"] > 0
        special = frames["schools"].filter(pl.col("school_type").is_in(list(SPECIAL_TYPES)))
        assert special.height >= 2
        senior = frames["classes"].filter(pl.col("stage") == "senior")
        assert senior.height > 0
        assert np.all(frames["schools"]["school_id"].str.len_chars().to_numpy() == 10)
