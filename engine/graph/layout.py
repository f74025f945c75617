"""A deterministic server-side layout: readable, O(nodes + edges), no dependency.

Each connected component is drawn as rings around its most connected participant (breadth-first
layers from it: layer k on ring k, each node placed near the angle of the node that reached it);
components are packed left to right in rows, largest first, and participants without any
relationship fill a grid under them. The same graph always gets the same positions.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence

SPACING = 70.0  # distance between neighbouring nodes on a ring and between rings
ROW_WIDTH = 4200.0  # components wrap to a new row past this width
GAP = 140.0


def _components(nodes: Sequence[str], adjacency: dict[str, list[str]]) -> list[list[str]]:
    seen: set[str] = set()
    found = []
    for start in nodes:
        if start in seen:
            continue
        seen.add(start)
        members, queue = [], deque([start])
        while queue:
            node = queue.popleft()
            members.append(node)
            for other in adjacency[node]:
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        found.append(members)
    return found


def _rings(members: list[str], adjacency: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    centre = min(members, key=lambda n: (-len(adjacency[n]), n))  # most connected; ties: smallest id
    angle = {centre: 0.0}
    layers: list[list[str]] = [[centre]]
    seen = {centre}
    while True:
        nxt: list[str] = []
        for node in layers[-1]:
            for other in adjacency[node]:
                if other not in seen:
                    seen.add(other)
                    angle[other] = angle[node]
                    nxt.append(other)
        if not nxt:
            break
        layers.append(nxt)
    placed = {centre: (0.0, 0.0)}
    for depth, layer in enumerate(layers[1:], start=1):
        layer.sort(key=lambda n: (angle[n], n))
        radius = max(depth * SPACING * 1.6, len(layer) * SPACING / (2 * math.pi))
        for index, node in enumerate(layer):
            theta = 2 * math.pi * index / len(layer)
            angle[node] = theta
            placed[node] = (radius * math.cos(theta), radius * math.sin(theta))
    return placed


def layout(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Positions (x, y) for every node in `nodes`; edges to unknown nodes are ignored."""
    ordered = sorted(set(nodes))
    adjacency: dict[str, list[str]] = defaultdict(list)
    known = set(ordered)
    for a, b in edges:
        if a in known and b in known and a != b:
            adjacency[a].append(b)
            adjacency[b].append(a)
    for node in ordered:
        adjacency[node] = sorted(set(adjacency[node]))
    comps = _components(ordered, adjacency)
    connected = sorted((c for c in comps if len(c) > 1), key=lambda c: (-len(c), min(c)))
    loners = sorted(n for c in comps if len(c) == 1 for n in c)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for members in connected:
        local = _rings(members, adjacency)
        min_x = min(p[0] for p in local.values())
        max_x = max(p[0] for p in local.values())
        min_y = min(p[1] for p in local.values())
        max_y = max(p[1] for p in local.values())
        width, height = max_x - min_x, max_y - min_y
        if x > 0 and x + width > ROW_WIDTH:
            x, y, row_height = 0.0, y + row_height + GAP, 0.0
        for node, (px, py) in local.items():
            positions[node] = (round(x + px - min_x, 1), round(y + py - min_y, 1))
        x += width + GAP
        row_height = max(row_height, height)
    y = y + row_height + GAP if connected else 0.0
    per_row = max(1, int(ROW_WIDTH // SPACING))
    for index, node in enumerate(loners):
        positions[node] = (round((index % per_row) * SPACING, 1), round(y + (index // per_row) * SPACING, 1))
    return positions
