"""QA #20: "What your role can do" lists only the modules that are built (registered in MODULES)."""

from __future__ import annotations

import pytest

BUILT = (
    "Margin defense",
    "Catalog",
    "Pricing",
    "Field service",
    "Compensation",
    "Vendor cases",
    "Operator console",
    "Audit",
)
ROLES = ("owner", "admin", "ops", "sales", "viewer", "auditor", "hr", "finance", "vendor")


@pytest.mark.parametrize("role", ROLES)
def test_only_v1_modules_are_listed(role):
    from app.web.core.home import capabilities

    modules = [c.module for c in capabilities(role)]
    assert set(modules) <= set(BUILT)
    assert "Platform" not in modules


def test_owner_sees_every_v1_module_with_counts_from_rbac():
    from app.web.core.home import capabilities
    from engine.rbac import permissions_of

    cards = {c.module: c for c in capabilities("owner")}
    assert list(cards) == list(BUILT)
    margin = sorted(p for p in permissions_of("owner") if p.startswith("margin."))
    assert cards["Margin defense"].count == str(len(margin))
    assert cards["Audit"].abilities == "view audit"


def test_viewer_reads_only():
    from app.web.core.home import capabilities

    cards = {c.module: c.abilities for c in capabilities("viewer")}
    assert "Audit" not in cards
    assert "run enforcement" not in cards["Margin defense"] and "view" in cards["Margin defense"]
