"""Display rows of the operator console's pages: frozen dataclasses of display strings and real
bools (a default for each field), and React Flow's own node and edge shapes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FlowPosition:
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class FlowData:
    label: str = ""


@dataclass(frozen=True)
class FlowNode:
    """One React Flow node: `position` from the server's layout; `style` colours it by segment."""

    id: str = ""
    position: FlowPosition = FlowPosition()
    data: FlowData = FlowData()
    style: dict[str, str] = field(default_factory=dict)
    ariaLabel: str = ""  # noqa: N815 - React Flow's prop name


@dataclass(frozen=True)
class FlowEdge:
    id: str = ""
    source: str = ""
    target: str = ""
    style: dict[str, str] = field(default_factory=dict)
    label: str = ""  # between clusters: how many relationships


@dataclass(frozen=True)
class SegmentChip:
    key: str = ""
    label: str = ""
    count: str = ""
    definition: str = ""


@dataclass(frozen=True)
class ParticipantRow:
    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""
    origin: str = ""
    stage: str = ""
    last_activity: str = ""
    created: str = ""
    degree: str = ""
    segments: str = ""


@dataclass(frozen=True)
class RelationshipRow:
    id: str = ""
    other_id: str = ""
    other: str = ""
    direction: str = ""
    type: str = ""
    source: str = ""
    confidence: str = ""


@dataclass(frozen=True)
class ActionRow:
    action: str = ""
    label: str = ""
    reason_required: bool = False


@dataclass(frozen=True)
class RecommendationRow:
    id: str = ""
    pattern: str = ""
    target: str = ""
    action: str = ""
    reason: str = ""
    confidence: str = ""
    status: str = ""
    created: str = ""
    open: bool = False


@dataclass(frozen=True)
class InterventionRow:
    id: str = ""
    type: str = ""
    targets: str = ""
    reason: str = ""
    status: str = ""
    created: str = ""
    applied: str = ""
    expires: str = ""
    reversed: str = ""
    reversal_reason: str = ""
    operator_role: str = ""
    reversible: bool = False
    proposed: bool = False


@dataclass(frozen=True)
class ChangeRow:
    what: str = ""
    field: str = ""
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Proposal:
    """A proposed intervention and its blast radius, as the apply dialog shows it."""

    intervention: InterventionRow = InterventionRow()
    changes: list[ChangeRow] = field(default_factory=list)
    participants_changed: str = "0"
    relationships_changed: str = "0"
    participants_touched: str = "0"
    relationships_touched: str = "0"
    touched_names: str = ""
