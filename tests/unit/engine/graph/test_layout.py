"""The server-side layout: every node placed, the same input gives the same positions, nodes apart."""

from __future__ import annotations

import random

from engine.graph.layout import layout


def test_layout_is_deterministic_and_places_every_node_apart():
    rng = random.Random(7)
    nodes = [f"n{i:04d}" for i in range(600)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(900)]
    first = layout(nodes, edges)
    assert set(first) == set(nodes)
    assert layout(list(reversed(nodes)), list(reversed(edges))) == first
    assert len(set(first.values())) == len(nodes)  # no two nodes on one spot


def test_isolated_nodes_go_in_a_grid_below_the_components():
    found = layout(["a", "b", "c", "z"], [("a", "b"), ("b", "c")])
    assert max(y for n, (_, y) in found.items() if n != "z") < found["z"][1]
