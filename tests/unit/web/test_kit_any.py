"""The filter selects' "every value" item (kit.controls.ANY) must never collide with a real value a
filter can take, or choosing that value would silently show everything."""

from __future__ import annotations

from app.web.kit.controls import ANY
from engine.catalog.types import ORG_TYPES
from engine.margin.frames import PRICE_RULES, RULES
from engine.margin.machines import ALERT_MACHINE, TASK_MACHINE
from engine.margin.severity import LEVELS


def test_any_is_no_filter_value():
    for values in (ALERT_MACHINE.statuses, TASK_MACHINE.statuses, RULES, PRICE_RULES, LEVELS, ORG_TYPES):
        assert ANY not in values, values
    assert ANY == "any"


def test_statuses_come_from_the_machines():
    from app.web.margin.alerts import ALERT_STATUSES
    from app.web.margin.tasks import TASK_STATUSES

    assert ALERT_STATUSES == ("open", "acknowledged", "in_enforcement", "resolved", "dismissed")
    assert TASK_STATUSES == ("open", "in_progress", "done", "cancelled")
