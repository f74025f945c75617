"""Bulk enforcement: the wizard's preview, the worker's re-check and the idempotency keys.

Preview answers "who gets what": one item per dealer (one notice listing that dealer's SKUs in
breach), the dealer's status before/after on the ladder, the expected recoverable margin (Σ impact
of the alerts the item covers: the lost margin the dealer stops causing when it complies), and
every selected alert that was left out, with the reason. The worker later re-checks each item
just before sending: an alert whose latest price is at/above its floor is already compliant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.context import TenantContext
from engine.errors import Forbidden, InvalidTransition, ValidationFailed
from engine.margin.frames import PRICE_RULES
from engine.margin.impact import exact_sum
from engine.margin.machines import ALERT_MACHINE, DEALER_MACHINE, DEALER_RANK, DEALERS, ENFORCE
from engine.state_machine import Transition

WARNING_NOTICE = "warning_notice"
FINAL_NOTICE = "final_notice"
SUSPEND_DEALER = "suspend_dealer"
PRICE_CORRECTION = "request_price_correction"

# action -> (label, dealer machine action or None when the dealer's status does not move)
ACTIONS: dict[str, tuple[str, str | None]] = {
    WARNING_NOTICE: ("Warning notice", "warn"),
    FINAL_NOTICE: ("Final notice", "final_notice"),
    SUSPEND_DEALER: ("Suspend dealer", "suspend"),
    PRICE_CORRECTION: ("Request price correction", None),
}

# action -> (follow-up task title, due in days) created with the batch for each item.
FOLLOW_UPS: dict[str, tuple[str, int]] = {
    WARNING_NOTICE: ("Check prices after warning", 7),
    FINAL_NOTICE: ("Check prices after final notice", 3),
    SUSPEND_DEALER: ("Review suspension", 14),
    PRICE_CORRECTION: ("Confirm price correction", 5),
}

SKIP_REASONS = {
    "duplicate_alert": "alert selected more than once",
    "alert_resolved": "alert already resolved",
    "alert_dismissed": "alert was dismissed",
    "rule_not_enforceable": "only MAP/MRP breaches are enforced against a dealer",
    "dealer_unknown": "dealer status unknown",
    "dealer_already_suspended": "dealer already suspended",
    "dealer_terminated": "dealer terminated",
    "dealer_already_at_step": "dealer already at or past this step",
    "action_not_allowed_from_status": "action not allowed from the dealer's status",
    "already_compliant": "latest price is at or above the floor",
}


@dataclass(frozen=True, slots=True)
class AlertRef:
    """What the preview needs of a selected alert."""

    id: str
    dealer_id: str
    sku_id: str
    rule: str
    status: str
    impact: Decimal
    floor: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PreviewItem:
    dealer_id: str
    action: str
    alert_ids: tuple[str, ...]
    sku_ids: tuple[str, ...]
    status_before: str
    status_after: str
    dealer_action: str | None
    recoverable: Decimal
    follow_up: tuple[str, int]


@dataclass(frozen=True, slots=True)
class Skip:
    alert_id: str
    dealer_id: str
    reason: str

    @property
    def detail(self) -> str:
        return SKIP_REASONS[self.reason]


@dataclass(frozen=True, slots=True)
class Preview:
    action: str
    label: str
    items: tuple[PreviewItem, ...]
    skipped: tuple[Skip, ...]
    recoverable: Decimal

    @property
    def skipped_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.skipped:
            counts[s.reason] = counts.get(s.reason, 0) + 1
        return dict(sorted(counts.items()))


def _dealer_target(dealer_action: str) -> str:
    return next(t.target for t in DEALER_MACHINE.transitions if t.action == dealer_action)


def dealer_gate(action: str, status: str | None) -> tuple[str | None, Transition | None]:
    """(skip reason, dealer transition) for sending `action` to a dealer in `status`."""
    if status is None:
        return "dealer_unknown", None
    if status not in DEALER_MACHINE.states:
        raise ValidationFailed(f"unknown dealer status {status!r}", fields={"status": "unknown"})
    if status == "terminated":
        return "dealer_terminated", None
    if status == "suspended":
        return "dealer_already_suspended", None
    dealer_action = ACTIONS[action][1]
    if dealer_action is None:
        return None, None
    try:
        return None, DEALER_MACHINE.transition_for(status, dealer_action)
    except InvalidTransition:
        if DEALER_RANK[_dealer_target(dealer_action)] <= DEALER_RANK[status]:
            return "dealer_already_at_step", None
        return "action_not_allowed_from_status", None


def _alert_gate(alert: AlertRef) -> str | None:
    if alert.status not in ALERT_MACHINE.states:
        raise ValidationFailed(f"unknown alert status {alert.status!r}", fields={"status": "unknown"})
    if alert.status == "resolved":
        return "alert_resolved"
    if alert.status == "dismissed":
        return "alert_dismissed"
    if alert.rule not in PRICE_RULES:
        return "rule_not_enforceable"
    return None


def preview(action: str, alerts: Iterable[AlertRef], dealer_statuses: Mapping[str, str], ctx: TenantContext) -> Preview:
    """Who gets what for `action` over the selected alerts; deterministic (sorted by dealer, alert)."""
    if action not in ACTIONS:
        raise ValidationFailed(f"unknown enforcement action {action!r}", fields={"action": "unknown"})
    if not ctx.can(ENFORCE) or (ACTIONS[action][1] and not ctx.can(DEALERS)):
        raise Forbidden(f"role '{ctx.role}' may not run enforcement")
    skipped: list[Skip] = []
    kept: dict[str, list[AlertRef]] = {}
    seen: set[str] = set()
    for alert in sorted(alerts, key=lambda a: (a.dealer_id, a.id)):
        if alert.id in seen:
            skipped.append(Skip(alert.id, alert.dealer_id, "duplicate_alert"))
            continue
        seen.add(alert.id)
        reason = _alert_gate(alert) or dealer_gate(action, dealer_statuses.get(alert.dealer_id))[0]
        if reason:
            skipped.append(Skip(alert.id, alert.dealer_id, reason))
        else:
            kept.setdefault(alert.dealer_id, []).append(alert)
    items = []
    for dealer_id, group in kept.items():
        status = dealer_statuses[dealer_id]
        transition = dealer_gate(action, status)[1]
        items.append(
            PreviewItem(
                dealer_id=dealer_id,
                action=action,
                alert_ids=tuple(a.id for a in group),
                sku_ids=tuple(sorted({a.sku_id for a in group})),
                status_before=status,
                status_after=transition.target if transition else status,
                dealer_action=transition.action if transition else None,
                recoverable=exact_sum(a.impact for a in group),
                follow_up=FOLLOW_UPS[action],
            )
        )
    return Preview(
        action=action,
        label=ACTIONS[action][0],
        items=tuple(items),
        skipped=tuple(skipped),
        recoverable=exact_sum(i.recoverable for i in items),
    )


# --- worker side --------------------------------------------------------------------------------


def is_compliant(floor: Decimal | None, latest_price: Decimal | None) -> bool:
    """At/above the floor is compliant; no recent price proves nothing, so it is not compliant."""
    return floor is not None and latest_price is not None and latest_price >= floor


@dataclass(frozen=True, slots=True)
class Recheck:
    breaching: tuple[str, ...]
    compliant: tuple[str, ...]

    @property
    def skip_item(self) -> str | None:
        """'already_compliant' when nothing in the item still breaches: send no notice."""
        return "already_compliant" if not self.breaching else None


def recheck(alerts: Sequence[tuple[str, Decimal | None, Decimal | None]]) -> Recheck:
    """Split an item's (alert_id, floor, latest watched price) into still breaching vs compliant."""
    breaching = tuple(a for a, floor, price in alerts if not is_compliant(floor, price))
    compliant = tuple(a for a, floor, price in alerts if is_compliant(floor, price))
    return Recheck(breaching, compliant)


def item_key(batch_id: str, dealer_id: str, action: str) -> str:
    """Stable per item: a retried or re-claimed item reuses it; another batch never collides."""
    for part in (batch_id, dealer_id, action):
        if not part or ":" in part:
            raise ValidationFailed("idempotency key parts must be non-empty and free of ':'", fields={"key": part})
    return f"margin:enforce:{batch_id}:{dealer_id}:{action}"


EFFECTS = ("notice", "status", "task")


def effect_key(item: str, effect: str) -> str:
    """One key per side effect of an item (outbox notice, dealer status event, follow-up task)."""
    if effect not in EFFECTS:
        raise ValidationFailed(f"unknown effect {effect!r}", fields={"effect": "unknown"})
    return f"{item}:{effect}"
