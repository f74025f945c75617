"""Catalog pages: organizations (list, detail with profile, relationships and status actions,
create / edit), products, SKUs and channels (lists, create / edit), channel catalogs (versions, diff
between two, publish / unlist).

Every handler takes the tenant and role from AuthState's backend-only vars, re-checks the permission
and the tenant's feature flag itself (a page behind an off flag shows "not found"), and runs its
database work in a worker thread through the same repositories as the REST API.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit import forms as cf
from app.web.kit.forms import EntityForm, page_context
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.catalog.machines import ORG_STATUS
from engine.context import TenantContext
from engine.errors import DomainError, StaleStatus
from models.catalog import catalog, orgs, publishing
from models.catalog.inputs import ChannelUpdate, SkuUpdate
from models.core.db import tenant_session
from models.core.flags import ENABLE_CATALOG_PUBLISHING, ENABLE_CHANNELS, ENABLE_ORG

READ, WRITE = "catalog.read", "catalog.write"
ALL = "__all__"
LIST_LIMIT = 200


# ---- data (worker threads) ------------------------------------------------------------------


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def fetch_orgs(ctx: TenantContext, org_type: str) -> list[dict[str, str]]:
    with tenant_session(ctx) as session:
        page = orgs.list_orgs(session, ctx, type=None if org_type == ALL else org_type, limit=LIST_LIMIT)
        return [
            {"id": str(o.id), "name": o.name, "code": o.code, "type": o.type, "status": o.status} for o in page.items
        ]


def fetch_org_detail(ctx: TenantContext, org_id: str) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        org = orgs.get_org(session, ctx, org_id)
        rels = orgs.list_relationships(session, ctx, org.id, limit=LIST_LIMIT).items
        names = orgs.orgs_by_id(session, ctx, {r.from_org_id for r in rels} | {r.to_org_id for r in rels})
        relationships = []
        for r in rels:
            outgoing = r.from_org_id == org.id
            other = names.get(r.to_org_id if outgoing else r.from_org_id)
            relationships.append(
                {
                    "text": f"{org.name} {r.type.replace('_', ' ')} {other.name if other else '?'}"
                    if outgoing
                    else f"{other.name if other else '?'} {r.type.replace('_', ' ')} {org.name}",
                    "type": r.type,
                    "other_type": other.type if other else "",
                    "since": r.effective_from.date().isoformat(),
                    "until": r.effective_to.date().isoformat() if r.effective_to else "open",
                }
            )
        return {
            "org": {"id": str(org.id), "name": org.name, "code": org.code, "type": org.type, "status": org.status},
            "profile": [
                {"key": k.replace("_", " "), "value": ", ".join(map(str, v)) if isinstance(v, list) else _s(v)}
                for k, v in sorted(org.profile.items())
            ],
            "relationships": relationships,
            "actions": [
                {"action": t.action, "label": t.display} for t in ORG_STATUS.available_actions(org.status, ctx)
            ],
        }


def decide_org(ctx: TenantContext, org_id: str, action: str, reason: str, expected_status: str | None = None) -> None:
    with tenant_session(ctx) as session:
        orgs.change_org_status(session, ctx, org_id, action, reason, expected_status)


def fetch_skus(ctx: TenantContext) -> list[dict[str, str]]:
    with tenant_session(ctx) as session:
        products = {p.id: p for p in catalog.list_products(session, ctx, limit=LIST_LIMIT).items}
        makers = orgs.orgs_by_id(
            session, ctx, {p.manufacturer_org_id for p in products.values() if p.manufacturer_org_id}
        )
        rows = []
        for s in catalog.list_skus(session, ctx, limit=LIST_LIMIT).items:
            p = products.get(s.product_id)
            maker = makers.get(p.manufacturer_org_id) if p and p.manufacturer_org_id else None
            rows.append(
                {
                    "id": str(s.id),
                    "code": s.code,
                    "name": s.name,
                    "uom": s.uom,
                    "product": f"{p.name} ({p.code})" if p else "",
                    "category": _s(p.category) if p else "",
                    "manufacturer": maker.name if maker else "",
                    "active": "yes" if s.is_active else "no",
                }
            )
        return rows


def fetch_products(ctx: TenantContext) -> dict[str, list[dict[str, str]]]:
    """Products (with their manufacturer) and the pick lists of the product / SKU forms."""
    with tenant_session(ctx) as session:
        products = catalog.list_products(session, ctx, limit=LIST_LIMIT).items
        makers = orgs.list_orgs(session, ctx, type="manufacturer", limit=LIST_LIMIT).items
        names = orgs.orgs_by_id(session, ctx, {p.manufacturer_org_id for p in products if p.manufacturer_org_id})
        return {
            "products": [
                {
                    "id": str(p.id),
                    "code": p.code,
                    "name": p.name,
                    "brand": _s(p.brand),
                    "category": _s(p.category),
                    "manufacturer": names[p.manufacturer_org_id].name if p.manufacturer_org_id in names else "",
                }
                for p in products
            ],
            "product_options": [{"id": str(p.id), "label": f"{p.name} ({p.code})"} for p in products],
            "maker_options": [{"id": str(o.id), "label": o.name} for o in makers],
        }


def fetch_channels(ctx: TenantContext) -> list[dict[str, str]]:
    with tenant_session(ctx) as session:
        return [
            {"id": str(c.id), "name": c.name, "code": c.code, "kind": c.kind, "active": "yes" if c.is_active else "no"}
            for c in catalog.list_channels(session, ctx, limit=LIST_LIMIT).items
        ]


def set_active(ctx: TenantContext, kind: str, row_id: str, active: bool) -> str:
    """Deactivate / reactivate a SKU or channel of this tenant (audited `<kind>.deactivate` /
    `.reactivate`; a no-op writes nothing). Returns the row's code. Unknown or foreign ids: NotFound."""
    with tenant_session(ctx) as session:
        if kind == "sku":
            row = catalog.update_sku(session, ctx, row_id, SkuUpdate(is_active=active))
        else:
            row = catalog.update_channel(session, ctx, row_id, ChannelUpdate(is_active=active))
        return row.code


def fetch_channel(ctx: TenantContext, channel_id: str) -> dict[str, Any]:
    """Versions (newest first), the latest published listing and the channel's offerings."""
    with tenant_session(ctx) as session:
        view = publishing.get_catalog(session, ctx, channel_id)
        versions = publishing.list_versions(session, ctx, channel_id, limit=LIST_LIMIT).items
        listed = {str(i.offering_id) for i in view.items}
        offerings = catalog.list_offerings(session, ctx, channel_id=view.channel.id, limit=LIST_LIMIT).items
        return {
            "current": str(view.version.version) if view.version else "",
            "versions": [
                {
                    "version": str(v.version),
                    "status": v.status,
                    "change": v.change,
                    "count": str(len(v.changed_offering_ids)),
                    "note": _s(v.note),
                    "at": v.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                }
                for v in versions
            ],
            "items": [publishing.item_view(i) for i in view.items],
            "offerings": [
                {"id": str(o.id), "title": o.title, "listed": "yes" if str(o.id) in listed else ""} for o in offerings
            ],
        }


def fetch_diff(ctx: TenantContext, channel_id: str, old: int, new: int) -> list[dict[str, str]]:
    with tenant_session(ctx) as session:
        d = publishing.diff_versions(session, ctx, channel_id, old, new)
    rows = [{"change": "added", **i} for i in d["added"]] + [{"change": "removed", **i} for i in d["removed"]]
    return rows + [{"change": "unchanged", **i} for i in d["unchanged"]]


def change_listing(ctx: TenantContext, channel_id: str, change: str, offering_id: str, note: str) -> int:
    with tenant_session(ctx) as session:
        view = publishing.change_catalog(
            session, ctx, channel_id, change, [uuid.UUID(offering_id)], note=note.strip() or None
        )
        return view.version.version if view.version else 0


# ---- organizations --------------------------------------------------------------------------


class OrgsState(EntityForm, AuthState):
    _form_kinds = ("org",)
    can_write: bool = False
    feature_off: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    f_type: str = ALL
    rows: list[dict[str, str]] = []
    selected: dict[str, str] = {}
    has_selection: bool = False
    profile: list[dict[str, str]] = []
    relationships: list[dict[str, str]] = []
    actions: list[dict[str, str]] = []
    reason: str = ""

    def _reset(self) -> None:
        self.rows, self.selected, self.profile, self.relationships, self.actions = [], {}, [], [], []
        self.has_selection = False
        self.error = self.notice = self.reason = ""

    async def _load(self):
        self._reset()
        self.loading = True
        yield
        ctx, self.feature_off = await page_context(self, READ, ENABLE_ORG)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            self.rows = await asyncio.to_thread(fetch_orgs, ctx, self.f_type)
        self.loading = False

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        self.rows = await asyncio.to_thread(fetch_orgs, ctx, self.f_type)
        self.error, self.notice = "", f"Saved {result['label']}."
        await self._show(ctx, result["id"])

    @rx.event
    async def load(self):
        async for _ in self._load():
            yield

    @rx.event
    async def set_type(self, value: str):
        self.f_type = str(value or ALL)[:30]
        async for _ in self._load():
            yield

    async def _show(self, ctx: TenantContext, org_id: str) -> None:
        try:
            detail = await asyncio.to_thread(fetch_org_detail, ctx, org_id)
        except DomainError as exc:
            self.error = exc.message
            return
        self.selected, self.profile = detail["org"], detail["profile"]
        self.relationships, self.actions = detail["relationships"], detail["actions"]
        self.has_selection = True

    @rx.event
    async def select(self, org_id: str):
        ctx, self.feature_off = await page_context(self, READ, ENABLE_ORG)
        if ctx is None:
            return
        self.error = self.notice = self.reason = ""
        await self._show(ctx, str(org_id)[:64])

    @rx.event
    def set_reason(self, value: str):
        self.reason = str(value or "")[:4000]

    @rx.event
    async def take_action(self, action: str):
        ctx, self.feature_off = await page_context(self, WRITE, ENABLE_ORG)
        org_id = self.selected.get("id", "")
        if ctx is None or not org_id:
            self.error = "Your role may not change an organization's status."
            return
        shown = self.selected.get("status") or None  # a status changed meanwhile is refused, not re-applied
        try:
            await asyncio.to_thread(decide_org, ctx, org_id, str(action)[:30], self.reason, shown)
        except StaleStatus as exc:
            await self._show(ctx, org_id)
            self.error = exc.message
            return
        except DomainError as exc:
            self.error = exc.message
            return
        self.notice, self.error, self.reason = f"Done: {action}.", "", ""
        await self._show(ctx, org_id)
        self.rows = await asyncio.to_thread(fetch_orgs, ctx, self.f_type)


def not_found_block() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.text("404", size="9", weight="bold", color=rx.color("accent", 9)),
            rx.heading("This page does not exist for your tenant", size="5"),
            rx.text(
                "The feature is switched off. An owner or admin can turn it on in the settings.", color_scheme="gray"
            ),
            align="center",
            spacing="2",
        ),
        padding="3rem",
        width="100%",
        data_testid="feature-off",
    )


def status_badge(status: Var) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(
            status, ("active", "green"), ("published", "green"), ("on_hold", "amber"), ("suspended", "red"), "gray"
        ),
    )


def alerts(error: Var, notice: Var) -> rx.Component:
    return rx.fragment(
        rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", role="alert", width="100%")),
        rx.cond(notice != "", rx.callout(notice, icon="check", color_scheme="green", width="100%")),
    )


def _table(headers: list[str], body: rx.Component, testid: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            size="2",
            width="100%",
            data_testid=testid,
        ),
        overflow_x="auto",
        width="100%",
    )


def _org_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(
                row["name"], variant="ghost", size="2", on_click=OrgsState.select(row["id"]), data_testid="org-open"
            )
        ),
        rx.table.cell(rx.code(row["code"], variant="ghost")),
        rx.table.cell(row["type"]),
        rx.table.cell(status_badge(row["status"])),
        data_testid="org-row",
    )


def org_detail() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(OrgsState.selected["name"], size="4"),
                status_badge(OrgsState.selected["status"]),
                rx.badge(OrgsState.selected["type"], variant="soft"),
                rx.spacer(),
                rx.cond(OrgsState.can_write, cf.edit_button(OrgsState, "org", OrgsState.selected["id"])),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.text("Profile", weight="bold", size="2"),
            rx.cond(
                OrgsState.profile.length() > 0,
                rx.data_list.root(
                    rx.foreach(
                        OrgsState.profile,
                        lambda p: rx.data_list.item(rx.data_list.label(p["key"]), rx.data_list.value(p["value"])),
                    )
                ),
                rx.text("No profile details.", color_scheme="gray", size="2"),
            ),
            rx.text("Relationships", weight="bold", size="2"),
            rx.cond(
                OrgsState.relationships.length() > 0,
                rx.vstack(
                    rx.foreach(
                        OrgsState.relationships,
                        lambda r: rx.text(r["text"], " (", r["since"], " – ", r["until"], ")", size="2"),
                    ),
                    spacing="1",
                ),
                rx.text("No relationships.", color_scheme="gray", size="2"),
            ),
            rx.cond(
                OrgsState.actions.length() > 0,
                rx.vstack(
                    rx.text("Change status", weight="bold", size="2"),
                    rx.input(
                        placeholder="Reason (required)",
                        value=OrgsState.reason,
                        on_change=OrgsState.set_reason,
                        width="100%",
                        aria_label="Reason",
                    ),
                    rx.hstack(
                        rx.foreach(
                            OrgsState.actions,
                            lambda a: rx.button(
                                a["label"], variant="soft", on_click=OrgsState.take_action(a["action"])
                            ),
                        ),
                        wrap="wrap",
                    ),
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="org-detail",
    )


@app_page(
    "/catalog/organizations",
    "Organizations",
    permission=READ,
    nav="Organizations",
    icon="building-2",
    order=40,
    on_load=OrgsState.load,
)
def organizations_page() -> rx.Component:
    types = ["manufacturer", "distributor", "dealer", "supplier", "competitor", "service_partner"]
    s = OrgsState
    org_form = rx.vstack(
        cf.choice_field(s, "type", "Type", cf.ORG_TYPE_OPTIONS, disabled=s.editing),
        rx.grid(cf.text_field(s, "code", "Code"), cf.text_field(s, "name", "Name"), columns="2", spacing="3", width="100%"),
        rx.text("Profile", weight="bold", size="2"),
        cf.profile_fields(s),
        spacing="3",
        width="100%",
    )
    return rx.cond(
        OrgsState.feature_off,
        not_found_block(),
        rx.vstack(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="Type", aria_label="Organization type"),
                    rx.select.content(
                        rx.select.item("All types", value=ALL),
                        *[rx.select.item(t.replace("_", " "), value=t) for t in types],
                    ),
                    value=OrgsState.f_type,
                    on_change=OrgsState.set_type,
                ),
                rx.spacer(),
                rx.cond(s.can_write, cf.new_button(s, "org", "New organization")),
                width="100%",
            ),
            cf.form_dialog(s, {"org": org_form}),
            alerts(OrgsState.error, OrgsState.notice),
            rx.cond(
                OrgsState.loading,
                rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
                rx.grid(
                    _table(["Name", "Code", "Type", "Status"], rx.foreach(OrgsState.rows, _org_row), "orgs-table"),
                    rx.cond(
                        OrgsState.has_selection,
                        org_detail(),
                        rx.text("Pick an organization to see its profile and relationships.", color_scheme="gray"),
                    ),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )


# ---- products and SKUs ----------------------------------------------------------------------


class SkusState(EntityForm, AuthState):
    _form_kinds = ("channel", "product", "sku")
    can_write: bool = False
    feature_off: bool = False
    loading: bool = False
    notice: str = ""
    error: str = ""
    rows: list[dict[str, str]] = []
    products: list[dict[str, str]] = []
    channels: list[dict[str, str]] = []
    product_options: list[dict[str, str]] = []
    maker_options: list[dict[str, str]] = []

    async def _refresh(self, ctx: TenantContext) -> None:
        self.rows = await asyncio.to_thread(fetch_skus, ctx)
        data = await asyncio.to_thread(fetch_products, ctx)
        self.products, self.product_options = data["products"], data["product_options"]
        self.maker_options = data["maker_options"]
        self.channels = await asyncio.to_thread(fetch_channels, ctx)

    @rx.event
    async def load(self):
        self.rows, self.products, self.channels, self.loading, self.notice = [], [], [], True, ""
        self.error = ""
        yield
        ctx, self.feature_off = await page_context(self, READ, ENABLE_CHANNELS)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            await self._refresh(ctx)
        self.loading = False

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        await self._refresh(ctx)
        self.notice = f"Saved {cf.FORMS[kind].noun} {result['label']}."

    @rx.event
    async def set_active(self, kind: str, row_id: str, active: bool):
        """Deactivate (active=False) or reactivate a SKU or channel: catalog.write, ENABLE_CHANNELS."""
        ctx, self.feature_off = await page_context(self, WRITE, ENABLE_CHANNELS)
        if ctx is None or kind not in ("sku", "channel") or not isinstance(active, bool):
            return
        self.notice, self.error = "", ""
        try:
            code = await asyncio.to_thread(set_active, ctx, kind, str(row_id)[:64], active)
        except DomainError as exc:
            self.error = exc.message
            return
        await self._refresh(ctx)
        noun = "SKU" if kind == "sku" else "channel"
        self.notice = f"{'Reactivated' if active else 'Deactivated'} {noun} {code}."


def _active_cell(row: Var) -> rx.Component:
    return rx.table.cell(
        rx.cond(
            row["active"] == "yes",
            rx.badge("active", color_scheme="green", variant="soft"),
            rx.badge("inactive", color_scheme="gray", variant="solid", data_testid="inactive-badge"),
        )
    )


def _toggle_button(kind: str, row: Var) -> rx.Component:
    active = row["active"] == "yes"
    return rx.button(
        rx.cond(active, rx.icon("circle-off", size=14), rx.icon("circle-check", size=14)),
        rx.cond(active, "Deactivate", "Reactivate"),
        size="1",
        variant="soft",
        color_scheme=rx.cond(active, "gray", "green"),
        on_click=rx.cond(
            active, SkusState.set_active(kind, row["id"], False), SkusState.set_active(kind, row["id"], True)
        ),
        data_testid=f"toggle-{kind}",
    )


def _entity_row(kind: str, columns: tuple[str, ...], *, toggles: bool = False):
    """A table row renderer: the code, then `columns` (`active` as a badge), then Edit — and for SKUs
    and channels Deactivate / Reactivate — for roles with catalog.write. Inactive rows are greyed."""

    def render(row: Var) -> rx.Component:
        actions = [cf.edit_button(SkusState, kind, row["id"])]
        if toggles:
            actions.append(_toggle_button(kind, row))
        return rx.table.row(
            rx.table.cell(rx.code(row["code"], variant="ghost")),
            *[_active_cell(row) if c == "active" else rx.table.cell(row[c]) for c in columns],
            rx.table.cell(rx.cond(SkusState.can_write, rx.hstack(*actions, spacing="2"))),
            opacity=rx.cond(row["active"] == "no", "0.6", "1") if toggles else "1",
            data_testid=f"{kind}-row",
        )

    return render


_sku_row = _entity_row("sku", ("name", "product", "category", "manufacturer", "uom", "active"), toggles=True)
_product_row = _entity_row("product", ("name", "brand", "category", "manufacturer"))
_channel_row = _entity_row("channel", ("name", "kind", "active"), toggles=True)


def _section(title: str, kind: str, button: str, table: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(title, size="4"),
            rx.spacer(),
            rx.cond(SkusState.can_write, cf.new_button(SkusState, kind, button)),
            align="center",
            width="100%",
        ),
        table,
        spacing="2",
        width="100%",
    )


def _catalog_forms() -> rx.Component:
    s = SkusState
    code_name = rx.grid(cf.text_field(s, "code", "Code"), cf.text_field(s, "name", "Name"), columns="2", spacing="3", width="100%")
    return cf.form_dialog(
        s,
        {
            "sku": rx.vstack(
                cf.choice_field(s, "product_id", "Product", s.product_options),
                code_name,
                cf.text_field(s, "uom", "Unit"),
                spacing="3",
                width="100%",
            ),
            "product": rx.vstack(
                code_name,
                rx.grid(cf.text_field(s, "brand", "Brand"), cf.text_field(s, "category", "Category"), columns="2", spacing="3", width="100%"),
                cf.choice_field(s, "manufacturer_org_id", "Manufacturer", s.maker_options, none_label="No manufacturer"),
                cf.text_field(s, "description", "Description", area=True),
                spacing="3",
                width="100%",
            ),
            "channel": rx.vstack(
                code_name, cf.choice_field(s, "kind", "Kind", cf.CHANNEL_KIND_OPTIONS), spacing="3", width="100%"
            ),
        },
    )


@app_page(
    "/catalog/skus", "Products and SKUs", permission=READ, nav="SKUs", icon="package", order=41, on_load=SkusState.load
)
def skus_page() -> rx.Component:
    s = SkusState
    return rx.cond(
        s.feature_off,
        not_found_block(),
        rx.cond(
            s.loading,
            rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
            rx.vstack(
                rx.cond(s.notice != "", rx.callout(s.notice, icon="check", color_scheme="green", width="100%", data_testid="notice")),
                rx.cond(s.error != "", rx.callout(s.error, icon="triangle-alert", color_scheme="red", width="100%", role="alert")),
                _catalog_forms(),
                _section(
                    "SKUs",
                    "sku",
                    "New SKU",
                    _table(
                        ["SKU", "Name", "Product", "Category", "Manufacturer", "Unit", "Active", ""],
                        rx.foreach(s.rows, _sku_row),
                        "skus-table",
                    ),
                ),
                _section(
                    "Products",
                    "product",
                    "New product",
                    _table(
                        ["Code", "Name", "Brand", "Category", "Manufacturer", ""],
                        rx.foreach(s.products, _product_row),
                        "products-table",
                    ),
                ),
                _section(
                    "Channels",
                    "channel",
                    "New channel",
                    _table(["Code", "Name", "Kind", "Active", ""], rx.foreach(s.channels, _channel_row), "channels-table"),
                ),
                spacing="5",
                width="100%",
            ),
        ),
    )


# ---- channel catalogs -----------------------------------------------------------------------


class ChannelCatalogState(AuthState):
    feature_off: bool = False
    loading: bool = False
    error: str = ""
    notice: str = ""
    channels: list[dict[str, str]] = []
    channel_id: str = ""
    current: str = ""
    versions: list[dict[str, str]] = []
    items: list[dict[str, str]] = []
    offerings: list[dict[str, str]] = []
    diff_from: str = ""
    diff_to: str = ""
    diff_rows: list[dict[str, str]] = []
    note: str = ""
    can_write: bool = False

    @rx.event
    async def load(self):
        async for _ in self._load():
            yield

    async def _load(self):
        self.channels, self.versions, self.items, self.offerings, self.diff_rows = [], [], [], [], []
        self.error = self.notice = self.current = self.note = ""
        self.loading = True
        yield
        ctx, self.feature_off = await page_context(self, READ, ENABLE_CATALOG_PUBLISHING)
        if ctx is not None:
            self.can_write = ctx.can(WRITE)
            self.channels = await asyncio.to_thread(fetch_channels, ctx)
            known = {c["id"] for c in self.channels}
            if self.channel_id not in known:
                self.channel_id = self.channels[0]["id"] if self.channels else ""
            await self._refresh(ctx)
        self.loading = False

    async def _refresh(self, ctx: TenantContext) -> None:
        if not self.channel_id:
            return
        try:
            data = await asyncio.to_thread(fetch_channel, ctx, self.channel_id)
        except DomainError as exc:
            self.error = exc.message
            return
        self.current, self.versions = data["current"], data["versions"]
        self.items, self.offerings = data["items"], data["offerings"]
        numbers = [v["version"] for v in self.versions]
        self.diff_to = numbers[0] if numbers else ""
        self.diff_from = numbers[1] if len(numbers) > 1 else self.diff_to
        self.diff_rows = []

    @rx.event
    async def pick_channel(self, channel_id: str):
        self.channel_id = str(channel_id)[:64]
        async for _ in self._load():
            yield

    @rx.event
    def set_note(self, value: str):
        self.note = str(value or "")[:1000]

    @rx.event
    def set_diff_from(self, value: str):
        self.diff_from = str(value)[:10]

    @rx.event
    def set_diff_to(self, value: str):
        self.diff_to = str(value)[:10]

    @rx.event
    async def show_diff(self):
        ctx, self.feature_off = await page_context(self, READ, ENABLE_CATALOG_PUBLISHING)
        if ctx is None:
            return
        try:
            self.diff_rows = await asyncio.to_thread(
                fetch_diff, ctx, self.channel_id, int(self.diff_from), int(self.diff_to)
            )
            self.error = ""
        except (DomainError, ValueError) as exc:
            self.error = getattr(exc, "message", "pick two versions")

    @rx.event
    async def toggle(self, offering_id: str, listed: str):
        ctx, self.feature_off = await page_context(self, WRITE, ENABLE_CATALOG_PUBLISHING)
        if ctx is None:
            self.error = "Your role may not publish or unlist."
            return
        change = "unlist" if listed else "publish"
        try:
            number = await asyncio.to_thread(change_listing, ctx, self.channel_id, change, str(offering_id), self.note)
        except (DomainError, ValueError) as exc:
            self.error = getattr(exc, "message", "invalid offering")
            return
        self.error, self.note = "", ""
        self.notice = f"Version {number} published ({change})."
        await self._refresh(ctx)


def _version_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text("v", row["version"], weight="bold")),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["change"], " ", row["count"]),
        rx.table.cell(row["note"]),
        rx.table.cell(rx.text(row["at"], size="1", color_scheme="gray")),
        data_testid="version-row",
    )


def _offering_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["title"]),
        rx.table.cell(rx.cond(row["listed"] != "", rx.badge("listed", color_scheme="green"), rx.badge("not listed"))),
        rx.table.cell(
            rx.cond(
                ChannelCatalogState.can_write,
                rx.button(
                    rx.cond(row["listed"] != "", "Unlist", "Publish"),
                    size="1",
                    variant="soft",
                    on_click=ChannelCatalogState.toggle(row["id"], row["listed"]),
                ),
            )
        ),
        data_testid="offering-row",
    )


def _version_select(value: Var, on_change, label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=label, aria_label=label),
        rx.select.content(
            rx.foreach(ChannelCatalogState.versions, lambda v: rx.select.item("v" + v["version"], value=v["version"]))
        ),
        value=value,
        on_change=on_change,
    )


@app_page(
    "/catalog/channels",
    "Channel catalogs",
    permission=READ,
    nav="Channel catalogs",
    icon="store",
    order=42,
    on_load=ChannelCatalogState.load,
)
def channel_catalog_page() -> rx.Component:
    s = ChannelCatalogState
    return rx.cond(
        s.feature_off,
        not_found_block(),
        rx.vstack(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(placeholder="Channel", aria_label="Channel"),
                    rx.select.content(rx.foreach(s.channels, lambda c: rx.select.item(c["name"], value=c["id"]))),
                    value=s.channel_id,
                    on_change=s.pick_channel,
                ),
                rx.text(rx.cond(s.current != "", "Live: v" + s.current, "Nothing published yet"), color_scheme="gray"),
                align="center",
            ),
            alerts(s.error, s.notice),
            rx.grid(
                rx.vstack(
                    rx.heading("Offerings", size="3"),
                    rx.cond(
                        s.can_write,
                        rx.input(
                            placeholder="Note for the next version", value=s.note, on_change=s.set_note, width="100%"
                        ),
                    ),
                    _table(["Offering", "Live", ""], rx.foreach(s.offerings, _offering_row), "offerings-table"),
                    rx.heading("Live listing", size="3"),
                    rx.vstack(
                        rx.foreach(
                            s.items, lambda i: rx.text(rx.code(i["sku_code"], variant="ghost"), " ", i["title"])
                        ),
                        spacing="1",
                    ),
                    width="100%",
                ),
                rx.vstack(
                    rx.heading("Versions", size="3"),
                    _table(
                        ["Version", "Status", "Change", "Note", "When"],
                        rx.foreach(s.versions, _version_row),
                        "versions-table",
                    ),
                    rx.heading("Compare versions", size="3"),
                    rx.hstack(
                        _version_select(s.diff_from, s.set_diff_from, "From version"),
                        rx.text("→"),
                        _version_select(s.diff_to, s.set_diff_to, "To version"),
                        rx.button("Show diff", on_click=s.show_diff, variant="soft"),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.vstack(
                        rx.foreach(
                            s.diff_rows,
                            lambda d: rx.hstack(
                                rx.badge(
                                    d["change"],
                                    color_scheme=rx.match(d["change"], ("added", "green"), ("removed", "red"), "gray"),
                                ),
                                rx.code(d["sku_code"], variant="ghost"),
                                rx.text(d["title"], size="2"),
                                data_testid="diff-row",
                            ),
                        ),
                        spacing="1",
                    ),
                    width="100%",
                ),
                columns=rx.breakpoints(initial="1", lg="2"),
                spacing="4",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )
