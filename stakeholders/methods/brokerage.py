"""Gould-Fernandez brokerage roles (Gould and Fernandez 1989), counted as R's ``sna::brokerage`` does.

For every directed two-path ``a -> b -> c`` with ``a != c`` and no tie ``a -> c``, the middle node ``b``
brokers; the groups of ``a``, ``b`` and ``c`` decide the role:

- coordinator: all three in one group (sna ``w_I``)
- itinerant: ``a`` and ``c`` in one group, ``b`` outside it (``w_O``)
- gatekeeper: ``b`` and ``c`` in one group, ``a`` outside (``b`` controls access to its group)
- representative: ``a`` and ``b`` in one group, ``c`` outside (``b`` speaks for its group)
- liaison: three different groups (``b_O``)

Each two-path counts once; a mutual tie is two arcs, so on a symmetric graph ``a -> b -> c`` and
``c -> b -> a`` both count (sna does the same on a symmetric adjacency matrix). No Django, no networkx:
arcs in, counts out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


def role_of(group_a: Hashable, group_b: Hashable, group_c: Hashable) -> str:
    """The role of the broker ``b`` on the path ``a -> b -> c``."""
    if group_a == group_b == group_c:
        return "coordinator"
    if group_a == group_c:
        return "itinerant"
    if group_b == group_c:
        return "gatekeeper"
    if group_a == group_b:
        return "representative"
    return "liaison"


def brokerage(
    arcs: Iterable[tuple[Hashable, Hashable]], groups: Mapping[Hashable, Hashable]
) -> dict[Hashable, dict[str, int]]:
    """Role counts per node (every node of ``groups`` appears, with zeros if it brokers nothing).

    ``arcs``: directed ties (loops and duplicates are ignored); ``groups``: node -> group (sector).
    """
    successors: dict[Hashable, set] = {node: set() for node in groups}
    predecessors: dict[Hashable, set] = {node: set() for node in groups}
    for a, b in arcs:
        if a == b:
            continue
        successors[a].add(b)
        predecessors[b].add(a)
    counts = {node: dict.fromkeys(ROLES, 0) for node in groups}
    for broker, ins in predecessors.items():
        outs = successors[broker]
        if not ins or not outs:
            continue
        group_b = groups[broker]
        tally = counts[broker]
        for a in ins:
            group_a, reach = groups[a], successors[a]
            for c in outs:
                if c == a or c in reach:
                    continue
                tally[role_of(group_a, group_b, groups[c])] += 1
    return counts


def totals(counts: Mapping[Hashable, Mapping[str, int]]) -> dict[str, int]:
    """The role counts summed over all nodes (plus ``total``)."""
    result = dict.fromkeys(ROLES, 0)
    for tally in counts.values():
        for role in ROLES:
            result[role] += tally[role]
    result["total"] = sum(result[role] for role in ROLES)
    return result
