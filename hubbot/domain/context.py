"""Everything the core needs to decide on one message, gathered by the service beforehand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hubbot.domain.checkins import Ask
from hubbot.domain.messages import Msg, Outgoing, Priority
from hubbot.domain.models import (
    BoardItem,
    BroadcastStatus,
    Figures,
    Hub,
    ItemKind,
    Person,
    Rollcall,
)

PIN_ATTEMPTS = 3
PIN_LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class MatchView:
    id: int
    need: BoardItem
    offer: BoardItem
    need_yes: bool
    offer_yes: bool


@dataclass(frozen=True)
class Context:
    now: datetime
    sender: Person
    hub: Hub | None  # the hub this message belongs to, if any
    coordinators: tuple[Person, ...] = ()
    target_hub: Hub | None = None  # the hub named by JOIN or ACTIVATE
    pin_valid: bool = False  # whether ACTIVATE's PIN matched target_hub
    target: Person | None = None  # the person named by ASSIGN or UNASSIGN
    next_number: dict[ItemKind, int] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)  # how to show hub members: "M12 Ana"
    group_chat: int | None = None  # the Telegram group the message was written in, if any
    item: BoardItem | None = None  # the board item a relay (R N12 ...) names
    ack_known: bool = False  # the alert an ACK names was sent to the sender
    already_acked: bool = False
    link_code: str = ""  # a fresh one-time code, should LINK need one
    link_pending: int | None = None  # whom this person's pending LINK code went to
    link_code_valid: bool = False  # the code they typed matches it
    link_attempts: int = 0
    board: tuple[BoardItem, ...] = ()  # the hub's open items: critical first, then oldest
    items: dict[str, BoardItem] = field(default_factory=dict)  # items the command names
    match: MatchView | None = None  # the sender's latest match waiting for consent
    contacts: dict[int, str] = field(default_factory=dict)  # shared only after both say yes
    sender_contact: str = ""  # how to reach the sender, for life-safety alerts only
    list_offset: int = 0  # where MORE/SUITE continues a list
    list_kind: str | None = None
    figures: Figures | None = None  # on-site count, lifelines, board counts, next report number
    timezone: str = "America/Toronto"
    waiting_ask: Ask | None = None  # the sender's unanswered check-in
    rollcall: Rollcall | None = None  # the open roll call waiting for the sender's answer
    alert_status: BroadcastStatus | None = None  # for ALERTSTATUS
    last_broadcast: int | None = None  # the newest broadcast the sender has not acknowledged

    def reply(self, key: str, count: int | None = None, **params: object) -> Outgoing:
        """A message back to the sender, in the normal lane."""
        return Outgoing(self.sender.id, Msg(key, dict(params), count))  # type: ignore[arg-type]

    def tell(
        self, person_id: int, key: str, priority: Priority = Priority.NORMAL, **params: object
    ) -> Outgoing:
        return Outgoing(person_id, Msg(key, dict(params)), priority)  # type: ignore[arg-type]

    def alert(self, person_id: int, key: str, **params: object) -> Outgoing:
        """An urgent message the recipient is asked to acknowledge."""
        msg = Msg(key, dict(params))  # type: ignore[arg-type]
        return Outgoing(person_id, msg, Priority.URGENT, ack=True)
