"""The delivery area's permission names (engine.rbac.PERMISSIONS holds who has them)."""

from __future__ import annotations

WEBHOOKS_READ = "core.webhooks.read"
WEBHOOKS_WRITE = "core.webhooks.write"
# the e-mail sender (name and address notices and invitations are sent from)
EMAIL_SETTINGS = "core.settings.manage"
