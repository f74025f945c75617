"""/comp/plans/[id] — the plan builder: the plan's header with its decisions (approve, lock, back to
draft, archive — lock and approve only once every guard passes) and "New version" for a locked
plan; tabs Build (guards, steps with the code editor, step graph, inputs, pool), Test vectors, and
Compare (the diff with another version and the impact preview)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from app.web.comp.builder_inputs import inputs_card, pool_card
from app.web.comp.builder_parts import (
    CAN_EDIT,
    editor_card,
    editor_placeholder,
    graph_card,
    guards_card,
    header_dialog,
    steps_card,
)
from app.web.comp.builder_state import PlanBuilderState
from app.web.comp.run_parts import compare_tab, test_tab
from app.web.comp.run_state import PlanRunState
from app.web.comp.widgets import plan_status
from app.web.kit import controls
from app.web.kit.decisions import decision_page, record_header
from app.web.shell.layout import app_page
from engine.comp.machines import GUARDED_ACTIONS
from engine.comp.permissions import READ

S = PlanBuilderState
R = PlanRunState


def build_tab() -> rx.Component:
    """Guards, the steps beside their editor, the step graph, the inputs and the pool."""
    return rx.vstack(
        guards_card(),
        rx.grid(
            rx.box(steps_card(), width="100%", min_width="0"),
            rx.box(rx.cond(S.editor_open, editor_card(), editor_placeholder()), width="100%", min_width="0"),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        graph_card(),
        inputs_card(),
        pool_card(),
        spacing="4",
        width="100%",
    )


def _decision(a: Var) -> rx.Component:
    guarded = rx.Var.create(sorted(GUARDED_ACTIONS)).contains(a.action)
    return rx.button(
        a.label,
        variant=rx.cond(a.action == "lock", "solid", "soft"),
        color_scheme=rx.cond(a.action == "archive", "gray", "accent"),
        disabled=S.busy | (guarded & ~S.valid),
        title=rx.cond(guarded & ~S.valid, "Every lock guard must pass first", ""),
        on_click=S.start_action(a.action),
        data_testid="decision",
        data_action=a.action,
    )


def _aside() -> rx.Component:
    return rx.flex(
        rx.foreach(S.actions, _decision),
        rx.cond(
            S.can_write & ((S.plan.status == "locked") | (S.plan.status == "archived")),
            controls.busy_button("New version", "copy-plus", S.busy_version, S.new_version, "new-version"),
        ),
        rx.cond(
            CAN_EDIT,
            rx.button(
                rx.icon("pencil", size=14),
                "Details",
                variant="soft",
                color_scheme="gray",
                on_click=S.open_header,
                data_testid="edit-header",
            ),
        ),
        gap="2",
        wrap="wrap",
        align="center",
    )


def _header() -> rx.Component:
    p = S.plan
    return record_header(
        rx.heading(p.name, size="6", data_testid="plan-name", **controls.WRAP),
        rx.badge("v", p.version, variant="outline", data_testid="plan-version"),
        plan_status(p.status),
        sub=rx.vstack(
            rx.text(
                rx.cond(p.effective != "", "Effective " + p.effective.to(str), "No effective dates"),
                " · created ",
                p.created,
                rx.cond(p.locked != "", " · locked " + p.locked.to(str), ""),
                size="2",
                color_scheme="gray",
            ),
            rx.cond(p.notes != "", rx.text(p.notes, size="2", **controls.WRAP)),
            rx.cond(
                ~S.editable & (p.status != ""),
                rx.text(
                    rx.cond(
                        (p.status == "locked") | (p.status == "archived"),
                        "This version can no longer change. To edit it, make a new version.",
                        "Approved versions are frozen for review; send it back to draft to edit.",
                    ),
                    size="1",
                    color_scheme="gray",
                    data_testid="plan-frozen",
                ),
            ),
            spacing="1",
        ),
        aside=_aside(),
    )


def _tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger("Build", value="build", data_testid="tab-build"),
            rx.tabs.trigger("Test vectors", value="test", data_testid="tab-test"),
            rx.tabs.trigger("Compare versions", value="compare", data_testid="tab-compare"),
        ),
        rx.tabs.content(build_tab(), value="build", padding_top="1rem"),
        rx.tabs.content(test_tab(), value="test", padding_top="1rem"),
        rx.tabs.content(compare_tab(), value="compare", padding_top="1rem"),
        value=R.tab,
        on_change=R.set_tab,
        width="100%",
    )


@app_page("/comp/plans/[id]", "Bonus plan", permission=READ, on_load=[S.load, R.load])
def plan_builder_page() -> rx.Component:
    return decision_page(
        S,
        _header(),
        _tabs(),
        header_dialog(),
        href="/comp/plans",
        back="bonus plans",
        missing="This plan was not found.",
        missing_testid="plan-missing",
    )
