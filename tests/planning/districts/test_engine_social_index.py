"""The social index against a hand-computed case; ranks, change, coverage, groups."""

import math

import pandas as pd
import pytest

from planning.engine.social_index import IndexSpec, profile_groups, social_index, z_scores

SPECS = {
    "sgb2": IndexSpec(2.0, "worse"),
    "space": IndexSpec(1.0, "better"),
    "migration": IndexSpec(1.0, "neutral"),  # neutral: never in the index, whatever its weight
    "population": IndexSpec(0.0, "worse"),  # weight 0: not in the index
}


def frame(rows):
    return pd.DataFrame(rows, columns=["district", "indicator", "year", "value"])


def values_2024():
    return [
        ("A", "sgb2", 2024, 20.0), ("B", "sgb2", 2024, 10.0), ("C", "sgb2", 2024, 0.0),
        ("A", "space", 2024, 30.0), ("B", "space", 2024, 40.0), ("C", "space", 2024, 50.0),
        ("A", "migration", 2024, 60.0), ("B", "migration", 2024, 10.0), ("C", "migration", 2024, 5.0),
        ("A", "population", 2024, 9000.0), ("B", "population", 2024, 100.0), ("C", "population", 2024, 50.0),
    ]  # fmt: skip


def test_index_against_a_hand_computed_case():
    # By hand: sgb2 mean 10, population SD sqrt(200/3) = 8.165 -> z = +1.2247, 0, -1.2247
    #          space mean 40, SD 8.165 -> z = -1.2247, 0, +1.2247; "higher is better" flips the sign
    #          index = (2 * z_sgb2 + 1 * (-z_space)) / 3 = (2 * 1.2247 + 1.2247) / 3 = 1.2247 for A
    table = social_index(frame(values_2024()), SPECS).set_index("district")
    z = 10 / math.sqrt(200 / 3)
    assert table.loc["A", "index"] == pytest.approx(z)
    assert table.loc["B", "index"] == pytest.approx(0.0)
    assert table.loc["C", "index"] == pytest.approx(-z)
    assert list(table["rank"]) == [1, 2, 3]
    assert set(table["coverage"]) == {1.0}


def test_uneven_weights_and_directions():
    rows = [
        ("A", "sgb2", 2024, 10.0), ("B", "sgb2", 2024, 20.0),
        ("A", "space", 2024, 30.0), ("B", "space", 2024, 50.0),
    ]  # fmt: skip
    # z: sgb2 A -1, B +1; space A -1, B +1, signed -> A +1, B -1; index A = (2*-1 + 1*1)/3 = -1/3
    table = social_index(frame(rows), SPECS).set_index("district")
    assert table.loc["A", "index"] == pytest.approx(-1 / 3)
    assert table.loc["B", "index"] == pytest.approx(1 / 3)


def test_missing_values_renormalise_and_too_little_coverage_gives_no_index():
    rows = [r for r in values_2024() if not (r[0] == "C" and r[1] == "sgb2")]
    table = social_index(frame(rows), SPECS).set_index("district")
    # C has only "space" (weight 1 of 3): coverage 1/3 < 1/2 -> no index, no rank
    assert table.loc["C", "coverage"] == pytest.approx(1 / 3)
    assert math.isnan(table.loc["C", "index"]) and math.isnan(table.loc["C", "rank"])
    # A: sgb2 among A and B only (mean 15, SD 5 -> z +1); space -1.2247 signed +1.2247
    assert table.loc["A", "index"] == pytest.approx((2 * 1 + 1 * 10 / math.sqrt(200 / 3)) / 3)


def test_all_equal_values_contribute_zero():
    rows = [("A", "sgb2", 2024, 5.0), ("B", "sgb2", 2024, 5.0)]
    table = social_index(frame(rows), SPECS)
    assert list(table["index"]) == [0.0, 0.0] and list(table["rank"]) == [1, 1]


def test_change_and_rank_change_over_time():
    rows = [
        *values_2024(),
        ("A", "sgb2", 2025, 0.0), ("B", "sgb2", 2025, 10.0), ("C", "sgb2", 2025, 20.0),
        ("A", "space", 2025, 50.0), ("B", "space", 2025, 40.0), ("C", "space", 2025, 30.0),
    ]  # fmt: skip
    table = social_index(frame(rows), SPECS).set_index(["district", "year"])
    z = 10 / math.sqrt(200 / 3)
    assert table.loc[("A", 2025), "change"] == pytest.approx(-2 * z)
    assert table.loc[("A", 2025), "rank_change"] == -2  # from rank 1 to 3
    assert table.loc[("C", 2025), "rank_change"] == 2
    assert math.isnan(table.loc[("A", 2024), "change"])


def test_the_index_does_not_depend_on_row_order():
    rows = values_2024()
    a = social_index(frame(rows), SPECS)
    b = social_index(frame(list(reversed(rows))), SPECS)
    pd.testing.assert_frame_equal(a, b)


def test_z_scores_leave_out_neutral_and_unweighted_indicators():
    assert list(z_scores(frame(values_2024()), SPECS).columns) == ["sgb2", "space"]


def test_groups_are_numbered_by_need():
    rows = []
    for n, (sgb2, space) in enumerate([(30, 20), (29, 21), (5, 45), (6, 44), (15, 33), (16, 32)]):
        rows += [(f"D{n}", "sgb2", 2024, float(sgb2)), (f"D{n}", "space", 2024, float(space))]
    groups = profile_groups(frame(rows), SPECS, 2024, k=3)
    assert [sorted(g.districts) for g in groups] == [["D0", "D1"], ["D4", "D5"], ["D2", "D3"]]
    assert groups[0].mean_index > groups[1].mean_index > groups[2].mean_index
    assert [name for name, _ in groups[0].marked] == ["sgb2", "space"]
    assert profile_groups(frame(rows), SPECS, 2030) == []
