"""Everything the core needs to decide on one message, gathered by the service beforehand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hubbot.domain.answers import Awaiting
from hubbot.domain.checkins import Ask, OpenRound
from hubbot.domain.messages import Confirm, Msg, Outgoing, Priority
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
    awaiting: tuple[Awaiting, ...] = ()  # what the sender was asked and has not answered
    ack_target: Awaiting | None = None  # the alert or broadcast an ACK names, if still open
    already_acked: bool = False  # ... or it was theirs and is already confirmed
    settled_recently: bool = False  # the sender confirmed or acknowledged something lately
    link_code: str = ""  # a fresh one-time code, should LINK need one ("": no readable address)
    link_pending: int | None = None  # whom this person's pending LINK code went to
    link_code_valid: bool = False  # the code they typed matches it
    link_attempts: int = 0
    link_confirm_by_target: bool = False  # ... and it must be confirmed from there, not here
    link_failures: tuple[datetime, ...] = ()  # the sender's wrong LINK codes in the last day
    link_codes_to_target: int = 0  # LINK codes sent to the target's address in the last hour
    target_has_written: bool = False  # the address a code would go to has written to hubbot
    target_privileged: bool = False  # the target is a coordinator or holds a role
    link_requests: tuple[int, ...] = ()  # YES <code>: who asked to link with the sender
    link_confirm_from: int | None = None  # ... and the one whose code it is
    target_hubs: frozenset[int] = frozenset()  # ASSIGN, UNASSIGN, HANDOVER: the target's hubs
    board: tuple[BoardItem, ...] = ()  # the hub's open items: critical first, then oldest
    items: dict[str, BoardItem] = field(default_factory=dict)  # items the command names
    match: MatchView | None = None  # the sender's latest match waiting for consent
    contacts: dict[int, str] = field(default_factory=dict)  # shared only after both say yes
    sender_contact: str = ""  # how to reach the sender, for life-safety alerts only
    list_offset: int = 0  # where MORE/SUITE continues a list
    list_kind: str | None = None
    figures: Figures | None = None  # on-site count, lifelines, board counts, next report number
    timezone: str = "America/Toronto"
    open_ask: Ask | None = None  # the sender's check-in ask in an open round, answered or not
    rollcall: Rollcall | None = None  # the open roll call that asked the sender, with answer
    alert_status: BroadcastStatus | None = None  # for ALERTSTATUS
    # Role holders no message reaches now (person id -> "opted_out" | "unreachable"), and the
    # (person id, role id) pairs the lead was already told about; see domain/reach.py.
    cut_off: dict[int, str] = field(default_factory=dict)
    cut_off_told: frozenset[tuple[int, str]] = frozenset()
    # HANDOVER, ASSIGN, UNASSIGN: the hub's check-in rounds under way, their asks follow the role
    open_rounds: tuple[OpenRound, ...] = ()
    templates: frozenset[str] = frozenset()  # broadcast template ids (#boil_water), for BROADCAST

    def reply(self, key: str, count: int | None = None, **params: object) -> Outgoing:
        """A message back to the sender, in the normal lane."""
        return Outgoing(self.sender.id, Msg(key, dict(params), count))  # type: ignore[arg-type]

    def tell(
        self, person_id: int, key: str, priority: Priority = Priority.NORMAL, **params: object
    ) -> Outgoing:
        return Outgoing(person_id, Msg(key, dict(params)), priority)  # type: ignore[arg-type]

    def alert(self, person_id: int, key: str, confirm: Confirm, **params: object) -> Outgoing:
        """An urgent message the recipient is asked to confirm with OK."""
        msg = Msg(key, dict(params))  # type: ignore[arg-type]
        return Outgoing(person_id, msg, Priority.URGENT, ack=True, confirm=confirm)
