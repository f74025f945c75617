"""Typed display rows every page can use (state vars typed `list[Option]`, never `list[dict]`):
Reflex knows their fields, so a view reads `row.label` and a typo fails when the page is built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One choice of a picker: the value sent back and the text shown (`keys=("id", "label")` for
    kit.controls.select, the shape kit.forms.choice_field reads)."""

    id: str
    label: str

    @classmethod
    def same(cls, value: str) -> Option:
        """A choice shown as its own value (an entity or action name)."""
        return cls(value, value)
