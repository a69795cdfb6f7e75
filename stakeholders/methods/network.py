"""Centralities and brokerage of a stakeholder network, without Django.

The centralities are computed on the undirected simple graph (a tie counts whatever its direction):
degree and eigenvector centrality with networkx; betweenness and closeness with one compiled pass of
Brandes' algorithm (numba; networkx's pure-Python betweenness alone takes more than the 2 s the issue
allows for a 500-node, 5,000-edge graph). The results equal networkx's ``betweenness_centrality`` and
``closeness_centrality`` (normalised, Wasserman-Faust for disconnected graphs); tests compare them.
Brokerage (Gould-Fernandez) runs on the directed arcs with the sectors as groups.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import networkx as nx
import numpy as np

from stakeholders.methods.brokerage import ROLES, brokerage, totals

MEASURES = ("degree", "betweenness", "closeness", "eigenvector")


@dataclass
class NetworkResult:
    nodes: int
    edges: int  # undirected ties
    measures: dict[Hashable, dict[str, float]]
    brokerage: dict[Hashable, dict[str, int]]
    brokerage_totals: dict[str, int]


def _brandes(indptr, indices, n, between, closeness):  # pragma: no cover - compiled by numba
    """Brandes (2001) on an unweighted graph in CSR form: raw betweenness (each pair counted from both
    ends) into ``between``; for closeness, per source the sum of distances and the reach."""
    sigma = np.zeros(n, dtype=np.float64)
    delta = np.zeros(n, dtype=np.float64)
    dist = np.full(n, -1, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    for s in range(n):
        for v in range(n):
            sigma[v] = 0.0
            delta[v] = 0.0
            dist[v] = -1
        sigma[s] = 1.0
        dist[s] = 0
        head = 0
        tail = 1
        order[0] = s
        total = 0
        while head < tail:
            v = order[head]
            head += 1
            total += dist[v]
            for p in range(indptr[v], indptr[v + 1]):
                w = indices[p]
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    order[tail] = w
                    tail += 1
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
        reach = tail
        if total > 0 and n > 1:
            closeness[s] = ((reach - 1) / total) * ((reach - 1) / (n - 1))
        for k in range(tail - 1, 0, -1):
            w = order[k]
            for p in range(indptr[w], indptr[w + 1]):
                v = indices[p]
                if dist[v] == dist[w] - 1:
                    delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
            between[w] += delta[w]


@cache
def _compiled_brandes():
    """Compiled on first use (importing numba costs every process start-up time)."""
    import numba

    return numba.njit(cache=True, nogil=True)(_brandes)


def betweenness_closeness(graph: nx.Graph) -> tuple[dict, dict]:
    """Normalised betweenness and closeness of an undirected graph, as networkx defines them."""
    nodes = list(graph.nodes)
    n = len(nodes)
    if n == 0:
        return {}, {}
    position = {node: i for i, node in enumerate(nodes)}
    indptr = np.zeros(n + 1, dtype=np.int64)
    neighbours: list[int] = []
    for i, node in enumerate(nodes):
        row = [position[m] for m in graph.adj[node] if m != node]
        neighbours.extend(row)
        indptr[i + 1] = indptr[i] + len(row)
    indices = np.asarray(neighbours, dtype=np.int64)
    between = np.zeros(n)
    closeness = np.zeros(n)
    _compiled_brandes()(indptr, indices, n, between, closeness)
    # undirected: each pair was counted from both ends; networkx scales by 1 / ((n-1)(n-2)) then
    scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return (
        {node: float(between[i] * scale) for i, node in enumerate(nodes)},
        {node: float(closeness[i]) for i, node in enumerate(nodes)},
    )


def undirected(nodes: Iterable[Hashable], arcs: Iterable[tuple[Hashable, Hashable]]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, b in arcs if a != b)
    return graph


def eigenvector(graph: nx.Graph) -> dict[Hashable, float]:
    if graph.number_of_edges() == 0:
        return dict.fromkeys(graph.nodes, 0.0)
    try:
        return nx.eigenvector_centrality(graph, max_iter=1000, tol=1e-8)
    except nx.PowerIterationFailedConvergence:  # pragma: no cover - (A + I) iteration converges in practice
        return dict.fromkeys(graph.nodes, 0.0)


def analyse(groups: Mapping[Hashable, Hashable], arcs: Iterable[tuple[Hashable, Hashable]]) -> NetworkResult:
    """Centralities and brokerage of the network of ``groups``' nodes (node -> sector) and directed arcs."""
    arcs = [(a, b) for a, b in arcs if a in groups and b in groups and a != b]
    graph = undirected(groups, arcs)
    degree = nx.degree_centrality(graph) if len(graph) > 1 else dict.fromkeys(graph.nodes, 0.0)
    between, close = betweenness_closeness(graph)
    eigen = eigenvector(graph)
    measures = {
        node: {
            "degree": degree[node],
            "betweenness": between[node],
            "closeness": close[node],
            "eigenvector": eigen[node],
        }
        for node in graph.nodes
    }
    counts = brokerage(arcs, groups)
    return NetworkResult(
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        measures=measures,
        brokerage=counts,
        brokerage_totals=totals(counts),
    )


__all__ = ["MEASURES", "ROLES", "NetworkResult", "analyse", "betweenness_closeness"]
