"""kit.dag.layout: sources left, each node right of everything it depends on, no overlaps."""

from __future__ import annotations

from app.web.kit.dag import NODE_H, DagNodeSpec, layout


def _plan():
    nodes = [
        DagNodeSpec("salary", "salary", "input"),
        DagNodeSpec("perf", "perf", "input"),
        DagNodeSpec("target", "target", "step"),
        DagNodeSpec("multiplier", "multiplier", "step"),
        DagNodeSpec("bonus", "bonus", "step", flagged=True, title="bonus: unknown name"),
    ]
    edges = [("salary", "target"), ("perf", "multiplier"), ("target", "bonus"), ("multiplier", "bonus")]
    return nodes, edges


def test_every_edge_goes_left_to_right_and_nodes_do_not_overlap():
    g = layout(*_plan())
    at = {n.id: n for n in g.nodes}
    assert [n.id for n in g.nodes] == ["salary", "perf", "target", "multiplier", "bonus"]
    for e in g.edges:
        assert at[e.source].x + at[e.source].w < at[e.target].x
        assert e.d.startswith("M")
    boxes = [(n.x, n.y, n.x + n.w, n.y + n.h) for n in g.nodes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    assert all(n.x + n.w <= g.width and n.y + n.h <= g.height for n in g.nodes)
    assert at["bonus"].flagged and at["bonus"].title == "bonus: unknown name"
    assert at["target"].title == "target"  # the label when no title is given


def test_columns_follow_the_longest_path_and_rows_follow_predecessors():
    g = layout(*_plan())
    at = {n.id: n for n in g.nodes}
    assert at["salary"].x == at["perf"].x < at["target"].x == at["multiplier"].x < at["bonus"].x
    # target hangs off salary (row 0), multiplier off perf (row 1): no crossing
    assert at["target"].y < at["multiplier"].y
    assert at["salary"].y == at["target"].y and at["bonus"].h == NODE_H


def test_unknown_and_duplicate_edges_are_dropped_and_a_cycle_still_draws():
    nodes = [DagNodeSpec("a", "a"), DagNodeSpec("b", "b")]
    g = layout(nodes, [("a", "b"), ("a", "b"), ("b", "a"), ("a", "zz"), ("a", "a")])
    assert [(e.source, e.target) for e in g.edges] == [("a", "b"), ("b", "a")]
    assert len(g.nodes) == 2 and g.width > 0


def test_empty_graph():
    g = layout([], [])
    assert (g.width, g.height, g.nodes, g.edges) == (0, 0, [], [])


def test_an_input_used_only_late_sits_just_left_of_its_user():
    nodes, edges = _plan()
    g = layout([*nodes, DagNodeSpec("fund", "fund", "input")], [*edges, ("fund", "bonus")])
    at = {n.id: n for n in g.nodes}
    assert at["fund"].x == at["target"].x < at["bonus"].x
