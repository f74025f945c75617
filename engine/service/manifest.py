"""Field service as the core sees it (engine/modules.py): its permissions' label, its feature flags
and its webhook event types."""

from engine.modules import ModuleManifest
from engine.service.events import EVENTS
from engine.service.flags import FLAGS

MANIFEST = ModuleManifest(
    name="service", labels={"service": "Field service"}, flags=FLAGS, home_order=25, events=EVENTS
)
