"""A small directed graph drawn as SVG, laid out on the server (no graph library in the browser).

`layout(nodes, edges)` puts every node in a column by its longest path from a source (sources left),
orders each column by the average row of its predecessors (fewer crossings), and returns a
`DagLayout` of frozen rows with coordinates; `dag_view(state_var, ...)` draws it. Plans have a few
dozen nodes at most, so this is exact and instant; a cycle (which a valid plan never has) is broken
by leaving the back edges out of the layering, and the edges are still drawn.

    self.graph = dag.layout([DagNodeSpec("salary", "salary", "input"), DagNodeSpec("bonus", "bonus", "step")],
                            [("salary", "bonus")])
    dag_view(State.graph, "plan-dag", on_node_click=State.select_step)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

CHAR_W = 7.3  # px per character of the 12px monospace label
NODE_H = 28
PAD_X = 12
GAP_X = 56
GAP_Y = 14
MARGIN = 8


@dataclass(frozen=True)
class DagNodeSpec:
    id: str
    label: str
    kind: str = "step"  # input | step | other: the colour
    flagged: bool = False  # drawn in red (a step with a problem)
    title: str = ""  # tooltip


@dataclass(frozen=True)
class DagNode:
    id: str = ""
    label: str = ""
    kind: str = ""
    flagged: bool = False
    title: str = ""
    x: int = 0
    y: int = 0
    w: int = 0
    h: int = NODE_H
    text_x: int = 0
    text_y: int = 0


@dataclass(frozen=True)
class DagEdge:
    source: str = ""
    target: str = ""
    d: str = ""


@dataclass(frozen=True)
class DagLayout:
    width: int = 0
    height: int = 0
    nodes: list[DagNode] = field(default_factory=list)
    edges: list[DagEdge] = field(default_factory=list)


def layout(nodes: Sequence[DagNodeSpec], edges: Sequence[tuple[str, str]]) -> DagLayout:
    """Columns by longest path from a source, rows by predecessors' average; coordinates in px."""
    ids = [n.id for n in nodes]
    known = set(ids)
    edges = [(a, b) for a, b in dict.fromkeys(edges) if a in known and b in known and a != b]
    preds: dict[str, list[str]] = {i: [] for i in ids}
    for a, b in edges:
        preds[b].append(a)
    column = _columns(ids, preds)
    columns: dict[int, list[str]] = {}
    for i in ids:
        columns.setdefault(column[i], []).append(i)
    row: dict[str, int] = {}
    for c in sorted(columns):
        members = columns[c]
        if c:
            placed = {m: [row[p] for p in preds[m] if p in row] for m in members}
            members.sort(key=lambda m: sum(placed[m]) / len(placed[m]) if placed[m] else float("inf"))
        for r, m in enumerate(members):
            row[m] = r
    spec = {n.id: n for n in nodes}
    widths = {i: max(64, round(len(spec[i].label) * CHAR_W) + 2 * PAD_X) for i in ids}
    col_x: dict[int, int] = {}
    x = MARGIN
    for c in sorted(columns):
        col_x[c] = x
        x += max(widths[m] for m in columns[c]) + GAP_X
    height_rows = max((len(m) for m in columns.values()), default=0)
    placed_nodes: dict[str, DagNode] = {}
    for i in ids:
        n = spec[i]
        nx, ny = col_x[column[i]], MARGIN + int(row[i]) * (NODE_H + GAP_Y)
        placed_nodes[i] = DagNode(
            n.id,
            n.label,
            n.kind,
            n.flagged,
            n.title or n.label,
            nx,
            ny,
            widths[i],
            NODE_H,
            nx + widths[i] // 2,
            ny + NODE_H // 2 + 4,
        )
    out_edges = []
    for a, b in edges:
        s, t = placed_nodes[a], placed_nodes[b]
        x1, y1 = s.x + s.w, s.y + NODE_H / 2
        x2, y2 = t.x, t.y + NODE_H / 2
        if x2 <= x1:  # a back edge (a cycle): loop under the nodes
            low = max(s.y, t.y) + NODE_H + GAP_Y / 2
            d = f"M{x1:.1f},{y1:.1f} C{x1 + 30:.1f},{low:.1f} {x2 - 30:.1f},{low:.1f} {x2:.1f},{y2:.1f}"
        else:
            mid = (x1 + x2) / 2
            d = f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2 - 4:.1f},{y2:.1f}"
        out_edges.append(DagEdge(a, b, d))
    width = (x - GAP_X + MARGIN) if ids else 0
    height = (MARGIN * 2 + height_rows * (NODE_H + GAP_Y) - GAP_Y) if ids else 0
    return DagLayout(width, height, [placed_nodes[i] for i in ids], out_edges)


def _columns(ids: list[str], preds: dict[str, list[str]]) -> dict[str, int]:
    """Longest path from a source; back edges of a cycle (found by DFS) are ignored."""
    column: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(i: str) -> int:
        if i in column:
            return column[i]
        visiting.add(i)
        best = 0
        for p in preds[i]:
            if p not in visiting:
                best = max(best, depth(p) + 1)
        visiting.discard(i)
        column[i] = best
        return best

    for i in ids:
        depth(i)
    # a source sits just left of its first user, so an input used only late needs no long edge
    users: dict[str, list[str]] = {i: [] for i in ids}
    for i in ids:
        for p in preds[i]:
            users[p].append(i)
    for i in ids:
        if not preds[i] and users[i]:
            column[i] = max(0, min(column[u] for u in users[i]) - 1)
    return column


_FILL = {"input": rx.color("gray", 3), "step": rx.color("accent", 3)}
_STROKE = {"input": rx.color("gray", 8), "step": rx.color("accent", 8)}


def dag_view(
    graph: Any, testid: str, *, on_node_click: Callable | None = None, empty: str = "Nothing to draw yet."
) -> rx.Component:
    """Draw a `DagLayout` state var; `on_node_click(node_id)` when given (nodes become buttons)."""
    marker = f"{testid}-arrow"

    def node(n: Any) -> rx.Component:
        fill = rx.cond(n.flagged, rx.color("red", 3), rx.cond(n.kind == "input", _FILL["input"], _FILL["step"]))
        stroke = rx.cond(n.flagged, rx.color("red", 9), rx.cond(n.kind == "input", _STROKE["input"], _STROKE["step"]))
        props = {}
        if on_node_click is not None:
            props = {
                "on_click": on_node_click(n.id),
                "style": {"cursor": "pointer"},
                "tab_index": 0,
                "role": "button",
                "aria_label": n.title,
            }
        return rx.el.g(
            rx.el.title(n.title),
            rx.el.rect(x=n.x, y=n.y, width=n.w, height=n.h, rx=6, fill=fill, stroke=stroke, stroke_width=1),
            rx.el.text(
                n.label,
                x=n.text_x,
                y=n.text_y,
                text_anchor="middle",
                fill=rx.color("gray", 12),
                style={"font_size": "12px", "font_family": "ui-monospace, 'DejaVu Sans Mono', monospace"},
            ),
            class_name="pharos-dag-node",
            data_testid=f"{testid}-node",
            data_node=n.id,
            data_kind=n.kind,
            **props,
        )

    svg = rx.el.svg(
        rx.el.defs(
            rx.el.marker(
                rx.el.path(d="M0,0 L8,4 L0,8 z", fill=rx.color("gray", 9)),
                id=marker,
                view_box="0 0 8 8",
                ref_x="8",
                ref_y="4",
                marker_width="8",
                marker_height="8",
                orient="auto",
            )
        ),
        rx.foreach(
            graph.edges,
            lambda e: rx.el.path(
                d=e.d,
                fill="none",
                stroke=rx.color("gray", 9),
                stroke_width=1.2,
                marker_end=f"url(#{marker})",
                data_testid=f"{testid}-edge",
                data_source=e.source,
                data_target=e.target,
            ),
        ),
        rx.foreach(graph.nodes, node),
        width=graph.width,
        height=graph.height,
        view_box=f"0 0 {graph.width} {graph.height}",
        role="img",
        aria_label="Dependency graph",
    )
    return rx.cond(
        graph.nodes.length() > 0,
        rx.box(svg, overflow_x="auto", width="100%", data_testid=testid),
        rx.text(empty, color_scheme="gray", size="2", data_testid=f"{testid}-empty"),
    )
