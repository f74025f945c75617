"""The "Build" tab of the plan builder, first half: lock guards, the step list (drag or keyboard to
reorder), the step editor (CodeMirror with the engine's completions and live lint), the step graph,
and the plan's header dialog. The inputs and the pool are app.web.comp.builder_inputs."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.comp.builder_state import PlanBuilderState
from app.web.kit import controls
from app.web.kit.code_editor import code_editor, sortable_row
from app.web.kit.dag import dag_view

S = PlanBuilderState
MONO = {"font_family": "var(--code-font-family, ui-monospace, monospace)"}
CAN_EDIT = S.editable & S.can_write


# --- lock guards ---------------------------------------------------------------------------------------


def _guard(g: Var) -> rx.Component:
    return rx.hstack(
        rx.cond(
            g.ok,
            rx.icon("circle-check", size=16, color=rx.color("green", 10), aria_label="passes"),
            rx.icon("circle-x", size=16, color=rx.color("red", 10), aria_label="fails"),
        ),
        rx.text(g.label, size="2"),
        rx.cond(~g.ok, rx.badge(g.problems, " to fix", color_scheme="red", variant="soft", size="1")),
        align="center",
        spacing="2",
        data_testid="guard",
        data_ok=rx.cond(g.ok, "yes", "no"),
        data_key=g.key,
    )


def _issue(i: Var) -> rx.Component:
    return rx.hstack(
        rx.text(i.where, size="1", weight="medium", white_space="nowrap", color_scheme="gray"),
        rx.vstack(
            rx.text(i.message, size="2"),
            rx.cond(i.hint != "", rx.text(i.hint, size="1", color_scheme="gray")),
            spacing="0",
            **controls.WRAP,
        ),
        rx.spacer(),
        rx.cond(
            i.step != "",
            rx.button("Open step", size="1", variant="ghost", on_click=S.select_node(i.step), data_testid="issue-open"),
        ),
        width="100%",
        align="start",
        spacing="3",
        data_testid="plan-issue",
    )


def guards_card() -> rx.Component:
    title = rx.cond(
        S.valid,
        rx.hstack(
            rx.icon("shield-check", color=rx.color("green", 10)),
            rx.text("Every lock guard passes (the saved plan)", weight="medium"),
            align="center",
        ),
        rx.hstack(
            rx.icon("shield-alert", color=rx.color("red", 10)),
            rx.text("Not ready to lock: fix the problems below (the saved plan)", weight="medium"),
            align="center",
        ),
    )
    return rx.card(
        rx.vstack(
            title,
            rx.grid(
                rx.foreach(S.guards, _guard), columns=rx.breakpoints(initial="1", md="2"), spacing="2", width="100%"
            ),
            rx.cond(
                S.issues.length() > 0,
                rx.vstack(rx.divider(), rx.foreach(S.issues, _issue), spacing="2", width="100%"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="lock-guards",
    )


# --- steps -------------------------------------------------------------------------------------------


def _step_row(step: Var) -> rx.Component:
    selected = S.selected_step == step.id
    move = [
        rx.icon_button(
            rx.icon("arrow-up", size=14),
            size="1",
            variant="ghost",
            disabled=step.first,
            on_click=S.move_step(step.id, -1),
            aria_label="Move " + step.name.to(str) + " up",
            data_testid="step-up",
        ),
        rx.icon_button(
            rx.icon("arrow-down", size=14),
            size="1",
            variant="ghost",
            disabled=step.last,
            on_click=S.move_step(step.id, 1),
            aria_label="Move " + step.name.to(str) + " down",
            data_testid="step-down",
        ),
    ]
    body = rx.hstack(
        rx.cond(CAN_EDIT, rx.icon("grip-vertical", size=14, color=rx.color("gray", 8), cursor="grab")),
        rx.el.button(
            rx.vstack(
                rx.hstack(
                    rx.text(step.order, size="1", color_scheme="gray", min_width="2rem"),
                    rx.text(step.name, weight="bold", size="2", style=MONO),
                    rx.cond(step.flagged, rx.badge(step.problems, color_scheme="red", variant="soft", size="1")),
                    rx.cond(step.condition != "", rx.badge("if", variant="outline", size="1", color_scheme="gray")),
                    align="center",
                    spacing="2",
                ),
                rx.text(
                    step.expr,
                    size="1",
                    color_scheme="gray",
                    style={**MONO, "white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"},
                    max_width="100%",
                ),
                spacing="1",
                align="start",
                width="100%",
                min_width="0",
            ),
            on_click=S.select_step(step.id),
            aria_label="Edit step " + step.name.to(str),
            style={"all": "unset", "cursor": "pointer", "flex": "1", "min_width": "0"},
            data_testid="step-open",
        ),
        rx.cond(CAN_EDIT, rx.hstack(*move, spacing="1")),
        align="center",
        spacing="2",
        width="100%",
        padding="0.5rem 0.6rem",
        border_radius="var(--radius-2)",
        border=rx.cond(selected, f"1px solid {rx.color('accent', 8)}", f"1px solid {rx.color('gray', 5)}"),
        background=rx.cond(selected, rx.color("accent", 2), rx.color("gray", 1)),
    )
    return sortable_row(
        body,
        row_id=step.id,
        group="steps",
        disabled=~CAN_EDIT,
        on_move=S.drop_step,
        testid="step-row",
        class_name="pharos-sortable",
        key=step.id,
    )


def steps_card() -> rx.Component:
    return controls.section(
        "Steps",
        rx.text(
            "Evaluated in dependency order; the order here is for reading (and breaks ties). "
            "Drag a step or use its arrows to move it. The last step is the payout.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            S.steps.length() > 0,
            rx.vstack(rx.foreach(S.steps, _step_row), spacing="2", width="100%", data_testid="step-list"),
            rx.text("No steps yet.", color_scheme="gray", size="2", data_testid="steps-empty"),
        ),
        action=rx.cond(
            CAN_EDIT,
            rx.button(rx.icon("plus", size=16), "Add step", on_click=S.new_step, size="2", data_testid="add-step"),
        ),
        data_testid="steps-card",
    )


def _lint_list(items: Var, field: str) -> rx.Component:
    return rx.foreach(
        items,
        lambda d: rx.text(
            f"{field}, line ",
            d.from_line.to_string(),
            ", column ",
            d.from_col.to_string(),
            ": ",
            d.message,
            rx.cond(d.hint != "", " — " + d.hint.to(str), ""),
            size="1",
            color_scheme="red",
            data_testid="lint-item",
        ),
    )


def _editor(which: str) -> rx.Component:
    expr = which == "expr"
    return code_editor(
        value=S.edit_expr if expr else S.edit_condition,
        completions=S.completions,
        diagnostics=S.expr_lint if expr else S.cond_lint,
        lint_text=S.expr_lint_for if expr else S.cond_lint_for,
        on_change=S.expr_changed if expr else S.condition_changed,
        on_save=S.save_expr if expr else S.save_condition,
        read_only=~CAN_EDIT,
        placeholder="e.g. base_salary * target_pct" if expr else "optional: the step counts only when this is true",
        aria_label="Expression" if expr else "Condition",
        testid="expr-editor" if expr else "condition-editor",
        min_height="3.2rem" if expr else "2rem",
        key=S.editor_key + ("-expr" if expr else "-cond"),
    )


def editor_card() -> rx.Component:
    problems = S.expr_lint.length() + S.cond_lint.length() + S.step_lint.length()
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(rx.cond(S.editor_new, "New step", "Step"), size="4", weight="medium"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.close_editor,
                    aria_label="Close the editor",
                    data_testid="editor-close",
                ),
                width="100%",
                align="center",
            ),
            controls.field(
                "Name (lowercase, digits, _; other steps use it)",
                rx.input(
                    value=S.edit_name,
                    on_change=S.set_edit_name.debounce(250),
                    read_only=~CAN_EDIT,
                    aria_label="Step name",
                    data_testid="step-name",
                    style=MONO,
                    width="100%",
                ),
                width="100%",
            ),
            controls.field("Expression", _editor("expr"), width="100%"),
            controls.field("Condition (optional)", _editor("condition"), width="100%"),
            rx.cond(
                problems > 0,
                rx.vstack(
                    rx.foreach(
                        S.step_lint, lambda t: rx.text(t, size="1", color_scheme="red", data_testid="lint-item")
                    ),
                    _lint_list(S.expr_lint, "Expression"),
                    _lint_list(S.cond_lint, "Condition"),
                    spacing="1",
                    width="100%",
                    role="status",
                    data_testid="lint-list",
                ),
                rx.text(
                    rx.cond(CAN_EDIT, "No problems. Ctrl+Space suggests names and functions; Ctrl+Enter saves.", ""),
                    size="1",
                    color_scheme="green",
                    data_testid="lint-ok",
                ),
            ),
            controls.field(
                "Notes (optional)",
                rx.text_area(
                    value=S.edit_notes,
                    on_change=S.set_edit_notes.debounce(300),
                    read_only=~CAN_EDIT,
                    rows="2",
                    width="100%",
                    aria_label="Step notes",
                    data_testid="step-notes",
                ),
                width="100%",
            ),
            rx.cond(
                S.editor_error != "",
                rx.callout(
                    S.editor_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                    data_testid="editor-error",
                ),
            ),
            rx.cond(
                CAN_EDIT,
                rx.hstack(
                    rx.cond(
                        ~S.editor_new,
                        rx.button(
                            rx.icon("trash-2", size=14),
                            "Delete",
                            variant="soft",
                            color_scheme="red",
                            on_click=S.ask_delete,
                            data_testid="step-delete",
                        ),
                    ),
                    rx.spacer(),
                    controls.busy_button("Save step", "check", S.step_busy, S.save_step, "step-save"),
                    width="100%",
                ),
            ),
            controls.confirm_dialog(
                "Delete this step?",
                "The step is removed from this draft (a step other steps read cannot be deleted).",
                keep=rx.button("Keep it", variant="soft", color_scheme="gray", on_click=S.keep_step),
                confirm=rx.button(
                    "Delete step", color_scheme="red", on_click=S.delete_step, data_testid="step-delete-confirm"
                ),
                open_=S.confirm_delete,
                on_open_change=lambda _: S.keep_step,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="step-editor",
    )


def editor_placeholder() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("square-function", size=28, color=rx.color("gray", 9)),
            rx.text(
                rx.cond(CAN_EDIT, "Pick a step to edit it, or add one.", "Pick a step to read its formula."),
                color_scheme="gray",
                size="2",
            ),
            align="center",
            padding="2rem",
            width="100%",
        ),
        width="100%",
    )


def graph_card() -> rx.Component:
    return controls.section(
        "Step graph",
        rx.text(
            "Inputs (gray) feed the steps that read them; a red step has a problem. Click a step to edit it.",
            size="1",
            color_scheme="gray",
        ),
        dag_view(S.graph, "plan-dag", on_node_click=S.select_node, empty="Add inputs and steps to see the graph."),
        data_testid="graph-card",
    )


def header_dialog() -> rx.Component:
    f = S.header_form

    def text(name: str, label: str, **props: Any) -> rx.Component:
        return controls.field(
            label,
            rx.input(
                value=f[name], on_change=lambda v: S.set_header_field(name, v), aria_label=label, width="100%", **props
            ),
            width="100%",
        )

    return controls.dialog(
        "Plan details",
        rx.vstack(
            text("name", "Name", data_testid="header-name"),
            rx.grid(
                text("effective_from", "Effective from", type="date"),
                text("effective_to", "Effective to", type="date"),
                columns="2",
                spacing="3",
                width="100%",
            ),
            controls.field(
                "Notes",
                rx.text_area(
                    value=f["notes"], on_change=lambda v: S.set_header_field("notes", v), rows="3", width="100%"
                ),
                width="100%",
            ),
            rx.cond(
                S.header_error != "",
                rx.callout(S.header_error, icon="triangle-alert", color_scheme="red", width="100%"),
            ),
            controls.dialog_footer(
                rx.button("Save", on_click=S.save_header, data_testid="header-save"),
                on_cancel=S.close_header,
                spacing="3",
            ),
            spacing="3",
            width="100%",
            margin_top="0.75rem",
        ),
        open_=S.header_open,
        on_close=S.close_header,
        max_width="32rem",
    )
