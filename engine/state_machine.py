"""State machines as data, shared by the decision path and the UI.

A machine lists its states and its transitions. A transition names the action, the states it
leaves from, the state it enters, the permission it needs, whether a reason is required, whether
only the owner of the entity (e.g. the vendor of a case) may take it, and whether only the system
(a worker) takes it. The decision path enforces exactly this table; the UI asks `available_actions`
which buttons to show. The spec's 4-button rule is checked when a machine is built, for every
state and role, so a fifth button is a start-up error, never a silently hidden action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.context import TenantContext
from engine.errors import Forbidden, InvalidTransition, StaleStatus, ValidationFailed
from engine.rbac import Role, has_permission

MAX_UI_ACTIONS = 4
DEFAULT_EVENTS = "decision_events"


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    permission: str
    reason_required: bool = False
    owner_only: bool = False
    label: str = ""
    system_only: bool = False  # taken by workers through the decision path; never a button

    @property
    def display(self) -> str:
        return self.label or self.action.replace("_", " ").capitalize()


@dataclass(frozen=True)
class StateMachine:
    """`owner_field`: the entity's column holding the owning organization, compared by the
    decision path with `ctx.organization_id` for owner-only actions. `events`: the table its
    decision events go to (docs/adr/0001-decision-event-tables.md)."""

    name: str
    states: frozenset[str]
    initial: str
    transitions: tuple[Transition, ...]
    terminal: frozenset[str] = field(default_factory=frozenset)
    owner_field: str | None = None
    events: str = DEFAULT_EVENTS

    def __post_init__(self) -> None:
        if self.initial not in self.states:
            raise ValueError(f"{self.name}: initial state {self.initial!r} is not a state")
        seen: set[tuple[str, str]] = set()
        for t in self.transitions:
            unknown = (t.sources | {t.target}) - self.states
            if unknown:
                raise ValueError(f"{self.name}.{t.action}: unknown states {sorted(unknown)}")
            has_permission(Role.OWNER, t.permission)  # an unknown permission raises here, at import
            if t.owner_only and self.owner_field is None:
                raise ValueError(f"{self.name}.{t.action}: owner_only needs the machine's owner_field")
            for source in t.sources:
                key = (source, t.action)
                if key in seen:
                    raise ValueError(f"{self.name}: action {t.action!r} defined twice from {source!r}")
                seen.add(key)
        for status in sorted(self.states):
            for role in Role:
                buttons = self.ui_candidates(status, role)
                if len(buttons) > MAX_UI_ACTIONS:
                    raise ValueError(
                        f"{self.name}: role '{role}' would get {len(buttons)} buttons in status {status!r} "
                        f"(at most {MAX_UI_ACTIONS}): {', '.join(t.action for t in buttons)}"
                    )

    @property
    def statuses(self) -> tuple[str, ...]:
        """The states in a stable, readable order: the initial state, then each state as the
        transitions first enter it, then any other state. Vocabularies (CHECKs, filters, enums)
        derive from this, never from a hand-written list."""
        order = [self.initial]
        for t in self.transitions:
            if t.target not in order:
                order.append(t.target)
        return (*order, *sorted(self.states - set(order)))

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action name, once, in declaration order (the entity's update_action vocabulary)."""
        return tuple(dict.fromkeys(t.action for t in self.transitions))

    def ui_candidates(self, status: str, role: Role | str) -> list[Transition]:
        """Every button `role` could ever see in `status` (as owner, too): no truncation."""
        return [
            t
            for t in self.transitions
            if status in t.sources and not t.system_only and has_permission(role, t.permission)
        ]

    def is_owner(self, entity: Any, ctx: TenantContext) -> bool:
        """The acting organization owns `entity` (its `owner_field` equals `ctx.organization_id`)."""
        if self.owner_field is None or ctx.organization_id is None:
            return False
        return getattr(entity, self.owner_field, None) == ctx.organization_id

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
        status, so a repeated `step_down` cannot move a dealer two rungs. `is_owner` is worked out by
        the decision path from the entity (`is_owner(entity, ctx)`)."""
        if status not in self.states:
            raise InvalidTransition(f"{self.name}: current status '{status}' is unknown")
        self.check_expected(status, expected_status)
        transition = self.transition_for(status, action)
        if not ctx.can(transition.permission):
            raise Forbidden(f"role '{ctx.role}' may not '{action}' a {self.name}")
        if transition.owner_only and not is_owner:
            raise Forbidden(f"only the owner of this {self.name} may '{action}' it")
        if transition.reason_required and not (reason and reason.strip()):
            raise ValidationFailed(f"a reason is required to '{action}' a {self.name}", fields={"reason": "required"})
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

    def available_actions(self, status: str, ctx: TenantContext, *, is_owner: bool = False) -> list[Transition]:
        """The buttons this user sees now: allowed from `status`, permitted, owned where the
        action needs it, not system-only. At most four by construction (checked at build)."""
        return [t for t in self.ui_candidates(status, ctx.role) if is_owner or not t.owner_only]

    def actions_for(self, entity: Any, ctx: TenantContext) -> list[Transition]:
        """`available_actions` for a loaded entity: its status and ownership read from the row."""
        return self.available_actions(entity.status, ctx, is_owner=self.is_owner(entity, ctx))
