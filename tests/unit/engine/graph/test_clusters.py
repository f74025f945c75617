"""Clusters of a hand-made graph: each participant in its primary segment's cluster, relationships
counted inside a cluster or once per pair of clusters (whatever their direction), in a fixed order."""

from __future__ import annotations

from engine.graph.clusters import OTHER, Cluster, ClusterLink, fold, primary


def test_the_primary_segment_is_the_first_in_cluster_order():
    assert primary(("active", "hub")) == "hub"
    assert primary(("active", "at_risk")) == "at_risk"
    assert primary(("new",)) == "new"
    assert primary(()) == OTHER


def test_fold_counts_participants_and_relationships_inside_and_between():
    cluster_of = {"h": "hub", "a1": "active", "a2": "active", "d": "dormant", "s": OTHER}
    ends = [
        ("h", "a1"),
        ("a2", "h"),  # the other direction: the same pair of clusters
        ("a1", "a2"),
        ("d", "h"),
        ("s", "a1"),
        ("h", "gone"),  # an end outside the clusters: not counted
    ]
    clusters, links = fold(cluster_of, ends)
    assert clusters == [
        Cluster("hub", 1, 0),
        Cluster("dormant", 1, 0),
        Cluster("active", 2, 1),
        Cluster(OTHER, 1, 0),
    ]
    assert links == [
        ClusterLink("hub", "dormant", 1),
        ClusterLink("hub", "active", 2),
        ClusterLink("active", OTHER, 1),
    ]


def test_an_empty_graph_has_no_clusters():
    assert fold({}, []) == ([], [])
