"""Official alerts in: read each CAP document, keep it with what became of it, and relay it
to the hubs in its area (domain/cap_relay.py decides; this module stores and sends)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from hubbot.addresses import channel_of
from hubbot.channels.cap import CapRejected, parse_cap
from hubbot.channels.cap.archive import Archive, recent
from hubbot.clock import Clock
from hubbot.domain import fanout
from hubbot.domain.alert_rules import DEFAULT_RULES, Audience
from hubbot.domain.cap import CapAlert, info_for, is_heartbeat
from hubbot.domain.cap_relay import (
    Decision,
    HubPlace,
    Known,
    Outcome,
    Target,
    decide,
    full_text,
    sms_text,
)
from hubbot.domain.fanout import Member
from hubbot.domain.messages import Button, Msg, Outgoing, Priority
from hubbot.domain.playbook import LocalText, Playbook
from hubbot.service.outbound import Origin, Outbound, Recipient
from hubbot.store import alerts, cap_alerts, hubs
from hubbot.store.cap_alerts import CapRow
from hubbot.store.conn import Conn, Store

log = logging.getLogger(__name__)
ARCHIVE_TRIES = 3  # a reference the archive will not give is asked for at three heartbeats


class CapRelay:
    """`receive` takes one document from a feed, the stream or an exercise."""

    def __init__(
        self,
        db: Store,
        clock: Clock,
        outbound: Outbound,
        playbooks: Mapping[str, Playbook],
        wake: Callable[[], None],
        archive: Archive | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.outbound = outbound
        self.playbooks = playbooks
        self.wake = wake  # the dispatcher: relays were queued
        self.archive = archive  # NAAD's, for what a heartbeat names and the stream missed
        self._tries: dict[tuple[str, str, str], int] = {}  # archive fetches per reference

    async def receive(self, data: bytes, source: str) -> int | None:
        """Store the document and act on it; its number (the 3 of A3), or None for a
        heartbeat or a copy already received."""
        try:
            # A large alert takes the schema a while: off the event loop, so webhooks go on.
            alert = await asyncio.to_thread(parse_cap, data)
        except CapRejected as exc:
            log.warning("CAP document from %s dropped: %s", source, exc.reason)
            async with self.db.transaction() as conn:
                row = CapRow(source, Outcome.DROPPED, exc.reason)
                return await cap_alerts.record(conn, row, self.clock.now())
        if is_heartbeat(alert):
            return None
        now = self.clock.now()
        async with self.db.transaction() as conn:
            refs = [ref.key for ref in alert.references]
            known = Known(
                await cap_alerts.seen(conn, alert.key), await cap_alerts.referenced(conn, refs)
            )
            places = await self._places(conn)
            decision = decide(alert, known, places, now)
            if not decision.store:
                log.debug("CAP %s from %s: %s", alert.identifier, source, decision.reason)
                return None
            row = _row(alert, decision, source)
            alert_id = await cap_alerts.record(conn, row, now)
            await self._apply(conn, alert_id, row, decision, places, now)
        log.info(
            "CAP A%d (%s %s, %s): %s %s",
            alert_id,
            alert.msg_type,
            alert.identifier,
            alert.status,
            decision.outcome,
            decision.reason,
        )
        self.wake()
        return alert_id

    async def heartbeat(self, data: bytes, source: str) -> int:
        """A NAAD heartbeat lists the recent alerts: fetch from the archive those that never
        reached us (sent while the stream was down), and act on each as if it had come down
        the stream. Returns how many were fetched."""
        if self.archive is None:
            return 0
        try:
            beat = await asyncio.to_thread(parse_cap, data)
        except CapRejected as exc:
            log.warning("CAP heartbeat from %s unreadable: %s", source, exc.reason)
            return 0
        fetched = 0
        for ref in beat.references:
            if not recent(ref, self.clock.now()) or self._tries.get(ref.key, 0) >= ARCHIVE_TRIES:
                continue
            # Through the lock: the processor's batch lets the loop run between its texts.
            async with self.db.turn():
                seen = await cap_alerts.seen(self.db.conn, ref.key)
            if seen:
                continue
            self._tries[ref.key] = self._tries.get(ref.key, 0) + 1
            if len(self._tries) > 1000:  # a day of heartbeats names far fewer
                self._tries.pop(next(iter(self._tries)))
            url, body = await self.archive.fetch(ref)
            if body is not None:
                log.info("CAP %s was missed by the stream; fetched from %s", ref.identifier, url)
                await self.receive(body, url)
                fetched += 1
        return fetched

    async def _places(self, conn: Conn) -> list[HubPlace]:
        places = []
        for hub in await hubs.all_hubs(conn):
            playbook = self.playbooks.get(hub.playbook_id)
            rules = playbook.alert_rules if playbook is not None else DEFAULT_RULES
            places.append(
                HubPlace(hub.id, hub.code, hub.lat, hub.lon, hub.sgc, hub.exercise, rules)
            )
        return places

    async def _apply(
        self,
        conn: Conn,
        alert_id: int,
        row: CapRow,
        decision: Decision,
        places: list[HubPlace],
        now: datetime,
    ) -> None:
        label = f"A{alert_id}"
        hubs_by_id = {place.hub_id: place for place in places}
        if decision.supersedes:
            why = f"superseded by {label}"
            await cap_alerts.mark(conn, decision.supersedes, Outcome.SUPERSEDED, alert_id, why)
        if decision.cancels:
            why = f"cancelled by {label}"
            await cap_alerts.mark(conn, decision.cancels, Outcome.CANCELLED, alert_id, why)
            await self._cancelled(conn, decision.cancels, hubs_by_id)
        # The alert's text in both languages, once for every hub: the SMS's, and the whole of
        # it where there is room (Telegram).
        short = LocalText(fr=row.sms_fr or "", en=row.sms_en or "")
        whole = LocalText(fr=row.text_fr or "", en=row.text_en or "")
        reached: set[int] = set()  # once per alert, whoever is in several hubs or a coordinator
        for target in decision.targets:
            place = hubs_by_id[target.hub_id]
            key = "broadcast.urgent" if target.lane is Priority.ALERT else "broadcast.text"
            msgs = {channel: Msg(key, {"code": place.code, "id": label, "text": text})
                    for channel, text in (("sms", short), ("telegram", whole))}  # fmt: skip
            await self._relay(conn, alert_id, target, place, msgs, reached, now)

    async def _relay(
        self,
        conn: Conn,
        alert_id: int,
        target: Target,
        place: HubPlace,
        msgs: dict[str, Msg],
        reached: set[int],
        now: datetime,
    ) -> None:
        """One hub's relay: a broadcast of the alert, so tallies and OKs work as for one."""
        members = await self._audience(conn, target)
        fresh = [m for m in members if m.person_id not in reached]
        chosen = fanout.audience(fresh, None)
        reached.update(m.person_id for m in fresh)
        broadcast_id = await cap_alerts.relay_broadcast(
            conn, alert_id, target.hub_id, target.lane, now
        )
        buttons = (Button(Msg("ack.button"), f"ACK b{broadcast_id}"),)
        by_channel: dict[str, list[Member]] = {}
        for member in chosen.reached:  # everyone reached has an address (fanout.audience)
            by_channel.setdefault(channel_of(member.address or ""), []).append(member)
        sent: list[tuple[int, int | None, str | None]] = []
        for channel, group in by_channel.items():
            recipients = [
                Recipient(m.person_id, m.locale, m.address or "", m.sender) for m in group
            ]
            ids = await self.outbound.many(
                conn,
                recipients,
                msgs.get(channel, msgs["sms"]),  # a channel without room for all: the SMS's
                target.lane,
                buttons,
                target.hub_id,
                place.exercise,
            )
            sent += [(m.person_id, i, None) for m, i in zip(group, ids, strict=True)]
        skipped: list[tuple[int, int | None, str | None]] = [
            (person_id, None, why) for person_id, why in chosen.skipped
        ]
        await alerts.add_recipients(conn, broadcast_id, sent + skipped)

    async def _audience(self, conn: Conn, target: Target) -> list[Member]:
        if target.audience is Audience.COORDINATORS:
            return await alerts.audience(conn, None, None, coordinators=True)
        if target.audience is Audience.MEMBERS:
            return await alerts.audience(conn, target.hub_id, None)
        found: dict[int, Member] = {}
        for role in target.roles:
            for member in await alerts.audience(conn, target.hub_id, role):
                found.setdefault(member.person_id, member)
        return sorted(found.values(), key=lambda m: m.person_id)

    async def _cancelled(
        self, conn: Conn, cancelled: tuple[int, ...], hubs_by_id: dict[int, HubPlace]
    ) -> None:
        """Whoever got an alert now withdrawn is told, in a short text."""
        headlines = await cap_alerts.headlines(conn, cancelled)
        told: set[int] = set()
        for alert_id in cancelled:
            fr, en = headlines.get(alert_id, ("", ""))
            text = LocalText(fr=fr, en=en)
            for hub_id, person_id in await cap_alerts.readers(conn, [alert_id]):
                if person_id in told:
                    continue
                told.add(person_id)
                place = hubs_by_id.get(hub_id)
                code = place.code if place else ""
                msg = Msg("cap.cancelled", {"code": code, "id": f"A{alert_id}", "text": text})
                notice = Outgoing(person_id, msg, Priority.ALERT)
                about = Origin(hub_id=hub_id, exercise=place.exercise if place else None)
                await self.outbound.person(conn, notice, about)


def _row(alert: CapAlert, decision: Decision, source: str) -> CapRow:
    fr, en = info_for(alert, "fr-CA"), info_for(alert, "en-CA")
    first = alert.infos[0] if alert.infos else None
    areas = [a.description for a in (first.areas if first else ()) if a.description]
    expiries = [i.expires for i in alert.infos if i.expires is not None]
    return CapRow(
        source,
        decision.outcome,
        decision.reason,
        alert.sender,
        alert.identifier,
        alert.sent_text,
        alert.msg_type,
        alert.status,
        first.severity if first else None,
        first.urgency if first else None,
        first.certainty if first else None,
        first.event if first else None,
        "; ".join(areas) or None,
        fr.headline if fr else None,
        en.headline if en else None,
        full_text(alert, "fr-CA") or None,
        full_text(alert, "en-CA") or None,
        sms_text(alert, "fr-CA") or None,
        sms_text(alert, "en-CA") or None,
        max(expiries) if expiries else None,
    )
