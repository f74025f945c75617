"""The service module's job kind and schedule: "service.sla_check" (models/service/sla_check.py),
one item per tenant and five-minute slot that marks the tickets now past their due times."""

from __future__ import annotations

from datetime import datetime

from engine.jobs import Done, ItemOutcome
from models.jobs.kinds import ItemContext, JobKind, register
from models.jobs.schedules import Schedule, register_schedule
from models.service import sla_check, tickets


def check_item(ic: ItemContext) -> ItemOutcome:
    at = datetime.fromisoformat(str((ic.item.payload or {})["at"]))
    return Done({"marked": tickets.mark_breaches(ic.session, ic.ctx, at)})


SLA_CHECK = register(JobKind(sla_check.KIND, check_item))
SCHEDULE = register_schedule(Schedule(sla_check.KIND, sla_check.run_schedule))
