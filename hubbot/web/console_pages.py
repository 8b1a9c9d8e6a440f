"""The console's pages: the region table, a hub's page, and the hub page's actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from hubbot.channels.console import console_address
from hubbot.domain.messages import Msg
from hubbot.domain.models import HubStatus
from hubbot.domain.playbook import Playbook
from hubbot.domain.situation import TOPICS
from hubbot.service import console_commands
from hubbot.store import cap_alerts, console_replies, hub_page, region
from hubbot.web import console_actions
from hubbot.web import console_kit as kit
from hubbot.web.console_context import Console


def page_routes(c: Console) -> list[web.AbstractRouteDef]:
    async def region_page(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        lang = c.lang_of(request)
        seen = await c.hub_rows(session)
        now, zone = c.clock.now(), ZoneInfo(c.timezone)
        hubs = [
            _region_view(row, c.playbooks.get(row.playbook_id), lang, now, zone) for row in seen
        ]
        alerts = _alerts_view(
            await cap_alerts.listing(c.db, 50), {r.code for r in seen}, lang, zone
        )
        return c.page(request, "region.html", lang, session=session, hubs=hubs, alerts=alerts)

    async def hub_page(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        lang = c.lang_of(request)
        row = await c.hub_row(session, request.match_info["code"])
        now = c.clock.now()
        playbook = c.playbooks.get(row.playbook_id)
        wanted = _board_filter(request.query, playbook, lang)
        async with c.db.transaction() as conn:
            holders = await region.roster(conn, row.id)
            joined = await region.members(conn, row.id)
            boards = await _boards(conn, row.id, now, wanted)
            address = console_address(session.account.username)
            sent = await console_replies.last_sent(conn, address)
            replies = await console_replies.replies(conn, address)
            extra = await _hub_sections(conn, row.id, c.timezone)
        names = {r.id: r.name.get(lang) for r in playbook.roles} if playbook else {}
        roster = [(names.get(h.role_id, h.role_id), h.person) for h in holders]
        hub = _hub_view(row, playbook, lang)
        return c.page(
            request,
            "hub.html",
            lang,
            session=session,
            hub=hub,
            roster=roster,
            members=joined,
            **boards,
            actions=c.ingest is not None,
            roles=[(r.id, r.name.get(lang)) for r in playbook.roles] if playbook else [],
            lifelines=list(TOPICS),
            sent=console_actions.shown(sent.split(": ", 1)[-1]) if sent else None,
            replies=replies,
            **extra,
        )

    async def hub_action(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        fields = await c.form(request, session)
        if fields is None:
            return c.refused(request)
        row = await c.hub_row(session, request.match_info["code"])
        if c.ingest is None:
            raise web.HTTPNotFound()
        text = console_actions.command(
            fields.get("action", ""), fields, c.playbooks.get(row.playbook_id), row.code
        )
        if text is None:
            raise web.HTTPBadRequest()
        lang = c.lang_of(request)
        # Opening names its hub itself (ACTIVATE CODE PIN): no `CODE:` prefix in front of it.
        named = None if fields.get("action") == "open" else row.code
        refused_person = await console_commands.send(
            c.db, c.clock, c.ingest, session.account, row.id, named, text, lang
        )
        if refused_person is not None:
            key = Msg("console.act.no_role", {"person": f"M{refused_person}"})
            return web.Response(text=c.renderer.render(key, lang), status=403)
        raise web.HTTPSeeOther(f"/hubs/{row.code}?lang={lang}")

    return [
        web.get("/", region_page),
        web.get("/hubs/{code}", hub_page),
        web.post("/hubs/{code}/act", hub_action),
    ]


# What became of a relayed alert, as the region page says it (only relayed ones are shown).
OUTCOME_KEYS = {
    "relayed": "console.alerts.outcome.relayed",
    "superseded": "console.alerts.outcome.superseded",
    "cancelled": "console.alerts.outcome.cancelled",
}


def _alerts_view(
    listed: list[cap_alerts.Listed], visible: set[str], lang: str, zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Official alerts relayed to a hub the account sees, newest first, in its language."""
    shown = []
    for a in listed:
        codes = [code for code in a.hubs.split() if code in visible]
        if not codes:
            continue
        received = datetime.fromisoformat(a.received_at).astimezone(zone)
        french = lang == "fr"
        shown.append(
            {
                "id": f"A{a.id}",
                "at": received.strftime("%Y-%m-%d %H:%M"),
                "headline": (a.headline_fr if french else a.headline_en)
                or a.headline_en
                or a.headline_fr
                or "",
                "text": (a.text_fr if french else a.text_en) or a.text_en or a.text_fr or "",
                "area": a.area or "",
                "severity": " / ".join(v for v in (a.severity, a.urgency) if v),
                "outcome": OUTCOME_KEYS.get(a.outcome, "console.alerts.outcome.relayed"),
                "hubs": ", ".join(codes),
            }
        )
    return shown[:20]


def _hub_view(row: region.HubRow, playbook: Playbook | None, lang: str) -> dict[str, Any]:
    roles = playbook.roles if playbook else ()
    vacant = [r.name.get(lang) for r in roles if r.priority and not row.holders.get(r.id)]
    return {
        "code": row.code,
        "name": row.name,
        "open": row.status == HubStatus.ACTIVE,
        "held": sum(1 for r in roles if row.holders.get(r.id)),
        "roles": len(roles),
        "vacant": vacant,
        "needs": row.open_needs,
        "critical": row.critical_needs,
        "offers": row.open_offers,
    }


def _region_view(
    row: region.HubRow, playbook: Playbook | None, lang: str, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """A region table row: the hub's view plus the figures only the region table shows."""

    def local(at: datetime) -> str:
        same_day = at.astimezone(zone).date() == now.astimezone(zone).date()
        return at.astimezone(zone).strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")

    last = row.last_round
    sitrep_age = int((now - row.last_sitrep).total_seconds() // 60) if row.last_sitrep else None
    return {
        **_hub_view(row, playbook, lang),
        "since": local(row.since) if row.since else "",
        "onsite": row.onsite,
        "onsite_change": row.onsite_change,
        "round": (
            {
                "at": local(last.at) if last.at else "",
                "ok": last.ok,
                "help": last.help,
                "silent": last.silent,
            }
            if last
            else None
        ),
        "lifelines": [
            {
                "topic": ll.topic,
                "state": kit.without_phones(ll.state),
                "unconfirmed": ll.unconfirmed,
            }
            for ll in row.lifelines
        ],
        "sitrep_age": sitrep_age,
        "sitrep_ago": kit.duration(sitrep_age) if sitrep_age is not None else "",
    }


async def _hub_sections(conn: hub_page.Conn, hub_id: int, timezone: str) -> dict[str, Any]:
    """The hub page's read-only sections; local times, never a phone number."""
    zone = ZoneInfo(timezone)

    def local(at: datetime | None) -> str:
        return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else ""

    return {
        "matches": await hub_page.matches(conn, hub_id),
        "situation": [
            {
                "topic": ll.topic,
                "state": kit.without_phones(ll.state),
                "at": local(ll.at),
                "unconfirmed": ll.unconfirmed,
            }
            for ll in await hub_page.lifelines(conn, hub_id)
        ],
        "rounds": [
            {"at": local(r.started_at), "ok": r.ok, "help": r.help, "silent": r.silent}
            for r in await hub_page.rounds(conn, hub_id)
        ],
        "sitreps": [
            {
                "number": s.number,
                "at": local(s.at),
                "needs": s.needs,
                "critical": s.critical,
                "onsite": s.onsite,
            }
            for s in await hub_page.sitreps(conn, hub_id)
        ],
        "log": [
            {
                "at": local(e.at),
                "who": kit.without_phones(e.who),
                "action": e.action,
                "detail": kit.without_phones(e.detail),
            }
            for e in await hub_page.activity(conn, hub_id)
        ],
    }


_BOARD_LIMIT = 200  # rows a board shows; the downloads have them all


def _board_filter(query: Mapping[str, str], playbook: Playbook | None, lang: str) -> BoardFilter:
    """The boards' filters from `?status=&category=`: open items of every category unless the
    reader asks otherwise; a value the page does not offer counts as not given."""
    categories = [(cat.id, cat.name.get(lang)) for cat in playbook.categories] if playbook else []
    categories.append(("other", ""))  # an item no category fits; the template names it
    status = query.get("status", "open")
    category = query.get("category", "")
    return BoardFilter(
        status if status in region.BOARD_FILTERS else "open",
        category if category in dict(categories) else "",
        categories,
    )


@dataclass(frozen=True)
class BoardFilter:
    status: str
    category: str  # "" for every category
    categories: list[tuple[str, str]]  # (id, name in the reader's language)


async def _boards(
    conn: hub_page.Conn, hub_id: int, now: datetime, wanted: BoardFilter
) -> dict[str, Any]:
    """The needs and offers boards as filtered, critical first, never a phone number."""
    names = dict(wanted.categories)
    shown: dict[str, Any] = {"board": wanted}
    for kind, key in (("need", "needs"), ("offer", "offers")):
        found = await region.board(
            conn, hub_id, now, kind, wanted.status, wanted.category or None, _BOARD_LIMIT + 1
        )
        shown[key] = [
            {
                "label": i.label,
                "category": names.get(i.category or "other") or i.category or "",
                "text": kit.without_phones(i.text),
                "critical": i.critical,
                "status": i.status,
            }
            for i in found[:_BOARD_LIMIT]
        ]
        shown[f"{key}_more"] = len(found) > _BOARD_LIMIT
    return shown
