"""The whole-graph document (`GET /api/orgs/{org_id}/graph`, schemas.GraphOut), encoded by hand.

At 10,000 participants and 50,000 relationships the answer is about 15 MB: validating 60,000
objects through the response model, or even building a dict per node for `json.dumps`, would cost
more than reading the graph (docs/benchmarks.md, "Operator console"). So each node and edge is one
string format: ids, vocabulary words and instants need no escaping; free text (names, e-mails) is
escaped by the json module's own C escaper; repeated values (roles, stages, segment lists) are
encoded once per request. The bytes are exactly what `json.dumps` of the same document writes (a
test compares them).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Hashable
from json.encoder import encode_basestring  # the C escaper, as json.dumps uses
from typing import Any

import polars as pl

from models.graph.graph_queries import GraphView, NodeView

# json.dumps' default separators (", " and ": "), as the document has always been written
_NODE = (
    '{"id": "%s", "display_name": %s, "email": %s, "role": %s, "origin": %s, "lifecycle_stage": %s, '
    '"last_activity_at": %s, "created_at": "%s", "degree": %d, "segments": %s, "x": %s, "y": %s}'
)
# An edge's values are ids, vocabulary words and a number: nothing in them needs JSON escaping
# (the tables' CHECKs hold the words), so the 50,000 edges' objects are put together in Polars.
_EDGE = pl.concat_str(
    pl.lit('{"id":"'),
    "id",
    pl.lit('","from_participant_id":"'),
    "from",
    pl.lit('","to_participant_id":"'),
    "to",
    pl.lit('","type":"'),
    "type",
    pl.lit('","source":"'),
    "source",
    pl.lit('","confidence_score":"'),
    "confidence",
    pl.lit('"}'),
)


def _memo(encode: Callable[[Any], str]) -> Callable[[Hashable], str]:
    """`encode`, computed once per distinct value (for the few values many nodes share)."""
    seen: dict[Hashable, str] = {}

    def get(value: Hashable) -> str:
        found = seen.get(value)
        if found is None:
            found = seen[value] = encode(value)
        return found

    return get


def _nodes(nodes: tuple[NodeView, ...]) -> str:
    word = _memo(lambda v: encode_basestring(v))
    segments = _memo(lambda v: json.dumps(list(v)))
    text = encode_basestring
    parts = [
        _NODE
        % (
            n.id,
            text(n.label),
            "null" if n.email is None else text(n.email),
            word(n.role),
            word(n.origin),
            word(n.lifecycle_stage),
            "null" if n.last_activity_at is None else f'"{n.last_activity_at.isoformat()}"',
            n.created_at.isoformat(),
            n.degree,
            segments(n.segments),
            "null" if n.x is None else repr(n.x),  # finite numbers: repr is what json.dumps writes
            "null" if n.y is None else repr(n.y),
        )
        for n in nodes
    ]
    return "[" + ", ".join(parts) + "]"


def graph_json(org_id: uuid.UUID, found: GraphView) -> bytes:
    """The GraphOut document of `found` (the model still documents it in OpenAPI)."""
    head = {
        "org_id": str(org_id),
        "at": found.at.isoformat(),
        "as_of": found.as_of,
        "total_participants": found.total_participants,
        "matching": found.matching,
        "offset": found.offset,
        "hub_min_degree": found.hub_min,
        "segment_counts": found.segment_counts,
    }
    frame = found.edge_frame
    edges = frame.select(_EDGE.str.join(",")).item() if frame.height else ""  # the frame's (id) order
    return b"".join(
        (
            json.dumps(head)[:-1].encode(),
            b',"nodes":',
            _nodes(found.nodes).encode(),
            b',"edges":[',
            edges.encode(),
            b"]}",
        )
    )
