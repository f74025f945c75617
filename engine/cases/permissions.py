"""The cases module's permission names (engine.rbac.PERMISSIONS holds who has them)."""

from __future__ import annotations

READ = "cases.read"
WRITE = "cases.write"
APPROVE = "cases.approve"
REJECT = "cases.reject"
WITHDRAW = "cases.withdraw"
CANCEL = "cases.cancel"
