"""Status badges: one component, a colour per status (each module's machines add theirs)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

# status → Radix colour, for the statuses of every machine shown today (alerts, tasks, dealers,
# batches, organizations, channels); unknown statuses are gray
STATUS_COLORS: tuple[tuple[str, str], ...] = (
    ("open", "red"),
    ("acknowledged", "amber"),
    ("in_enforcement", "violet"),
    ("in_progress", "blue"),
    ("resolved", "green"),
    ("done", "green"),
    ("active", "green"),
    ("published", "green"),
    ("on_hold", "amber"),
    ("warned", "amber"),
    ("final_notice", "orange"),
    ("suspended", "red"),
    ("terminated", "gray"),
    ("dismissed", "gray"),
    ("cancelled", "gray"),
)


def status_badge(
    status: Var, colors: tuple[tuple[str, str], ...] = STATUS_COLORS, *, words: bool = True, **props
) -> rx.Component:
    """The status as words ('final_notice' → 'final notice') on its colour; `words=False` shows the
    machine value itself (catalog pages show 'on_hold')."""
    return rx.badge(
        status.to(str).replace("_", " ") if words else status,
        color_scheme=rx.match(status, *colors, "gray"),
        variant="soft",
        **props,
    )
