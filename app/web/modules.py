"""Every page module, imported so its `@app_page` registers its route with the shell
(app/web/shell/registry.py): each registered module's pages (engine/modules.py) and their shell hooks
(home widgets, top-bar items), then core's pages — the home page reads the widgets the modules
registered. The vendor portal (app/web/portal) has its own shell and registry: its pages are added
by `add_portal_pages` (app/app.py)."""

from engine.discovery import import_tree
from engine.modules import MODULES

for _module in MODULES:
    import_tree(f"app.web.{_module}")
import_tree("app.web.core")
import_tree("app.web.imports")  # the import pipeline's generic pages (modules link to them)
import_tree("app.web.portal")  # the vendor portal: its own shell and page registry
