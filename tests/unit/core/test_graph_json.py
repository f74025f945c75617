"""The whole-graph document is encoded by hand (app/api/graph/graph_json.py): its bytes must be
exactly what `json.dumps` writes for the same document — names and e-mails with quotes,
backslashes, control characters and non-ASCII text, missing values, positions, no edges."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import polars as pl

from app.api.graph.graph_json import graph_json
from models.graph.graph import EDGE_SCHEMA
from models.graph.graph_queries import GraphView, NodeView

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
EDGE_KEYS = ("id", "from_participant_id", "to_participant_id", "type", "source", "confidence_score")
AT = datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC)


def _node(i: int, label: str, email: str | None, xy: tuple[float, float] | None) -> NodeView:
    return NodeView(
        f"00000000-0000-4000-8000-{i:012d}",
        label,
        email,
        "member",
        "manual",
        "active",
        None if i % 2 else AT,
        AT,
        i,
        ("hub", "active") if i % 2 else (),
        xy[0] if xy else None,
        xy[1] if xy else None,
    )


def _expected(view: GraphView) -> dict:
    iso = lambda v: None if v is None else v.isoformat()  # noqa: E731
    return {
        "org_id": str(ORG),
        "at": view.at.isoformat(),
        "as_of": view.as_of,
        "total_participants": view.total_participants,
        "matching": view.matching,
        "offset": view.offset,
        "hub_min_degree": view.hub_min,
        "segment_counts": view.segment_counts,
        "nodes": [
            {
                "id": n.id,
                "display_name": n.label,
                "email": n.email,
                "role": n.role,
                "origin": n.origin,
                "lifecycle_stage": n.lifecycle_stage,
                "last_activity_at": iso(n.last_activity_at),
                "created_at": n.created_at.isoformat(),
                "degree": n.degree,
                "segments": list(n.segments),
                "x": n.x,
                "y": n.y,
            }
            for n in view.nodes
        ],
        "edges": [dict(zip(EDGE_KEYS, e, strict=True)) for e in view.edges],
    }


def _view(nodes: tuple[NodeView, ...], edges: list[tuple[str, ...]]) -> GraphView:
    frame = pl.DataFrame(edges, schema=EDGE_SCHEMA, orient="row")
    return GraphView(AT, False, 7, len(nodes), 0, nodes, frame, 3, {"hub": 1, "active": 2})


def test_the_document_is_what_json_dumps_writes():
    nodes = (
        _node(1, 'Zoë "Z" Ålund', "zoe@example.test", (12.5, -3.25)),
        _node(2, "back\\slash\ttab\nline \u2028 \U0001f600", None, (0.0, 1e-07)),
        _node(3, "Plain", "p@x.test", None),
    )
    edges = [(f"e{i}", nodes[0].id, nodes[1].id, "supports", "inferred", "0.3000") for i in range(3)]
    view = _view(nodes, edges)
    body = graph_json(ORG, view)
    expected = _expected(view)
    assert json.loads(body) == expected
    # byte for byte the document's long-standing shape: the head and nodes as json.dumps writes them
    # (default separators, non-ASCII kept), the edges compact
    head = {k: v for k, v in expected.items() if k not in ("nodes", "edges")}
    edges_text = ",".join(json.dumps(e, separators=(",", ":")) for e in expected["edges"])
    nodes_text = json.dumps(expected["nodes"], ensure_ascii=False)
    assert body == f'{json.dumps(head)[:-1]},"nodes":{nodes_text},"edges":[{edges_text}]}}'.encode()


def test_an_empty_graph():
    view = _view((), [])
    assert json.loads(graph_json(ORG, view)) == _expected(view)
    assert graph_json(ORG, view).endswith(b'"nodes":[],"edges":[]}')
