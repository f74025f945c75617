"""The plan builder's "Build" tab, second half: the plan's inputs (add, edit, remove through a
dialog) and its pool (target, cap and how it is split). The first half (guards, steps, editor,
step graph) is app.web.comp.builder_parts; the page (app.web.comp.builder) puts them together."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from app.web.comp.builder_parts import CAN_EDIT, S
from app.web.comp.builder_state import TRANSFORM_OPTIONS
from app.web.kit import controls
from app.web.kit.table import compact_table


def _input_row(i: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(i.key, variant="ghost")),
        rx.table.cell(i.label),
        rx.table.cell(rx.badge(i.dtype, variant="soft", color_scheme="gray")),
        rx.table.cell(rx.cond(i.required, "yes", "no")),
        rx.table.cell(rx.cond(i.effective_default != "", i.effective_default, "—")),
        rx.table.cell(rx.cond(i.transform == "none", "—", i.transform)),
        rx.table.cell(rx.cond(i.source_column != "", i.source_column, i.key)),
        rx.table.cell(
            rx.cond(
                CAN_EDIT,
                rx.hstack(
                    rx.button(
                        "Edit", size="1", variant="soft", on_click=S.open_edit_input(i.key), data_testid="input-edit"
                    ),
                    rx.button(
                        "Remove",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.remove_input(i.key),
                        data_testid="input-remove",
                    ),
                    spacing="2",
                ),
            )
        ),
        data_testid="plan-input-row",
    )


def _input_dialog() -> rx.Component:
    f = S.input_form
    return controls.dialog(
        rx.cond(S.input_editing, "Edit input", "Add an input from the catalog"),
        rx.vstack(
            rx.cond(
                S.input_editing,
                controls.field("Input", rx.code(f["key"]), width="100%"),
                controls.field(
                    "Input",
                    controls.select(
                        S.catalog_options,
                        f["key"],
                        lambda v: S.set_input_field("key", v),
                        "Input",
                        trigger={"width": "100%", "data_testid": "input-key", "placeholder": "Pick an input"},
                    ),
                    width="100%",
                ),
            ),
            rx.grid(
                controls.field(
                    "Default (used when a row has no value)",
                    rx.input(
                        value=f["default_value"],
                        on_change=lambda v: S.set_input_field("default_value", v),
                        aria_label="Default",
                        data_testid="input-default",
                    ),
                ),
                controls.field(
                    "Column in files (default: the key)",
                    rx.input(
                        value=f["source_column"],
                        on_change=lambda v: S.set_input_field("source_column", v),
                        aria_label="Source column",
                        data_testid="input-column",
                    ),
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            controls.field(
                "Transform",
                controls.select(
                    TRANSFORM_OPTIONS,
                    f["transform"],
                    lambda v: S.set_input_field("transform", v),
                    "Transform",
                    trigger={"width": "100%", "data_testid": "input-transform"},
                ),
                width="100%",
            ),
            rx.checkbox(
                "Required (a row without a value and no default is refused)",
                checked=f["required"] == "yes",
                on_change=lambda v: S.set_input_field("required", v),
                data_testid="input-required",
            ),
            rx.cond(
                S.input_error != "", rx.callout(S.input_error, icon="triangle-alert", color_scheme="red", width="100%")
            ),
            controls.dialog_footer(
                rx.button("Save", on_click=S.save_input, data_testid="input-save"),
                on_cancel=S.close_input,
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
            margin_top="0.75rem",
        ),
        open_=S.input_open,
        on_close=S.close_input,
        max_width="36rem",
    )


def inputs_card() -> rx.Component:
    return controls.section(
        "Inputs",
        rx.text(
            "What the plan reads for each employee, from the input catalog, with this plan's default and transform.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            S.inputs.length() > 0,
            compact_table(
                ["Key", "Label", "Type", "Required", "Default", "Transform", "Column", ""],
                rx.foreach(S.inputs, _input_row),
                "plan-inputs",
            ),
            rx.text("No inputs yet: add the inputs the steps will read.", color_scheme="gray", size="2"),
        ),
        _input_dialog(),
        action=rx.cond(
            CAN_EDIT,
            rx.button(
                rx.icon("plus", size=16), "Add input", on_click=S.open_add_input, size="2", data_testid="add-input"
            ),
        ),
        data_testid="inputs-card",
    )


def pool_card() -> rx.Component:
    dialog = controls.dialog(
        "Bonus pool",
        rx.vstack(
            rx.grid(
                controls.field(
                    "Currency",
                    rx.input(
                        value=S.pool_currency, on_change=S.set_pool_currency, max_length=3, data_testid="pool-currency"
                    ),
                ),
                controls.field(
                    "Amount",
                    rx.input(
                        value=S.pool_amount,
                        on_change=S.set_pool_amount,
                        placeholder="2500000.00",
                        data_testid="pool-amount",
                    ),
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.pool_error != "", rx.callout(S.pool_error, icon="triangle-alert", color_scheme="red", width="100%")
            ),
            controls.dialog_footer(
                rx.button("Save", on_click=S.save_pool, data_testid="pool-save"), on_cancel=S.close_pool, spacing="3"
            ),
            spacing="3",
            width="100%",
            margin_top="0.75rem",
        ),
        open_=S.pool_open,
        on_close=S.close_pool,
        max_width="28rem",
    )
    return controls.section(
        "Pool",
        rx.cond(
            S.pool.present,
            rx.text(S.pool.shown, size="3", weight="medium", data_testid="pool-amount-shown"),
            rx.text("No pool: payouts are not compared with a budget.", color_scheme="gray", size="2"),
        ),
        dialog,
        action=rx.cond(
            CAN_EDIT,
            rx.hstack(
                rx.button(
                    rx.cond(S.pool.present, "Change", "Set pool"),
                    size="2",
                    variant="soft",
                    on_click=S.open_pool,
                    data_testid="pool-edit",
                ),
                rx.cond(
                    S.pool.present,
                    rx.button("Remove", size="2", variant="soft", color_scheme="red", on_click=S.remove_pool),
                ),
                spacing="2",
            ),
        ),
    )
