"""The operator console's vocabularies, written once: CHECK constraints, API enums, filters and the
seed read them from here.

Compliance (operator-graph spec): the words are neutral. A participant has a role and a lifecycle
stage, a relationship a type and a source; nothing places one participant above another (no
hierarchy fields of any kind), and nothing speaks of pay or of bringing people in.
tests/unit/engine/graph/test_compliance.py scans the module for the forbidden terms.
"""

from __future__ import annotations

PARTICIPANT_ROLES: tuple[str, ...] = ("member", "partner", "coordinator", "service")
ORIGINS: tuple[str, ...] = ("manual", "import", "system")
LIFECYCLE_STAGES: tuple[str, ...] = ("new", "active", "paused", "closed")
RELATIONSHIP_TYPES: tuple[str, ...] = ("collaborates", "communicates", "supports", "integrates")
RELATIONSHIP_SOURCES: tuple[str, ...] = ("manual", "import", "inferred", "confirmed")
TARGET_TYPES: tuple[str, ...] = ("participant", "relationship")
SCOPES: tuple[str, ...] = ("participant", "relationship")

# participants the platform runs (integrations): in the graph, never in a segment or a recommendation
SYSTEM_ORIGIN = "system"
CLOSED = "closed"
