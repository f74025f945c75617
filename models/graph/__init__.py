"""The operator console: participants and their relationships, computed segments, recommendations
and reversible interventions (docs/graph.md)."""
