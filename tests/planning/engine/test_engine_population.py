"""Population tables: age-band labels, GENESIS and plain CSV parsers, re-banding."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from planning.engine.population import (
    AgeBand,
    as_bands,
    band_problems,
    expand_to_single_years,
    reband,
    reband_matrix,
    round_preserving_total,
    single_year_bands,
)
from planning.engine.population_files import (
    parse_count,
    parse_genesis_migration_by_age,
    parse_genesis_population,
    parse_genesis_population_by_municipality,
    parse_genesis_vital_statistics,
    parse_population_csv,
)
from tests.planning import real_file

# --------------------------------------------------------------------------------------------
# Age bands
# --------------------------------------------------------------------------------------------

#: Lower bounds of the 20 GENESIS bands of table 12411-0012 (the last band is 85+).
GENESIS_EDGES = (0, 3, 6, 10, 15, 18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85)


@pytest.mark.parametrize(
    ("label", "lo", "hi"),
    [
        ("unter 3 Jahre", 0, 3),
        ("3 bis unter 6 Jahre", 3, 6),
        ("6 bis unter  10 Jahre", 6, 10),  # GENESIS writes a double space here
        ("85 Jahre und mehr", 85, None),
        ("65 Jahre und mehr", 65, None),
        ("unter 18 Jahre", 0, 18),
        ("unter 1 Jahr", 0, 1),
        ("0-2", 0, 3),  # plain labels are inclusive: 0, 1 and 2
        ("0-3", 0, 4),
        ("3-5", 3, 6),
        ("3 - 5", 3, 6),
        ("3 bis 5 Jahre", 3, 6),
        ("85+", 85, None),
        ("65+", 65, None),
        ("7", 7, 8),
    ],
)
def test_age_band_labels(label, lo, hi):
    assert AgeBand.parse(label) == AgeBand(lo, hi)


@pytest.mark.parametrize("label", ["Kinder", "", "3 bis", "5-3", "-1"])
def test_unknown_or_empty_labels_are_rejected(label):
    with pytest.raises(ValueError):
        AgeBand.parse(label)


def test_band_labels_round_trip():
    for band in (AgeBand(0, 3), AgeBand(3, 6), AgeBand(7, 8), AgeBand(85)):
        assert AgeBand.parse(band.label) == band
        assert AgeBand.parse(band.label_de) == band
    assert AgeBand(85).split_width == 15
    assert sorted([AgeBand(85), AgeBand(0, 3), AgeBand(3, 6)])[0] == AgeBand(0, 3)


def test_band_problems_name_gaps_and_overlaps():
    assert band_problems(as_bands(["0-2", "3-5", "6+"])) == []
    assert "Gap" in band_problems(as_bands(["0-2", "4-5", "6+"]))[0][1]
    assert "overlap" in band_problems(as_bands(["0-5", "3-9", "10+"]))[0][1]
    assert "start" in band_problems(as_bands(["3-5", "6+"]))[0][1]


@pytest.mark.parametrize(
    ("raw", "value"),
    [("249", 249.0), (" 8404 ", 8404.0), ("1.234", 1234.0), ("-", 0.0), ("12.345.678", 12345678.0)],
)
def test_parse_count(raw, value):
    assert parse_count(raw) == value


@pytest.mark.parametrize("raw", ["abc", "-5", ".", "x", "1,5", ""])
def test_parse_count_rejects(raw):
    with pytest.raises(ValueError):
        parse_count(raw)


# --------------------------------------------------------------------------------------------
# Re-banding
# --------------------------------------------------------------------------------------------


def test_reband_to_unions_is_exact():
    counts = np.array([[249.0, 258, 385, 405, 228], [1, 2, 3, 4, 5]])
    src = as_bands(["0-2", "3-5", "6-9", "10-14", "15+"])
    out = reband(counts, src, as_bands(["0-5", "6-14", "15+"]))
    np.testing.assert_array_equal(out, [[507, 790, 228], [3, 7, 5]])
    assert set(np.unique(reband_matrix(src, as_bands(["0-5", "6-14", "15+"])))) == {0.0, 1.0}


def test_reband_splits_by_years_covered_and_preserves_totals():
    # 6-9 (4 years) split at 8: half each; 85+ counts as 15 years: 85-89 gets 5/15
    counts = np.array([40.0, 30.0])
    out = reband(counts, as_bands(["6-9", "85+"]), as_bands(["6-7", "8-9", "85-89", "90+"]))
    np.testing.assert_allclose(out, [20, 20, 10, 20])
    rng = np.random.default_rng(0)
    big = rng.uniform(0, 1000, (7, 20))
    src = (*as_bands(f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(GENESIS_EDGES)), AgeBand(85))
    for target in (as_bands(["0-6", "7-20", "21-64", "65-79", "80+"]), single_year_bands()):
        np.testing.assert_allclose(reband(big, src, target).sum(axis=1), big.sum(axis=1), rtol=1e-13)


def test_reband_refuses_to_lose_people():
    with pytest.raises(ValueError, match="85"):
        reband(np.array([1.0, 2.0]), as_bands(["0-84", "85+"]), as_bands(["0-84"]))


def test_expand_to_single_years_uniform_and_weighted():
    ages = expand_to_single_years(np.array([30.0, 15.0]), as_bands(["0-2", "85+"]))
    np.testing.assert_allclose(ages[:3], [10, 10, 10])
    np.testing.assert_allclose(ages[85:100], 1.0)  # open band over 15 years
    assert ages[100] == 0.0
    weights = np.linspace(2.0, 1.0, 101)
    weighted = expand_to_single_years(np.array([30.0, 15.0]), as_bands(["0-2", "85+"]), weights=weights)
    assert weighted.sum() == pytest.approx(45.0)
    assert weighted[100] > 0  # with weights the open band reaches the top class


def test_round_preserving_total():
    values = [0.5, 0.5, 0.5, 0.5, 1.2]
    rounded = round_preserving_total(values)
    assert rounded.sum() == round(sum(values))
    assert all(abs(r - v) < 1 for r, v in zip(rounded, values, strict=True))


# --------------------------------------------------------------------------------------------
# GENESIS 12411-0012 (real Reilingen file and synthetic bad files)
# --------------------------------------------------------------------------------------------


def reilingen_total(path: Path, date: str) -> float:
    """The file's own "Insgesamt" value for a reference date, read independently of the parser."""
    for line in path.read_text(encoding="latin-1").splitlines():
        fields = line.split(";")
        if fields[0] == date and fields[3].strip() == "Insgesamt":
            return float(fields[4])
    raise AssertionError(f"no total row for {date}")


def test_reilingen_population_parses():
    path = real_file("reilingen_demo_20_y_brackets.csv")
    result = parse_genesis_population(path)
    assert result.ok, result.issues
    table = result.data
    assert table.ags == "08226068" and table.municipality == "Reilingen"
    assert table.years == (1995, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024)
    assert len(table.bands) == 20 and table.bands[0] == AgeBand(0, 3) and table.bands[-1] == AgeBand(85)
    assert table.for_year(2024).sum() == reilingen_total(path, "31.12.2024")
    assert table.to_frame().loc[2024, "0-2"] == 249


def test_reilingen_vital_statistics_and_migration_by_age():
    vital = parse_genesis_vital_statistics(real_file("reilingen_birth_death.csv"))
    assert vital.ok, vital.issues
    assert vital.data.years == tuple(range(2015, 2025))
    i = vital.data.years.index(2024)
    assert (vital.data.births[i], vital.data.deaths[i]) == (71, 96)
    assert vital.data.net_migration[i] == 864 - 761
    zuzuege = parse_genesis_migration_by_age(real_file("reilingen_zuzuege.csv"))
    fortzuege = parse_genesis_migration_by_age(real_file("reilingen_fortzuege.csv"))
    assert zuzuege.ok and fortzuege.ok
    assert (zuzuege.data.direction, fortzuege.data.direction) == ("in", "out")
    assert zuzuege.data.bands == as_bands(["unter 18 Jahre", "18-24", "25-29", "30-49", "50-64", "65+"])
    assert zuzuege.data.years == tuple(range(2011, 2025))
    assert zuzuege.data.for_year(2024).sum() == vital.data.in_migration[i]


GENESIS_HEAD = (
    "Tabelle: 12411_0012\n"
    "Bevölkerung nach 20 Altersgruppen und Geschlecht ab 1981 (ab;;;;;;\n"
    ";;;;Bevölkerung;Bevölkerung;Bevölkerung\n"
    ";;;;Insgesamt;männlich;weiblich\n"
    ";;;;Anzahl;Anzahl;Anzahl\n"
)
GENESIS_ROWS = [
    "31.12.2024;08999001;        Musterdorf;unter 3 Jahre;10;5;5",
    "31.12.2024;08999001;        Musterdorf;3 bis unter 18 Jahre;20;10;10",
    "31.12.2024;08999001;        Musterdorf;18 Jahre und mehr;70;35;35",
    "31.12.2024;08999001;        Musterdorf;Insgesamt;100;50;50",
]
GENESIS_FOOT = (
    "__________\n"
    '"Fortschreibung des Bevölkerungsstandes; Fußnote\n'
    'über zwei Zeilen."\n'
    "© Statistisches Landesamt, 2026\n"
    "Stand: 17.02.2026 / 09:45:09\n"
)


def genesis(rows: list[str]) -> bytes:
    return (GENESIS_HEAD + "\n".join(rows) + "\n" + GENESIS_FOOT).encode("latin-1")


def test_synthetic_genesis_file_parses_with_footnotes():
    result = parse_genesis_population(genesis(GENESIS_ROWS))
    assert result.ok, result.issues
    assert result.data.counts.tolist() == [[10, 20, 70]]


@pytest.mark.parametrize(
    ("row", "replacement", "column", "line"),
    [
        (1, "31.12.2024;08999001;        Musterdorf;3 bis unter 18 Jahre;zwanzig;10;10", "count", 7),
        (1, "31.12.2024;08999001;        Musterdorf;3 bis unter 18 Jahre;-20;10;10", "count", 7),
        (1, "31.12.2024;08999001;        Musterdorf;3 bis unter 18 Jahre;.;10;10", "count", 7),
        (1, "31.12.2024;08999001;        Musterdorf;Schulkinder;20;10;10", "age_group", 7),
        (3, "31.12.2024;08999001;        Musterdorf;Insgesamt;101;50;51", "count", 9),
        (1, "31.12.2024;08999001;        Musterdorf;unter 3 Jahre;20;10;10", "age_group", 7),
        (1, "30.06.2024;08999001;        Musterdorf;3 bis unter 18 Jahre;20;10;10", "date", 7),
    ],
    ids=["text", "negative", "secret", "label", "total", "duplicate", "not-year-end"],
)
def test_bad_genesis_rows_are_named_by_line(row, replacement, column, line):
    rows = list(GENESIS_ROWS)
    rows[row] = replacement
    result = parse_genesis_population(genesis(rows))
    assert result.data is None
    assert any(i.line == line and i.column == column for i in result.issues), result.issues
    assert all(i.message_de and i.message_en for i in result.issues)


def test_gap_and_overlap_and_garbage_after_data():
    gap = [GENESIS_ROWS[0], "31.12.2024;08999001;Musterdorf;5 bis unter 18 Jahre;20;10;10", *GENESIS_ROWS[2:]]
    issues = parse_genesis_population(genesis(gap)).issues
    assert any("Gap" in i.message_en for i in issues)
    garbage = [*GENESIS_ROWS[:2], "kaputte Zeile;;;", *GENESIS_ROWS[2:]]
    issues = parse_genesis_population(genesis(garbage)).issues
    assert [i.line for i in issues] == [8]


def test_several_municipalities():
    other = [r.replace("08999001", "08999002").replace("Musterdorf", "Anderdorf") for r in GENESIS_ROWS]
    data = genesis(GENESIS_ROWS + other)
    assert set(parse_genesis_population_by_municipality(data).data) == {"08999001", "08999002"}
    issues = parse_genesis_population(data).issues
    assert len(issues) == 1 and "several" in issues[0].message_en


def test_real_file_with_one_broken_count_names_its_line():
    path = real_file("reilingen_demo_20_y_brackets.csv")
    lines = path.read_bytes().split(b"\n")
    lines[9] = lines[9].replace(b";385;", b";38x;")  # "6 bis unter  10 Jahre", 2024
    result = parse_genesis_population(b"\n".join(lines))
    assert result.data is None
    assert [(i.line, i.value) for i in result.issues] == [(10, "38x")]


def test_vital_statistics_check_balances():
    text = (
        ";;Zuzüge;Fortzüge;Wanderungssaldo;Lebendgeborene;Gestorbene;Geburtenüberschuss\n"
        "Musterdorf;2023;100;90;10;50;60;-10\n"
        "Musterdorf;2024;100;90;11;50;60;-10\n"
    )
    result = parse_genesis_vital_statistics(text)
    assert result.data is None
    assert [(i.line, i.column) for i in result.issues] == [(3, "net_migration")]


# --------------------------------------------------------------------------------------------
# Plain CSV
# --------------------------------------------------------------------------------------------


def test_plain_csv_german_semicolon_latin1_with_total():
    text = (
        "Jahr;Altersgruppe;Anzahl\n2024;0-2;10\n2024;3-17;20\n2024;18+;70\n2024;Insgesamt;100\n2025;0-2;11\n"
    )
    text += "2025;3-17;19\n2025;18+;72,5\n"
    result = parse_population_csv(text.encode("latin-1"))
    assert result.ok, result.issues
    assert result.data.years == (2024, 2025)
    assert result.data.counts.tolist() == [[10, 20, 70], [11, 19, 72.5]]


def test_plain_csv_english_comma_utf8_bom():
    text = "\ufeffyear,age_group,count\n31.12.2024,0-17,30\n31.12.2024,18-64,50\n31.12.2024,65+,20\n"
    result = parse_population_csv(text.encode("utf-8"))
    assert result.ok, result.issues
    assert result.data.bands == as_bands(["0-17", "18-64", "65+"])


@pytest.mark.parametrize(
    ("rows", "line", "column"),
    [
        (["2024;0-17;30", "2024;18+;-5"], 3, "count"),
        (["2024;0-17;30", "2024;18+;viele"], 3, "count"),
        (["2024;0-17;30", "2024;0-17;31", "2024;18+;5"], 3, "age_group"),
        (["2024;0-17;30", "2024;Erwachsene;5"], 3, "age_group"),
        (["2024;0-17;30", "2024;18+;5", "2024;Insgesamt;36"], 4, "count"),
        (["24;0-17;30", "2024;18+;5"], 2, "year"),
    ],
    ids=["negative", "text", "duplicate", "label", "total", "year"],
)
def test_plain_csv_errors(rows, line, column):
    result = parse_population_csv("Jahr;Altersgruppe;Anzahl\n" + "\n".join(rows) + "\n")
    assert result.data is None
    assert any(i.line == line and i.column == column for i in result.issues), result.issues


def test_plain_csv_missing_band_in_one_year_and_bad_header():
    result = parse_population_csv("Jahr;Altersgruppe;Anzahl\n2024;0-17;1\n2024;18+;2\n2025;0-17;1\n")
    assert result.data is None and "2025" in result.issues[0].message_en
    assert parse_population_csv("a;b;c\n1;2;3\n").issues[0].line == 1
