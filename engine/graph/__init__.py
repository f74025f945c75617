"""The operator console's pure logic: vocabularies, segments, recommendation patterns, intervention
plans and their blast radius, the graph as of a past time, and the server-side layout."""
