"""The Reflex UI: auth state, page shell and guard, pages (see docs/ui.md)."""
