"""/imports/presets: the saved column mappings of every target the role may import into (which
target, which source column feeds each field, when it was last saved), and Delete, confirmed.
A preset is saved on the mapping page and chosen there by itself when a file's header matches."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.feedback import messages
from app.web.kit.table import col, table_or_empty
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.imports import registry
from engine.imports.machine import IMPORT_WRITE
from models.imports import actions, queries
from models.imports.views import PresetView


@dataclass(frozen=True)
class PresetRow:
    id: str = ""
    target: str = ""
    name: str = ""
    mapping: str = ""
    updated: str = ""


def _row(view: PresetView) -> PresetRow:
    target = registry.targets().get(view.target)
    order = [(f.name, f.label) for f in target.fields] if target else [(n, n) for n in view.mapping]
    pairs = "; ".join(f"{label} ← {view.mapping[name]}" for name, label in order if name in view.mapping)
    return PresetRow(str(view.id), target.label if target else view.target, view.name, pairs, fmt.when(view.updated_at))


def preset_rows(ctx: TenantContext) -> list[PresetRow]:
    return [_row(p) for p in queries.presets(ctx)]


class ImportPresetsState(AuthState):
    rows: list[PresetRow] = []
    loading: bool = False
    error: str = ""
    notice: str = ""
    confirm_id: str = ""
    confirm_name: str = ""

    async def _refresh(self, ctx: TenantContext) -> None:
        self.loading = True
        ok, rows = await call(self, preset_rows, ctx)
        self.rows = rows if ok else []
        self.loading = False

    @rx.event
    async def load(self):
        self.error = self.notice = self.confirm_id = ""
        ctx = await self._require(IMPORT_WRITE)
        if ctx is not None:
            await self._refresh(ctx)

    @rx.event
    def ask_delete(self, preset_id: str):
        shown = next((r for r in self.rows if r.id == preset_id), None)
        if shown is not None:  # only a row this tab was shown
            self.confirm_id, self.confirm_name = shown.id, shown.name

    @rx.event
    def keep(self, _open: bool = False):
        self.confirm_id = ""

    @rx.event
    async def delete(self):
        ctx = await self._require(IMPORT_WRITE)
        chosen, self.confirm_id = self.confirm_id, ""
        if ctx is None or not chosen:
            return
        self.error = self.notice = ""
        ok, view = await call(self, actions.delete_preset, ctx, chosen, writes=True)
        if ok:
            self.notice = f"Preset '{view.name}' deleted. Files already mapped with it keep their mapping."
        await self._refresh(ctx)


def _delete_button(row: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("trash-2", size=14),
        "Delete",
        size="1",
        variant="soft",
        color_scheme="red",
        on_click=ImportPresetsState.ask_delete(row["id"]),
        aria_label="Delete preset " + row["name"].to(str),
        data_testid="preset-delete",
    )


COLUMNS = [
    col("Imports", "target"),
    col("Preset", "name"),
    col("Columns", "mapping"),
    col("Saved", "updated", white_space="nowrap"),
    col("", _delete_button),
]


@app_page(
    "/imports/presets",
    "Import presets",
    permission=IMPORT_WRITE,
    nav="Import presets",
    icon="bookmark",
    order=23,
    on_load=ImportPresetsState.load,
)
def import_presets_page() -> rx.Component:
    s = ImportPresetsState
    return rx.vstack(
        rx.heading("Import presets", size="6"),
        controls.hint(
            "A preset remembers which column of a file feeds each field. It is saved on the mapping page"
            " and chosen by itself when a new file has the same columns."
        ),
        messages(s.error, s.notice),
        table_or_empty(
            s.rows,
            COLUMNS,
            "presets-table",
            "No preset yet: save one when you map a file.",
            "bookmark",
            row_testid="preset-row",
            loading=s.loading,
        ),
        controls.confirm_dialog(
            "Delete preset",
            "New files with these columns will get suggestions instead. Files already mapped keep their mapping.",
            keep=rx.button("Keep", variant="soft", color_scheme="gray", data_testid="preset-keep"),
            confirm=rx.button("Delete", color_scheme="red", on_click=s.delete, data_testid="preset-confirm"),
            open_=s.confirm_id != "",
            on_open_change=s.keep,
        ),
        spacing="4",
        width="100%",
    )
