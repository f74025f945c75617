"""React Flow 12 (`@xyflow/react`) as a Reflex component: nodes and edges from the state, the
positions computed on the server (engine/graph/layout.py), a node click sent to Python with the
node's id. Bundled by Reflex's own library mechanism (npm package in the frontend build, no CDN);
React Flow evaluates no strings, so the CSP needs no 'unsafe-eval'. Rendered on the client only
(it measures the DOM)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.components.component import NoSSRComponent
from reflex.event import EventHandler
from reflex.vars import Var

LIBRARY = "@xyflow/react@12.12.1"


def _node_click(_event: Var, node: Var) -> tuple[Var[str]]:
    return (Var(_js_expr=f"{node}.id", _var_type=str),)


class ReactFlow(NoSSRComponent):
    library = LIBRARY
    tag = "ReactFlow"

    nodes: Var[list[Any]]
    edges: Var[list[Any]]
    fit_view: Var[bool]
    min_zoom: Var[float]
    max_zoom: Var[float]
    nodes_draggable: Var[bool]
    nodes_connectable: Var[bool]
    only_render_visible_elements: Var[bool]
    color_mode: Var[str]

    on_node_click: EventHandler[_node_click]

    def add_imports(self) -> dict[str, Any]:
        return {"": "@xyflow/react/dist/style.css"}


class Controls(NoSSRComponent):
    library = LIBRARY
    tag = "Controls"

    show_interactive: Var[bool]


class Background(NoSSRComponent):
    library = LIBRARY
    tag = "Background"

    gap: Var[int]


def flow(nodes: Var, edges: Var, on_node_click: Any, **props: Any) -> rx.Component:
    """The graph canvas: fits the view on load, nodes fixed in place (the server lays them out)."""
    return rx.box(
        ReactFlow.create(
            Background.create(gap=24),
            Controls.create(show_interactive=False),
            nodes=nodes,
            edges=edges,
            fit_view=True,
            min_zoom=0.02,
            max_zoom=4.0,
            nodes_draggable=False,
            nodes_connectable=False,
            only_render_visible_elements=True,
            on_node_click=on_node_click,
        ),
        **props,
    )
