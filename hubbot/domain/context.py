"""What every decision sees (who wrote, in which hub, when) and the typed facts a command asked for.

Each command's spec (domain/commands.py) names the fact groups (domain/facts.py) it needs; the
service loads exactly those, one loader per group, before the core decides. A handler reads a
group with `ctx.of(BoardFacts)`: asking for one its spec did not name is a bug, and fails
loudly instead of deciding on missing data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from hubbot.domain.messages import Confirm, Msg, Outgoing, Param, Priority
from hubbot.domain.models import Hub, Person

F = TypeVar("F")


class MissingFacts(LookupError):
    """A handler read a fact group its command's spec does not name."""


@dataclass(frozen=True)
class Context:
    now: datetime
    sender: Person
    hub: Hub | None  # the hub this message belongs to, if any
    coordinators: tuple[Person, ...] = ()
    group_chat: int | None = None  # the Telegram group the message was written in, if any
    # Every hub the sender is in (member, role holder, current): replies name their hub
    # when there are several (domain/addressing.py).
    sender_hubs: frozenset[int] = frozenset()
    sender_contact: str = ""  # how to reach the sender, for life-safety alerts only
    timezone: str = "America/Toronto"
    facts: Mapping[type, object] = field(default_factory=dict)
    # The registry, as a CommandIndex (domain/commands.py): `decide` sets it, and
    # domain/usage.py reads it typed. Held as an object so this module needs no import of
    # the commands, whose handlers take a Context.
    commands: object = None

    def of(self, kind: type[F]) -> F:
        """The fact group `kind`, as the service loaded it for this command."""
        found = self.facts.get(kind)
        if not isinstance(found, kind):
            raise MissingFacts(f"{kind.__name__} was not gathered: add it to the command's spec")
        return found

    @property
    def in_hub(self) -> Hub:
        """The sender's hub, for commands whose spec requires one (decide checked it)."""
        if self.hub is None:
            raise MissingFacts("this command needs a hub: set hub=True in its spec")
        return self.hub

    def reply(self, key: str, count: int | None = None, **params: Param) -> Outgoing:
        """A message back to the sender, in the normal lane."""
        return Outgoing(self.sender.id, Msg(key, dict(params), count))

    def tell(
        self, person_id: int, key: str, priority: Priority = Priority.NORMAL, **params: Param
    ) -> Outgoing:
        return Outgoing(person_id, Msg(key, dict(params)), priority)

    def alert(self, person_id: int, key: str, confirm: Confirm, **params: Param) -> Outgoing:
        """An urgent message the recipient is asked to confirm with OK."""
        return Outgoing(
            person_id, Msg(key, dict(params)), Priority.URGENT, ack=True, confirm=confirm
        )
