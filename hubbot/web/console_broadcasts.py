"""The console's broadcast page: compose, a preview in each language, confirm, and the list
with its live tallies. Sending is the chat command BROADCAST, which the core decides."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from hubbot.channels.console import console_address
from hubbot.domain import fanout
from hubbot.domain.decide import decide
from hubbot.domain.effects import CreateBroadcast
from hubbot.domain.messages import Priority
from hubbot.domain.models import Person
from hubbot.domain.playbook import LOCALES
from hubbot.domain.registry import parse
from hubbot.domain.sms import segment_count, sms_units
from hubbot.service import console_commands
from hubbot.service.facts import Lookup, build
from hubbot.store import alerts, broadcast_list, console_replies, hubs, people, region
from hubbot.store.sessions import Session
from hubbot.web import console_kit as kit
from hubbot.web.console_context import Console

ALL = "ALL"  # the audience value for every hub
_CODE = re.compile(r"^[A-Z0-9-]{1,16}$")
_MAX_TEXT = 1000  # the core sends back what does not fit three SMS; this bounds the form
_MAX_TIME = 20
_MISSING_SHOWN = 20


@dataclass(frozen=True)
class Draft:
    """The compose form as posted; the confirm button carries the same fields on."""

    audience: str  # ALL or a hub code
    role: str = ""
    urgent: bool = False
    at: str = ""  # a time as people write one: 18:00, 18h30, 6pm
    template: str = ""
    text: str = ""

    def fields(self) -> dict[str, str]:
        return {
            "audience": self.audience,
            "role": self.role,
            "urgent": "1" if self.urgent else "",
            "at": self.at,
            "template": self.template,
            "text": self.text,
        }

    def command(self, lang: str, coordinator: bool) -> str:
        """The command a person would type, in the page's language. A coordinator always names
        the audience (ALL or the code), so text starting 'Tous au gymnase' stays text; the time
        always follows AT, so a time that does not read is refused, not sent as text."""
        fr = lang == "fr"
        words = ["DIFFUSER" if fr else "BROADCAST"]
        if self.audience == ALL:
            words.append("TOUS" if fr else "ALL")
        elif coordinator:
            words.append(self.audience)
        if self.role:
            words += ["POSTE" if fr else "ROLE", self.role]
        if self.urgent:
            words.append("URGENT")
        if self.at:
            words += ["AT", self.at]
        body = f"#{self.template} {self.text}" if self.template else self.text
        return " ".join([*words, body]).strip()


def _draft(form: Mapping[str, str], roles: set[str], templates: frozenset[str]) -> Draft:
    """The form's fields, or 400 for values no page of ours offers."""
    audience = form.get("audience", "").strip().upper()
    role, template = form.get("role", ""), form.get("template", "")
    if not _CODE.match(audience) or (role and role not in roles):
        raise web.HTTPBadRequest()
    if template and template not in templates:
        raise web.HTTPBadRequest()
    return Draft(
        audience,
        role,
        bool(form.get("urgent")),
        " ".join(form.get("at", "").split())[:_MAX_TIME],
        template,
        " ".join(form.get("text", "").split())[:_MAX_TEXT],
    )


def broadcast_routes(c: Console) -> list[web.AbstractRouteDef]:
    templates = frozenset(
        k.removeprefix("template.") for k in c.renderer.all_keys() if k.startswith("template.")
    )
    roles = {r.id for playbook in c.playbooks.values() for r in playbook.roles}

    def coordinator(session: Session) -> bool:
        return session.account.role == "coordinator"

    async def target(session: Session, draft: Draft) -> region.HubRow:
        """The hub the command is sent in: the audience's (404 if not the account's), or for
        every hub, a coordinator's only, the first hub (a coordinator may name any)."""
        if draft.audience != ALL:
            return await c.hub_row(session, draft.audience)
        if not coordinator(session):
            raise web.HTTPForbidden()
        rows = await c.hub_rows(session)
        if not rows:
            raise web.HTTPNotFound()
        return rows[0]

    async def page(
        request: web.Request, session: Session, name: str, draft: Draft | None, **extra: Any
    ) -> web.Response:
        lang = c.lang_of(request)
        rows = await c.hub_rows(session)
        names = _role_names(c, lang)
        scope = None if coordinator(session) else (session.account.hub_id or -1)
        address = console_address(session.account.username)
        async with c.db.transaction() as conn:
            listed = await broadcast_list.recent(conn, scope)
            sent = await console_replies.last_sent(conn, address)
            replies = await console_replies.replies(conn, address)
        audiences = (
            [(ALL, c.text("console.broadcast.all_hubs", lang))] if coordinator(session) else []
        )
        audiences += [(row.code, f"{row.code} · {row.name}") for row in rows]
        return c.page(
            request,
            name,
            lang,
            session=session,
            draft=(draft or Draft(rows[0].code if rows else ALL)).fields(),
            audiences=audiences,
            roles=sorted(names.items(), key=lambda item: item[1]),
            templates=[(t, c.text(f"template.{t}", lang)) for t in sorted(templates)],
            actions=c.ingest is not None,
            sent=sent.split(": ", 1)[-1] if sent else None,
            replies=replies,
            broadcasts=[_row_view(row, names, c.timezone) for row in listed],
            **extra,
        )

    async def index(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        return await page(request, session, "broadcasts.html", None)

    async def preview(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        form = await c.form(request, session)
        if form is None:
            return c.refused(request)
        draft = _draft(form, roles, templates)
        row = await target(session, draft)
        lang = c.lang_of(request)
        text = draft.command(lang, coordinator(session))
        effect, problems = await _dry_run(c, session, row.id, row.code, text, templates, lang)
        shown = await _preview(c, effect, templates, lang) if effect else None
        return await page(
            request,
            session,
            "broadcast_preview.html",
            draft,
            command=text,
            problems=problems,
            preview=shown,
        )

    async def send(request: web.Request) -> web.StreamResponse:
        session = await c.signed_in(request)
        form = await c.form(request, session)
        if form is None:
            return c.refused(request)
        if c.ingest is None:
            raise web.HTTPNotFound()
        draft = _draft(form, roles, templates)
        row = await target(session, draft)
        lang = c.lang_of(request)
        text = draft.command(lang, coordinator(session))
        refused = await console_commands.send(
            c.db, c.clock, c.ingest, session.account, row.id, row.code, text, lang
        )
        if refused is not None:
            return web.Response(
                text=c.text("console.act.no_role", lang, person=f"M{refused}"), status=403
            )
        raise web.HTTPSeeOther(f"/broadcasts?lang={lang}")

    return [
        web.get("/broadcasts", index),
        web.post("/broadcasts/preview", preview),
        web.post("/broadcasts/send", send),
    ]


async def _dry_run(
    c: Console,
    session: Session,
    hub_id: int,
    hub_code: str,
    text: str,
    templates: frozenset[str],
    lang: str,
) -> tuple[CreateBroadcast | None, list[str]]:
    """What the core would decide if the account sent `text` now, without sending it: the
    broadcast it would create, else its answers (no text, an unknown template, a time that
    does not read...), so the preview shows the same words the confirm would get."""
    async with c.db.transaction() as conn:
        record = await hubs.by_id(conn, hub_id)
        if record is None:
            raise web.HTTPNotFound()
        hub = await hubs.load(conn, record, c.playbooks)
        person = await people.by_address(conn, console_address(session.account.username))
        sender = person or Person(0, lang, name=session.account.username)
        sender = replace(sender, is_coordinator=session.account.role == "coordinator")
        cmd = parse(f"{hub_code}: {text}", hub.playbook)
        lookup = Lookup(c.playbooks, "", c.timezone, templates)  # no phone number to read here
        ctx = await build(conn, cmd, sender, hub, c.clock.now(), lookup)
    outcome = decide(cmd, ctx)
    effect = next((e for e in outcome.effects if isinstance(e, CreateBroadcast)), None)
    answers = [c.renderer.render(m.msg, lang) for m in outcome.messages if m.person_id == sender.id]
    return effect, [] if effect else answers


async def _preview(
    c: Console, effect: CreateBroadcast, templates: frozenset[str], lang: str
) -> dict[str, Any]:
    """The broadcast as each language's recipients will read it, its SMS segments, and who
    it reaches now (domain/fanout.py decides both, as when it goes out)."""
    async with c.db.transaction() as conn:
        number = await broadcast_list.next_number(conn)
        record = await hubs.by_id(conn, effect.hub_ids[0]) if effect.hub_ids else None
        members = await alerts.audience(conn, record.id if record else None, effect.role)
    chosen = fanout.audience(members, effect.by_person_id)
    code = record.code if record else None
    shown = fanout.frame("B?", effect.body, effect.priority, templates, code)
    # Counted with the number it will most likely get: the frame carries it.
    counted = fanout.frame(f"B{number}", effect.body, effect.priority, templates, code)
    languages = []
    for locale in LOCALES:
        real = c.renderer.render(counted, locale)
        encoding, units = sms_units(real)
        languages.append(
            {
                "lang": locale,
                "text": c.renderer.render(shown, locale),
                "segments": segment_count(real),
                "encoding": encoding,
                "units": units,
                "recipients": sum(1 for m in chosen.reached if m.locale == locale),
            }
        )
    later = effect.send_at > c.clock.now()
    return {
        "hub": code,
        "role": _role_names(c, lang).get(effect.role or "", effect.role),
        "urgent": effect.priority is Priority.URGENT,
        "at": _local(effect.send_at, c.timezone) if later else None,
        "languages": languages,
        "recipients": len(chosen.reached),
        "skipped": len(chosen.skipped),
    }


def _role_names(c: Console, lang: str) -> dict[str, str]:
    return {r.id: r.name.get(lang) for p in c.playbooks.values() for r in p.roles}


def _local(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _row_view(
    row: broadcast_list.BroadcastRow, roles: Mapping[str, str], timezone: str
) -> dict[str, Any]:
    status = row.status
    missing = ", ".join(kit.without_phones(m) for m in status.not_acked[:_MISSING_SHOWN])
    more = len(status.not_acked) - _MISSING_SHOWN
    return {
        "id": f"B{row.id}",
        "hub": row.hub_code,
        "role": roles.get(row.role, row.role) if row.role else None,
        "urgent": row.urgent,
        "text": kit.without_phones(row.body),
        "by": kit.without_phones(row.by),
        "at": _local(row.sent_at or row.send_at, timezone),
        "scheduled": row.sent_at is None,
        "status": status,
        "missing": missing + (f" (+{more})" if more > 0 else ""),
    }
