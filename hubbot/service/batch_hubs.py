"""The hubs a batch of messages reads, loaded once per batch and kept true to its effects."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from hubbot.domain import board_effects as bx
from hubbot.domain import effects as fx
from hubbot.domain import link_effects as lx
from hubbot.domain import timed_effects as tx
from hubbot.domain.models import Hub
from hubbot.domain.playbook import Playbook
from hubbot.store import hubs, many_hubs
from hubbot.store.conn import Conn
from hubbot.store.hubs import HubRecord

# Effects that leave every hub's row, roster and members as they were: after them what the
# batch loaded is still true. Any other effect (an unknown one included) makes the batch
# load its hubs afresh; joining a hub is kept true in memory.
NEUTRAL: tuple[type, ...] = (
    fx.SetCurrentHub,
    fx.SetLocale,
    fx.SetName,
    fx.SetOptOut,
    fx.RecordPinFailure,
    fx.ResetPinFailures,
    fx.CreatePerson,
    fx.LogActivity,
    fx.RecordOnsite,
    fx.RecordLifeline,
    fx.RecordSitrep,
    fx.AnswerCheckin,
    fx.AnswerRollcall,
    fx.AckBroadcast,
    fx.ConfirmAlert,
    bx.CreateItem,
    bx.UpdateItem,
    bx.ListState,
    bx.CreateMatch,
    bx.MatchConsent,
    bx.CloseMatch,
    bx.RecordRouted,
    lx.StartLink,
    lx.FailLink,
    tx.ScheduleDue,
)


class KnownMembers:
    """Each hub's members as the last batch that read its hub committed them, with the count
    of membership changes they go with (hubs.members_changes, kept by SQLite's triggers
    whoever writes). A batch that finds that count unchanged takes them instead of reading
    every member again: a hub of 10,000 members cost a large read per batch. Not on
    PostgreSQL, which keeps no count (migrations_pg.py)."""

    def __init__(self) -> None:
        self._by_hub: dict[int, tuple[int, frozenset[int]]] = {}

    def of(self, record: HubRecord) -> frozenset[int] | None:
        known = self._by_hub.get(record.id)
        return known[1] if known is not None and known[0] == record.members_changes else None

    def keep(self, settled: Mapping[int, tuple[int, frozenset[int]]]) -> None:
        """After the commit of the transaction that read `settled`: never before, as a batch
        rolled back would leave members that were never stored."""
        self._by_hub.update(settled)


class BatchHubs:
    """Hub rows and loaded hubs (playbook, roster, members) for one batch's transaction.

    Every message of a batch to one hub's number reads the same hub: once per batch saves
    three queries a message, and reading a large hub's members once, not per message. Only
    for the length of one transaction, so nothing written outside it can be missed."""

    def __init__(
        self, conn: Conn, playbooks: Mapping[str, Playbook], known: KnownMembers | None = None
    ) -> None:
        self.conn = conn
        self.playbooks = playbooks
        self.known = known
        self._by_number: dict[str, HubRecord | None] = {}
        self._by_id: dict[int, HubRecord | None] = {}
        self._loaded: dict[int, Hub] = {}

    async def by_sms_number(self, number: str) -> HubRecord | None:
        if number not in self._by_number:
            self._by_number[number] = await hubs.by_sms_number(self.conn, number)
        return self._by_number[number]

    async def by_id(self, hub_id: int) -> HubRecord | None:
        if hub_id not in self._by_id:
            self._by_id[hub_id] = await hubs.by_id(self.conn, hub_id)
        return self._by_id[hub_id]

    async def load(self, record: HubRecord) -> Hub:
        hub = self._loaded.get(record.id)
        if hub is None:
            known = self.known.of(record) if self.known is not None else None
            hub = await hubs.load(self.conn, record, self.playbooks, known)
            self._loaded[record.id] = hub
        return hub

    async def settled(self) -> dict[int, tuple[int, frozenset[int]]]:
        """The members of the hubs loaded, with their count of changes as this transaction
        leaves them: for KnownMembers.keep once it commits."""
        if self.known is None:
            return {}
        counts = await many_hubs.members_changes(self.conn, list(self._loaded))
        return {hub_id: (count, self._loaded[hub_id].members) for hub_id, count in counts.items()}

    def applied(self, effects: Iterable[object]) -> None:
        """A message's effects were written: keep what is still true, forget the rest."""
        for effect in effects:
            if isinstance(effect, fx.JoinHub):
                hub = self._loaded.get(effect.hub_id)
                if hub is not None and effect.person_id not in hub.members:
                    members = hub.members | {effect.person_id}
                    self._loaded[effect.hub_id] = dataclasses.replace(hub, members=members)
            elif not isinstance(effect, NEUTRAL):
                self.forget()
                return

    def forget(self) -> None:
        self._by_number.clear()
        self._by_id.clear()
        self._loaded.clear()
