"""The simulator's sending half: an SMS channel whose 'phones' are a mailbox table."""

from __future__ import annotations

import logging

from hubbot.channels.base import Limit, SendError, Sent
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.clock import Clock
from hubbot.store import mailbox
from hubbot.store.conn import Store
from hubbot.store.mailbox import MailboxMessage

log = logging.getLogger(__name__)


class SimulatorChannel:
    """Stands in for Twilio when there are no credentials; can pretend the network is down."""

    def __init__(
        self, db: Store, clock: Clock, policy: SmsPolicy | None = None, name: str = "sms"
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy or SmsPolicy()
        self.name = name
        self.network_up = True

    def shape(self, text: str) -> list[str]:
        return self.policy.shape(text)

    def limits(self, address: str, sender: str | None, text: str) -> list[Limit]:
        return self.policy.limits(sender, text)

    async def send(
        self,
        address: str,
        text: str,
        sender: str | None = None,
        buttons: tuple[tuple[str, str], ...] = (),  # SMS has no buttons
    ) -> Sent:
        if not self.network_up:
            raise SendError("simulated network outage", permanent=False)
        message_id = await mailbox.deliver(self.db, address, text, self.clock.now())
        log.info("simulator -> %s: %s", address, text.replace("\n", " | "))
        return Sent(f"SIM{message_id}", delivered=True)

    async def mailbox(self, address: str, after: int = 0, limit: int = 200) -> list[MailboxMessage]:
        return await mailbox.read(self.db, address, after, limit)
