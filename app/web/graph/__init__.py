"""The operator console's pages: the graph view (/graph) and the recommendations queue
(/graph/recommendations). docs/graph.md."""
