"""The pure methods: salience classes, grid quadrants, Gould-Fernandez brokerage, network measures."""

import datetime as dt
import itertools
import random
from decimal import Decimal

import networkx as nx
import pytest

from stakeholders.methods import network
from stakeholders.methods.brokerage import ROLES, brokerage, role_of, totals
from stakeholders.methods.grid import quadrant_of, suggested_strategy
from stakeholders.methods.salience import salience_class
from stakeholders.methods.valuation import hours_value, rate_on


@pytest.mark.parametrize(
    ("power", "legitimacy", "urgency", "expected"),
    [
        (False, False, False, "none"),
        (True, False, False, "dormant"),
        (False, True, False, "discretionary"),
        (False, False, True, "demanding"),
        (True, True, False, "dominant"),
        (True, False, True, "dangerous"),
        (False, True, True, "dependent"),
        (True, True, True, "definitive"),
    ],
)
def test_salience_class_of_every_combination(power, legitimacy, urgency, expected):
    assert salience_class(power, legitimacy, urgency) == expected


@pytest.mark.parametrize(
    ("influence", "interest", "quadrant"),
    [(5, 5, "manage_closely"), (3, 3, "manage_closely"), (5, 1, "keep_satisfied"), (3, 2, "keep_satisfied"),
     (1, 5, "keep_informed"), (2, 3, "keep_informed"), (1, 1, "monitor"), (2, 2, "monitor")],
)  # fmt: skip
def test_grid_quadrant_and_strategy(influence, interest, quadrant):
    assert quadrant_of(influence, interest) == quadrant
    assert suggested_strategy(influence, interest) == quadrant


# -- brokerage -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ("XXX", "coordinator"),
        ("XYX", "itinerant"),
        ("XYY", "gatekeeper"),
        ("XXY", "representative"),
        ("XYZ", "liaison"),
    ],
)
def test_each_role_on_a_directed_two_path(groups, role):
    """a -> b -> c: the middle node brokers once, in the role its groups define."""
    counts = brokerage([("a", "b"), ("b", "c")], dict(zip("abc", groups, strict=True)))
    assert counts["b"] == {r: int(r == role) for r in ROLES}
    assert sum(counts["a"].values()) == sum(counts["c"].values()) == 0


def test_a_closed_triad_has_no_broker():
    counts = brokerage([("a", "b"), ("b", "c"), ("a", "c")], dict.fromkeys("abc", "X"))
    assert totals(counts)["total"] == 0


def test_mutual_ties_count_both_directions_like_sna_on_a_symmetric_matrix():
    arcs = [("a", "b"), ("b", "a"), ("b", "c"), ("c", "b")]
    counts = brokerage(arcs, dict.fromkeys("abc", "X"))
    assert counts["b"]["coordinator"] == 2


def test_star_with_mixed_groups():
    """Centre s (X) with leaves l1, l2 (X) and l3 (Y), mutual ties: six ordered leaf pairs through s."""
    arcs = [(x, y) for leaf in ("l1", "l2", "l3") for x, y in (("s", leaf), (leaf, "s"))]
    counts = brokerage(arcs, {"s": "X", "l1": "X", "l2": "X", "l3": "Y"})
    assert counts["s"] == {
        "coordinator": 2,
        "itinerant": 0,
        "gatekeeper": 2,
        "representative": 2,
        "liaison": 0,
    }


def test_two_groups_bridge():
    """Two pairs bridged by one tie: a1 <-> a2 (A), b1 <-> b2 (B), a2 -> b1 (directed).
    Paths: a1 -> a2 -> b1 (a2 represents A), a2 -> b1 -> b2 (b1 is B's gatekeeper)."""
    arcs = [("a1", "a2"), ("a2", "a1"), ("b1", "b2"), ("b2", "b1"), ("a2", "b1")]
    counts = brokerage(arcs, {"a1": "A", "a2": "A", "b1": "B", "b2": "B"})
    assert counts["a2"]["representative"] == 1 and sum(counts["a2"].values()) == 1
    assert counts["b1"]["gatekeeper"] == 1 and sum(counts["b1"].values()) == 1
    assert totals(counts) == {**dict.fromkeys(ROLES, 0), "representative": 1, "gatekeeper": 1, "total": 2}


def test_loops_and_duplicate_arcs_are_ignored():
    counts = brokerage([("a", "a"), ("a", "b"), ("a", "b"), ("b", "c")], dict.fromkeys("abc", "X"))
    assert counts["b"]["coordinator"] == 1


@pytest.mark.parametrize("seed", range(5))
def test_brokerage_equals_brute_force_over_all_triples(seed):
    """An independent count over every ordered triple (the definition of sna::brokerage)."""
    rng = random.Random(seed)
    nodes = list(range(14))
    groups = {n: rng.choice("PTIM") for n in nodes}
    arcs = {(a, b) for a in nodes for b in nodes if a != b and rng.random() < 0.2}
    expected = {n: dict.fromkeys(ROLES, 0) for n in nodes}
    for a, b, c in itertools.permutations(nodes, 3):
        if (a, b) in arcs and (b, c) in arcs and (a, c) not in arcs:
            expected[b][role_of(groups[a], groups[b], groups[c])] += 1
    assert brokerage(arcs, groups) == expected


# -- network measures --------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_betweenness_and_closeness_equal_networkx(seed):
    graph = nx.gnm_random_graph(60, 150, seed=seed)
    graph.add_nodes_from([100, 101])  # isolated nodes
    graph.add_edge(102, 103)  # a second component
    between, close = network.betweenness_closeness(graph)
    reference_b, reference_c = nx.betweenness_centrality(graph), nx.closeness_centrality(graph)
    for node in graph:
        assert between[node] == pytest.approx(reference_b[node], abs=1e-12)
        assert close[node] == pytest.approx(reference_c[node], abs=1e-12)


def test_analyse_a_small_network():
    groups = {1: "public", 2: "third", 3: "third", 4: "market"}
    arcs = [(1, 2), (2, 1), (2, 3), (3, 2), (3, 4)]
    result = network.analyse(groups, arcs)
    assert (result.nodes, result.edges) == (4, 3)
    assert result.measures[2]["degree"] == pytest.approx(2 / 3)
    # a path 1 - 2 - 3 - 4: the middle nodes lie on two of the three pairs' shortest paths
    assert result.measures[2]["betweenness"] == pytest.approx(2 / 3)
    assert result.measures[1]["betweenness"] == 0
    # 1 -> 2 -> 3 (public -> third -> third): 2 is the third sector's gatekeeper; 3 -> 2 -> 1: its
    # representative; 2 -> 3 -> 4 (third -> third -> market): 3 represents the third sector
    assert result.brokerage[2] == {**dict.fromkeys(ROLES, 0), "gatekeeper": 1, "representative": 1}
    assert result.brokerage[3] == {**dict.fromkeys(ROLES, 0), "representative": 1}
    assert result.brokerage_totals["total"] == 3


def test_analyse_empty_and_edgeless_graphs():
    assert network.analyse({}, []).nodes == 0
    result = network.analyse({1: "public", 2: "third"}, [])
    assert result.measures[1] == {"degree": 0.0, "betweenness": 0.0, "closeness": 0.0, "eigenvector": 0.0}


def test_shadow_wage_rate_of_a_date():
    rates = [(dt.date(2025, 1, 1), Decimal("12.82")), (dt.date(2026, 1, 1), Decimal("13.90"))]
    assert rate_on(rates, dt.date(2025, 12, 31)) == (dt.date(2025, 1, 1), Decimal("12.82"))
    assert rate_on(rates, dt.date(2026, 1, 1))[1] == Decimal("13.90")
    assert rate_on(rates, dt.date(2024, 12, 31)) is None
    assert hours_value(1000, Decimal("13.90")) == Decimal("13900.00")
