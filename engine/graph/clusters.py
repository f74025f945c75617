"""The graph folded into clusters, for graphs too large to draw node by node (beyond the page's
2,000 participants): one cluster per participant's primary segment — the first of CLUSTER_ORDER it
is in (a hub that is also active is in the hub cluster), `other` when it is in none (system
participants, closed ones) — with how many participants each holds, how many relationships run
inside it, and how many run between each pair of clusters. Opening a cluster is filtering the graph
by its segment. Pure and deterministic: the same graph gives the same clusters, in a fixed order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CLUSTER_ORDER: tuple[str, ...] = ("hub", "dormant", "at_risk", "isolated", "new", "active")
OTHER = "other"


@dataclass(frozen=True)
class Cluster:
    key: str  # a segment key, or OTHER
    participants: int
    inside: int  # relationships with both ends in this cluster


@dataclass(frozen=True)
class ClusterLink:
    a: str  # a < b in CLUSTER_ORDER (then OTHER)
    b: str
    relationships: int


def primary(segments: Iterable[str]) -> str:
    """The cluster of a participant in `segments`."""
    held = set(segments)
    return next((key for key in CLUSTER_ORDER if key in held), OTHER)


def fold(cluster_of: Mapping[str, str], ends: Iterable[tuple[str, str]]) -> tuple[list[Cluster], list[ClusterLink]]:
    """Clusters of the participants in `cluster_of` (participant id → cluster key) and the links
    between them; relationships with an end outside `cluster_of` are not counted."""
    position = {key: n for n, key in enumerate((*CLUSTER_ORDER, OTHER))}
    sizes = Counter(cluster_of.values())
    inside: Counter[str] = Counter()
    between: Counter[tuple[str, str]] = Counter()
    for a, b in ends:
        ca, cb = cluster_of.get(a), cluster_of.get(b)
        if ca is None or cb is None:
            continue
        if ca == cb:
            inside[ca] += 1
        else:
            between[(ca, cb) if position[ca] < position[cb] else (cb, ca)] += 1
    clusters = [Cluster(key, sizes[key], inside[key]) for key in sorted(sizes, key=position.__getitem__)]
    pairs = sorted(between, key=lambda pair: (position[pair[0]], position[pair[1]]))
    links = [ClusterLink(a, b, between[(a, b)]) for a, b in pairs]
    return clusters, links
