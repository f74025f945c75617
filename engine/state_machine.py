"""State machines as data, shared by the decision path and the UI.

A machine lists its states and its transitions. A transition names the action, the states it
leaves from, the state it enters, the permission it needs, whether a reason is required and
whether only the owner of the entity (e.g. the vendor of a case) may take it. The decision path
enforces exactly this table; the UI asks `available_actions` which buttons to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.context import TenantContext
from engine.errors import Forbidden, InvalidTransition, StaleStatus, ValidationFailed

MAX_UI_ACTIONS = 4


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    permission: str
    reason_required: bool = False
    owner_only: bool = False
    label: str = ""

    @property
    def display(self) -> str:
        return self.label or self.action.replace("_", " ").capitalize()


@dataclass(frozen=True)
class StateMachine:
    name: str
    states: frozenset[str]
    initial: str
    transitions: tuple[Transition, ...]
    terminal: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.initial not in self.states:
            raise ValueError(f"{self.name}: initial state {self.initial!r} is not a state")
        seen: set[tuple[str, str]] = set()
        for t in self.transitions:
            unknown = (t.sources | {t.target}) - self.states
            if unknown:
                raise ValueError(f"{self.name}.{t.action}: unknown states {sorted(unknown)}")
            for source in t.sources:
                key = (source, t.action)
                if key in seen:
                    raise ValueError(f"{self.name}: action {t.action!r} defined twice from {source!r}")
                seen.add(key)

    def transition_for(self, status: str, action: str) -> Transition:
        for t in self.transitions:
            if t.action == action and status in t.sources:
                return t
        allowed = sorted(t.action for t in self.transitions if status in t.sources)
        raise InvalidTransition(
            f"{self.name}: action '{action}' is not allowed from status '{status}'"
            + (f" (allowed: {', '.join(allowed)})" if allowed else " (no actions are allowed)"),
            fields={"action": action},
        )

    def check(
        self,
        status: str,
        action: str,
        ctx: TenantContext,
        reason: str | None,
        *,
        is_owner: bool = False,
        expected_status: str | None = None,
    ) -> Transition:
        """Validate one decision; raise a clear error or return the transition to apply.

        `expected_status`: the status the user saw when deciding. A different current status means
        someone decided first (a double click, a second tab): StaleStatus (409) naming the current
        status, so a repeated `step_down` cannot move a dealer two rungs."""
        if status not in self.states:
            raise InvalidTransition(f"{self.name}: current status '{status}' is unknown")
        self.check_expected(status, expected_status)
        transition = self.transition_for(status, action)
        if not ctx.can(transition.permission):
            raise Forbidden(f"role '{ctx.role}' may not '{action}' a {self.name}")
        if transition.owner_only and not is_owner:
            raise Forbidden(f"only the owner of this {self.name} may '{action}' it")
        if transition.reason_required and not (reason and reason.strip()):
            raise ValidationFailed(
                f"a reason is required to '{action}' a {self.name}", fields={"reason": "required"}
            )
        return transition

    def check_expected(self, status: str, expected_status: str | None) -> None:
        """Refuse a decision taken on a status other than the current one (None: not checked)."""
        if expected_status is None:
            return
        if expected_status not in self.states:
            raise ValidationFailed(
                f"expected_status '{expected_status}' is not a status of a {self.name}"
                f" (one of: {', '.join(sorted(self.states))})",
                fields={"expected_status": "unknown status"},
            )
        if expected_status != status:
            raise StaleStatus(
                f"{self.name}: the status is now '{status}', not '{expected_status}' as shown;"
                " someone decided first — reload and decide again",
                fields={"expected_status": f"current status is '{status}'"},
            )

    def available_actions(
        self, status: str, ctx: TenantContext, *, is_owner: bool = False
    ) -> list[Transition]:
        """Actions this user may take now, at most four (the spec's 4-button rule)."""
        options: Iterable[Transition] = (
            t
            for t in self.transitions
            if status in t.sources
            and ctx.can(t.permission)
            and (is_owner or not t.owner_only)
        )
        return list(options)[:MAX_UI_ACTIONS]
